"""Health of the mailbox and SMTP through the service's passes, with a controlled clock:
recorded in the database, logged every few minutes, one alert past alerts.after, one
recovery note; what `status` and `health` read from it."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from desk_bench import START, Connection, database, settings

from mailbaton.app.service import PassReport, Service, desk_for
from mailbaton.config import Settings, from_dict
from mailbaton.outbound.compose import Composer
from mailbaton.outbound.desk import Desk
from mailbaton.outbound.outbox import Channel, MailState
from mailbaton.store.db import Database
from mailbaton.store.models import Health, Outbox
from mailbaton.transport.base import Incoming, SignInFailed, Source, Transient, TransportError
from mailbaton.watch import health
from mailbaton.watch.alerts import LOG_EVERY, Watch

MINUTE = timedelta(minutes=1)
ADMINS = ["ops-admin@example.com", "it@example.com"]


class Mailbox:
    """An empty mailbox, or one whose sign-in fails with `error`."""

    key = "test"

    def __init__(self) -> None:
        self.error: TransportError | None = None

    def __enter__(self) -> Mailbox:
        if self.error is not None:
            raise self.error
        return self

    def __exit__(self, *_exc: object) -> None:
        return None

    def waiting(self) -> list[Source]:
        return []

    def read(self, sources: list[Source], cap: int) -> Iterator[Incoming]:
        return iter(())

    def file(self, source: Source, outcome: object) -> bool:
        return True


class Sender(Connection):
    def __init__(self) -> None:
        self.error: TransportError | None = None
        self.sent: list[tuple[bytes, list[str]]] = []

    async def send(self, raw: bytes, mail_from: str, recipients: list[str]) -> str:
        if self.error is not None:
            raise self.error
        self.sent.append((raw, recipients))
        return "250 ok"


def alerting(after: str = "15m", admins: list[str] | None = None) -> Settings:
    base = settings()
    alerts = replace(base.alerts, admins=tuple(ADMINS if admins is None else admins))
    return replace(base, alerts=replace(alerts, after=health_duration(after)))


def health_duration(text: str) -> timedelta:
    from mailbaton.clock import parse_duration

    return parse_duration(text)


class World:
    def __init__(self, db: Database, config: Settings) -> None:
        self.db, self.settings = db, config
        self.mailbox, self.sender = Mailbox(), Sender()
        self.service = self.replica()

    def replica(self) -> Service:
        """Another daemon on the same database (a restart, or a second replica)."""
        return Service(
            self.settings, self.db, mailbox=lambda: self.mailbox, sender=lambda: self.sender
        )

    def run(self, minutes: float, service: Service | None = None) -> PassReport:
        return asyncio.run((service or self.service).run_once(START + minutes * MINUTE))

    def mails(self, kind: str) -> list[Outbox]:
        with self.db.transaction() as session:
            return list(session.query(Outbox).filter(Outbox.kind == kind).order_by(Outbox.id))

    def readings(self, minutes: float) -> dict[str, health.Reading]:
        with self.db.transaction() as session:
            found = health.read(session, self.settings, START + minutes * MINUTE)
        return {r.component: r for r in found}


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    db = database(tmp_path)
    yield World(db, alerting())
    db.close()


WRONG = SignInFailed("the IMAP server 127.0.0.1:143 refused the sign-in as baton@example.com")


def test_one_alert_after_alerts_after_then_one_recovery_note(world: World) -> None:
    world.run(0)
    assert world.readings(0)["mailbox"].state == "ok"
    world.mailbox.error = WRONG
    for minute in range(1, 16):  # failing since minute 1: 14 minutes, not yet 15
        assert world.run(minute).inbox_error
    assert world.mails("alert") == [] and world.sender.sent == []
    reading = world.readings(15)["mailbox"]
    assert reading.state == "failing" and reading.sign_in_failed and reading.alerted_at is None
    assert "refused the sign-in" in (reading.last_error or "")

    world.run(16)  # 15 minutes of failure: the alert, sent in this same pass
    (alert,) = world.mails("alert")
    assert alert.state == MailState.SENT and json.loads(alert.rcpt_json) == ADMINS
    assert "ALERT: the mailbox has been failing for 15 min" in alert.subject
    text = alert.raw.decode()
    assert "refuses to let mailbaton sign in" in text and "mailbox.password" in text

    for minute in range(17, 40, 3):  # still failing, also on a restarted daemon: no more
        world.run(minute)
        world.run(minute + 1, world.replica())
    assert len(world.mails("alert")) == 1 and world.mails("recovery") == []
    assert world.readings(40)["mailbox"].alerted_at == START + 16 * MINUTE

    world.mailbox.error = None
    world.run(41, world.replica())
    (note,) = world.mails("recovery")
    assert note.state == MailState.SENT and json.loads(note.rcpt_json) == ADMINS
    assert "Recovered: the mailbox works again" in note.subject
    assert "after 40 min of failures" in note.raw.decode()
    for minute in range(42, 50):
        world.run(minute)
    assert len(world.mails("alert")) == 1 and len(world.mails("recovery")) == 1
    assert world.readings(50)["mailbox"].state == "ok"


def test_a_new_outage_gets_its_own_alert(world: World) -> None:
    world.mailbox.error = Transient("cannot connect to IMAP 127.0.0.1:143: refused")
    world.run(0)
    world.run(20)
    world.mailbox.error = None
    world.run(21)
    world.mailbox.error = Transient("cannot connect to IMAP 127.0.0.1:143: refused")
    world.run(30)
    world.run(40)  # only 10 minutes into the second outage
    assert len(world.mails("alert")) == 1
    world.run(46)
    assert len(world.mails("alert")) == 2 and len(world.mails("recovery")) == 1
    assert "refuses to let mailbaton sign in" not in world.mails("alert")[1].raw.decode()


def test_failure_is_logged_at_once_then_every_few_minutes_not_every_pass(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="mailbaton.watch")
    world.mailbox.error = WRONG
    every = LOG_EVERY // MINUTE
    for minute in range(0, 3 * every + 1):  # one pass a minute
        world.run(minute)
    lines = [r for r in caplog.records if r.name == "mailbaton.watch.alerts"]
    warnings = [r.getMessage() for r in lines if r.levelno == logging.WARNING]
    # At 0, at LOG_EVERY, at 2 * LOG_EVERY; and once when the alert was queued (at 15).
    assert len(warnings) == 4, warnings
    assert warnings[0].startswith("cannot sign in to the mailbox, failing for 0 s")
    assert "mailbaton keeps trying" in warnings[0]
    assert any("alert queued for ops-admin@example.com" in w for w in warnings)
    world.mailbox.error = None
    world.run(3 * every)
    assert "the mailbox works again" in caplog.text


def test_without_admins_nothing_is_mailed_and_the_log_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = database(tmp_path)
    world = World(db, alerting(admins=[]))
    world.mailbox.error = WRONG
    for minute in (0, 20, 40):
        world.run(minute)
    world.mailbox.error = None
    world.run(41)
    assert world.mails("alert") == [] and world.mails("recovery") == []
    assert "no [alerts] admins to mail" in caplog.text
    db.close()


def test_an_smtp_outage_alert_waits_in_the_outbox_and_leaves_with_its_recovery(
    world: World,
) -> None:
    world.sender.error = Transient("cannot connect to SMTP 127.0.0.1:25: refused")
    world.mailbox.error = WRONG
    world.run(0)
    world.run(16)  # the mailbox alert is queued, and SMTP cannot take it
    assert world.readings(16)["smtp"].state == "failing"
    (mailbox_alert,) = world.mails("alert")
    assert mailbox_alert.state == MailState.QUEUED
    for minute in range(17, 40, 5):
        world.run(minute)
    alerts = world.mails("alert")  # one for the mailbox, one for SMTP
    assert [a.subject.split(" has ")[0] for a in alerts] == [
        "[mailbaton] ALERT: the mailbox",
        "[mailbaton] ALERT: the SMTP server",
    ]
    assert all(a.state == MailState.QUEUED for a in alerts)
    world.sender.error = None
    world.mailbox.error = None
    world.run(50)
    world.run(50.1)  # the recovery note queued after the send is on the next pass
    assert [a.state for a in world.mails("alert")] == [MailState.SENT, MailState.SENT]
    notes = world.mails("recovery")
    assert len(notes) == 2 and {n.state for n in notes} == {MailState.SENT}
    assert world.readings(51)["smtp"].state == "ok"


def test_status_says_when_the_last_poll_is_older_than_it_should_be(world: World) -> None:
    fresh = world.readings(0)
    assert (
        fresh["mailbox"].state == "unknown" and "no poll recorded yet" in fresh["mailbox"].summary
    )
    world.run(0)
    assert world.readings(2)["mailbox"].state == "ok"
    late = world.readings(10)["mailbox"]  # poll_interval 60 s: three missed and a minute
    assert late.state == "stale" and "last poll 10 min ago: older than 4 min" in late.summary
    assert not health.healthy(list(world.readings(10).values()))
    assert health.lines(list(world.readings(10).values()))[0].startswith("mailbox  LATE ")


def test_sending_is_late_only_when_mail_waits(world: World) -> None:
    world.run(0)
    assert world.readings(600)["smtp"].state == "ok"  # nothing to send: nothing is late
    world.sender.error = Transient("421 try later")
    world.mailbox.error = WRONG
    world.run(1)
    world.run(20)  # the alert waits for SMTP
    smtp = world.readings(20)["smtp"]
    assert smtp.state == "failing" and smtp.waiting == 1
    assert "1 mail(s) waiting" in smtp.summary and "421 try later" in smtp.summary


def test_webhooks_that_take_health_get_one_alert_post_and_one_recovery_post(
    tmp_path: Path,
) -> None:
    """Posts are only queued here (the daemon's pass posts them): no sockets."""
    hooks = from_dict(
        {
            "mailbox": {"username": "baton@example.com", "address": "baton@example.com"},
            "notify": {
                "it": {"kind": "slack", "url": "https://hooks.slack.com/services/T/B/sEcReT"},
                "managers": {
                    "kind": "teams",
                    "url": "https://example.com/teams",
                    "events": ["escalation"],
                },
            },
        },
        base=tmp_path,
        environ={},
    ).hooks
    db = database(tmp_path)
    config = replace(alerting(admins=[]), hooks=hooks)
    watch = Watch(db, Desk(config, Composer(None)))
    for minute in (0, 10, 15, 20, 30):
        watch.saw(health.MAILBOX, START + minute * MINUTE, WRONG, signed_in=True)
    watch.saw(health.MAILBOX, START + 31 * MINUTE, None, signed_in=True)
    watch.saw(health.MAILBOX, START + 32 * MINUTE, None, signed_in=True)
    with db.transaction() as session:
        rows = list(session.query(Outbox).order_by(Outbox.id))
    assert [(r.channel, r.kind, json.loads(r.rcpt_json)) for r in rows] == [
        (Channel.WEBHOOK, "health webhook", ["it"]),
        (Channel.WEBHOOK, "health webhook", ["it"]),
    ]  # the managers' hook takes escalations only; no admins, so no mail
    alert, recovery = (json.loads(r.raw) for r in rows)
    assert "the mailbox has been failing for 15 min" in alert["text"]
    assert "refused the sign-in" in alert["text"]
    assert "the mailbox works again, after 31 min of failures" in recovery["text"]
    db.close()


def test_a_database_without_health_rows_makes_them(world: World) -> None:
    with world.db.transaction() as session:
        session.query(Health).delete()
    assert world.readings(0)["mailbox"].state == "unknown"
    world.mailbox.error = WRONG
    world.run(0)
    world.run(15)
    assert len(world.mails("alert")) == 1
    world.mailbox.error = None
    world.run(16)
    assert len(world.mails("recovery")) == 1 and world.readings(16)["mailbox"].state == "ok"


def two_mailboxes(single: Settings) -> Settings:
    """The same config with a sales mailbox added: [mailbox] becomes "main"."""
    sales = {"username": "sales@example.com", "address": "sales-baton@example.com"}
    added = from_dict(
        {
            "mailbox": {"username": "baton@example.com", "address": "baton@example.com"},
            "mailboxes": {"sales": sales},
        },
        base=Path(__file__).resolve().parents[2],
        environ={},
    )
    return replace(single, first=added.first, more_mailboxes=added.more_mailboxes)


@pytest.mark.parametrize("direction", ["adding a mailbox", "going back to one"])
def test_an_outage_alerted_under_one_name_recovers_under_the_other(
    world: World, direction: str
) -> None:
    # Adding [mailboxes.sales] renames the first mailbox's rows ("mailbox" -> "mailbox:main");
    # the alert sent under the old name got no recovery mail, and status forgot the poll.
    one, several = world.settings, two_mailboxes(world.settings)
    before, after = (one, several) if direction == "adding a mailbox" else (several, one)
    old, new = ("mailbox", "mailbox:main") if before is one else ("mailbox:main", "mailbox")
    watch = Watch(world.db, desk_for(before))
    watch.saw(old, START, WRONG, signed_in=True)
    watch.saw(old, START + 16 * MINUTE, WRONG, signed_in=True)
    assert len(world.mails("alert")) == 1

    world.settings = after
    waiting = world.readings(17)[new]  # read before any pass under the new config
    assert waiting.state == "failing" and waiting.alerted_at == START + 16 * MINUTE
    Watch(world.db, desk_for(after)).saw(new, START + 20 * MINUTE, None, signed_in=True)
    assert len(world.mails("recovery")) == 1
    assert world.readings(21)[new].state == "ok"
    with world.db.transaction() as session:
        assert session.get(Health, old) is None
