"""The SMTP server misbehaves: down for an hour, 4xx, 5xx, too slow. Nothing lost or doubled."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import mails
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from baton import Baton, make_baton, parse, text_of
from servers import MailServer

from mailbaton.app.sandbox import free_port

pytestmark = pytest.mark.e2e

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@dataclass
class Faulty:
    """An SMTP server whose answers the test sets: accepted mail is kept in `received`."""

    temporary_failures: int = 0  # answer 451 to this many DATA commands first
    refuse: set[str] = field(default_factory=set)  # 550 for these recipients
    stall: float = 0.0  # seconds to wait before answering DATA (then refuse)
    received: list[tuple[list[str], bytes]] = field(default_factory=list)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address.lower() in self.refuse:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.stall:
            await asyncio.sleep(self.stall)
            return "451 4.3.0 too slow, try later"
        if self.temporary_failures > 0:
            self.temporary_failures -= 1
            return "451 4.3.0 Temporary failure, try later"
        content = envelope.content
        assert isinstance(content, bytes)
        self.received.append((list(envelope.rcpt_tos), content))
        return "250 OK queued"

    def to(self, address: str) -> list[bytes]:
        return [raw for rcpts, raw in self.received if address in rcpts]


@pytest.fixture
def smtp() -> Iterator[tuple[Faulty, Controller]]:
    handler = Faulty()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    yield handler, controller
    with contextlib.suppress(AssertionError, RuntimeError):  # never started by the test
        controller.stop()


@pytest.fixture
def baton(
    sandbox_server: MailServer, tmp_path: Path, smtp: tuple[Faulty, Controller]
) -> Iterator[Baton]:
    b = make_baton(sandbox_server, tmp_path)
    config = (
        b.config_path.read_text()
        .replace(f"port = {sandbox_server.smtp_port}", f"port = {smtp[1].port}")
        .replace("timeout = 10\n\n[database]", "timeout = 2\n\n[database]")
    )
    b.config_path.write_text(config)
    b.reload()
    yield b
    b.close()


def test_an_hour_long_outage_delays_mail_and_loses_nothing(
    baton: Baton, smtp: tuple[Faulty, Controller]
) -> None:
    handler, controller = smtp  # not started: the server is down
    baton.server.deliver(mails.handoff())
    report = baton.run_pass(T0)
    assert report.outcomes[0].outcome == "processed" and report.mail.sent == 0
    assert baton.folder_counts()["INBOX"] == 0  # the decision is kept; mail waits
    for minutes in range(5, 61, 5):
        assert baton.run_pass(T0 + timedelta(minutes=minutes)).mail.sent == 0
    (ticket,) = baton.tickets()
    assert ticket["mail_waiting"] == 2
    assert "2 mail(s) waiting for the SMTP server" in baton.cli_inline("status").stdout

    controller.start()  # back at T0 + 60 min; backoff is capped at 10 min
    sent = [baton.run_pass(T0 + timedelta(minutes=m)).mail.sent for m in range(61, 72)]
    assert sum(sent) == 2
    assert len(handler.to("jane@example.com")) == 1 and len(handler.to("alice@example.com")) == 1
    assert baton.run_pass(T0 + timedelta(hours=3)).mail.sent == 0  # and never again
    assert len(handler.received) == 2


def test_4xx_is_retried_with_backoff_until_it_goes(
    baton: Baton, smtp: tuple[Faulty, Controller]
) -> None:
    handler, controller = smtp
    handler.temporary_failures = 3
    controller.start()
    baton.server.deliver(mails.handoff())
    baton.run_pass(T0)
    assert handler.received == []
    # Backoff: the retry is not due 30 s later, but is after the backoff has passed.
    assert baton.run_pass(T0 + timedelta(seconds=30)).mail.sent == 0
    moment = T0
    for _ in range(6):
        moment += timedelta(minutes=5)
        baton.run_pass(moment)
    assert len(handler.to("jane@example.com")) == 1
    assert len(handler.to("alice@example.com")) == 1


def test_5xx_parks_the_mail_and_tells_the_thrower(
    baton: Baton, smtp: tuple[Faulty, Controller]
) -> None:
    handler, controller = smtp
    handler.refuse = {"jane@example.com"}
    controller.start()
    baton.server.deliver(mails.handoff())
    baton.run_pass(T0)
    baton.run_pass(T0 + timedelta(hours=1))

    assert handler.to("jane@example.com") == []
    notices = [parse(raw) for raw in handler.to("alice@example.com")]
    assert len(notices) == 2  # the receipt, and one notice (not one per pass)
    bounced = "could not be delivered to Jane Doe (jane@example.com)"
    assert any(bounced in text_of(m) for m in notices)
    ticket = baton.ticket("MB-1")
    assert ticket["mail_undeliverable"] == 1
    assert "refused for good" in baton.cli_inline("status").stdout


def test_a_stalling_server_is_a_temporary_failure(
    baton: Baton, smtp: tuple[Faulty, Controller]
) -> None:
    handler, controller = smtp
    handler.stall = 4  # longer than smtp.timeout = 2
    controller.start()
    baton.server.deliver(mails.handoff())
    assert baton.run_pass(T0).mail.sent == 0
    handler.stall = 0
    baton.run_pass(T0 + timedelta(minutes=10))
    baton.run_pass(T0 + timedelta(minutes=20))
    assert len(handler.to("jane@example.com")) == 1
    assert len(handler.to("alice@example.com")) == 1


def test_an_smtp_outage_alert_waits_in_the_outbox_and_leaves_with_its_recovery(
    baton: Baton, smtp: tuple[Faulty, Controller]
) -> None:
    handler, controller = smtp  # not started: the server is down
    admin = "it-admin@example.com"
    baton.config_path.write_text(
        baton.config_path.read_text() + f'\n[alerts]\nadmins = ["{admin}"]\n'
    )
    baton.reload()
    baton.server.deliver(mails.handoff())
    for minutes in range(0, 31, 5):  # failing from T0: alerted once past 15 min
        baton.run_pass(T0 + timedelta(minutes=minutes))
    checked = baton.cli_inline("health", "--json")
    smtp_health = json.loads(checked.stdout)["health"][1]
    assert checked.returncode == 1 and smtp_health["state"] == "failing"
    assert smtp_health["alerted_at"] is not None and smtp_health["waiting"] == 3
    assert "smtp     FAILING  failing for " in baton.cli_inline("status").stdout

    controller.start()  # back at T0 + 31 min: everything waiting leaves, then the note
    for minutes in range(31, 50):
        baton.run_pass(T0 + timedelta(minutes=minutes))
    subjects = [str(parse(raw)["Subject"]) for raw in handler.to(admin)]
    assert len(subjects) == 2, subjects
    assert subjects[0].startswith("[mailbaton] ALERT: the SMTP server has been failing for ")
    assert subjects[1] == "[mailbaton] Recovered: the SMTP server works again"
    assert len(handler.to("jane@example.com")) == 1  # the request, once
    # (The mailbox reads as late: the passes ran at T0, a week ago by the wall clock.)
    assert json.loads(baton.cli_inline("health", "--json").stdout)["health"][1]["state"] == "ok"
