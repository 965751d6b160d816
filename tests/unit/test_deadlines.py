"""Reminders and escalations swept at a given time, no sockets: each level is sent once."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import mails
from desk_bench import Bench
from sqlalchemy import select

from mailbaton.clock import as_utc
from mailbaton.store.models import Ticket
from mailbaton.tickets.deadlines import escalate
from mailbaton.tickets.turn import Turn

HOUR = timedelta(hours=1)


def reminded_at(bench: Bench, ref: str) -> datetime | None:
    with bench.db.transaction() as session:
        found = session.scalar(select(Ticket.reminded_at).where(Ticket.ref == ref))
    return None if found is None else as_utc(found)


def test_nothing_is_due_before_the_deadline(tmp_path: Path) -> None:
    bench = Bench(tmp_path)
    ref = bench.open_one()
    report = bench.sweep(4 * HOUR - timedelta(seconds=1))
    assert (report.escalated, report.reminded) == (0, 0)
    assert bench.ticket(ref)["escalations"] == 0


def test_escalation_goes_to_the_departments_and_the_default_managers_once(
    tmp_path: Path,
) -> None:
    bench = Bench(tmp_path)
    ref = bench.open_one()
    assert bench.sweep(4 * HOUR).escalated == 1
    assert bench.sweep(4 * HOUR).escalated == 0  # a second sweep at the same moment
    assert bench.sweep(10 * HOUR).escalated == 0  # no repeat_every: one level only
    sent = bench.outbox("escalation")
    assert [s.to for s in sent] == [["sales-head@example.com", "boss@example.com"]]
    assert "Sales" in sent[0].text
    ticket = bench.ticket(ref)
    assert ticket["escalations"] == 1
    assert ("escalated", "level 1 to sales-head@example.com, boss@example.com") in ticket["events"]


def test_a_catcher_in_no_department_is_named_never_shown_by_address(tmp_path: Path) -> None:
    # SPEC 4: people are named by their display name, never by a bare address in a
    # sentence. Alice is in Sales; Jane is in no department.
    bench = Bench(tmp_path)
    bench.open_one()
    bench.sweep(4 * HOUR)
    (sent,) = bench.outbox("escalation")
    first = sent.text.strip().splitlines()[0]
    assert first.endswith("is stuck in limbo between Sales and Jane Doe."), first
    assert "Alice Smith (Sales) handed it to Jane Doe 4 h ago" in sent.text
    assert "Jane has not taken it on" in sent.text
    assert "To catch: Jane Doe <jane@example.com>\r\n" in sent.text
    html = sent.message.get_body(("html",))
    assert html is not None
    page = str(html.get_content())
    assert "between Sales and Jane Doe" in page and "(jane@example.com)" not in page


def test_a_level_is_claimed_by_one_process_only(tmp_path: Path) -> None:
    bench = Bench(tmp_path)
    bench.open_one()
    moment = bench.now + 4 * HOUR
    claims = []
    for _ in range(2):  # two workers that both read level 0 before either wrote
        with bench.db.transaction() as session:
            claims.append(escalate(Turn(session, bench.desk, moment), 1, 0))
    assert claims == [True, False]
    assert len(bench.outbox("escalation")) == 1


def test_repeat_every_escalates_again_and_a_missed_level_fires_once(tmp_path: Path) -> None:
    bench = Bench(tmp_path, repeat_every="2h")
    ref = bench.open_one()
    assert bench.sweep(4 * HOUR).escalated == 1
    assert bench.sweep(5 * HOUR).escalated == 0
    assert bench.sweep(6 * HOUR).escalated == 1
    # Down for a day: one escalation on waking, not one per missed level.
    assert bench.sweep(30 * HOUR).escalated == 1
    assert bench.sweep(31 * HOUR).escalated == 0
    assert bench.sweep(32 * HOUR).escalated == 1
    assert bench.ticket(ref)["escalations"] == 4
    levels = [d for k, d in bench.ticket(ref)["events"] if k == "escalated"]
    assert [d.split(" to ")[0] for d in levels] == ["level 1", "level 2", "level 3", "level 4"]


def test_the_catcher_is_reminded_once_before_escalation(tmp_path: Path) -> None:
    bench = Bench(tmp_path, remind_after="2h")
    ref = bench.open_one()
    report = bench.sweep(2 * HOUR)
    assert (report.reminded, report.escalated) == (1, 0)
    assert reminded_at(bench, ref) == bench.now + 2 * HOUR
    assert bench.sweep(3 * HOUR).reminded == 0
    reminders = bench.outbox("reminder")
    assert [s.to for s in reminders] == [["jane@example.com"]]
    request = bench.outbox("request")[0].message
    assert reminders[0].message["In-Reply-To"] == request["Message-ID"]
    assert ("reminder", "catcher jane@example.com reminded") in bench.ticket(ref)["events"]
    assert bench.sweep(4 * HOUR).escalated == 1


def test_an_answered_ticket_is_neither_reminded_nor_escalated(tmp_path: Path) -> None:
    bench = Bench(tmp_path, remind_after="2h")
    bench.open_one()
    request = bench.outbox("request")[0].message
    bench.deliver(mails.reply(request, "GOT IT"), bench.now + HOUR)
    report = bench.sweep(10 * HOUR)
    assert (report.reminded, report.escalated) == (0, 0)
    assert bench.outbox("reminder") == bench.outbox("escalation") == []


def test_a_reminder_due_in_the_pass_of_its_escalation_is_skipped(tmp_path: Path) -> None:
    bench = Bench(tmp_path, remind_after="2h")
    ref = bench.open_one()
    # Down from 1 h to 5 h: reminder (2 h) and escalation (4 h) are both due now.
    report = bench.sweep(5 * HOUR)
    assert (report.reminded, report.escalated) == (0, 1)
    assert bench.outbox("reminder") == []
    assert "reminder skipped" in bench.kinds(ref)
    assert reminded_at(bench, ref) is None
    # And it does not come back later.
    assert bench.sweep(6 * HOUR).reminded == 0


def test_the_reminder_names_the_work_and_the_moment_managers_hear(tmp_path: Path) -> None:
    bench = Bench(tmp_path, remind_after="2h")
    bench.open_one()
    assert bench.sweep(2 * HOUR).reminded == 1
    [reminder] = bench.outbox("reminder")
    assert "Acme Corp" in reminder.text
    assert "13:00" in reminder.text  # 4 h after 09:00 UTC


def test_every_escalation_level_threads_under_the_first(tmp_path: Path) -> None:
    bench = Bench(tmp_path, repeat_every="2h")
    bench.open_one()
    bench.sweep(4 * HOUR)
    bench.sweep(6 * HOUR)
    first, second = bench.outbox("escalation")
    root = first.message["Message-ID"]
    assert second.message["In-Reply-To"] == root
    assert root in second.message["References"]
    assert first.message["Subject"] == second.message["Subject"]


def test_the_hand_it_on_example_is_never_the_thrower_or_the_catcher(tmp_path: Path) -> None:
    bench = Bench(tmp_path)
    bench.deliver(
        mails.handoff(sender="Bob Stone <bob@example.com>", catcher="Kim <kim@example.com>")
    )
    bench.sweep(4 * HOUR)
    (sent,) = bench.outbox("escalation")
    assert '"Catcher: Sam Example <sam@example.com>"' in sent.text
