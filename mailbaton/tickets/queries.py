"""Tickets as the CLI reads them: the queries, whose name work is in, SPEC section 9's JSON."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from mailbaton.clock import as_utc, iso
from mailbaton.outbound.outbox import HeldAnswers, held_answers
from mailbaton.store.models import ACCEPTED, PENDING, REJECTED, Outbox, Ticket


class TicketLine(Protocol):
    """What a line of the status table shows: a Ticket, or a row of `ticket_lines`."""

    @property
    def ref(self) -> str: ...
    @property
    def state(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def thrower(self) -> str: ...
    @property
    def catcher(self) -> str | None: ...
    @property
    def escalations(self) -> int: ...
    @property
    def deadline(self) -> datetime | None: ...
    @property
    def created_at(self) -> datetime: ...


def owner(ticket: TicketLine) -> str:
    """Whose name the work is in: the thrower's until the catcher says GOT IT."""
    if ticket.state == ACCEPTED and ticket.catcher:
        return ticket.catcher
    return ticket.thrower


class MailProblems(dict[int, dict[str, int]]):
    """Per ticket id: mails waiting, refused for good, held; and per address, the answers
    the ceiling held back lately (count, why), for the status line."""

    held_to: dict[str, HeldAnswers]

    def __init__(self) -> None:
        super().__init__()
        self.held_to = {}


def mail_problems(session: Session) -> MailProblems:
    """Per ticket: mails still waiting for the SMTP server, mails it refused for good, and
    answers held back by the answers-per-sender ceiling (and whom they were for)."""
    rows = session.execute(
        select(Outbox.ticket_id, Outbox.state, func.count())
        .where(
            Outbox.state.in_(("queued", "parked", "held")),
            Outbox.ticket_id.is_not(None),
            Outbox.channel == "mail",  # webhooks have their own line (outbound/hooks.py)
        )
        .group_by(Outbox.ticket_id, Outbox.state)
    ).all()
    found = MailProblems()
    for ticket_id, state, count in rows:
        if ticket_id is not None:
            found.setdefault(ticket_id, {"queued": 0, "parked": 0, "held": 0})[state] = count
    found.held_to = held_answers(session)
    return found


def ticket_json(
    ticket: Ticket, now: datetime, *, events: bool, mail: dict[str, int] | None = None
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": ticket.ref,
        "state": ticket.state,
        "title": ticket.title,
        "thrower": ticket.thrower,
        "catcher": ticket.catcher,
        "owner": owner(ticket),
        "created_at": iso(ticket.created_at),
        "age_seconds": int((now - as_utc(ticket.created_at)).total_seconds()),
        "deadline": iso(ticket.deadline),
        "accepted_at": iso(ticket.accepted_at),
        "refused_at": iso(ticket.refused_at),
        "refusal_reason": ticket.refusal_reason,
        "cancelled_at": iso(ticket.cancelled_at),
        "cancel_reason": ticket.cancel_reason,
        "escalations": ticket.escalations,
        "due": ticket.due,
        "message": ticket.message or "",
        "files": [a.filename for a in ticket.attachments],
        "mail_waiting": (mail or {}).get("queued", 0),
        "mail_undeliverable": (mail or {}).get("parked", 0),
        "mail_held": (mail or {}).get("held", 0),
        # The shared address its handoff came in through (its mail is sent from it);
        # None for a ticket from before mailboxes were recorded.
        "mailbox": ticket.mailbox,
    }
    if ticket.state == REJECTED:
        data["rejection_reasons"] = json.loads(ticket.rejection_reasons or "[]")
    if events:
        data["events"] = [
            {"at": iso(event.at), "kind": event.kind, "detail": event.detail}
            for event in ticket.events
        ]
    return data


def load_tickets(session: Session, *, include_closed: bool) -> list[Ticket]:
    query = select(Ticket).options(selectinload(Ticket.attachments)).order_by(Ticket.id)
    if not include_closed:
        query = query.where(Ticket.state == PENDING)
    return list(session.scalars(query))


def ticket_lines(session: Session, *, include_closed: bool) -> Sequence[TicketLine]:
    """Only the columns the status table shows, in one query: 1,000 open tickets read as
    objects with their files were most of what `status` spent in the database."""
    query = select(
        Ticket.ref,
        Ticket.state,
        Ticket.title,
        Ticket.thrower,
        Ticket.catcher,
        Ticket.escalations,
        Ticket.deadline,
        Ticket.created_at,
    ).order_by(Ticket.id)
    if not include_closed:
        query = query.where(Ticket.state == PENDING)
    return session.execute(query).all()


def load_ticket(session: Session, ref: str, prefix: str | None = None) -> Ticket | None:
    """The ticket `ref` names; with `prefix`, a bare number means that ticket ("1" is MB-1,
    "r1" is MB-R1), as people type it after reading "MB-1" in a subject."""
    query = select(Ticket).options(selectinload(Ticket.events), selectinload(Ticket.attachments))
    wanted = ref.strip().upper()
    if prefix and re.fullmatch(r"R?\d+", wanted):
        wanted = f"{prefix.upper()}-{wanted}"
    return session.scalars(query.where(Ticket.ref == wanted)).one_or_none()


def similar_refs(session: Session, ref: str, limit: int = 3) -> list[str]:
    """Refs with the number `ref` has, for "no ticket MB1; did you mean MB-1 or MB-R1?"."""
    digits = re.sub(r"\D", "", ref)
    if not digits:
        return []
    refs = session.scalars(select(Ticket.ref).where(Ticket.ref.like(f"%{digits}")))
    same_number = [r for r in refs if re.sub(r"\D", "", r) == digits]
    return sorted(same_number, key=lambda r: (len(r), r))[:limit]


def no_such_ticket(session: Session, ref: str) -> str:
    """'no ticket MB1; did you mean MB-1?': what `show` and `templates preview` say."""
    similar = similar_refs(session, ref)
    return f"no ticket {ref}" + (f"; did you mean {' or '.join(similar)}?" if similar else "")
