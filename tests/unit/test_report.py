"""`report` figures on a scripted history: tickets opened, caught, refused, cancelled and
escalated at known times, so each count, median and p90 below can be checked by hand."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from mailbaton.app.report_out import report_csv, report_json, report_text
from mailbaton.config import Department
from mailbaton.store.db import Database
from mailbaton.store.models import Ticket
from mailbaton.tickets import report
from mailbaton.tickets.report import median, p90

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
SINCE = NOW - timedelta(days=30)
H = timedelta(hours=1)
DEPARTMENTS = (
    Department(name="sales", members=("*@sales.example.com",), managers=("hos@example.com",)),
    Department(name="ops", members=("*@ops.example.com",), managers=("hoo@example.com",)),
)
ALICE, CARL = "alice@sales.example.com", "carl@sales.example.com"
JANE, KIM = "jane@ops.example.com", "kim@ops.example.com"
BOB = "bob@example.com"  # in no department


# (thrower, catcher, state, opened before NOW, GOT IT after opening, escalations)
HISTORY: list[tuple[str, str | None, str, timedelta, timedelta | None, int]] = [
    (ALICE, JANE, "accepted", 10 * 24 * H, 1 * H, 0),
    (ALICE, JANE, "accepted", 9 * 24 * H, 3 * H, 0),
    (ALICE, JANE, "accepted", 8 * 24 * H, 5 * H, 1),
    (ALICE, JANE, "accepted", 7 * 24 * H, 2 * H, 0),
    (ALICE, KIM, "refused", 6 * 24 * H, None, 1),
    (CARL, KIM, "cancelled", 5 * 24 * H, None, 0),
    (CARL, JANE, "pending", 2 * 24 * H, None, 1),  # its 4 h deadline passed long ago
    (BOB, JANE, "pending", 1 * H, None, 0),  # deadline in 3 h
    (ALICE, JANE, "accepted", 40 * 24 * H, 1 * H, 0),  # before the window
    (ALICE, None, "rejected", 3 * 24 * H, None, 0),  # never a ticket
    (ALICE, KIM, "pending", 45 * 24 * H, None, 3),  # before the window, still open
]


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database.open(f"sqlite:///{(tmp_path / 'report.db').as_posix()}")
    with database.transaction() as session:
        for n, (thrower, catcher, state, ago, wait, escalations) in enumerate(HISTORY, 1):
            opened = NOW - ago
            session.add(
                Ticket(
                    ref=f"MB-{n}" if state != "rejected" else f"MB-R{n}",
                    state=state,
                    title=f"handoff {n}",
                    thrower=thrower,
                    catcher=catcher,
                    created_at=opened,
                    deadline=opened + 4 * H,
                    accepted_at=opened + wait if wait else None,
                    escalations=escalations,
                )
            )
    yield database
    database.close()


def built(db: Database, since: datetime = SINCE) -> report.Report:
    with db.transaction() as session:
        return report.build(session, DEPARTMENTS, since, NOW)


def counts(row: dict[str, Any]) -> tuple[int, ...]:
    names = ("handoffs", "accepted", "refused", "cancelled", "pending", "escalated")
    return tuple(row[name] for name in names)


def test_median_and_p90_are_the_usual_ones() -> None:
    assert median([]) is None and p90([]) is None
    minutes = [float(m) for m in range(10, 0, -1)]  # 10 waits of 1..10 minutes, unsorted
    assert median(minutes) == 5.5
    assert p90(minutes) == 9.0  # nearest rank: the 9th of 10
    assert p90([4.0, 1.0, 3.0, 2.0]) == 4.0  # ceil(3.6) = 4th of 4
    assert p90([7.0]) == 7.0


def test_sent_by_the_throwers_department(db: Database) -> None:
    data = report_json(built(db), NOW)
    sent = {row["department"]: row for row in data["sent_by_department"]}
    # Alice's and Carl's seven handoffs in the window; Bob's one in no department.
    assert counts(sent["sales"]) == (7, 4, 1, 1, 1, 3)
    # Waits 1, 3, 5, 2 h: the median of the middle two (2 h, 3 h), p90 the 4th of 4.
    assert sent["sales"]["got_it_median_seconds"] == 2.5 * 3600
    assert sent["sales"]["got_it_p90_seconds"] == 5 * 3600
    assert counts(sent["ops"]) == (0, 0, 0, 0, 0, 0)  # listed, even with nothing sent
    assert sent["ops"]["got_it_median_seconds"] is None
    assert counts(sent[None]) == (1, 0, 0, 0, 1, 0)
    assert counts(data["total"]) == (8, 4, 1, 1, 2, 3)
    assert [row["department"] for row in data["sent_by_department"]] == ["sales", "ops", None]


def test_received_by_the_catchers_department_and_by_catcher(db: Database) -> None:
    data = report_json(built(db), NOW)
    received = {row["department"]: row for row in data["received_by_department"]}
    assert counts(received["ops"]) == (8, 4, 1, 1, 2, 3)
    assert counts(received["sales"]) == (0, 0, 0, 0, 0, 0)
    catchers = data["by_catcher"]
    assert [(c["catcher"], c["department"]) for c in catchers] == [(JANE, "ops"), (KIM, "ops")]
    assert counts(catchers[0]) == (6, 4, 0, 0, 2, 2)
    assert (catchers[0]["got_it_median_seconds"], catchers[0]["got_it_p90_seconds"]) == (
        9000,
        18000,
    )
    assert counts(catchers[1]) == (2, 0, 1, 1, 0, 1)
    assert catchers[1]["got_it_p90_seconds"] is None


def test_open_tickets_are_every_pending_one_oldest_first(db: Database) -> None:
    data = report_json(built(db), NOW)
    assert [(t["id"], t["overdue"]) for t in data["open"]] == [
        ("MB-11", True),  # opened before the window, still in Alice's name
        ("MB-7", True),
        ("MB-8", False),
    ]
    first = data["open"][0]
    assert first["age_seconds"] == 45 * 24 * 3600
    assert (first["thrower_department"], first["catcher_department"]) == ("sales", "ops")
    assert data["open"][2]["thrower_department"] is None


def test_the_window_takes_its_first_moment_and_not_its_last(db: Database) -> None:
    data = report_json(built(db, since=NOW - 7 * 24 * H), NOW)
    # MB-4 opened exactly 7 days ago: in. MB-5..8 too. MB-1..3 before: out.
    assert data["total"]["handoffs"] == 5
    assert data["since"] == "2026-11-23T12:00:00Z" and data["until"] == "2026-11-30T12:00:00Z"


def test_text_names_whose_department_each_table_counts(db: Database) -> None:
    text = report_text(built(db), NOW)
    assert "SENT, by the thrower's department" in text
    assert "RECEIVED, by the catcher's department" in text
    assert "of which 4 accepted, 1 refused, 1 cancelled, 2 pending; 3 escalated" in text
    sales = next(line for line in text.splitlines() if line.startswith("sales"))
    assert sales.split()[:7] == ["sales", "7", "4", "1", "1", "1", "3"]
    assert "2 h 30 min" in sales and "5 h" in sales
    open_part = text.split("OPEN, still in the thrower's name")[1]
    assert open_part.index("MB-11") < open_part.index("MB-7") < open_part.index("MB-8")
    assert f"{BOB} (no department) -> {JANE} (ops)" in open_part
    # The managers were told of MB-7 and MB-11: no deadline reads as time left for them.
    rows = {line.split()[0]: line for line in open_part.splitlines() if line.startswith("MB-")}
    assert "escalated" in rows["MB-7"] and "escalated" in rows["MB-11"]
    assert "in 3 h" in rows["MB-8"] and "escalated" not in rows["MB-8"]


def test_csv_has_one_header_and_a_row_per_figure_line_and_open_ticket(db: Database) -> None:
    text = report_csv(built(db), NOW)
    assert text.count("\r\n") == len(text.splitlines())  # RFC 4180 line ends
    rows = list(csv.DictReader(io.StringIO(text)))
    sections = [row["section"] for row in rows]
    assert sections == ["total"] + ["sent"] * 3 + ["received"] * 2 + ["catcher"] * 2 + ["open"] * 3
    sales = rows[1]
    assert (sales["department"], sales["handoffs"], sales["got_it_median_seconds"]) == (
        "sales",
        "7",
        "9000",
    )
    assert rows[-1]["ticket"] == "MB-8" and rows[-1]["overdue"] == "no"
    assert rows[-1]["department"] == ""  # Bob is in no department


def test_an_empty_database_reports_zeros_and_nothing_open(tmp_path: Path) -> None:
    empty = Database.open(f"sqlite:///{(tmp_path / 'empty.db').as_posix()}")
    try:
        with empty.transaction() as session:
            found = report.build(session, DEPARTMENTS, SINCE, NOW)
    finally:
        empty.close()
    data = json.loads(json.dumps(report_json(found, NOW)))
    assert data["total"]["handoffs"] == 0 and data["open"] == [] and data["by_catcher"] == []
    assert "(none: every handoff has been caught or closed)" in report_text(found, NOW)
