"""IMAP faults on real servers: lose nothing, process nothing twice, come back by itself.

Injected: servers without MOVE (COPY + \\Deleted + UID EXPUNGE) or without UIDPLUS too
(flag, never expunge), a UIDVALIDITY change, a crash and restart of the server (also in
the middle of a pass), a connection lost after a decision and before its filing, a
folder the server refuses to create, and an IDLE connection that silently stops
answering (a NAT that forgot it).
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import mails
import pytest
from baton import Baton, make_baton, parse
from servers import DEFAULT_USER, DovecotServer, MailServer

from mailbaton.app.service import Service
from mailbaton.clock import utcnow
from mailbaton.config import load

pytestmark = pytest.mark.e2e

StartDovecot = Callable[..., DovecotServer]
NO_MOVE = "imap_capability = IMAP4rev1 IDLE UIDPLUS"
NO_MOVE_NO_UIDPLUS = "imap_capability = IMAP4rev1 IDLE"


# -- harness -------------------------------------------------------------------------------


class Proxy:
    """A TCP relay in front of the IMAP port that records what the client sends.

    ``freeze()`` makes the connections holding an IDLE silently dead: bytes are swallowed
    in both directions and nothing is closed, as when a NAT or firewall forgets a
    connection. ``cut_at(b"CREATE")`` drops a connection when its client sends that
    command (after running an optional action, e.g. crashing the server), so a fault
    lands at an exact point of a pass. Other and later connections work normally.
    """

    def __init__(self, upstream_port: int, host: str = "127.0.0.1") -> None:
        self.host = host
        self.upstream_port = upstream_port
        self.listener = socket.create_server((host, 0))
        self.port = self.listener.getsockname()[1]
        self.lock = threading.Lock()
        self.sent: list[bytearray] = []  # client -> server bytes, one per connection
        self.frozen: set[int] = set()
        self.cuts: list[tuple[bytes, Callable[[], object] | None]] = []
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection((self.host, self.upstream_port), timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self.lock:
                index = len(self.sent)
                self.sent.append(bytearray())
                self.sockets += [client, upstream]
            for src, dst, outgoing in ((client, upstream, True), (upstream, client, False)):
                threading.Thread(
                    target=self._pump, args=(index, src, dst, outgoing), daemon=True
                ).start()

    def _pump(self, index: int, src: socket.socket, dst: socket.socket, outgoing: bool) -> None:
        try:
            while data := src.recv(65536):
                with self.lock:
                    if index in self.frozen:
                        continue
                    cut = outgoing and self._take_cut(data)
                    if outgoing:
                        self.sent[index] += data
                if cut:
                    _marker, action = cut
                    if action is not None:
                        action()
                    break
                dst.sendall(data)
        except OSError:
            pass
        for sock in (src, dst):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def _take_cut(self, data: bytes) -> tuple[bytes, Callable[[], object] | None] | None:
        for i, (marker, action) in enumerate(self.cuts):
            if b" " + marker + b" " in data.upper():
                del self.cuts[i]
                return marker, action
        return None

    def cut_at(self, command: bytes, action: Callable[[], object] | None = None) -> None:
        """Once: drop the connection that sends ``command`` instead of passing it on."""
        with self.lock:
            self.cuts.append((command.upper(), action))

    def freeze(self) -> int:
        """Silently kill every connection that holds an IDLE; returns how many."""
        with self.lock:
            self.frozen |= {i for i, sent in enumerate(self.sent) if b" IDLE\r\n" in sent.upper()}
            return len(self.frozen)

    def commands(self) -> bytes:
        """Everything every client sent, upper-cased (literal message data included)."""
        with self.lock:
            return b"".join(bytes(sent) for sent in self.sent).upper()

    def idles(self, live_only: bool = False) -> int:
        """Connections on which the client has sent IDLE."""
        with self.lock:
            return sum(
                1
                for i, sent in enumerate(self.sent)
                if b" IDLE\r\n" in sent.upper() and not (live_only and i in self.frozen)
            )

    def logouts(self) -> int:
        """Connections that were logged out without ever IDLE-ing: finished passes."""
        with self.lock:
            return sum(
                1
                for sent in self.sent
                if b" LOGOUT\r\n" in sent.upper() and b" IDLE\r\n" not in sent.upper()
            )

    def close(self) -> None:
        self.listener.close()
        with self.lock:
            for sock in self.sockets:
                with contextlib.suppress(OSError):
                    sock.close()


@pytest.fixture
def proxies() -> Iterator[Callable[[MailServer], Proxy]]:
    made: list[Proxy] = []

    def make(server: MailServer) -> Proxy:
        proxy = Proxy(server.imap_port, server.host)
        made.append(proxy)
        return proxy

    yield make
    for proxy in made:
        proxy.close()


def configure(
    server: MailServer,
    folder: Path,
    *,
    imap_port: int | None = None,
    mailbox: str = "",
    tail: str = "",
    timeout: float = 10,
) -> Baton:
    """make_baton's config with the IMAP port, [mailbox] lines and trailing tables changed."""
    made = make_baton(server, folder)
    made.close()
    path = made.config_path
    text = path.read_text()
    if imap_port is not None:
        text = text.replace(f"port = {server.imap_port}\n", f"port = {imap_port}\n", 1)
    # The first "timeout" is [mailbox]'s.
    text = text.replace("timeout = 10\n", f"timeout = {timeout}\n{mailbox}", 1) + tail
    path.write_text(text)
    settings = load(path)
    return Baton(server, path, settings, Service.open(settings))


@pytest.fixture
def batons(tmp_path: Path) -> Iterator[Callable[..., Baton]]:
    made: list[Baton] = []

    def make(server: MailServer, **options: Any) -> Baton:
        folder = tmp_path / f"baton{len(made)}"
        folder.mkdir()
        baton = configure(server, folder, **options)
        made.append(baton)
        return baton

    yield make
    for baton in made:
        baton.close()


def message_ids(server: MailServer, folder: str = "INBOX", user: str = DEFAULT_USER) -> list[str]:
    return [str(parse(raw)["Message-ID"]) for raw in server.messages(user, folder)]


def tickets(baton: Baton) -> list[str]:
    return sorted(t["id"] for t in baton.cli_json("status", "--all"))


def mail_out(baton: Baton) -> dict[str, int]:
    """How many messages each person received."""
    people = ["alice@example.com", "jane@example.com"]
    return {person: len(baton.server.messages(person)) for person in people}


def subject_tags(server: MailServer, user: str) -> list[str]:
    """The [MB-n] tag of every message the user received."""
    return [str(parse(raw)["Subject"]).split("]")[0].lstrip("[") for raw in server.messages(user)]


EMPTY_OUTCOMES = {
    "mailbaton/processed": 0,
    "mailbaton/rejected": 0,
    "mailbaton/ignored": 0,
    "mailbaton/failed": 0,
}


# -- servers without MOVE / UIDPLUS ------------------------------------------------------


def test_without_move_files_by_copy_and_uid_expunge(
    dovecot_factory: StartDovecot,
    proxies: Callable[[MailServer], Proxy],
    batons: Callable[..., Baton],
) -> None:
    server = dovecot_factory(NO_MOVE)
    proxy = proxies(server)
    baton = batons(server, imap_port=proxy.port)
    # Someone's own deleted mail in the shared INBOX: UID EXPUNGE must leave it alone.
    personal = mails.handoff(subject="deleted by a person")
    server.deliver(personal, flags=["\\Deleted", "\\Seen"])
    server.deliver(mails.handoff())
    server.deliver(mails.handoff(catcher=None))

    report = baton.run_pass()

    assert report.inbox_error is None
    assert sorted(o.outcome for o in report.outcomes) == ["processed", "rejected"]
    sent = proxy.commands()
    assert b" MOVE " not in sent, "MOVE used although the server does not offer it"
    assert b" UID COPY " in sent and b" UID EXPUNGE " in sent
    assert message_ids(server) == [str(parse(personal)["Message-ID"])]
    assert baton.folder_counts() == {
        **EMPTY_OUTCOMES,
        "INBOX": 1,
        "mailbaton/processed": 1,
        "mailbaton/rejected": 1,
    }
    before = (baton.folder_counts(), mail_out(baton), len(server.smtp_log))

    again = baton.run_pass()

    assert again.inbox_error is None
    assert (again.outcomes, again.refiled) == ([], 0)
    assert (baton.folder_counts(), mail_out(baton), len(server.smtp_log)) == before
    assert tickets(baton) == ["MB-1", "MB-R1"]


def test_without_uidplus_flags_and_never_expunges_others_mail(
    dovecot_factory: StartDovecot,
    proxies: Callable[[MailServer], Proxy],
    batons: Callable[..., Baton],
) -> None:
    server = dovecot_factory(NO_MOVE_NO_UIDPLUS)
    proxy = proxies(server)
    baton = batons(server, imap_port=proxy.port)
    # A handoff a person deleted (withdrawn): neither expunged nor acted on by us.
    personal = mails.handoff(subject="withdrawn, deleted by Alice")
    server.deliver(personal, flags=["\\Deleted"])
    good, bad = mails.handoff(), mails.handoff(catcher=None)
    server.deliver(good)
    server.deliver(bad)

    report = baton.run_pass()

    assert report.inbox_error is None
    assert sorted(o.outcome for o in report.outcomes) == ["processed", "rejected"]
    sent = proxy.commands()
    assert b" MOVE " not in sent
    # Plain EXPUNGE, and CLOSE (which expunges too), would take the person's mail with it.
    assert b"EXPUNGE" not in sent and b" CLOSE\r\n" not in sent
    # Everything is still in INBOX, flagged \Deleted; copies are in the outcome folders.
    assert message_ids(server) == [str(parse(m)["Message-ID"]) for m in (personal, good, bad)]
    assert all("\\Deleted" in flags for flags in server.flags(DEFAULT_USER))
    assert message_ids(server, "mailbaton/processed") == [str(parse(good)["Message-ID"])]
    assert message_ids(server, "mailbaton/rejected") == [str(parse(bad)["Message-ID"])]
    before = (baton.folder_counts(), mail_out(baton), len(server.smtp_log))
    assert before[1] == {"alice@example.com": 2, "jane@example.com": 1}

    again = baton.run_pass()

    assert again.inbox_error is None
    assert (again.outcomes, again.refiled) == ([], 0), "flagged mail was filed again"
    assert (baton.folder_counts(), mail_out(baton), len(server.smtp_log)) == before
    assert tickets(baton) == ["MB-1", "MB-R1"]

    # The flagged leftovers do not get in the way of new mail.
    server.deliver(mails.handoff(subject="next one"))
    third = baton.run_pass()
    assert [o.outcome for o in third.outcomes] == ["processed"]
    assert baton.folder_counts()["mailbaton/processed"] == 2
    assert tickets(baton) == ["MB-1", "MB-2", "MB-R1"]


# -- UIDVALIDITY -----------------------------------------------------------------------------


def _recreate_inbox(server: DovecotServer, messages: list[bytes]) -> None:
    """The INBOX rebuilt behind Dovecot's back (a restore, a migration): new UIDVALIDITY,
    UIDs from 1 again, in the order given."""
    server.close_connections()
    home = server.root / "mail" / DEFAULT_USER
    for path in home.iterdir():
        if path.is_file() and path.name.startswith(("dovecot-uidlist", "dovecot.index")):
            path.unlink()
    for sub in ("cur", "new"):
        for path in (home / sub).iterdir():
            path.unlink()
    owner = (home / "new").owner(), (home / "new").group()
    for i, raw in enumerate(messages):
        # Dovecot numbers new maildir files by the time in their names.
        path = home / "new" / f"{1_000_000_000 + i}.M{i}P1.restore"
        path.write_bytes(raw)
        shutil.chown(path, *owner)


def _uid_state(server: MailServer) -> tuple[int, list[int]]:
    with server.imap() as client:
        info = client.select_folder("INBOX", readonly=True)
        return int(info[b"UIDVALIDITY"]), sorted(client.search("ALL"))


def test_uidvalidity_change_neither_repeats_nor_loses_mail(
    dovecot_factory: StartDovecot, batons: Callable[..., Baton]
) -> None:
    server = dovecot_factory()
    baton = batons(server)
    good, bad = mails.handoff(), mails.handoff(catcher=None)
    server.deliver(good)
    server.deliver(bad)
    first = baton.run_pass()
    assert [o.outcome for o in first.outcomes] == ["processed", "rejected"]
    old_validity, old_uids = _uid_state(server)
    assert old_uids == []
    sent_before = len(server.smtp_log)
    assert sent_before == 3  # request + receipt, rejection

    # A genuinely new handoff takes UID 1 of the new UIDVALIDITY (UID 1 of the old one is
    # the good handoff in the ledger); both old messages come back as UIDs 2 and 3.
    fresh = mails.handoff(subject="HANDOFF: Globex", title="Globex order form")
    _recreate_inbox(server, [fresh, good, bad])
    new_validity, new_uids = _uid_state(server)
    assert new_validity != old_validity and new_uids == [1, 2, 3]

    report = baton.run_pass()

    assert report.inbox_error is None
    by_uid = [(o.outcome, o.already_done, o.ticket_ref) for o in report.outcomes]
    assert by_uid[0] == ("processed", False, "MB-2"), "a new message under a new UIDVALIDITY lost"
    assert [(o, done) for o, done, _ in by_uid[1:]] == [("processed", True), ("rejected", True)]
    assert tickets(baton) == ["MB-1", "MB-2", "MB-R1"]
    assert len(server.smtp_log) == sent_before + 2  # only the new ticket's request + receipt
    assert subject_tags(server, "jane@example.com") == ["MB-1", "MB-2"]
    assert baton.folder_counts() == {
        **EMPTY_OUTCOMES,
        "INBOX": 0,
        "mailbaton/processed": 3,
        "mailbaton/rejected": 2,
    }
    again = baton.run_pass()
    assert (again.outcomes, again.refiled, len(server.smtp_log)) == ([], 0, sent_before + 2)


# -- connection lost, server crash and restart ------------------------------------------


def test_connection_lost_between_decision_and_filing(
    mail_server: MailServer,
    proxies: Callable[[MailServer], Proxy],
    batons: Callable[..., Baton],
) -> None:
    proxy = proxies(mail_server)
    baton = batons(mail_server, imap_port=proxy.port)
    mail_server.deliver(mails.handoff())
    mail_server.deliver(mails.handoff(subject="HANDOFF: Globex", title="Globex order form"))
    # The connection drops when both decisions have committed and their one MOVE goes out.
    proxy.cut_at(b"MOVE")

    broken = baton.run_pass()

    assert broken.inbox_error and "cannot move 2 messages" in broken.inbox_error
    # Both decisions committed (their mail goes out); both messages wait to be filed.
    assert [o.outcome for o in broken.outcomes] == ["processed", "processed"]
    assert broken.mail.sent == 4
    assert baton.folder_counts()["INBOX"] == 2

    report = baton.run_pass()

    assert report.inbox_error is None
    assert report.refiled == 2, "the decided messages were not filed by the next pass"
    assert report.outcomes == []
    assert tickets(baton) == ["MB-1", "MB-2"]
    assert mail_out(baton) == {"alice@example.com": 2, "jane@example.com": 2}
    assert baton.folder_counts() == {**EMPTY_OUTCOMES, "INBOX": 0, "mailbaton/processed": 2}
    again = baton.run_pass()
    assert (again.outcomes, again.refiled, again.mail.sent) == ([], 0, 0)


def test_connection_lost_while_creating_folders_is_an_inbox_error(
    mail_server: MailServer,
    proxies: Callable[[MailServer], Proxy],
    batons: Callable[..., Baton],
) -> None:
    proxy = proxies(mail_server)
    baton = batons(mail_server, imap_port=proxy.port)
    mail_server.deliver(mails.handoff())
    # The first pass creates the outcome folders; the connection drops at the first CREATE.
    proxy.cut_at(b"CREATE")

    broken = baton.run_pass()  # must report, not raise: deadlines and outbox still run

    assert broken.inbox_error and "cannot create IMAP folder" in broken.inbox_error
    assert broken.outcomes == []
    report = baton.run_pass()
    assert report.inbox_error is None
    assert [o.outcome for o in report.outcomes] == ["processed"]


def test_server_crash_and_restart_loses_nothing(
    dovecot_factory: StartDovecot,
    proxies: Callable[[MailServer], Proxy],
    batons: Callable[..., Baton],
) -> None:
    server = dovecot_factory()
    proxy = proxies(server)
    baton = batons(server, imap_port=proxy.port)
    for i in range(3):
        server.deliver(mails.handoff(subject=f"HANDOFF: deal {i}", title=f"Deal {i}"))

    # The server dies in the middle of the pass: the decisions committed, their MOVE cut.
    proxy.cut_at(b"MOVE", server.kill)
    crashed = baton.run_pass()
    assert crashed.inbox_error is not None
    assert [o.outcome for o in crashed.outcomes] == ["processed"] * 3

    # While it is down: a report, no exception; `run --once` exits 1 and says why.
    down = baton.run_pass()
    assert down.inbox_error and "cannot connect" in down.inbox_error
    assert down.outcomes == []
    cli = baton.cli("run", "--once")
    assert cli.returncode == 1, cli.stdout + cli.stderr
    assert "inbox unavailable" in cli.stdout and "Traceback" not in cli.stderr

    server.restart()
    # The harness MTA delivers through Dovecot, so MB-1's mail was refused while it was
    # down; two minutes on, its retry is due.
    back = baton.run_pass(utcnow() + timedelta(minutes=2))

    assert back.inbox_error is None
    assert (back.refiled, back.outcomes) == (3, [])
    assert tickets(baton) == ["MB-1", "MB-2", "MB-3"]
    # Request and receipt per ticket, each delivered exactly once.
    assert sorted(subject_tags(server, "jane@example.com")) == ["MB-1", "MB-2", "MB-3"]
    assert sorted(subject_tags(server, "alice@example.com")) == ["MB-1", "MB-2", "MB-3"]
    assert baton.folder_counts() == {**EMPTY_OUTCOMES, "INBOX": 0, "mailbaton/processed": 3}

    # A plain restart between passes: the next pass reconnects and carries on.
    server.kill()
    server.restart()
    server.deliver(mails.handoff(subject="HANDOFF: after restart"))
    after = baton.run_pass()
    assert after.inbox_error is None
    assert ([o.outcome for o in after.outcomes], after.refiled) == (["processed"], 0)
    assert tickets(baton) == ["MB-1", "MB-2", "MB-3", "MB-4"]
    assert mail_out(baton) == {"alice@example.com": 4, "jane@example.com": 4}


# -- a folder the server refuses -------------------------------------------------------------


def test_folder_the_server_refuses_is_reported_and_nothing_moves(
    dovecot_server: DovecotServer, batons: Callable[..., Baton]
) -> None:
    bad_name = "mailbaton/bad\\u0001name"
    baton = batons(dovecot_server, tail=f'\n[mailbox.folders]\nfailed = "{bad_name}"\n')
    dovecot_server.deliver(mails.handoff())
    dovecot_server.deliver(mails.handoff(catcher=None))

    report = baton.run_pass()

    assert report.inbox_error is not None
    assert "cannot create IMAP folder" in report.inbox_error
    assert "bad\\x01name" in report.inbox_error  # repr() of the name, control char shown
    assert report.outcomes == []
    assert len(dovecot_server.messages(DEFAULT_USER)) == 2
    assert tickets(baton) == [] and dovecot_server.smtp_log == []
    cli = baton.cli("run", "--once")
    assert cli.returncode == 1 and "cannot create IMAP folder" in cli.stdout, cli.stdout

    # The admin fixes the name: the next pass handles both messages.
    baton.config_path.write_text(baton.config_path.read_text().replace(bad_name, "mb-failed"))
    settings = load(baton.config_path)
    fixed = Baton(dovecot_server, baton.config_path, settings, Service.open(settings))
    try:
        later = fixed.run_pass()
        assert later.inbox_error is None
        assert sorted(o.outcome for o in later.outcomes) == ["processed", "rejected"]
        assert fixed.folder_counts()["INBOX"] == 0
        assert tickets(fixed) == ["MB-1", "MB-R1"]
    finally:
        fixed.close()


# -- IDLE silently dead ------------------------------------------------------------------


def _daemon(baton: Baton) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "mailbaton", "-c", str(baton.config_path), "run"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@contextlib.contextmanager
def running(baton: Baton) -> Iterator[list[str]]:
    """The daemon, stopped with SIGTERM afterwards; yields (then fills) its output."""
    process = _daemon(baton)
    output: list[str] = []
    try:
        yield output
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            out, _ = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            out, _ = process.communicate()
        output.append(out)


def _wait(condition: Callable[[], bool], timeout: float, what: str) -> float:
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"not within {timeout:g} s: {what}")
        time.sleep(0.05)
    return time.monotonic() - started


def _settled(proxy: Proxy) -> None:
    """The daemon's first pass is over and its IDLE is up: only IDLE or a poll can react now."""
    _wait(lambda: proxy.idles() >= 1 and proxy.logouts() >= 1, 15, "the first pass and IDLE")


def _jane_has(server: MailServer, count: int) -> Callable[[], bool]:
    return lambda: len(server.messages("jane@example.com")) >= count


def test_poll_backstop_picks_up_mail_while_idle_is_silently_dead(
    dovecot_server: DovecotServer,
    proxies: Callable[[MailServer], Proxy],
    batons: Callable[..., Baton],
) -> None:
    proxy = proxies(dovecot_server)
    # IDLE would only be renewed in an hour: only the poll can notice the new mail.
    baton = batons(
        dovecot_server,
        imap_port=proxy.port,
        timeout=3,
        mailbox='poll_interval = "3s"\nidle_renew = "1h"\n',
    )
    with running(baton) as output:
        _settled(proxy)
        assert proxy.freeze() >= 1
        dovecot_server.deliver(mails.handoff())
        took = _wait(_jane_has(dovecot_server, 1), 15, "the handoff to be processed")
    assert took < 3 + 4, "".join(output)
    assert baton.folder_counts()["INBOX"] == 0
    assert tickets(baton) == ["MB-1"]


def _idle_daemon(
    server: MailServer, proxies: Callable[[MailServer], Proxy], batons: Callable[..., Baton]
) -> tuple[Proxy, Baton]:
    proxy = proxies(server)
    # Polling hourly: only IDLE can explain a quick reaction. IDLE renewed every 2 s, and
    # a server that does not answer for 2 s counts as gone.
    baton = batons(
        server,
        imap_port=proxy.port,
        timeout=2,
        mailbox='poll_interval = "1h"\nidle_renew = "2s"\n',
    )
    return proxy, baton


# renew (2 s, checked in 2 s steps) + DONE unanswered (2 s) + first backoff (1 s) + login.
RECONNECT_BOUND = 10


def test_silently_dead_idle_is_replaced_and_wakes_again(
    dovecot_server: DovecotServer,
    proxies: Callable[[MailServer], Proxy],
    batons: Callable[..., Baton],
) -> None:
    proxy, baton = _idle_daemon(dovecot_server, proxies, batons)
    with running(baton) as output:
        _settled(proxy)
        proxy.freeze()
        replaced = _wait(lambda: proxy.idles(live_only=True) >= 1, 20, "IDLE on a new connection")
        dovecot_server.deliver(mails.handoff())
        took = _wait(_jane_has(dovecot_server, 1), 15, "the handoff to be processed")
    log = "".join(output)
    assert replaced < RECONNECT_BOUND, log
    assert took < 5, f"{took:.1f} s with an hourly poll: the new IDLE did not wake it\n{log}"
    assert "IDLE connection lost" in log
    assert tickets(baton) == ["MB-1"]


def test_mail_that_arrived_while_idle_was_dead_is_picked_up_on_reconnect(
    dovecot_server: DovecotServer,
    proxies: Callable[[MailServer], Proxy],
    batons: Callable[..., Baton],
) -> None:
    proxy, baton = _idle_daemon(dovecot_server, proxies, batons)
    with running(baton):
        _settled(proxy)
        proxy.freeze()
        dovecot_server.deliver(mails.handoff())
        _wait(_jane_has(dovecot_server, 1), RECONNECT_BOUND + 3, "the handoff to be processed")
    assert tickets(baton) == ["MB-1"]
