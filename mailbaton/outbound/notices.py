"""A notice is a value; post() is the one place it becomes a rendered mail, an outbox row
and a line on the ticket's timeline."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from email.headerregistry import Address as HeaderAddress
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from mailbaton.mail.records import Address, ParsedMail
from mailbaton.outbound import outbox
from mailbaton.outbound.compose import FileToSend, OutlookThread
from mailbaton.outbound.context import mail_context
from mailbaton.outbound.desk import Desk, header_address
from mailbaton.store.models import Event, Ticket


class Auto(StrEnum):
    """RFC 3834's Auto-Submitted: an answer to a mail, or a mail of our own accord."""

    REPLIED = "auto-replied"
    GENERATED = "auto-generated"


@dataclass(frozen=True)
class Notice:
    """One mail to send about a ticket: which template, to whom, in which thread."""

    kind: str  # the template's name (SPEC section 4)
    to: tuple[HeaderAddress, ...]
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    auto: Auto = Auto.GENERATED
    extra: dict[str, Any] = field(default_factory=dict, hash=False)
    # At most one notice per key and day, so a confused sender is not answered over and over.
    dedupe_key: str | None = None
    files: tuple[FileToSend, ...] = ()


def answer(
    to: Address | None,
    kind: str,
    mail: ParsedMail,
    *,
    extra: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
) -> tuple[Notice, ...]:
    """An answer in the thread of `mail` to `to`; none if there is nobody to answer."""
    if to is None:
        return ()
    notice = Notice(
        kind,
        (header_address(to.name, to.addr),),
        in_reply_to=mail.message_id,
        references=tuple(mail.references),
        auto=Auto.REPLIED,
        extra=dict(extra or {}),
        dedupe_key=dedupe_key,
    )
    return (notice,)


def post(session: Session, desk: Desk, ticket: Ticket, notice: Notice, now: datetime) -> bool:
    """Queues `notice` about `ticket`; False (and only a timeline line) if its dedupe key
    was already used today."""
    if notice.dedupe_key is not None and outbox.sent_recently(session, notice.dedupe_key, now):
        detail = f"{notice.kind}: already sent today"
        session.add(Event(ticket=ticket, at=now, kind="mail not sent", detail=detail))
        return False
    message = desk.composer.build(
        notice.kind,
        mail_context(ticket, desk.settings.mailbox.address, now, **notice.extra),
        sender=desk.sender,
        to=notice.to,
        now=now,
        ref=ticket.ref,
        in_reply_to=notice.in_reply_to,
        references=notice.references,
        reply_to=desk.reply_address(ticket.reply_token),
        auto=notice.auto.value,
        files=notice.files,
        thread=OutlookThread(ticket.ref, ticket.title, ticket.created_at),
    )
    outbox.enqueue(
        session,
        message,
        kind=notice.kind,
        mail_from=desk.settings.mailbox.address,
        now=now,
        ticket=ticket,
        dedupe_key=notice.dedupe_key,
    )
    return True
