"""The outbox against a fake sender: sent, retried with backoff, parked, leased."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import mails
import pytest
from desk_bench import Bench, Connection

from mailbaton.outbound.outbox import LEASE, FlushReport, flush, held_answers
from mailbaton.store.models import Outbox
from mailbaton.tickets.bounces import after_parking
from mailbaton.transport.base import Permanent, Transient

MINUTE = timedelta(minutes=1)


class Crash(BaseException):
    """The worker dies mid-send (like SystemExit: nothing gets to record the failure)."""


class FakeSender(Connection):
    """Answers each send with `fate(recipients)`: None delivers, an exception refuses."""

    def __init__(self, fate: Callable[[list[str]], Exception | None] = lambda _: None) -> None:
        self.fate = fate
        self.delivered: list[tuple[str, list[str]]] = []

    async def send(self, raw: bytes, mail_from: str, recipients: list[str]) -> str:
        problem = self.fate(recipients)
        if problem is not None:
            raise problem
        self.delivered.append((mail_from, recipients))
        return "250 2.0.0 queued"


def run(bench: Bench, sender: FakeSender, at: datetime) -> FlushReport:
    return asyncio.run(flush(bench.db, sender, at))


def rows(bench: Bench) -> list[Outbox]:
    with bench.db.transaction() as session:
        return list(session.query(Outbox).order_by(Outbox.id))


@pytest.fixture
def bench(tmp_path: Path) -> Bench:
    bench = Bench(tmp_path)
    assert bench.deliver(mails.handoff()).ref is not None  # queues a request and a receipt
    return bench


def test_queued_mail_is_sent_once(bench: Bench) -> None:
    sender = FakeSender()
    assert run(bench, sender, bench.now).sent == 2
    assert run(bench, sender, bench.now + MINUTE).sent == 0
    assert sender.delivered == [
        ("baton@example.com", ["jane@example.com"]),
        ("baton@example.com", ["alice@example.com"]),
    ]
    assert [r.state for r in rows(bench)] == ["sent", "sent"]
    ref = bench.deliver(mails.handoff()).ref
    assert ref is not None
    assert "mail sent" not in bench.kinds(ref)  # the second ticket's mail is still queued
    assert bench.kinds("MB-1").count("mail sent") == 2


def test_a_4xx_waits_with_backoff_capped_at_ten_minutes(bench: Bench) -> None:
    sender = FakeSender(lambda _: Transient("451 4.3.0 try later"))
    at = bench.now
    waits = []
    for _ in range(7):
        report = run(bench, sender, at)
        # The server is unwell: the receipt waits behind the request, untried.
        assert (report.retrying, report.sent, report.parked) == (1, 0, 0)
        first = rows(bench)[0]
        waits.append(first.next_attempt_at - at)
        at = first.next_attempt_at
    assert waits == [MINUTE * n for n in (1, 2, 4, 8, 10, 10, 10)]
    assert [r.attempts for r in rows(bench)] == [7, 0]
    assert rows(bench)[0].last_error == "451 4.3.0 try later"


def test_a_5xx_parks_the_mail_and_the_thrower_is_told_once(bench: Bench) -> None:
    refuse_jane = FakeSender(
        lambda to: Permanent("550 5.1.1 no such user") if "jane@example.com" in to else None
    )
    report = run(bench, refuse_jane, bench.now)
    assert (report.sent, report.parked) == (1, 1)
    assert [r.state for r in rows(bench)] == ["parked", "sent"]
    after_parking(bench.db, bench.desk, report.parked_ids, bench.now)
    after_parking(bench.db, bench.desk, report.parked_ids, bench.now + MINUTE)
    told = bench.outbox("undeliverable")
    assert [s.to for s in told] == [["alice@example.com"]]
    assert "550 5.1.1 no such user" in told[0].text
    events = bench.ticket("MB-1")["events"]
    assert ("mail failed", "request could not be sent: 550 5.1.1 no such user") in events
    assert ("mail not sent", "undeliverable: already sent today") in events


def test_a_refused_mail_to_the_thrower_is_not_answered_with_another(bench: Bench) -> None:
    refuse_alice = FakeSender(
        lambda to: Permanent("550 mailbox full") if "alice@example.com" in to else None
    )
    report = run(bench, refuse_alice, bench.now)
    after_parking(bench.db, bench.desk, report.parked_ids, bench.now)
    assert bench.outbox("undeliverable") == []
    assert bench.kinds("MB-1")[-1] == "undeliverable"


def test_transient_failures_for_three_days_park_the_mail(bench: Bench) -> None:
    sender = FakeSender(lambda _: Transient("421 down"))
    run(bench, sender, bench.now)
    report = run(bench, sender, bench.now + timedelta(days=3, minutes=1))
    assert report.parked == 1
    assert rows(bench)[0].state == "parked"


def test_a_sender_s_unexpected_error_is_retried_not_left_leased(bench: Bench) -> None:
    def broken(_: list[str]) -> Exception:
        return ValueError("secret-ish payload text")

    report = run(bench, FakeSender(broken), bench.now)
    first = rows(bench)[0]
    assert (report.retrying, first.state, first.attempts) == (1, "queued", 1)
    assert first.next_attempt_at == bench.now + MINUTE  # backoff, not the 10-minute lease
    assert first.last_error == "unexpected error while sending (ValueError)"
    assert run(bench, FakeSender(), bench.now + MINUTE).sent == 2


def test_a_crashed_worker_s_claim_lapses_after_the_lease(bench: Bench) -> None:
    def crash(_: list[str]) -> Exception:
        return Crash()

    with pytest.raises(Crash):
        run(bench, FakeSender(crash), bench.now)
    claimed = rows(bench)[0]
    assert (claimed.state, claimed.attempts) == ("queued", 1)
    sender = FakeSender()
    # While the lease holds, other workers leave the row alone (the receipt still goes).
    assert run(bench, sender, bench.now + LEASE - MINUTE).sent == 1
    assert run(bench, sender, bench.now + LEASE).sent == 1
    assert [r.state for r in rows(bench)] == ["sent", "sent"]
    assert sender.delivered[-1] == ("baton@example.com", ["jane@example.com"])


def test_a_held_answer_is_never_sent_and_the_count_says_whom_it_was_for(tmp_path: Path) -> None:
    bench = Bench(tmp_path, protocol={"max_answers_per_sender": 1})
    bench.deliver(mails.handoff(catcher=None, title="One"))
    bench.deliver(mails.handoff(catcher=None, title="Two"))
    sender = FakeSender()
    report = run(bench, sender, bench.now + MINUTE)
    assert report.sent == 1 and sender.delivered == [("baton@example.com", ["alice@example.com"])]
    assert run(bench, sender, bench.now + timedelta(days=1)).sent == 0
    assert [r.state for r in rows(bench)] == ["sent", "held"]
    with bench.db.transaction() as session:
        held = held_answers(session)
    assert list(held) == ["alice@example.com"]
    assert (held["alice@example.com"].count, held["alice@example.com"].why) == (
        1,
        "over 1 answers an hour to alice@example.com",
    )
