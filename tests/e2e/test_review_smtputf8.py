"""Review fixes: a server that cannot take an internationalised address says so for good."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from mailbaton.app.sandbox import free_port
from mailbaton.config import from_dict
from mailbaton.transport.base import Permanent
from mailbaton.transport.smtp import SmtpSender

pytestmark = pytest.mark.e2e

RAW = b"From: baton@example.com\r\nTo: j@example.com\r\nSubject: hi\r\n\r\nhello\r\n"


class Keep:
    def __init__(self) -> None:
        self.received: list[list[str]] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.received.append(list(envelope.rcpt_tos))
        return "250 OK queued"


@pytest.fixture(params=[False, True], ids=["no-smtputf8", "smtputf8"])
def server(request: pytest.FixtureRequest) -> Iterator[tuple[Keep, Controller]]:
    handler = Keep()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, enable_SMTPUTF8=request.param)
    controller.start()
    yield handler, controller
    with contextlib.suppress(AssertionError, RuntimeError):
        controller.stop()


def test_an_international_address_is_sent_with_smtputf8_or_refused_for_good(
    server: tuple[Keep, Controller],
) -> None:
    handler, controller = server
    settings = from_dict(
        {
            "mailbox": {"username": "baton@example.com", "address": "baton@example.com"},
            "smtp": {"host": "127.0.0.1", "port": controller.port, "security": "none"},
        },
        base=Path.cwd(),
    )

    async def send(to: str) -> str:
        async with SmtpSender(settings.smtp) as sender:
            return await sender.send(RAW, "baton@example.com", [to])

    assert asyncio.run(send("jane@example.com")) == "OK queued"
    if controller.SMTP_kwargs.get("enable_SMTPUTF8"):
        assert asyncio.run(send("jösé@example.com")) == "OK queued"
        assert handler.received == [["jane@example.com"], ["jösé@example.com"]]
        return
    # Without SMTPUTF8 no retry can ever deliver it: a Permanent refusal parks it at once,
    # so the thrower hears now that the catcher cannot be reached (it was an exception no
    # one caught: every pass that reached the row failed, and it was never parked).
    with pytest.raises(Permanent, match="SMTPUTF8"):
        asyncio.run(send("jösé@example.com"))
    assert handler.received == [["jane@example.com"]]
