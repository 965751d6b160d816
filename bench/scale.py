"""Part 5: `status` and one deadlines sweep with a million tickets in the database."""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import create_engine, inspect, make_url, text

from bench.drain import environment, migrate
from mailbaton.clock import utcnow
from mailbaton.store.db import make_engine

TIMED = Path(__file__).with_name("timed.py")

# Of the million, this many are still pending (a busy team's open handoffs); of those,
# DUE have an escalation due and DUE others a reminder, so the sweep has work to do.
OPEN = 1000
DUE = 20

TICKET = (
    "id, ref, state, title, subject, thrower, thrower_name, catcher, catcher_name, message, "
    "fields_json, reply_token, handoff_message_id, created_at, deadline, accepted_at, "
    "escalations, next_escalation_at, remind_at, escalated_to"
)
OUTBOX = (
    "id, ticket_id, kind, message_id, mail_from, rcpt_json, subject, raw, state, attempts, "
    "created_at, next_attempt_at, sent_at"
)
INBOUND = (
    "id, mailbox, folder, uidvalidity, uid, message_key, sender, sender_name, subject, size, "
    "received_at, outcome, reason, ticket_id, filed"
)


@dataclass
class Scale:
    build_s: float
    status_ms: float
    sweep_ms: float
    escalated: int
    reminded: int
    command_ms: float = float("nan")  # `mailbaton status` as a command, process and all
    status_cpu_ms: float = float("nan")
    sweep_cpu_ms: float = float("nan")


def build(url: str, count: int, now: datetime, code: Path | None = None) -> float:
    """The million rows set-based, by INSERT ... SELECT over a series the database makes
    itself (never row by row, never through the ORM); the schema by the migrations of
    `code` (another checkout, for --before: the newer code upgrades its own copy)."""
    began = time.monotonic()
    migrate(url, code)
    engine = make_engine(url)
    try:
        sqlite = engine.dialect.name == "sqlite"
        values = {"count": count, "open": OPEN, "due": DUE}
        # SQLite keeps these as naive UTC text, compared as text: the format SQLAlchemy writes.
        values["now"] = now.replace(tzinfo=None).isoformat(" ") if sqlite else now  # type: ignore[assignment]
        with engine.begin() as connection:
            # Indexes built once after the load, not kept up row by row during it.
            indexes = [
                (table, index)
                for table in ("tickets", "outbox", "inbound")
                for index in inspect(connection).get_indexes(table)
                if not index.get("duplicates_constraint")
            ]
            for _table, index in indexes:
                connection.execute(text(f"DROP INDEX {index['name']}"))
            for statement in statements(sqlite):
                connection.execute(text(statement), values)
            for table, index in indexes:
                unique = "UNIQUE " if index["unique"] else ""
                columns = ", ".join(str(name) for name in index["column_names"])
                connection.execute(
                    text(f"CREATE {unique}INDEX {index['name']} ON {table} ({columns})")
                )
            if not sqlite:
                for table in ("tickets", "outbox", "inbound"):
                    connection.execute(
                        text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), :count)"),
                        values,
                    )
                    connection.execute(text(f"ANALYZE {table}"))
    finally:
        engine.dispose()
    return time.monotonic() - began


def statements(sqlite: bool) -> list[str]:
    """Three INSERT ... SELECT: tickets (OPEN pending, DUE of them due for escalation and
    DUE for a reminder, the rest closed), one sent request and one ledger entry each."""
    if sqlite:
        series = (
            "WITH RECURSIVE series(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM series "
            "WHERE i < :count) "
        )
        source = "FROM series"
        token = "printf('%032x', i)"

        def at(minutes: str) -> str:
            return f"(datetime(:now, ({minutes}) || ' minutes') || '.000000')"
    else:
        series = ""
        source = "FROM generate_series(1, :count) AS i"
        token = "lpad(to_hex(i), 32, '0')"

        def at(minutes: str) -> str:
            return f"(CAST(:now AS timestamptz) + make_interval(mins => ({minutes})))"

    created = at("i - :count - 1")
    escalation = f"CASE WHEN i <= :due THEN {at('-1')} WHEN i <= :open THEN {at('60 * i')} END"
    closed = (
        "CASE i % 6 WHEN 3 THEN 'cancelled' WHEN 4 THEN 'refused' WHEN 5 THEN 'rejected' "
        "ELSE 'accepted' END"
    )
    tickets = (
        f"{series}INSERT INTO tickets ({TICKET}) SELECT i, 'MB-' || i, "
        f"CASE WHEN i <= :open THEN 'pending' ELSE {closed} END, 'Case ' || i, "
        "'HANDOFF: case ' || i, 'thrower' || (i % 5000) || '@example.com', 'Thrower', "
        "'catcher' || (i % 50) || '@example.com', 'Catcher', '', '{}', "
        f"{token}, '<h' || i || '@client.example.com>', {created}, {escalation}, "
        f"CASE WHEN i > :open THEN {at('i - :count + 4')} END, 0, {escalation}, "
        f"CASE WHEN i > :due AND i <= 2 * :due THEN {at('-1')} END, '[]' {source}"
    )
    outbox = (
        f"{series}INSERT INTO outbox ({OUTBOX}) SELECT i, i, 'request', "
        "'<r' || i || '@example.com>', 'baton@example.com', "
        "'[\"catcher' || (i % 50) || '@example.com\"]', '[MB-' || i || '] Case ' || i, "
        f"{'X' if sqlite else ''}'', 'sent', 1, {created}, {created}, {created} {source}"
    )
    inbound = (
        f"{series}INSERT INTO inbound ({INBOUND}) SELECT i, "
        "'baton@example.com@127.0.0.1:143', 'INBOX', 1, i, "
        "'mid:<h' || i || '@client.example.com>', 'thrower' || (i % 5000) || '@example.com', "
        f"'Thrower', 'HANDOFF: case ' || i, 40000, {created}, 'processed', '', i, "
        f"{'1' if sqlite else 'true'} {source}"
    )
    return [tickets, outbox, inbound]


def measure(
    config_for: Callable[[str], Path], url: str, count: int, codes: list[Path | None]
) -> list[Scale]:
    """One database built, then each of `codes` (None: this checkout) timed on a copy of
    it in a process of its own: before and after from the same rows and the same run."""
    now = utcnow()
    build_s = build(url, count, now, codes[0])
    found = []
    for code in codes:
        with copy_of(url) as copy:
            config = config_for(copy)
            done = subprocess.run(
                [sys.executable, str(TIMED), str(config), copy],
                env=environment(code),
                capture_output=True,
                text=True,
                check=True,
                cwd=config.parent,  # not the repo root, which would come before PYTHONPATH
            )
            timed = json.loads(done.stdout.strip().splitlines()[-1])
            commands = [status_command(config, code) for _ in range(3)]
        found.append(
            Scale(
                build_s,
                timed["status_ms"],
                timed["sweep_ms"],
                timed["escalated"],
                timed["reminded"],
                statistics.median(commands),
                timed["status_cpu_ms"],
                timed["sweep_cpu_ms"],
            )
        )
    return found


def status_command(config: Path, code: Path | None) -> float:
    """`mailbaton status` as a person types it: imports, schema check, queries, output."""
    began = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "mailbaton", "-c", str(config), "status"],
        env=environment(code),
        capture_output=True,
        check=True,
        cwd=config.parent,
    )
    return (time.monotonic() - began) * 1000


@contextmanager
def copy_of(url: str) -> Iterator[str]:
    """A copy of the database for one measurement (the sweep changes what it sends),
    dropped after: a file copy on SQLite, CREATE DATABASE ... TEMPLATE on PostgreSQL."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        source = Path(str(parsed.database))
        target = source.with_name(f"copy-{source.name}")
        shutil.copyfile(source, target)
        os.sync()  # not timing the next run against the kernel writing this copy out
        try:
            yield f"sqlite:///{target.as_posix()}"
        finally:
            for leftover in target.parent.glob(f"{target.name}*"):
                leftover.unlink()
        return
    name = f"{parsed.database}_copy"
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{parsed.database}"'))
        os.sync()
        yield parsed.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
