"""`mailbaton templates send-test NAME --to ADDRESS`: one real mail rendered with sample data."""

from __future__ import annotations

import asyncio
from email.policy import SMTP

from email_validator import EmailNotValidError, validate_email

from mailbaton.app.templates_cli import no_template
from mailbaton.clock import utcnow
from mailbaton.config import Settings
from mailbaton.outbound.compose import Composer, TemplateProblem, bare_id
from mailbaton.outbound.desk import Desk, header_address
from mailbaton.outbound.preview import SENT_NUMBER, sample_context
from mailbaton.transport.base import TransportError
from mailbaton.transport.smtp import SmtpSender


class SendTestProblem(Exception):
    """Why the test mail was not sent, in one line a person can act on."""


def send_test(settings: Settings, name: str, to: str) -> str:
    """Renders NAME with the preview's sample ticket, numbered 0 so a reply to it matches no
    ticket, and sends it to `to` straight away (not through the outbox: it belongs to no
    ticket). Returns the line to print."""
    try:
        address = validate_email(to, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise SendTestProblem(f"--to {to!r} is not an address: {error}") from None
    desk = Desk(settings, Composer(settings.templates_dir, settings.escalation.timezone))
    if name not in desk.composer.names():  # the CLI says so first, as a usage error
        raise SendTestProblem(no_template(name, desk.composer))
    context = sample_context(name, settings, SENT_NUMBER)
    try:
        # The mail as its files read now: a test of a broken edit says what is wrong,
        # where a real mail would quietly fall back to the last good version.
        desk.composer.render(name, context)
        message = desk.composer.build(
            name,
            context,
            sender=desk.sender,
            to=[header_address("", address)],
            now=utcnow(),
            ref=str(context["ticket"]["ref"]),
        )
    except TemplateProblem as error:
        raise SendTestProblem(str(error)) from None
    raw = message.as_bytes(policy=SMTP)
    try:
        answer = asyncio.run(_send(settings, raw, address))
    except TransportError as error:
        raise SendTestProblem(f"SMTP: {error}") from None
    return f"sent {name} to {address} (Message-ID {bare_id(message)}): {answer}"


async def _send(settings: Settings, raw: bytes, address: str) -> str:
    async with SmtpSender(settings.smtp) as sender:
        return await sender.send(raw, settings.mailbox.address, [address])
