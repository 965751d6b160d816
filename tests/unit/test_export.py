"""`export`: every ticket with its events, read in batches, written as JSON or CSV."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mailbaton.app.report_cli import EXPORT_CSV_COLUMNS, write_csv, write_json
from mailbaton.store.db import Database
from mailbaton.store.models import Event, StoredAttachment, Ticket
from mailbaton.tickets import export
from mailbaton.tickets.queries import load_ticket, ticket_json

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database.open(f"sqlite:///{(tmp_path / 'export.db').as_posix()}")
    with database.transaction() as session:
        for n in range(1, 6):
            opened = NOW - timedelta(days=n)
            ticket = Ticket(
                ref=f"MB-{n}",
                state="pending",
                title='=HYPERLINK("http://x")' if n == 3 else f"handoff {n}",
                thrower="alice@example.com",
                catcher="jane@example.com",
                created_at=opened,
            )
            ticket.events = [
                Event(at=opened + timedelta(minutes=m), kind=f"step {m}", detail=f"line {m}")
                for m in range(n % 3)  # 1, 2, 0, 1, 2 events
            ]
            ticket.attachments = [
                StoredAttachment(filename="a.pdf", content_type="application/pdf", data=b"%PDF")
            ]
            session.add(ticket)
    yield database
    database.close()


def test_every_ticket_in_batches_as_show_json_prints_it(db: Database) -> None:
    with db.transaction() as session:
        exported = list(export.tickets(session, NOW, batch=2))  # three batches
    with db.transaction() as session:
        shown = [
            ticket_json(load_ticket(session, f"MB-{n}"), NOW, events=True) for n in range(1, 6)
        ]  # type: ignore[arg-type]
    assert exported == shown
    assert [len(t["events"]) for t in exported] == [1, 2, 0, 1, 2]
    assert exported[0]["files"] == ["a.pdf"]


def test_json_is_one_list_written_as_it_is_read(db: Database) -> None:
    out = io.StringIO()
    with db.transaction() as session:
        write_json(export.tickets(session, NOW), out)
    assert [t["id"] for t in json.loads(out.getvalue())] == [f"MB-{n}" for n in range(1, 6)]
    empty = io.StringIO()
    write_json(iter(()), empty)
    assert json.loads(empty.getvalue()) == []


def test_csv_is_one_row_per_event_with_the_ticket_repeated(db: Database) -> None:
    out = io.StringIO()
    with db.transaction() as session:
        write_csv(export.tickets(session, NOW), out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert tuple(rows[0]) == EXPORT_CSV_COLUMNS
    # 1 + 2 + (none: one row) + 1 + 2 events
    assert [r["id"] for r in rows] == ["MB-1", "MB-2", "MB-2", "MB-3", "MB-4", "MB-5", "MB-5"]
    assert rows[1]["event_kind"] == "step 0" and rows[2]["event_detail"] == "line 1"
    assert rows[3]["event_at"] == "" and rows[3]["event_kind"] == ""
    # A title a stranger wrote is text in a spreadsheet, never a formula.
    assert rows[3]["title"] == '\'=HYPERLINK("http://x")'
    assert rows[0]["files"] == "a.pdf" and rows[0]["created_at"] == "2026-11-29T12:00:00Z"
