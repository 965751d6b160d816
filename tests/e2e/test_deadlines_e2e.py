"""Deadlines on real servers, driven by the clock: escalations, reminders, all-clear."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import mails
import pytest
from baton import Baton, body_text, make_baton, parse
from servers import MailServer

pytestmark = pytest.mark.e2e

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday
MANAGERS = ["head-of-sales@example.com", "head-of-ops@example.com", "managers@example.com"]


@pytest.fixture
def baton(mail_server: MailServer, tmp_path: Path) -> Iterator[Baton]:
    b = make_baton(mail_server, tmp_path)
    yield b
    b.close()


def warnings(baton: Baton, user: str, kind: str = "Warning: MB-") -> list[EmailMessage]:
    return baton.saying(user, kind)


def open_one(baton: Baton, at: datetime = T0) -> EmailMessage:
    baton.server.deliver(mails.handoff())
    baton.run_pass(at)
    (request,) = [parse(r) for r in baton.server.wait_for("jane@example.com", 1)]
    return request


def test_one_escalation_at_four_hours_to_exactly_the_right_people(baton: Baton) -> None:
    open_one(baton)
    assert baton.run_pass(T0 + timedelta(hours=3, minutes=59)).due.escalated == 0
    assert all(warnings(baton, m) == [] for m in MANAGERS)

    assert baton.run_pass(T0 + timedelta(hours=4)).due.escalated == 1
    for manager in MANAGERS:
        (mail,) = warnings(baton, manager)
        assert str(mail["Subject"]) == "[MB-1] Acme Corp - $50,000 contract ready to countersign"
        text = body_text(mail)
        assert text.splitlines()[0] == (
            "Warning: MB-1 Acme Corp - $50,000 contract ready to countersign "
            "is stuck in limbo between Sales and Ops."
        )
        assert "Alice Smith (Sales)" in text
        assert "Jane Doe (Ops)" in text
        assert "Mon 23 Nov 2026 09:00 UTC" in text  # since when
    (mail,) = warnings(baton, "managers@example.com")
    assert sorted(a.addr_spec for a in mail["To"].addresses) == sorted(MANAGERS)  # one mail
    assert warnings(baton, "jane@example.com") == []

    # Later passes, and a restart (a new service on the same database), send nothing more.
    assert baton.run_pass(T0 + timedelta(hours=9)).due.escalated == 0
    baton.reload()
    assert baton.run_pass(T0 + timedelta(days=3)).due.escalated == 0
    assert all(len(warnings(baton, m)) == 1 for m in MANAGERS)
    ticket = baton.ticket("MB-1")
    assert ticket["escalations"] == 1 and ticket["state"] == "pending"
    assert [e["kind"] for e in ticket["events"]].count("escalated") == 1


def test_repeats_and_reminder_when_configured(mail_server: MailServer, tmp_path: Path) -> None:
    baton = make_baton(mail_server, tmp_path, escalation='repeat_every = "4h"\nremind_after = "2h"')
    try:
        open_one(baton)
        assert baton.run_pass(T0 + timedelta(hours=1, minutes=59)).due.reminded == 0
        assert baton.run_pass(T0 + timedelta(hours=2)).due.reminded == 1
        assert baton.run_pass(T0 + timedelta(hours=3)).due.reminded == 0
        reminders = baton.saying("jane@example.com", "a reminder:")
        assert len(reminders) == 1

        for hours, expected in ((4, 1), (5, 1), (8, 2), (11, 2), (12, 3)):
            baton.run_pass(T0 + timedelta(hours=hours))
            assert len(warnings(baton, "managers@example.com")) == expected, hours
        assert "warning number 3" in body_text(warnings(baton, "managers@example.com")[-1])
    finally:
        baton.close()


def test_business_hours_friday_afternoon_escalates_monday_noon(
    mail_server: MailServer, tmp_path: Path
) -> None:
    baton = make_baton(
        mail_server,
        tmp_path,
        escalation='business_hours = "Mon-Fri 09:00-17:00"\ntimezone = "Europe/Berlin"',
    )
    friday_4pm_berlin = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
    monday_noon_berlin = datetime(2026, 11, 30, 11, 0, tzinfo=UTC)
    try:
        request = open_one(baton, friday_4pm_berlin)
        assert "Mon 30 Nov 2026 12:00 CET" in body_text(request)  # shown in office time
        assert baton.ticket("MB-1")["deadline"] == "2026-11-30T11:00:00Z"
        assert baton.run_pass(monday_noon_berlin - timedelta(minutes=1)).due.escalated == 0
        assert baton.run_pass(monday_noon_berlin).due.escalated == 1
        assert "Fri 27 Nov 2026 16:00 CET" in body_text(warnings(baton, "managers@example.com")[0])
    finally:
        baton.close()


def test_all_clear_after_a_late_acceptance_and_none_when_in_time(baton: Baton) -> None:
    request = open_one(baton)
    baton.run_pass(T0 + timedelta(hours=4))
    baton.server.deliver(mails.reply(request, "Got it"))
    baton.run_pass(T0 + timedelta(hours=5))
    for manager in MANAGERS:
        (clear,) = warnings(baton, manager, "All clear on MB-1")
        assert "accepted it" in body_text(clear)

    baton.server.deliver(mails.handoff(title="In time"))
    baton.run_pass(T0 + timedelta(hours=6))
    second = next(m for m in baton.inbox("jane@example.com") if m["Subject"].startswith("[MB-2]"))
    baton.server.deliver(mails.reply(second, "Got it"))
    baton.run_pass(T0 + timedelta(hours=9))
    baton.run_pass(T0 + timedelta(hours=12))
    for manager in MANAGERS:
        assert len(warnings(baton, manager)) == 1  # MB-1's only
        assert len(warnings(baton, manager, "All clear on MB-")) == 1


def test_run_once_now_shows_what_would_fire(baton: Baton) -> None:
    open_one(baton)
    done = baton.cli_inline("run", "--once", "--now", "2026-11-23T13:00:00Z")
    assert done.returncode == 0, done.stderr
    assert "escalated 1" in done.stdout
