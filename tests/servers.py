"""Two real IMAP+SMTP servers, mail-devel and Dovecot, behind one interface for e2e tests."""

from __future__ import annotations

import asyncio
import grp
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path
from typing import Any, Self, TypeVar

import aiohttp
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from imapclient import IMAPClient

from mailbaton.app.sandbox import Sandbox, free_port, start_sandbox

PASSWORD = "secret"
# Idle logged-in IMAP sessions the harness keeps per server (MailServer._run): more than
# one test uses (a login costs 25-50 ms), far fewer than the accounts of a whole run.
POOL_MAX = 12
DEFAULT_USER = "baton@example.com"
T = TypeVar("T")


def mailbox_owner(address: str) -> str:
    """The account an address delivers to: ``user+detail@domain`` -> ``user@domain``.

    This is what a real MTA with ``recipient_delimiter = +`` does, so the harness
    folds addresses the same way on both servers.
    """
    address = parseaddr(address)[1] or address
    local, at, domain = address.rpartition("@")
    if not at:
        return address
    return f"{local.split('+', 1)[0]}@{domain}"


def find_dovecot() -> str | None:
    """Path of the dovecot binary, or None when it is not installed."""
    found = shutil.which("dovecot")
    if found:
        return found
    # /usr/sbin is often missing from a non-root PATH.
    return "/usr/sbin/dovecot" if os.access("/usr/sbin/dovecot", os.X_OK) else None


def _wait_for_port(host: str, port: int, alive: Callable[[], bool], timeout: float) -> bool:
    """Poll until host:port accepts a connection; False if ``alive()`` turns false first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive():
            return False
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return alive()
        except OSError:
            time.sleep(0.05)
    return False


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


class MailServer:
    """A running IMAP server with an SMTP port that delivers into recipients' INBOXes.

    Folder names in this interface always use "/" as the hierarchy separator; they are
    translated to the server's own ``delimiter``. Every account logs in with
    ``password``; any address is an account, and ``user+detail@domain`` is folded to
    ``user@domain`` wherever a user is named.
    """

    name: str
    host: str
    imap_port: int
    smtp_port: int
    password: str = PASSWORD
    delimiter: str

    def __init__(self) -> None:
        # Logged-in connections kept per account: a login costs 25-50 ms, a command ~1 ms.
        self._pool: dict[str, list[IMAPClient]] = {}
        self._pool_lock = threading.Lock()

    # -- IMAP plumbing -----------------------------------------------------------------

    def _connect(self, user: str) -> IMAPClient:
        client = IMAPClient(self.host, port=self.imap_port, ssl=False, timeout=10)
        # Without it Nagle's algorithm meets delayed ACKs: ~40 ms per command on mail-devel.
        client.socket().setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            client.login(user, self.password)
        except BaseException:
            client.shutdown()
            raise
        return client

    @staticmethod
    def _discard(client: IMAPClient) -> None:
        try:
            client.logout()
        except Exception:
            client.shutdown()

    def _run(self, user: str, action: Callable[[IMAPClient], T]) -> T:
        """Run ``action`` on a pooled connection logged in as ``user`` (thread-safe)."""
        owner = mailbox_owner(user)
        while True:
            with self._pool_lock:
                free = self._pool.setdefault(owner, [])
                client = free.pop() if free else None
            pooled = client is not None
            if client is None:
                client = self._connect(owner)
            try:
                result = action(client)
                # Leave nothing selected, so a pooled connection never holds a folder
                # that clear() or the code under test is about to delete.
                self._deselect(client)
            except (IMAPClient.AbortError, OSError):
                self._discard(client)
                if pooled:
                    continue  # a stale pooled connection (server restarted?): retry fresh
                raise
            except BaseException:
                self._discard(client)
                raise
            with self._pool_lock:
                self._pool[owner] = self._pool.pop(owner, [])  # the most recent one last
                self._pool[owner].append(client)
                surplus = self._surplus()
            for idle in surplus:
                self._discard(idle)
            return result

    def _surplus(self) -> list[IMAPClient]:
        """Idle sessions over POOL_MAX, of the accounts used longest ago (pool lock held).
        Tests name dozens of accounts in a run; a session kept for each, for the whole run,
        was an imap process each on Dovecot (38 from one worker midway through a run)."""
        surplus = []
        while sum(len(free) for free in self._pool.values()) > POOL_MAX:
            oldest = next(owner for owner, free in self._pool.items() if free)
            surplus.append(self._pool[oldest].pop(0))
            if not self._pool[oldest]:
                del self._pool[oldest]
        return surplus

    @staticmethod
    def _deselect(client: IMAPClient) -> None:
        imap = client._imap  # imaplib tracks the state; IMAPClient does not expose it
        if imap.state != "SELECTED":
            return
        if client.has_capability("UNSELECT"):
            client.unselect_folder()
        elif not imap.is_readonly:
            client.close_folder()
        else:
            # mail-devel has neither UNSELECT nor CLOSE when read-only, and it creates any
            # folder one SELECTs; INBOX, which nobody can delete, is the safe place to park.
            client.select_folder("INBOX", readonly=True)

    def close_connections(self) -> None:
        """Log out every pooled connection."""
        with self._pool_lock:
            clients = [client for free in self._pool.values() for client in free]
            self._pool.clear()
        for client in clients:
            self._discard(client)

    @contextmanager
    def imap(self, user: str = DEFAULT_USER) -> Iterator[IMAPClient]:
        """A fresh IMAPClient logged in as ``user``, for tests that need raw IMAP."""
        client = self._connect(mailbox_owner(user))
        try:
            yield client
        finally:
            self._discard(client)

    def to_server(self, folder: str) -> str:
        """A "/" folder name in the server's notation."""
        return folder if folder.upper() == "INBOX" else folder.replace("/", self.delimiter)

    def from_server(self, folder: str) -> str:
        return folder.replace(self.delimiter, "/")

    # -- the interface -----------------------------------------------------------------

    def deliver(
        self,
        raw: bytes,
        to: str = DEFAULT_USER,
        folder: str = "INBOX",
        flags: Sequence[str] = (),
    ) -> None:
        """APPEND ``raw`` into ``to``'s folder (created if missing), as if the MTA delivered it."""
        name = self.to_server(folder)

        def append(client: IMAPClient) -> None:
            if name != "INBOX" and not client.folder_exists(name):
                client.create_folder(name)
            client.append(name, raw, flags=tuple(flags))

        self._run(to, append)

    def _fetch(self, user: str, folder: str, item: str) -> list[Any]:
        name = self.to_server(folder)

        def fetch(client: IMAPClient) -> list[Any]:
            if not client.folder_exists(name):
                return []
            # Read-only select and BODY.PEEK: looking must not set \Seen.
            client.select_folder(name, readonly=True)
            uids = client.search("ALL")
            if not uids:
                return []
            fetched = client.fetch(uids, [item])
            key = item.replace(".PEEK", "").encode()  # the server answers BODY[...]
            return [fetched[uid][key] for uid in sorted(fetched)]

        return self._run(user, fetch)

    def messages(self, user: str, folder: str = "INBOX") -> list[bytes]:
        """Raw bytes of every message in the folder, in UID order; [] if it does not exist."""
        return [bytes(raw) for raw in self._fetch(user, folder, "BODY.PEEK[]")]

    def headers(self, user: str, folder: str = "INBOX") -> list[bytes]:
        """The header block of every message in the folder, in UID order: what a count of
        Message-IDs needs, without moving (and parsing) thousands of bodies."""
        return [bytes(raw) for raw in self._fetch(user, folder, "BODY.PEEK[HEADER]")]

    def count(self, user: str, folder: str = "INBOX") -> int:
        """How many messages the folder holds (0 if it does not exist)."""
        name = self.to_server(folder)

        def exists(client: IMAPClient) -> int:
            if not client.folder_exists(name):
                return 0
            return int(client.select_folder(name, readonly=True)[b"EXISTS"])

        return self._run(user, exists)

    def flags(self, user: str, folder: str = "INBOX") -> list[set[str]]:
        """The stored flags of every message in the folder, in UID order, e.g. {"\\Seen"}.

        \\Recent is left out: it belongs to a session, and only Dovecot reports it.
        """
        found = self._fetch(user, folder, "FLAGS")
        return [{flag.decode() for flag in flags} - {"\\Recent"} for flags in found]

    def folders(self, user: str) -> list[str]:
        """Selectable folder names, in "/" notation, sorted.

        Placeholder parents (\\Noselect, \\NonExistent) are left out: mail-devel and
        Dovecot differ on whether "a" is listed after CREATE "a/b".
        """

        def listing(client: IMAPClient) -> list[str]:
            names = []
            for flags, _delim, name in client.list_folders():
                lowered = {flag.lower() for flag in flags}
                if b"\\noselect" in lowered or b"\\nonexistent" in lowered:
                    continue
                names.append(self.from_server(name))
            return sorted(names)

        return self._run(user, listing)

    def create_folder(self, user: str, folder: str) -> None:
        """CREATE a folder given in "/" notation (parents included)."""
        self._run(user, lambda client: client.create_folder(self.to_server(folder)))

    def wait_for(
        self, user: str, count: int, folder: str = "INBOX", timeout: float = 10
    ) -> list[bytes]:
        """Poll until the folder holds at least ``count`` messages; return them all."""
        deadline = time.monotonic() + timeout
        while True:
            # Counting is one SELECT; the bytes are fetched once there are enough.
            found = self.messages(user, folder) if self.count(user, folder) >= count else []
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                found = self.messages(user, folder)
                subjects = [_subject(raw) for raw in found]
                raise AssertionError(
                    f"{self.name}: expected at least {count} message(s) in {user} {folder} "
                    f"within {timeout:g}s, found {len(found)}: {subjects}; "
                    f"folders: {self.folders(user)}"
                )
            time.sleep(0.05)

    def accounts(self) -> list[str]:
        """Every account the server knows."""
        raise NotImplementedError

    def clear(self) -> None:
        """Empty every account: all folders but INBOX deleted, INBOX expunged."""
        for user in self.accounts():
            self._run(user, self._clear_account)

    def _clear_account(self, client: IMAPClient) -> None:
        listed = client.list_folders()
        # Children before parents: some servers refuse to delete a folder with children.
        names = sorted(
            (name for _flags, _delim, name in listed if name.upper() != "INBOX"),
            key=lambda name: (name.count(self.delimiter), name),
            reverse=True,
        )
        for name in names:
            # Failing is fine for a \Noselect placeholder gone with its last child.
            with suppress(IMAPClient.Error):
                client.delete_folder(name)
        for _flags, _delim, name in client.list_sub_folders():
            if name.upper() != "INBOX":
                client.unsubscribe_folder(name)
        self._expunge_inbox(client)
        left = [name for _f, _d, name in client.list_folders() if name.upper() != "INBOX"]
        if left:
            raise RuntimeError(f"{self.name}: could not delete folders {left}")

    @staticmethod
    def _expunge_inbox(client: IMAPClient) -> None:
        client.select_folder("INBOX")
        uids = client.search("ALL")
        if uids:
            client.delete_messages(uids)
            client.expunge()
        client.close_folder()

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} imap={self.imap_port} smtp={self.smtp_port}>"


def _group_alive(pgid: int) -> bool:
    """Whether any live (not zombie) process is still in this process group."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone while we looked
        if fields[0] != "Z" and int(fields[2]) == pgid:
            return True
    return False


def _subject(raw: bytes) -> str:
    for line in raw.splitlines():
        if not line.strip():
            break
        if line.lower().startswith(b"subject:"):
            return line[8:].strip().decode(errors="replace")
    return "(no subject)"


# -- mail-devel --------------------------------------------------------------------------


class MailDevelServer(MailServer):
    """mail-devel (pymap + aiosmtpd, in memory) via ``mailbaton.sandbox.start_sandbox``.

    Its SMTP delivers by the To/Cc/Bcc *headers*, not the envelope, after the
    ``baton+*@example.com -> baton@example.com`` alias.
    """

    name = "mail-devel"
    delimiter = "/"

    def __init__(self, sandbox: Sandbox) -> None:
        super().__init__()
        self.sandbox = sandbox
        self.host = sandbox.host
        self.imap_port = sandbox.imap_port
        self.smtp_port = sandbox.smtp_port
        self.password = sandbox.password

    @classmethod
    def start(cls, log_path: Path | None = None) -> MailDevelServer:
        # HTTP is on for its websocket API: the only way to list (and cheaply empty) accounts.
        return cls(start_sandbox(with_http=True, password=PASSWORD, log_path=log_path))

    def accounts(self) -> list[str]:
        return asyncio.run(self._websocket(clear=False))

    def clear(self) -> None:
        # Folders go over the websocket (no login per account); only accounts whose INBOX
        # holds mail need an IMAP session, since the web API cannot delete a message.
        for user in asyncio.run(self._websocket(clear=True)):
            self._run(user, self._expunge_inbox)

    async def _websocket(self, *, clear: bool) -> list[str]:
        """All accounts; with ``clear``, delete their folders and return those with mail."""
        url = f"http://{self.host}:{self.sandbox.http_port}/websocket"
        timeout = aiohttp.ClientTimeout(total=10)
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.ws_connect(url) as ws,
        ):

            async def call(command: str, **args: object) -> dict[str, Any]:
                await ws.send_str(json.dumps({"command": command, **args}))
                while True:
                    reply: dict[str, Any] = json.loads(await ws.receive_str())
                    if reply.get("command") == command:
                        return dict(reply["data"])

            accounts = list((await call("list_accounts"))["accounts"])
            if not clear:
                return accounts
            with_mail = []
            for account in accounts:
                names = (await call("list_mailboxes", account=account))["mailboxes"]
                # Children first (it deletes children too, so either order would do). Each
                # answers with the new list, which the "config" round trip skips past.
                for name in sorted(names, reverse=True):
                    if name != "INBOX":
                        request = {"command": "delete_mailbox", "account": account, "name": name}
                        await ws.send_str(json.dumps(request))
                await call("config")
                left = (await call("list_mailboxes", account=account))["mailboxes"]
                if left != ["INBOX"]:
                    raise RuntimeError(f"mail-devel: could not delete {left} of {account}")
                mails = (await call("list_mails", account=account, mailbox="INBOX"))["mails"]
                if mails:
                    with_mail.append(account)
            return with_mail

    def stop(self) -> None:
        self.close_connections()
        self.sandbox.stop()


# -- Dovecot -----------------------------------------------------------------------------


@dataclass
class ReceivedMail:
    """One SMTP transaction as the Dovecot-side MTA saw it."""

    mail_from: str
    rcpt_tos: list[str]
    raw: bytes


class _DeliveringHandler:
    """aiosmtpd handler that delivers each message into every envelope recipient's INBOX."""

    def __init__(self, server: DovecotServer) -> None:
        self.server = server

    async def handle_DATA(self, smtp: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        mail_from = envelope.mail_from or ""
        rcpts = list(envelope.rcpt_tos)
        self.server.smtp_log.append(ReceivedMail(mail_from, rcpts, raw))
        loop = asyncio.get_running_loop()
        try:
            for rcpt in rcpts:
                # Like Dovecot's LDA: Return-Path and Delivered-To on top of the message.
                owner = mailbox_owner(rcpt)
                headers = f"Return-Path: <{mail_from}>\r\nDelivered-To: {owner}\r\n".encode()
                await loop.run_in_executor(None, self.server.deliver, headers + raw, owner)
        except Exception as exc:  # reported to the SMTP client as a temporary failure
            return f"451 4.3.0 delivery to Dovecot failed: {exc}"
        return "250 2.0.0 OK delivered"


def _any_login(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    # Same rule as mail-devel: any login name, the shared password.
    ok = isinstance(auth_data, LoginPassword) and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)


DOVECOT_CONF = """\
# Written by tests/servers.py for one throwaway instance; touches nothing outside {root}.
base_dir = {root}/run
state_dir = {root}/state
instance_name = mailbaton-test-{port}
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{root}/mail/%u
mail_uid = {user}
mail_gid = {group}
first_valid_uid = {uid}
first_valid_gid = {gid}
{internal_users}
mail_fsync = never
passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = uid={user} gid={group} home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
  chroot =
}}
service anvil {{
  chroot =
}}
protocol imap {{
  mail_max_userip_connections = 100
}}
"""


class DovecotServer(MailServer):
    """A private Dovecot instance (maildir, "." delimiter) plus an aiosmtpd MTA in front.

    The MTA delivers by the *envelope* recipients, folding ``user+detail@domain`` to
    ``user@domain``; every transaction is recorded in ``smtp_log``.
    """

    name = "dovecot"
    delimiter = "."

    def __init__(
        self, root: Path, process: subprocess.Popen[bytes], imap_port: int, binary: str = ""
    ) -> None:
        super().__init__()
        self.root = root
        self.process = process
        self.binary = binary
        self.host = "127.0.0.1"
        self.imap_port = imap_port
        self.password = PASSWORD
        self.smtp_log: list[ReceivedMail] = []
        self.controller: Controller | None = None
        self.smtp_port = 0

    @classmethod
    def start(
        cls, binary: str | None = None, timeout: float = 20, extra_conf: str = ""
    ) -> DovecotServer:
        """A new instance; ``extra_conf`` lines are appended to its dovecot.conf, e.g.
        ``imap_capability = IMAP4rev1 IDLE`` for a server without MOVE and UIDPLUS."""
        binary = binary or find_dovecot()
        if binary is None:
            raise RuntimeError("dovecot not installed: apt-get install dovecot-imapd")
        root = Path(tempfile.mkdtemp(prefix="mailbaton-dovecot-"))
        # Dovecot's processes run as other users and must reach the maildir.
        root.chmod(0o755)
        (root / "mail").mkdir()
        if os.geteuid() == 0:
            user = group = "mail"
            uid, gid = pwd.getpwnam("mail").pw_uid, pwd.getpwnam("mail").pw_gid
            shutil.chown(root / "mail", user, group)
            internal_users = ""  # root: the packaged dovecot/dovenull users
        else:
            # Unprivileged: Dovecot cannot switch users, so every service runs as us.
            entry = pwd.getpwuid(os.getuid())
            user, uid, gid = entry.pw_name, entry.pw_uid, entry.pw_gid
            group = grp.getgrgid(gid).gr_name
            internal_users = (
                f"default_internal_user = {user}\n"
                f"default_login_user = {user}\n"
                f"default_internal_group = {group}"
            )
        port = free_port()
        conf = root / "dovecot.conf"
        conf.write_text(
            DOVECOT_CONF.format(
                root=root,
                port=port,
                user=user,
                group=group,
                uid=uid,
                gid=gid,
                internal_users=internal_users,
                password=PASSWORD,
            )
            + extra_conf
            + ("\n" if extra_conf and not extra_conf.endswith("\n") else "")
        )
        server = cls(root, cls._launch(binary, root), port, binary)
        server._wait_until_up(timeout)
        server._start_smtp()
        return server

    @staticmethod
    def _launch(binary: str, root: Path) -> subprocess.Popen[bytes]:
        console = open(root / "console.log", "ab")  # noqa: SIM115 - closed after the process ends
        try:
            return subprocess.Popen(
                [binary, "-F", "-c", str(root / "dovecot.conf")],
                # Its own process group, which its children join, so stop() can end them all.
                start_new_session=True,
                stdin=subprocess.DEVNULL,
                stdout=console,
                stderr=subprocess.STDOUT,
            )
        finally:
            console.close()  # the child has its own copy of the descriptor

    def _wait_until_up(self, timeout: float) -> None:
        process = self.process
        if not _wait_for_port(self.host, self.imap_port, lambda: process.poll() is None, timeout):
            log = _tail(self.root / "dovecot.log") + "\n" + _tail(self.root / "console.log")
            code = process.poll()
            self.stop(keep_files=True)
            state = f"exited with code {code}" if code is not None else f"no port in {timeout}s"
            raise RuntimeError(f"dovecot {state}; files in {self.root}; log:\n{log}")

    def kill(self) -> None:
        """Crash the IMAP side: SIGKILL to Dovecot and its children, mail and port kept.

        Open connections are reset; new ones are refused until ``restart()``. The SMTP
        side stays up (its deliveries fail with 451 meanwhile).
        """
        self.close_connections()
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        # The children (imap, imap-login, stats, ...) are in the group too and die a little
        # later; a restart before the last one is gone finds its socket still answering
        # ("Dovecot is already running?").
        deadline = time.monotonic() + 5
        while _group_alive(self.process.pid) and time.monotonic() < deadline:
            time.sleep(0.02)

    def restart(self, timeout: float = 20) -> None:
        """Start Dovecot again on the same port, config and maildirs (after ``kill()``)."""
        if self.process.poll() is None:
            self.kill()
        self.process = self._launch(self.binary or find_dovecot() or "dovecot", self.root)
        self._wait_until_up(timeout)

    def _start_smtp(self) -> None:
        self.smtp_port = free_port()
        self.controller = Controller(
            _DeliveringHandler(self),
            hostname=self.host,
            port=self.smtp_port,
            authenticator=_any_login,
            auth_require_tls=False,
            enable_SMTPUTF8=True,
        )
        self.controller.start()

    def accounts(self) -> list[str]:
        mail = self.root / "mail"
        return sorted(entry.name for entry in mail.iterdir() if entry.is_dir())

    def _has_content(self, user: str) -> bool:
        # Maildir on disk: INBOX mail in cur/ or new/, a folder as a ".name" directory.
        # Reading it is safe while Dovecot runs; only changes go through IMAP.
        home = self.root / "mail" / user
        if any(entry.name.startswith(".") for entry in home.iterdir() if entry.is_dir()):
            return True
        return any(any((home / sub).iterdir()) for sub in ("cur", "new") if (home / sub).is_dir())

    def clear(self) -> None:
        for user in self.accounts():
            if self._has_content(user):
                self._run(user, self._clear_account)
        self.smtp_log.clear()

    def stop(self, keep_files: bool = False) -> None:
        self.close_connections()
        if self.controller is not None:
            self.controller.stop()
            self.controller = None
        # A throwaway instance: SIGKILL to the whole group. A polite SIGTERM costs 1-6 s
        # while the master waits for its children, and there is nothing to save.
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        if not keep_files:
            # Killed children may not be gone yet, and the log process may still write.
            for _ in range(20):
                shutil.rmtree(self.root, ignore_errors=True)
                if not self.root.exists():
                    break
                time.sleep(0.05)
