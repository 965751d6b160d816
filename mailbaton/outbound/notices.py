"""A notice is a value; post() is the one place it becomes a rendered mail, an outbox row
and a line on the ticket's timeline."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from email.headerregistry import Address as HeaderAddress
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from mailbaton.mail.records import Address, ParsedMail
from mailbaton.outbound import outbox
from mailbaton.outbound.compose import FileToSend, OutlookThread, new_message_id
from mailbaton.outbound.context import mail_context
from mailbaton.outbound.desk import Desk, header_address
from mailbaton.store.models import Event, Ticket

log = logging.getLogger(__name__)


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


@dataclass(frozen=True)
class Held:
    """Why an answer is held, and how many to its person were held already this hour."""

    why: str
    earlier: int


def over_ceiling(session: Session, desk: Desk, notice: Notice, now: datetime) -> Held | None:
    """Why this answer is held: its person already had max_answers_per_sender answers this
    hour (a loop with something that is not a machine by its headers, or a flood)."""
    if notice.auto is not Auto.REPLIED or not notice.to:
        return None
    ceiling = desk.settings.protocol.max_answers_per_sender
    address = notice.to[0].addr_spec.lower()
    queued, held = outbox.answers_to(session, address, now)
    if queued < ceiling:
        return None
    return Held(f"over {ceiling} answers an hour to {address}", held)


def post(session: Session, desk: Desk, ticket: Ticket, notice: Notice, now: datetime) -> bool:
    """Queues `notice` about `ticket`; False if it is not sent: its dedupe key was already
    used today (a timeline line), or it is an answer over the ceiling (kept, held)."""
    if notice.dedupe_key is not None and outbox.sent_recently(session, notice.dedupe_key, now):
        detail = f"{notice.kind}: already sent today"
        session.add(Event(ticket=ticket, at=now, kind="mail not sent", detail=detail))
        return False
    if notice.kind not in desk.composer.names():
        # A template set without this mail: the change itself must still be recorded.
        detail = f"{notice.kind}: no template {notice.kind}.txt"
        session.add(Event(ticket=ticket, at=now, kind="mail not sent", detail=detail))
        log.error("%s: %s not sent: no template %s.txt", ticket.ref, notice.kind, notice.kind)
        return False
    held = over_ceiling(session, desk, notice, now)
    if held:
        # Not even written: in a flood, rendering what is never sent is the costly part.
        to = notice.to[0].addr_spec.lower()
        message_id = new_message_id(ticket.ref, notice.kind, desk.sender_of(ticket.mailbox).domain)
        outbox.hold(session, notice.kind, to, message_id, now=now, ticket=ticket, why=held.why)
        _log_held(notice, held, ticket.ref)
        return False
    # The ticket's mail leaves from the mailbox its handoff came in through.
    sender = desk.sender_of(ticket.mailbox)
    message = desk.composer.build(
        notice.kind,
        mail_context(ticket, sender.addr_spec, now, **notice.extra),
        sender=sender,
        to=notice.to,
        now=now,
        ref=ticket.ref,
        in_reply_to=notice.in_reply_to,
        references=notice.references,
        reply_to=desk.reply_address(ticket.reply_token, ticket.mailbox),
        auto=notice.auto.value,
        files=notice.files,
        thread=OutlookThread(ticket.ref, ticket.title, ticket.created_at),
    )
    outbox.enqueue(
        session,
        message,
        kind=notice.kind,
        mail_from=sender.addr_spec,
        now=now,
        ticket=ticket,
        dedupe_key=notice.dedupe_key,
        answer_to=notice.to[0].addr_spec.lower() if notice.auto is Auto.REPLIED else None,
    )
    return True


def _log_held(notice: Notice, held: Held, ref: str) -> None:
    """Loud once an hour per person (the moment the ceiling is hit), quiet after that."""
    address = notice.to[0].addr_spec.lower()
    # Counted before this one was held: no flush and second query per held answer.
    count = held.earlier + 1
    if count <= 1:
        log.warning("answers held: %s; further answers this hour are kept, not sent", held.why)
    else:
        log.info("%s: %s to %s held (%d this hour)", ref, notice.kind, address, count)
