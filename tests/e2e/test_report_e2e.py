"""`report` and `export` through the real CLI, on a database built by real mail passes."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import mails
import pytest
from baton import Baton, make_baton, parse
from servers import MailServer

from mailbaton.clock import utcnow

pytestmark = pytest.mark.e2e
H = timedelta(hours=1)


@pytest.fixture
def baton(mail_server: MailServer, tmp_path: Path) -> Iterator[Baton]:
    made = make_baton(mail_server, tmp_path)
    yield made
    made.close()


def history(baton: Baton) -> None:
    """Alice (sales) throws three handoffs to Jane (ops) five hours ago: Jane catches one
    after an hour, refuses one after two; the third is still pending and escalated."""
    start = utcnow() - 5 * H
    for title in ("Caught", "Refused", "Waiting"):
        baton.server.deliver(mails.handoff(title=title))
    baton.run_pass(start)
    requests = {
        str(m["Subject"]).rsplit("] ", 1)[1]: m
        for m in map(parse, baton.server.wait_for("jane@example.com", 3))
    }
    baton.server.deliver(mails.reply(requests["Caught"], "Got it"))
    baton.run_pass(start + H)
    baton.server.deliver(mails.reply(requests["Refused"], "REFUSE: not ours, ask finance"))
    baton.run_pass(start + 2 * H)
    baton.run_pass(start + 4 * H + timedelta(minutes=1))  # Waiting: escalated


def test_report_counts_what_the_mail_did(baton: Baton) -> None:
    history(baton)
    data = baton.cli_json("report", "--since", "1d")
    sent = {row["department"]: row for row in data["sent_by_department"]}
    assert {k: sent["sales"][k] for k in ("handoffs", "accepted", "refused", "pending")} == {
        "handoffs": 3,
        "accepted": 1,
        "refused": 1,
        "pending": 1,
    }
    assert sent["sales"]["escalated"] == 1
    assert sent["sales"]["got_it_median_seconds"] == 3600
    received = {row["department"]: row for row in data["received_by_department"]}
    assert received["ops"]["handoffs"] == 3 and received["sales"]["handoffs"] == 0
    assert [(c["catcher"], c["handoffs"]) for c in data["by_catcher"]] == [("jane@example.com", 3)]
    assert [(t["title"], t["overdue"], t["escalations"]) for t in data["open"]] == [
        ("Waiting", True, 1)
    ]

    text = baton.cli_inline("report", "--since", "1d")
    assert text.returncode == 0, text.stderr
    assert "SENT, by the thrower's department" in text.stdout
    assert "Waiting" in text.stdout and "1 h" in text.stdout

    table = baton.cli_inline("report", "--csv")
    rows = list(csv.DictReader(io.StringIO(table.stdout)))
    assert rows[0]["section"] == "total" and rows[0]["handoffs"] == "3"
    assert [r["title"] for r in rows if r["section"] == "open"] == ["Waiting"]


def test_report_refuses_a_bad_window_clearly(baton: Baton) -> None:
    done = baton.cli_inline("report", "--since", "a month")
    assert done.returncode == 2
    assert "--since 'a month' is not a duration; expected e.g. 30d, 12h or 2w" in done.stderr
    assert "Traceback" not in done.stderr
    both = baton.cli_inline("report", "--json", "--csv")
    assert both.returncode == 2 and "not allowed with" in both.stderr


def test_export_is_every_ticket_as_show_prints_it(baton: Baton) -> None:
    history(baton)
    baton.server.deliver(mails.handoff(catcher=None, title="No catcher"))
    baton.run_pass()
    exported = baton.cli_json("export")
    refs = [t["id"] for t in exported]
    assert refs == ["MB-1", "MB-2", "MB-3", "MB-R1"]
    for ticket in exported:
        shown = baton.cli_json("show", ticket["id"])
        ticket.pop("age_seconds"), shown.pop("age_seconds")  # read a moment apart
        assert ticket == shown

    sheet = baton.cli_inline("export", "--csv")
    assert sheet.returncode == 0, sheet.stderr
    rows = list(csv.DictReader(io.StringIO(sheet.stdout)))
    assert len(rows) == sum(len(t["events"]) for t in exported)
    caught = [r for r in rows if r["id"] == "MB-1"]
    assert {r["state"] for r in caught} == {"accepted"}
    assert "accepted" in [r["event_kind"] for r in caught]
    assert [r["event_kind"] for r in caught] == [e["kind"] for e in exported[0]["events"]]
