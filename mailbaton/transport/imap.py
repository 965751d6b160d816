"""The only importer of imapclient: the watched folder as a Mailbox, and IDLE on it."""

from __future__ import annotations

import contextlib
import logging
import ssl
from collections.abc import Iterator
from typing import Self

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from mailbaton.config import MailboxSettings
from mailbaton.store.ledger import Source
from mailbaton.store.models import Outcome
from mailbaton.transport.auth import SignInProblem, server_refused, source_for, xoauth2
from mailbaton.transport.base import Incoming, SignInFailed, Transient, head_size
from mailbaton.transport.tls import tls_context

log = logging.getLogger(__name__)

# Read this much of a message per FETCH, so one huge mail is not one huge reply.
FETCH_BATCH = 20


# The IMAP server cannot be used right now (connection, login, folder): try later.
InboxError = Transient


@contextlib.contextmanager
def _imap_errors(what: str) -> Iterator[None]:
    """Everything the server or the socket can throw becomes one InboxError saying what."""
    try:
        yield
    except (OSError, IMAPClientError, ssl.SSLError) as error:
        raise InboxError(f"{what}: {error}") from error


class Inbox:
    """One logged-in IMAP connection on the watched folder."""

    def __init__(self, settings: MailboxSettings) -> None:
        self.settings = settings
        self.client: IMAPClient | None = None
        self.capabilities: frozenset[str] = frozenset()
        self.delimiter = "/"
        self.uidvalidity = 0

    @property
    def key(self) -> str:
        """Names this mailbox in the ledger."""
        s = self.settings
        return f"{s.username}@{s.host}:{s.port}"

    def __enter__(self) -> Inbox:
        self.connect()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def connect(self) -> None:
        s = self.settings
        try:
            client = IMAPClient(
                s.host,
                port=s.port,
                ssl=s.security == "ssl",
                # Asked for only with TLS: building one is not free (tls.py keeps it).
                ssl_context=tls_context(s.verify_tls, s.ca_file) if s.security == "ssl" else None,
                timeout=s.timeout,
            )
        except (OSError, IMAPClientError) as error:
            raise InboxError(f"cannot connect to IMAP {s.host}:{s.port}: {error}") from error
        try:
            if s.security == "starttls":
                # Never fall back to plaintext: a failed STARTTLS is an error.
                client.starttls(tls_context(s.verify_tls, s.ca_file))
            sign_in(client, s)
            self.capabilities = frozenset(c.decode().upper() for c in client.capabilities())
            self.delimiter = self._find_delimiter(client)
        except SignInProblem:
            _shutdown(client)
            raise
        except LoginError as error:
            _shutdown(client)
            said = str(error)
            if said[:2] in ("b'", 'b"'):  # imapclient hands the server's bytes on as repr()
                said = said[2:-1]
            raise SignInFailed(
                f"the IMAP server {s.host}:{s.port} refused the sign-in as {s.username}: {said}"
            ) from error
        except (OSError, IMAPClientError, ssl.SSLError) as error:
            _shutdown(client)
            raise InboxError(
                f"IMAP login to {s.host}:{s.port} as {s.username} failed: {error}"
            ) from error
        self.client = client

    def _find_delimiter(self, client: IMAPClient) -> str:
        for _flags, delimiter, _name in client.list_folders("", ""):
            if delimiter:
                return delimiter.decode() if isinstance(delimiter, bytes) else str(delimiter)
        return "/"

    def _client(self) -> IMAPClient:
        if self.client is None:
            raise InboxError("not connected")
        return self.client

    def server_name(self, folder: str) -> str:
        """Config names folders with '/'; servers differ (Dovecot maildir uses '.')."""
        return folder.replace("/", self.delimiter) if self.delimiter != "/" else folder

    def folder_names(self) -> set[str]:
        """Every folder the server lists, by its server name."""
        with _imap_errors("cannot list folders"):
            return {str(name) for _f, _d, name in self._client().list_folders()}

    def ensure_folders(self, folders: list[str]) -> None:
        client = self._client()
        with _imap_errors("cannot list folders"):
            existing = {name for _f, _d, name in client.list_folders()}
        for folder in folders:
            name = self.server_name(folder)
            if name in existing:
                continue
            with _imap_errors(f"cannot create IMAP folder {name!r}"):
                try:
                    client.create_folder(name)
                except IMAPClient.AbortError:
                    raise
                except IMAPClientError as error:
                    # Another replica may have created it between LIST and CREATE.
                    if not client.folder_exists(name):
                        raise InboxError(f"cannot create IMAP folder {name!r}: {error}") from error
                # Subscribed, so the folders show up in people's mail clients.
                with contextlib.suppress(IMAPClientError):
                    client.subscribe_folder(name)

    def select(self) -> int:
        """Selects the watched folder; returns its UIDVALIDITY."""
        with _imap_errors(f"cannot open folder {self.settings.folder!r}"):
            info = self._client().select_folder(self.settings.folder)
        self.uidvalidity = int(info.get(b"UIDVALIDITY", 0))
        return self.uidvalidity

    def uids(self) -> list[int]:
        with _imap_errors("cannot list messages"):
            return sorted(int(uid) for uid in self._client().search(["NOT", "DELETED"]))

    def fetch(self, uids: list[int]) -> Iterator[tuple[int, bytes]]:
        """Raw bytes without touching \\Seen: people read the shared mailbox too."""
        client = self._client()
        for start in range(0, len(uids), FETCH_BATCH):
            batch = uids[start : start + FETCH_BATCH]
            with _imap_errors("cannot fetch messages"):
                data = client.fetch(batch, ["BODY.PEEK[]"])
            for uid in batch:
                item = data.get(uid)
                if item is None:
                    continue  # expunged by someone else meanwhile
                raw = item.get(b"BODY[]")
                if raw is None:
                    continue
                yield uid, bytes(raw)

    def sizes(self, uids: list[int]) -> dict[int, int]:
        """RFC822.SIZE per UID: decided before a byte of the body is fetched."""
        found: dict[int, int] = {}
        for start in range(0, len(uids), 500):
            batch = uids[start : start + 500]
            with _imap_errors("cannot read message sizes"):
                data = self._client().fetch(batch, ["RFC822.SIZE"])
            for uid, item in data.items():
                found[int(uid)] = int(item.get(b"RFC822.SIZE", 0))
        return found

    def fetch_head(self, uid: int, size: int) -> bytes:
        """The first `size` bytes of a message too large to load whole."""
        with _imap_errors(f"cannot fetch the beginning of message {uid}"):
            data = self._client().fetch([uid], [f"BODY.PEEK[]<0.{size}>"])
        item = data.get(uid, {})
        # Servers name the partial item BODY[]<0>; the origin is all imapclient keeps.
        return bytes(item.get(b"BODY[]<0>", b""))

    def file(self, uids: list[int], folder: str) -> None:
        """Moves messages to an outcome folder in one UID MOVE (else UID COPY + \\Deleted +
        UID EXPUNGE): a round trip per folder, not per message."""
        client = self._client()
        target = self.server_name(folder)
        named = f"{len(uids)} messages" if len(uids) > 1 else f"message {uids[0]}"
        with _imap_errors(f"cannot move {named} to {target!r}"):
            if "MOVE" in self.capabilities:
                client.move(uids, target)
                return
            client.copy(uids, target)
            client.add_flags(uids, [b"\\Deleted"], silent=True)
            if "UIDPLUS" in self.capabilities:
                client.uid_expunge(uids)
                return
        # Without UIDPLUS a plain EXPUNGE would also remove other \Deleted mail a person
        # flagged; ours stays flagged, and the ledger keeps it from being processed again.
        log.info("server lacks UIDPLUS: %s flagged \\Deleted, not expunged", named)

    def idle_start(self) -> None:
        self._client().idle()

    def idle_check(self, seconds: float) -> bool:
        """True when the server reported a change within `seconds`."""
        return bool(self._client().idle_check(timeout=seconds))

    def idle_done(self) -> None:
        self._client().idle_done()

    def noop(self) -> None:
        self._client().noop()

    def close(self) -> None:
        client, self.client = self.client, None
        if client is not None:
            _shutdown(client)


def sign_in(client: IMAPClient, s: MailboxSettings) -> None:
    """LOGIN with the password, or AUTHENTICATE XOAUTH2 with a token; a refused token is
    replaced by a fresh one once (it may have been revoked or expired early)."""
    if s.auth != "oauth2":
        client.login(s.username, s.password)
        return
    source = source_for(s.oauth2, s.username)
    for last in (False, True):
        token = source.token()
        try:
            client.sasl_login("XOAUTH2", _Answers(xoauth2(s.username, token.value)))
            return
        except LoginError as error:
            source.refused(token)
            if last:
                raise server_refused("IMAP", s.username, str(error), token) from None


class _Answers:
    """First the credentials; to an error challenge an empty line, as RFC 7628 asks."""

    def __init__(self, first: bytes) -> None:
        self.next = first

    def __call__(self, challenge: bytes) -> bytes:
        answer, self.next = self.next, b""
        return answer


def _shutdown(client: IMAPClient) -> None:
    try:
        client.logout()
    except (OSError, IMAPClientError, ssl.SSLError):
        with contextlib.suppress(OSError, IMAPClientError):
            client.shutdown()


class ImapMailbox:
    """The watched folder as a Mailbox: outcome folders made on open, messages MOVEd to them."""

    def __init__(self, settings: MailboxSettings) -> None:
        self.settings = settings
        self.inbox = Inbox(settings)
        self.uidvalidity = 0

    @property
    def key(self) -> str:
        return self.inbox.key

    def __enter__(self) -> Self:
        self.inbox.connect()
        try:
            folders = self.settings.folders
            self.inbox.ensure_folders(
                [folders.processed, folders.rejected, folders.ignored, folders.failed]
            )
            self.uidvalidity = self.inbox.select()
        except BaseException:
            self.inbox.close()
            raise
        return self

    def __exit__(self, *_exc: object) -> None:
        self.inbox.close()

    def waiting(self) -> list[Source]:
        folder = self.settings.folder
        return [Source(self.key, folder, self.uidvalidity, uid) for uid in self.inbox.uids()]

    def read(self, sources: list[Source], cap: int) -> Iterator[Incoming]:
        """Sizes first (RFC822.SIZE), so a body over the cap never crosses the wire."""
        by_uid = {_uid(source): source for source in sources}
        sizes = self.inbox.sizes(list(by_uid)) if by_uid else {}
        small: list[int] = []
        for uid, source in by_uid.items():
            if sizes.get(uid, 0) > cap:
                head = self.inbox.fetch_head(uid, head_size(cap))
                yield Incoming(source, head, oversized=sizes[uid])
            else:
                small.append(uid)
        for uid, raw in self.inbox.fetch(small):
            yield Incoming(by_uid[uid], raw)

    def file(self, source: Source, outcome: Outcome) -> bool:
        return bool(self.file_all([(source, outcome)]))

    def file_all(self, filing: list[tuple[Source, Outcome]]) -> list[Source]:
        """One UID MOVE per outcome folder; a folder that fails raises, and what went to
        the folders before it stays moved (the ledger re-files the rest next pass)."""
        by_folder: dict[str, list[Source]] = {}
        for source, outcome in filing:
            by_folder.setdefault(self.settings.folders.for_outcome(outcome), []).append(source)
        filed: list[Source] = []
        for folder, sources in by_folder.items():
            self.inbox.file([_uid(source) for source in sources], folder)
            filed.extend(sources)
        return filed


def _uid(source: Source) -> int:
    if source.uid is None:
        raise ValueError(f"{source} names no IMAP message")
    return source.uid
