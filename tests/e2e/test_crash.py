"""Crash anywhere: SIGKILL the real daemon at many moments of its passes, restart, count.

No hooks in product code: the daemon (``python -m mailbaton -c CONFIG run``) runs as a
subprocess against a real server and is killed after seeded, spread-out delays, so the
kills land during start-up, fetch, the per-message transaction, the folder move and the
SMTP sends. Afterwards every message must have been decided exactly once and filed
exactly once, and every outgoing mail must have left at least once; a mail that left
twice is the same outbox row sent again (same Message-ID), never a second decision.

Also: SIGTERM in the middle of a pass (a clean stop leaves nothing half-done), and
SIGKILL during the very first start, while the schema is being created.
"""

from __future__ import annotations

import asyncio
import random
import re
import signal
import sqlite3
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import mails
import pytest
from baton import Baton, make_baton, parse
from forkserver import Forked, ForkServer
from servers import MailServer

from mailbaton.app.service import Service
from mailbaton.config import load

pytestmark = pytest.mark.e2e

BATON = "baton@example.com"
THROWER = "alice@example.com"  # every valid handoff: receipts land here
CATCHER = "jane@example.com"  # requests land here
OUTCOME_FOLDERS = {
    "processed": "mailbaton/processed",
    "rejected": "mailbaton/rejected",
    "ignored": "mailbaton/ignored",
    "failed": "mailbaton/failed",
}
SEED = 20261123
KILLS = 20
FIRST_BATCH = 30
# The outbox claim (mailbaton.outbound.outbox.LEASE) a killed sender leaves behind lapses after
# 10 minutes; the last pass acts as if that time had passed.
AFTER_LEASES = timedelta(minutes=11)
# Every valid handoff here comes from one thrower, far more than the 20 answers an hour
# one sender gets by default; the ceiling is not what these tests are about.
NO_CEILING = "max_answers_per_sender = 1000"


# -- the mail that goes in ------------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    """One message delivered to the watched INBOX, and what it must turn into."""

    kind: str  # handoff | bad | auto | outsider
    message_id: str
    title: str
    sender: str


@dataclass
class Mix:
    rng: random.Random
    sent: list[Sent] = field(default_factory=list)

    def deliver(self, server: MailServer, count: int) -> None:
        for _ in range(count):
            n = len(self.sent)
            # About 60% valid handoffs, 25% rejections, 15% mail that gets no answer.
            pick = self.rng.random()
            if pick < 0.6:
                kind, sender = "handoff", f"Alice Smith <{THROWER}>"
                raw = mails.handoff(sender=sender, title=f"Crash case {n:03d}")
            elif pick < 0.85:
                # Each bad handoff from its own thrower: one rejection per sender, reason
                # and day is the product's rule, and each one here must be answered.
                kind, sender = "bad", f"Bob {n} <bob{n}@example.com>"
                problem = [{"attached": "no"}, {"catcher": None}, {"catcher": "ops@example.com"}]
                raw = mails.handoff(sender=sender, title=f"Crash case {n:03d}", **problem[n % 3])
            elif pick < 0.93:
                kind, sender = "auto", f"Out Of Office <ooo{n}@example.com>"
                raw = mails.handoff(
                    sender=sender,
                    subject="Automatic reply: away",
                    title=f"Crash case {n:03d}",
                    extra_headers={"Auto-Submitted": "auto-replied"},
                )
            else:
                kind, sender = "outsider", f"Mallory <mallory{n}@elsewhere.org>"
                raw = mails.handoff(sender=sender, title=f"Crash case {n:03d}")
            message_id = str(parse(raw)["Message-ID"]).strip()
            server.deliver(raw)
            self.sent.append(Sent(kind, message_id, f"Crash case {n:03d}", sender))

    def of(self, *kinds: str) -> list[Sent]:
        return [s for s in self.sent if s.kind in kinds]


# -- the daemon -----------------------------------------------------------------------


@pytest.fixture
def forks(tmp_path: Path) -> Iterator[ForkServer]:
    """Where the daemons come from: forked after the imports, so the kills land in the
    daemon's work, and 20 restarts do not cost 20 imports (tests/forkserver.py)."""
    server = ForkServer(tmp_path / "forkserver.log")
    yield server
    server.close()


def _daemon(forks: ForkServer, config: Path, log: Path) -> Forked:
    """The real daemon, `mailbaton -c CONFIG run`, its output appended to `log`."""
    log.touch()  # read from before the daemon writes its first line
    return forks.start(log, "-c", str(config), "run")


def _phase(log_text: str) -> str:
    """Where the daemon was when it died, judged from the last thing it logged."""
    last = "starting"
    for line in log_text.splitlines():
        if "mailbaton running on" in line:
            last = "first pass" if last == "starting" else last
        elif re.search(DECIDED, line):
            last = "intake"
        elif re.search(SENT, line):
            last = "sending"
        elif "pass: " in line:
            last = "between passes"
    return last


def _kill(process: Forked) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)


def _segment(log: Path, mark: int) -> str:
    with log.open() as handle:
        handle.seek(mark)
        return handle.read()


class _Tail:
    """What a daemon logs after `mark`, read as it comes: each poll reads only the new
    bytes (~1 us, where re-reading and searching the segment each millisecond took ~50)."""

    def __init__(self, log: Path, mark: int, pattern: str) -> None:
        self.handle = log.open("rb")
        self.handle.seek(mark)
        self.found = re.compile(pattern)
        self.partial = ""  # the line being written
        self.matches = 0  # in the complete lines
        self.pass_ended = False

    def poll(self) -> tuple[int, bool]:
        """(matches so far, whether a pass has ended), the line being written included."""
        self.partial += self.handle.read().decode(errors="replace")
        complete, newline, self.partial = self.partial.rpartition("\n")
        if newline:
            self.matches += len(self.found.findall(complete))
            self.pass_ended = self.pass_ended or "mailbaton: pass: " in complete
        return (
            self.matches + len(self.found.findall(self.partial)),
            self.pass_ended or "mailbaton: pass: " in self.partial,
        )

    def close(self) -> None:
        self.handle.close()


def _wait_for_line(log: Path, mark: int, process: Forked, pattern: str, count: int) -> bool:
    """Until this daemon has logged `count` lines matching `pattern`; False if its pass
    ended (or 30 s went by) first, so there is no such moment in this run."""
    deadline = time.monotonic() + 30
    tail = _Tail(log, mark, pattern)
    try:
        while time.monotonic() < deadline:
            matches, pass_ended = tail.poll()
            if matches >= count:
                return True
            if pass_ended:
                return False
            if process.poll() is not None:
                text = _segment(log, mark)
                raise AssertionError(f"daemon exited by itself ({process.returncode}):\n{text}")
            time.sleep(0.001)
        return False
    finally:
        tail.close()


RUNNING = r"mailbaton running on"
# Which module logs them may move; the words may not (the kills would stop finding them).
# A decision is logged after its commit, before the move to its folder.
DECIDED = r": message \S+: (?:processed|rejected|ignored|failed) \("
SENT = r"mailbaton\.[\w.]*outbox: sent "  # logged after the "sent" commit


def _kill_somewhere(rng: random.Random, log: Path, mark: int, process: Forked) -> tuple[str, float]:
    """SIGKILL at a seeded moment; returns which kind of moment and the time since spawn.

    The daemon's own log lines are the clock, so the kills are spread over every part
    of a pass without a hook in the product: start-up (5 ms to 1.2 s after the start);
    the fetch (0 to 250 ms after it says it runs); the intake (0 to 30 ms after the k-th
    message was decided: the move, the next parse and transaction); the sends (0 to
    40 ms after the k-th mail left: the next claim, SMTP transaction and commit).
    """
    spawned = time.monotonic()
    pick = rng.random()
    if pick < 0.15:
        where = "start-up"
        time.sleep(rng.uniform(0.005, 1.2))
    elif pick < 0.3:
        where = "fetch"
        delay = rng.uniform(0.0, 0.25)
        if _wait_for_line(log, mark, process, RUNNING, 1):
            time.sleep(delay)
    elif pick < 0.65:
        where = "intake"
        nth, delay = rng.randint(1, 5), rng.uniform(0.0, 0.03)
        if _wait_for_line(log, mark, process, DECIDED, nth):
            time.sleep(delay)
    else:
        where = "sending"
        nth, delay = rng.randint(1, 8), rng.uniform(0.0, 0.04)
        if _wait_for_line(log, mark, process, SENT, nth):
            time.sleep(delay)
    if process.poll() is not None:
        raise AssertionError(f"daemon exited by itself ({process.returncode}):\n{log.read_text()}")
    _kill(process)
    return where, time.monotonic() - spawned


# -- what came out ----------------------------------------------------------------------


def _db_rows(db: Path, query: str, *params: object) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)) as conn:
        return conn.execute(query, params).fetchall()


def _due_unsent(db: Path) -> int:
    now = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
    rows = _db_rows(db, "SELECT next_attempt_at FROM outbox WHERE state = 'queued'")
    return sum(1 for (when,) in rows if str(when) <= now)


def _ids_in(server: MailServer, user: str, folder: str = "INBOX") -> list[str]:
    return [str(parse(raw)["Message-ID"]).strip() for raw in server.messages(user, folder)]


def _by_ticket(server: MailServer, user: str) -> dict[str, list[str]]:
    """Mail in `user`'s INBOX grouped by the ticket it is about: ref -> Message-IDs."""
    found: dict[str, list[str]] = {}
    for raw in server.messages(user):
        message = parse(raw)
        ref = str(message["X-Mailbaton-Ticket"] or "?")
        found.setdefault(ref, []).append(str(message["Message-ID"]).strip())
    return found


def _settle(server: MailServer, db: Path, timeout: float) -> None:
    """Until the watched INBOX is empty and the outbox holds nothing due."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.count(BATON) == 0 and _due_unsent(db) == 0:
            return
        time.sleep(0.2)
    raise AssertionError(
        f"not settled in {timeout:g}s: INBOX {len(server.messages(BATON))}, "
        f"due mail {_due_unsent(db)}"
    )


def _fast_config(baton: Baton) -> None:
    # A short poll as a safety net for IDLE; the kills themselves restart the passes.
    text = baton.config_path.read_text()
    baton.config_path.write_text(
        text.replace("timeout = 10\n", 'timeout = 10\npoll_interval = "2s"\n', 1)
    )


# -- the test ---------------------------------------------------------------------------


def test_sigkill_anywhere_each_message_once_each_mail_at_least_once(
    mail_server: MailServer, tmp_path: Path, forks: ForkServer
) -> None:
    baton = make_baton(mail_server, tmp_path, protocol=NO_CEILING)  # migrates the database
    baton.close()
    _fast_config(baton)
    db = tmp_path / "mailbaton.db"
    log = tmp_path / "daemon.log"
    rng = random.Random(SEED)
    mix = Mix(random.Random(SEED + 1))
    started = time.monotonic()

    mix.deliver(mail_server, FIRST_BATCH)
    phases: Counter[str] = Counter()
    aimed: Counter[str] = Counter()
    delays = []
    log.touch()
    for _ in range(KILLS):
        mark = log.stat().st_size
        daemon = _daemon(forks, baton.config_path, log)
        where, delay = _kill_somewhere(rng, log, mark, daemon)
        delays.append(delay)
        aimed[where] += 1
        phases[_phase(_segment(log, mark))] += 1
        # More mail arrives while it is down, so the next start has work in hand.
        mix.deliver(mail_server, rng.randint(0, 3))
    # A last daemon finishes what the killed ones left, then stops cleanly.
    final = _daemon(forks, baton.config_path, log)
    try:
        _settle(mail_server, db, timeout=40)
    finally:
        final.send_signal(signal.SIGTERM)
        code = final.wait(timeout=30)
    assert code == 0, log.read_text()[-3000:]
    # Kills aimed by log lines that no longer appear would all fall between passes.
    assert phases["intake"] and phases["sending"], f"kills landed only in {dict(phases)}"

    # Mail whose sender died mid-send is claimed for LEASE; act as if it has lapsed.
    leased = _db_rows(db, "SELECT count(*) FROM outbox WHERE state = 'queued'")[0][0]
    baton.reload()
    report = baton.run_pass(datetime.now(UTC) + AFTER_LEASES)
    assert not report.inbox_error, report.summary()
    assert _db_rows(db, "SELECT count(*) FROM outbox WHERE state != 'sent'")[0][0] == 0

    handoffs, bad, quiet = mix.of("handoff"), mix.of("bad"), mix.of("auto", "outsider")
    # -- every message in exactly one outcome folder, exactly once -------------------
    assert mail_server.messages(BATON) == [], "the watched INBOX is not empty"
    filed: dict[str, list[str]] = {}
    for outcome, folder in OUTCOME_FOLDERS.items():
        for message_id in _ids_in(mail_server, BATON, folder):
            filed.setdefault(message_id, []).append(outcome)
    expected_folder = {"handoff": "processed", "bad": "rejected", "auto": "ignored"}
    misfiled = {
        s.title: filed.get(s.message_id)
        for s in mix.sent
        if filed.get(s.message_id) != [expected_folder.get(s.kind, "ignored")]
    }
    assert misfiled == {}, f"not filed exactly once where expected: {misfiled}"
    assert len(filed) == len(mix.sent), "a message nobody delivered showed up"

    # -- the ledger: one decision per message ----------------------------------------
    keys = Counter(key for (key,) in _db_rows(db, "SELECT message_key FROM inbound"))
    assert len(keys) == len(mix.sent)
    assert [k for k, n in keys.items() if n != 1] == []

    # -- tickets: one per valid handoff, one rejection per bad one ---------------------
    tickets = baton.tickets(include_closed=True)
    opened = [t for t in tickets if t["state"] != "rejected"]
    rejected = [t for t in tickets if t["state"] == "rejected"]
    assert sorted(t["title"] for t in opened) == sorted(s.title for s in handoffs)
    assert sorted(t["title"] for t in rejected) == sorted(s.title for s in bad)

    # -- mail out: at least once; twice only as the same outbox row sent again ----------
    requests = _by_ticket(mail_server, CATCHER)
    receipts = _by_ticket(mail_server, THROWER)
    rejections = {s.sender: _by_ticket(mail_server, s.sender) for s in bad}
    duplicates = 0
    for ticket in opened:
        for what, box in (("request", requests), ("receipt", receipts)):
            ids = box.get(ticket["id"], [])
            assert ids, f"{ticket['id']}: no {what} arrived"
            assert len(set(ids)) == 1, f"{ticket['id']}: {what} decided twice: {ids}"
            duplicates += len(ids) - 1
    assert set(requests) == {t["id"] for t in opened}
    assert set(receipts) == {t["id"] for t in opened}
    for sent in bad:
        got = rejections[sent.sender]
        assert len(got) == 1, f"{sent.sender}: rejections for tickets {sorted(got)}"
        (ids,) = got.values()
        assert len(set(ids)) == 1, f"{sent.sender}: rejection decided twice: {ids}"
        duplicates += len(ids) - 1
    for sent in quiet:
        assert mail_server.messages(sent.sender) == [], f"{sent.sender} was answered"
    # A mail that arrived n times is an outbox row handed to the SMTP server n times.
    attempts = {f"<{mid}>": n for mid, n in _db_rows(db, "SELECT message_id, attempts FROM outbox")}
    copies = Counter(
        mid
        for box in (requests, receipts, *rejections.values())
        for ids in box.values()
        for mid in ids
    )
    assert {mid: n for mid, n in copies.items() if n > attempts.get(mid, 0)} == {}
    unflagged = _db_rows(db, "SELECT count(*) FROM inbound WHERE NOT filed")[0][0]
    mails_out = sum(len(ids) for box in (requests, receipts) for ids in box.values()) + sum(
        len(ids) for got in rejections.values() for ids in got.values()
    )
    expected_out = 2 * len(handoffs) + len(bad)
    assert mails_out == expected_out + duplicates

    print(
        f"\n[{mail_server.name}] kill points {KILLS} "
        f"(delays {min(delays) * 1000:.0f} ms - {max(delays):.2f} s; "
        f"aimed at {dict(sorted(aimed.items()))}, last logged {dict(sorted(phases.items()))}); "
        f"messages in {len(mix.sent)} "
        f"({len(handoffs)} handoffs, {len(bad)} bad, {len(quiet)} unanswered); "
        f"tickets {len(opened)} + {len(rejected)} rejected; mails out {mails_out} "
        f"for {expected_out} expected; duplicates {duplicates} (same Message-ID); "
        f"held by a dead sender's lease {leased}; ledger rows filed but not marked "
        f"filed {unflagged}; {time.monotonic() - started:.1f} s"
    )
    baton.close()


# -- SIGTERM: a clean stop finishes what it holds ---------------------------------------


def _ledger(db: Path) -> dict[str, str]:
    """Message-ID -> outcome, for every message the ledger recorded."""
    rows = _db_rows(db, "SELECT message_key, outcome FROM inbound")
    return {f"<{str(key).removeprefix('mid:')}>": str(outcome) for key, outcome in rows}


STOP_BATCH = 20
ESCALATED = r"mailbaton\.[\w.]*outbox: sent escalation "
MANAGERS = "managers@example.com"


@pytest.mark.parametrize("moment", ["intake", "sending"])
def test_sigterm_mid_pass_leaves_nothing_half_done(
    mail_server: MailServer, tmp_path: Path, forks: ForkServer, moment: str
) -> None:
    """SIGTERM while the daemon works: exit 0, the pass in hand finished, nothing half-done.

    "intake": the stop comes after the 2nd of 20 handoffs was decided. "sending": the
    20 tickets escalate 8 s after they opened, and the stop comes after the 2nd of those
    20 warnings left, in a pass the daemon's scheduler started (its INBOX is quiet then).
    """
    baton = make_baton(mail_server, tmp_path, protocol=NO_CEILING)
    baton.close()
    _fast_config(baton)
    config = baton.config_path.read_text()
    baton.config_path.write_text(config.replace('after = "4h"', 'after = "8s"'))
    db = tmp_path / "mailbaton.db"
    log = tmp_path / "daemon.log"
    handoffs = []
    for n in range(STOP_BATCH):
        raw = mails.handoff(title=f"Stop case {n:02d}")
        mail_server.deliver(raw)
        handoffs.append(str(parse(raw)["Message-ID"]).strip())

    daemon = _daemon(forks, baton.config_path, log)
    try:
        if moment == "intake":
            assert _wait_for_line(log, 0, daemon, DECIDED, 2), (
                f"no 2nd decision:\n{log.read_text()}"
            )
        else:
            deadline = time.monotonic() + 40
            escalated = _Tail(log, 0, ESCALATED)
            while escalated.poll()[0] < 2:
                assert time.monotonic() < deadline, log.read_text()
                assert daemon.poll() is None, log.read_text()
                time.sleep(0.001)
            escalated.close()
    finally:
        daemon.send_signal(signal.SIGTERM)
        code = daemon.wait(timeout=30)
    text = log.read_text()
    assert code == 0, text
    assert "stopping: finishing the pass in hand" in text

    # Ledger and folders agree: a recorded message is in its outcome folder (and only
    # there), an unrecorded one is still in the INBOX (and only there).
    ledger = _ledger(db)
    where: dict[str, list[str]] = {}
    for folder in ["INBOX", *OUTCOME_FOLDERS.values()]:
        for message_id in _ids_in(mail_server, BATON, folder):
            where.setdefault(message_id, []).append(folder)
    disagree = {
        mid: (ledger.get(mid), where.get(mid))
        for mid in handoffs
        if where.get(mid) != [OUTCOME_FOLDERS[ledger[mid]] if mid in ledger else "INBOX"]
    }
    assert disagree == {}, disagree
    # No mail half-sent: none left claimed (its lease running) by a send cut short.
    now = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
    claimed = _db_rows(
        db,
        "SELECT kind, message_id FROM outbox WHERE state = 'queued' AND next_attempt_at > ?",
        now,
    )
    decided = len(ledger)
    assert claimed == [], f"SIGTERM during {moment} left mail claimed but not sent: {claimed}"

    # The next start finishes the rest at once, and nothing arrives twice.
    baton.reload()
    report = baton.run_pass()
    assert not report.inbox_error, report.summary()
    expected = {CATCHER: len(handoffs), THROWER: len(handoffs)}
    if moment == "sending":
        expected[MANAGERS] = len(handoffs)
    for user, count in expected.items():
        mail_server.wait_for(user, count, timeout=10)
    time.sleep(0.3)
    arrived = {user: len(mail_server.messages(user)) for user in expected}
    assert arrived == expected
    print(
        f"\n[{mail_server.name}] SIGTERM during {moment}: exit {code}; "
        f"{decided} of {len(handoffs)} decided before the stop"
    )
    baton.close()


# -- SIGKILL during the very first start: the schema is being created ------------------


def _schema(db: Path) -> tuple[set[str], list[str]] | None:
    """(tables, alembic versions) as another process sees them; None if not readable yet."""
    if not db.exists():
        return None
    try:
        tables = {
            str(name)
            for (name,) in _db_rows(db, "SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        versions = (
            [str(v) for (v,) in _db_rows(db, "SELECT version_num FROM alembic_version")]
            if "alembic_version" in tables
            else []
        )
    except sqlite3.Error:
        return None
    return tables, versions


FRESH_STARTS = 8


def _fresh(tmp_path: Path, template: str, attempt: int) -> tuple[Path, Path]:
    """Config and log path of a daemon whose database does not exist yet."""
    db = tmp_path / f"fresh{attempt}.db"
    config = tmp_path / f"fresh{attempt}.toml"
    config.write_text(
        template.replace(
            f"sqlite:///{(tmp_path / 'mailbaton.db').as_posix()}", f"sqlite:///{db.as_posix()}"
        )
    )
    return config, tmp_path / f"fresh{attempt}.log"


def _next_start_fails(config: Path) -> str | None:
    """What goes wrong when a daemon starts on this config and runs a pass; None if nothing."""
    try:
        service = Service.open(load(config))  # opening the database migrates it
        try:
            report = asyncio.run(service.run_once())
        finally:
            service.close()
    except Exception as error:  # the point: say what broke
        return f"{type(error).__name__}: {error}"
    return report.inbox_error or None


def test_sigkill_while_creating_the_schema_leaves_a_startable_database(
    sandbox_server: MailServer, tmp_path: Path, forks: ForkServer
) -> None:
    """The first start creates the schema; a kill in the middle must not brick the next.

    Eight fresh databases, each with a daemon killed during its first start: half of
    the kills come as soon as another connection sees a table (a schema created table by
    table is caught half-made), half after seeded delays over the start-up. Every next
    start must work.
    """
    baton = make_baton(sandbox_server, tmp_path)
    baton.close()
    template = baton.config_path.read_text()
    complete = _schema(tmp_path / "mailbaton.db")
    assert complete is not None
    rng = random.Random(SEED)
    found: Counter[str] = Counter()
    fresh = [_fresh(tmp_path, template, attempt) for attempt in range(FRESH_STARTS)]
    for attempt, (config, log) in enumerate(fresh):
        db = tmp_path / f"fresh{attempt}.db"
        daemon = _daemon(forks, config, log)
        try:
            if attempt % 2:
                time.sleep(rng.uniform(0.0, 1.5))
            else:
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline and daemon.poll() is None:
                    seen = _schema(db)
                    if seen is not None and seen[0] - {"alembic_version"}:
                        break
                    # Not every millisecond: readers that busy starve the writer for seconds.
                    # Alembic takes far longer than this to make the tables one by one.
                    time.sleep(0.05)
        finally:
            _kill(daemon)
        state = _schema(db)
        tables = sorted(state[0]) if state else []
        versions = state[1] if state else []
        kind = (
            "complete"
            if state == complete
            else "partial"
            if set(tables) - {"alembic_version"}
            else "empty"
        )
        found[kind] += 1
        problem = _next_start_fails(config)
        assert problem is None, (
            f"killed during its first start, the database was left with tables {tables} "
            f"and alembic version {versions}; the next start fails: {problem}"
        )
    print(f"\n[{sandbox_server.name}] killed during the first start: {dict(found)}; all restarted")
