"""The state machine: every change writes its events and its outgoing mail in one transaction."""

from __future__ import annotations

import functools
import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address as HeaderAddress
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailbaton.classify.handoff import NewHandoff, Rejection, ReplyHints
from mailbaton.clock import as_utc, humanize
from mailbaton.config import EscalationSettings, Settings
from mailbaton.hours import BusinessHours, deadline, from_settings
from mailbaton.mail.parse import Address, ParsedMail
from mailbaton.outbound import outbox
from mailbaton.outbound.compose import Composer, FileToSend, OutlookThread
from mailbaton.store.models import (
    PENDING,
    REJECTED,
    Counter,
    Event,
    Outbox,
    StoredAttachment,
    Ticket,
)

KNOWN_FIELDS = ("title", "due", "notes", "catcher", "attached")


@dataclass(frozen=True)
class Desk:
    """What every state change needs besides the session: settings and the templates."""

    settings: Settings
    composer: Composer

    @property
    def sender(self) -> HeaderAddress:
        return header_address(self.settings.smtp.from_name, self.settings.mailbox.address)

    def reply_address(self, token: str | None) -> HeaderAddress | None:
        if not token or not self.settings.mailbox.plus_addressing:
            return None
        local, _, domain = self.settings.mailbox.address.partition("@")
        return header_address(self.settings.smtp.from_name, f"{local}+{token}@{domain}")


def business_clock(settings: Settings) -> BusinessHours | None:
    return _clock(settings.escalation)


@functools.lru_cache(maxsize=8)
def _clock(esc: EscalationSettings) -> BusinessHours | None:
    return from_settings(esc.business_hours, esc.timezone, esc.holidays)


def first_deadlines(settings: Settings, start: datetime) -> tuple[datetime, datetime | None]:
    """When a ticket opened at `start` escalates, and when its catcher is reminded."""
    hours = business_clock(settings)
    esc = settings.escalation
    escalate = deadline(start, esc.after, hours)
    remind = None
    if esc.remind_after is not None and esc.remind_after < esc.after:
        remind = deadline(start, esc.remind_after, hours)
    return escalate, remind


def set_deadlines(ticket: Ticket, settings: Settings, start: datetime) -> None:
    ticket.deadline, ticket.remind_at = first_deadlines(settings, start)
    ticket.next_escalation_at = ticket.deadline


def header_address(name: str, addr: str) -> HeaderAddress:
    local, _, domain = addr.partition("@")
    return HeaderAddress(display_name=name, username=local, domain=domain)


def first_name(name: str, addr: str) -> str:
    return name.split()[0].strip(",") if name.strip() else addr


def display(name: str, addr: str) -> str:
    return f"{name} <{addr}>" if name else addr


def next_number(session: Session, sequence: str) -> int:
    # Row lock on PostgreSQL; SQLite serialises writers anyway.
    counter = session.scalars(
        select(Counter).where(Counter.name == sequence).with_for_update()
    ).one_or_none()
    if counter is None:
        counter = Counter(name=sequence, value=0)
        session.add(counter)
    counter.value += 1
    session.flush()
    return counter.value


def ticket_context(ticket: Ticket) -> dict[str, Any]:
    """What templates may see of a ticket: plain values only (they run sandboxed)."""
    fields = json.loads(ticket.fields_json or "{}")
    return {
        "ref": ticket.ref,
        "state": ticket.state,
        "title": ticket.title,
        "thrower": ticket.thrower,
        "thrower_name": ticket.thrower_name or ticket.thrower,
        "thrower_display": display(ticket.thrower_name, ticket.thrower),
        "thrower_first": first_name(ticket.thrower_name, ticket.thrower),
        "catcher": ticket.catcher or "",
        "catcher_name": ticket.catcher_name or ticket.catcher or "",
        "catcher_display": display(ticket.catcher_name, ticket.catcher or ""),
        "catcher_first": first_name(ticket.catcher_name, ticket.catcher or ""),
        "due": ticket.due,
        "notes": ticket.notes,
        "extra_fields": [(k, v) for k, v in fields.items() if k not in KNOWN_FIELDS],
        "files": [a.filename for a in ticket.attachments],
        "created_at": ticket.created_at,
        "deadline": ticket.deadline,
    }


def open_ticket(
    session: Session, desk: Desk, handoff: NewHandoff, mail: ParsedMail, now: datetime
) -> Ticket:
    settings = desk.settings
    number = next_number(session, "ticket")
    ticket = Ticket(
        ref=f"{settings.protocol.ticket_prefix}-{number}",
        state=PENDING,
        title=handoff.title,
        subject=handoff.subject,
        thrower=handoff.thrower.addr,
        thrower_name=handoff.thrower.name,
        catcher=handoff.catcher.addr,
        catcher_name=handoff.catcher.name,
        due=handoff.due,
        notes=handoff.notes,
        fields_json=json.dumps(handoff.fields, ensure_ascii=False),
        reply_token=secrets.token_hex(6),
        handoff_message_id=(mail.message_id or "")[:400] or None,
        created_at=now,
        escalations=0,
        escalated_to="[]",
    )
    set_deadlines(ticket, settings, now)
    session.add(ticket)
    for item in handoff.attachments:
        ticket.attachments.append(
            StoredAttachment(filename=item.filename, content_type=item.content_type, data=item.data)
        )
    session.add(
        Event(
            ticket=ticket,
            at=now,
            kind="received",
            detail=f"handoff from {handoff.thrower.addr} for {handoff.catcher.addr}, "
            f"{len(handoff.attachments)} file(s)",
        )
    )
    session.flush()
    send_request_and_receipt(session, desk, ticket, mail, now)
    return ticket


def send_request_and_receipt(
    session: Session, desk: Desk, ticket: Ticket, mail: ParsedMail, now: datetime
) -> None:
    """The catcher gets the files and how to answer; the thrower learns it is still theirs."""
    files = [FileToSend(a.filename, a.content_type, a.data) for a in ticket.attachments]
    send_mail(
        session, desk, ticket, now, "request", to=catcher_address(ticket), extra={"files": files}
    )
    send_mail(
        session,
        desk,
        ticket,
        now,
        "receipt",
        to=header_address(ticket.thrower_name, ticket.thrower),
        in_reply_to=mail.message_id,
        references=mail.references,
        auto="auto-replied",
    )


def example_values(rejection: Rejection, settings: Settings) -> dict[str, str]:
    """A filled-in handoff the thrower can copy, reusing what they already wrote."""
    domain = (settings.protocol.allowed_domains or ("example.com",))[0]
    title = rejection.title if rejection.title != "(no title)" else ""
    return {
        "catcher": f"Jane Doe <jane.doe@{domain}>",
        "title": title or "Acme Corp - $50,000 contract ready to countersign",
        "due": rejection.fields.get("due") or "2026-11-27",
        "notes": rejection.fields.get("notes") or "customer expects a call on Friday",
    }


def reject(
    session: Session, desk: Desk, rejection: Rejection, mail: ParsedMail, now: datetime
) -> Ticket:
    settings = desk.settings
    number = next_number(session, "rejected")
    codes = [reason.code for reason in rejection.reasons]
    ticket = Ticket(
        ref=f"{settings.protocol.ticket_prefix}-R{number}",
        state=REJECTED,
        title=rejection.title,
        subject=mail.subject,
        thrower=rejection.thrower.addr,
        thrower_name=rejection.thrower.name,
        catcher=None,
        handoff_message_id=(mail.message_id or "")[:400] or None,
        fields_json=json.dumps(rejection.fields, ensure_ascii=False),
        created_at=now,
        escalations=0,
        rejection_reasons=json.dumps(codes),
    )
    session.add(ticket)
    session.add(Event(ticket=ticket, at=now, kind="rejected", detail=", ".join(codes)))
    session.flush()
    # The same sender, the same mistake, the same day: one answer is enough.
    send_mail(
        session,
        desk,
        ticket,
        now,
        "rejection",
        to=header_address(rejection.thrower.name, rejection.thrower.addr),
        in_reply_to=mail.message_id,
        references=mail.references,
        auto="auto-replied",
        extra={
            "ref": ticket.ref,
            "title": rejection.title,
            "thrower_name": first_name(rejection.thrower.name, rejection.thrower.addr),
            "reasons": [{"code": r.code, "params": r.params} for r in rejection.reasons],
            "example": example_values(rejection, settings),
        },
        dedupe_key=f"rejection:{rejection.thrower.addr}:{','.join(sorted(set(codes)))}",
    )
    return ticket


def find_by_hints(session: Session, hints: ReplyHints) -> Ticket | None:
    """Token, then threading headers, then the subject tag; rejected handoffs never match
    (a reply to a rejection is a corrected handoff)."""
    live = Ticket.state != REJECTED
    for token in hints.tokens:
        found = session.scalars(select(Ticket).where(Ticket.reply_token == token, live)).first()
        if found is not None:
            return found
    for message_id in hints.message_ids:
        ticket_id = session.scalars(
            select(Outbox.ticket_id).where(Outbox.message_id == message_id)
        ).first()
        query = select(Ticket).where(live)
        if ticket_id is not None:
            found = session.scalars(query.where(Ticket.id == ticket_id)).first()
        else:
            found = session.scalars(query.where(Ticket.handoff_message_id == message_id)).first()
        if found is not None:
            return found
    for ref in hints.refs:
        found = session.scalars(select(Ticket).where(Ticket.ref == ref, live)).first()
        if found is not None:
            return found
    return None


def first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:200]
    return "(empty)"


def add_event(session: Session, ticket: Ticket, now: datetime, kind: str, detail: str) -> None:
    session.add(Event(ticket=ticket, at=now, kind=kind, detail=detail))


def catcher_address(ticket: Ticket) -> HeaderAddress:
    return header_address(ticket.catcher_name, ticket.catcher or "")


def last_message_id(session: Session, ticket: Ticket, kind: str) -> str | None:
    return session.scalars(
        select(Outbox.message_id)
        .where(Outbox.ticket_id == ticket.id, Outbox.kind == kind)
        .order_by(Outbox.id.desc())
    ).first()


def mail_context(ticket: Ticket, desk: Desk, now: datetime, **extra: Any) -> dict[str, Any]:
    return {
        "ticket": ticket_context(ticket),
        "shared_address": desk.settings.mailbox.address,
        "elapsed": humanize(now - as_utc(ticket.created_at)),
        "refusal_reason": ticket.refusal_reason,
        **extra,
    }


def send_mail(
    session: Session,
    desk: Desk,
    ticket: Ticket,
    now: datetime,
    kind: str,
    *,
    to: HeaderAddress | list[HeaderAddress],
    in_reply_to: str | None = None,
    references: tuple[str, ...] = (),
    auto: str = "auto-generated",
    extra: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
) -> bool:
    """Queues one mail about `ticket`; False (and nothing queued) if `dedupe_key` was
    already used today, so a confused sender is not answered over and over."""
    if dedupe_key is not None and outbox.sent_recently(session, dedupe_key, now):
        add_event(session, ticket, now, "mail not sent", f"{kind}: already sent today")
        return False
    context = dict(extra or {})
    files: list[FileToSend] = context.pop("files", [])
    message = desk.composer.build(
        kind,
        mail_context(ticket, desk, now, **context),
        sender=desk.sender,
        to=to if isinstance(to, list) else [to],
        now=now,
        ref=ticket.ref,
        in_reply_to=in_reply_to,
        references=references,
        reply_to=desk.reply_address(ticket.reply_token),
        auto=auto,
        files=files,
        thread=OutlookThread(ticket.ref, ticket.title, ticket.created_at),
    )
    outbox.enqueue(
        session,
        message,
        kind=kind,
        mail_from=desk.settings.mailbox.address,
        now=now,
        ticket=ticket,
        dedupe_key=dedupe_key,
    )
    return True


def reply_in_thread(
    session: Session,
    desk: Desk,
    ticket: Ticket,
    mail: ParsedMail,
    now: datetime,
    kind: str,
    *,
    to: Address | None,
    extra: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
) -> None:
    """An answer in the thread of the mail just received."""
    if to is None:
        return
    send_mail(
        session,
        desk,
        ticket,
        now,
        kind,
        to=header_address(to.name, to.addr),
        in_reply_to=mail.message_id,
        references=mail.references,
        auto="auto-replied",
        extra=extra,
        dedupe_key=dedupe_key,
    )


def to_thrower(session: Session, desk: Desk, ticket: Ticket, now: datetime, kind: str) -> None:
    send_mail(
        session,
        desk,
        ticket,
        now,
        kind,
        to=header_address(ticket.thrower_name, ticket.thrower),
        in_reply_to=ticket.handoff_message_id,
    )
