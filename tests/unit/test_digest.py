"""The digest: when it is due (in escalation.timezone), what it says, and once per period."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
from desk_bench import ROOT, Bench, database
from sqlalchemy import select

from mailbaton.config import Settings, from_dict
from mailbaton.config.loader import ConfigError
from mailbaton.outbound.compose import Composer
from mailbaton.outbound.desk import Desk
from mailbaton.store.db import Database
from mailbaton.store.models import Outbox, Ticket
from mailbaton.tickets import digest

H = timedelta(hours=1)


def settings(**table: Any) -> Settings:
    return from_dict(
        {
            "mailbox": {"username": "baton@example.com", "address": "baton@example.com"},
            "escalation": {
                "after": "4h",
                "managers": ["boss@example.com"],
                "timezone": "Europe/Berlin",
            },
            "departments": {
                "sales": {"members": ["*@sales.example.com"], "managers": ["hos@example.com"]},
                "ops": {
                    "members": ["*@ops.example.com"],
                    "managers": ["hoo@example.com", "boss@example.com"],
                },
            },
            "digest": table,
        },
        base=ROOT,
    )


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_off_by_default_and_a_bad_table_is_refused_clearly() -> None:
    assert settings().digest.every == "off"
    assert digest.slots(settings().digest, "UTC", at("2026-11-30T08:00")) is None
    assert digest.next_digest(settings(), at("2026-11-30T08:00")) is None
    with pytest.raises(ConfigError) as error:
        settings(every="hourly", at="25:00", weekday="someday")
    assert error.value.problems == [
        "digest.every: is 'hourly'; expected one of off, daily, weekly",
        "digest.at: is '25:00'; expected a time of day such as \"08:00\" (24-hour clock)",
        "digest.weekday: is 'someday'; expected one of mon, tue, wed, thu, fri, sat, sun",
    ]


def test_daily_slots_are_in_the_offices_time_zone() -> None:
    daily = settings(every="daily", at="8:00").digest
    # 07:59 in Berlin (UTC+1 in November): today's 08:00 has not come yet.
    found = digest.slots(daily, "Europe/Berlin", at("2026-11-30T06:59"))
    assert found is not None
    assert (found.previous, found.last, found.next) == (
        at("2026-11-28T07:00"),
        at("2026-11-29T07:00"),
        at("2026-11-30T07:00"),
    )
    same = digest.slots(daily, "Europe/Berlin", at("2026-11-30T07:00"))
    assert same is not None and same.last == at("2026-11-30T07:00")
    # Summer time: 08:00 in Berlin is 06:00 UTC the day the clocks go forward.
    spring = digest.slots(daily, "Europe/Berlin", at("2026-03-29T12:00"))
    assert spring is not None
    assert (spring.previous, spring.last) == (at("2026-03-28T07:00"), at("2026-03-29T06:00"))


def test_weekly_slots_fall_on_the_weekday() -> None:
    weekly = settings(every="weekly", at="17:00", weekday="fri").digest
    monday = digest.slots(weekly, "UTC", at("2026-11-30T09:00"))
    assert monday is not None
    assert (monday.previous, monday.last, monday.next) == (
        at("2026-11-20T17:00"),
        at("2026-11-27T17:00"),
        at("2026-12-04T17:00"),
    )
    friday_noon = digest.slots(weekly, "UTC", at("2026-11-27T12:00"))
    assert friday_noon is not None and friday_noon.last == at("2026-11-20T17:00")


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    made = database(tmp_path)
    history = [
        # (thrower, catcher, state, opened, accepted after)
        ("alice@sales.example.com", "jane@ops.example.com", "accepted", "2026-11-29T09:00", 2 * H),
        ("alice@sales.example.com", "jane@ops.example.com", "pending", "2026-11-29T10:00", None),
        ("alice@sales.example.com", "kim@ops.example.com", "pending", "2026-11-30T06:30", None),
        ("bob@example.com", "carl@example.com", "pending", "2026-11-29T11:00", None),
    ]
    with made.transaction() as session:
        for n, (thrower, catcher, state, opened, wait) in enumerate(history, 1):
            session.add(
                Ticket(
                    ref=f"MB-{n}",
                    state=state,
                    title=f"handoff {n}",
                    thrower=thrower,
                    catcher=catcher,
                    created_at=at(opened),
                    deadline=at(opened) + 4 * H,
                    accepted_at=at(opened) + wait if wait else None,
                )
            )
    yield made
    made.close()


def outbox(db: Database) -> list[tuple[list[str], EmailMessage, str | None]]:
    with db.transaction() as session:
        rows = session.scalars(select(Outbox).where(Outbox.kind == "digest").order_by(Outbox.id))
        found = []
        for row in rows:
            message = message_from_bytes(row.raw, policy=default)
            assert isinstance(message, EmailMessage)
            found.append(([a.addr_spec for a in message["To"].addresses], message, row.dedupe_key))
        return found


def text(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def test_each_departments_managers_get_one_digest_per_day(db: Database) -> None:
    config = settings(every="daily", at="08:00")
    desk = Desk(config, Composer(None, "Europe/Berlin"))
    assert digest.send_due(db, desk, at("2026-11-30T07:00:30")) == 3
    assert digest.send_due(db, desk, at("2026-11-30T07:00:30")) == 0  # a second pass
    assert digest.send_due(db, desk, at("2026-11-30T18:59")) == 0  # later the same day
    sent = outbox(db)
    # boss@ hears of every department (escalation.managers), so not of ops on its own too.
    assert [to for to, _, _ in sent] == [
        ["hos@example.com"],
        ["hoo@example.com"],
        ["boss@example.com"],
    ]
    assert [key for _, _, key in sent] == [
        "digest:sales:2026-11-30T07:00:00Z",
        "digest:ops:2026-11-30T07:00:00Z",
        "digest:*:2026-11-30T07:00:00Z",
    ]
    sales = sent[0][1]
    assert sales["Subject"] == "Daily handoffs for Sales: 2 waiting, 1 overdue"
    assert sales["Message-ID"].startswith("<digest.digest.sales-")
    assert sales["Auto-Submitted"] == "auto-generated"
    body = text(sales).replace("\r\n", "\n")
    # Overdue first (MB-2, past its 4 h), then oldest first; Bob's is no business of Sales.
    assert body.index("MB-2 handoff 2") < body.index("MB-3 handoff 3")
    assert "MB-4" not in body
    assert "OVERDUE since Sun 29 Nov 2026 15:00 CET" in body
    # Yesterday 08:00 to today 08:00 in Berlin: all four opened then (MB-3 at 07:30).
    assert "Sent by Sales: 3 handoffs; 1 accepted, 0 refused, 0 cancelled, 2 still waiting" in body
    assert "Received by Sales: 0 handoffs" in body
    assert "median 2 h, 9 in 10 within 2 h" in body
    everyone = text(sent[2][1])
    assert "MB-4" in everyone and "All handoffs: 4 handoffs" in everyone
    assert digest.send_due(db, desk, at("2026-12-01T07:00")) == 3  # the next day's


def test_a_digest_more_than_half_a_period_late_waits_for_the_next(db: Database) -> None:
    desk = Desk(settings(every="daily", at="08:00"), Composer(None, "Europe/Berlin"))
    assert digest.send_due(db, desk, at("2026-11-30T19:01")) == 0  # 08:00 + 12 h 1 min
    assert outbox(db) == []
    assert digest.next_digest(desk.settings, at("2026-11-30T19:01")) == at("2026-12-01T07:00")
    assert digest.send_due(db, desk, at("2026-12-01T07:00")) == 3


def test_two_replicas_queue_one_digest(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    desk = Desk(settings(every="weekly", weekday="mon"), Composer(None, "Europe/Berlin"))
    assert digest.send_due(db, desk, at("2026-11-30T07:00")) == 3
    # The other replica read before this one's rows were there: the Message-ID stops it.
    monkeypatch.setattr(digest, "_queued", lambda _session, _key: False)
    assert digest.send_due(db, desk, at("2026-11-30T07:00")) == 0
    assert len(outbox(db)) == 3


def test_a_managers_reply_to_a_digest_is_kept_and_not_answered(tmp_path: Path) -> None:
    bench = Bench(tmp_path)
    on = replace(bench.settings, digest=replace(bench.settings.digest, every="daily"))
    assert digest.send_due(bench.db, Desk(on, bench.desk.composer), at("2026-11-23T08:00")) == 2
    sent = bench.outbox("digest")[0].message
    thanks = EmailMessage()
    thanks["From"] = "Sam Head <sales-head@example.com>"
    thanks["To"] = "baton@example.com"
    thanks["Subject"] = f"Re: {sent['Subject']}"
    thanks["Message-ID"] = "<thanks@client.example.com>"
    thanks["In-Reply-To"] = sent["Message-ID"]
    thanks.set_content("Thanks, I'll look at MB-2 today.\n")
    delivered = bench.deliver(thanks.as_bytes())
    assert (delivered.outcome, delivered.reason) == (
        "ignored",
        "a reply to a digest: kept, not answered",
    )
    assert [s.kind for s in bench.outbox()] == ["digest", "digest"]  # no rejection


def test_the_daemon_wakes_for_the_next_digest(tmp_path: Path) -> None:
    from mailbaton.app.service import Service
    from mailbaton.clock import utcnow

    soon = utcnow() + timedelta(minutes=10)
    slow_poll = from_dict(
        {
            "mailbox": {
                "username": "baton@example.com",
                "address": "baton@example.com",
                "poll_interval": "1h",
            },
            "digest": {"every": "daily", "at": f"{soon:%H:%M}"},
        },
        base=ROOT,
    )
    service = Service(slow_poll, database(tmp_path))
    try:
        wait = asyncio.run(service._until_next())
    finally:
        service.close()
    assert 8 * 60 < wait <= 10 * 60  # the digest's moment, not the hour's poll
    off = replace(slow_poll, digest=replace(slow_poll.digest, every="off"))
    service = Service(off, database(tmp_path))
    try:
        assert asyncio.run(service._until_next()) == 3600
    finally:
        service.close()
