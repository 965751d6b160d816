"""Finding the ticket a reply is about, and the mails already sent on it."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailbaton.classify.records import ReplyHints
from mailbaton.outbound.outbox import MailState
from mailbaton.store.models import REJECTED, Event, Outbox, Ticket


def find_by_hints(session: Session, hints: ReplyHints) -> Ticket | None:
    """Token, then threading headers, then the subject tag; rejected handoffs never match
    (a reply to a rejection is a corrected handoff). The ticket comes locked (FOR UPDATE on
    PostgreSQL) and as last committed: a replica deciding another reply, or escalating
    it, waits for this one, so no two changes are made from one stale read."""
    found = _find(session, hints)
    if found is not None:
        session.refresh(found, with_for_update=True)
    return found


def _find(session: Session, hints: ReplyHints) -> Ticket | None:
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


def last_message_id(session: Session, ticket: Ticket, kind: str) -> str | None:
    """The Message-ID of the newest `kind` mail about `ticket`: later notices thread under it."""
    return session.scalars(
        select(Outbox.message_id)
        .where(Outbox.ticket_id == ticket.id, Outbox.kind == kind)
        .order_by(Outbox.id.desc())
    ).first()


def first_message_id(session: Session, ticket: Ticket, kind: str) -> str | None:
    """The Message-ID of the first `kind` mail about `ticket`: the root of its thread."""
    return session.scalars(
        select(Outbox.message_id)
        .where(Outbox.ticket_id == ticket.id, Outbox.kind == kind)
        .order_by(Outbox.id)
    ).first()


def request_reached(session: Session, ticket: Ticket) -> str | None:
    """The Message-ID of the newest request to the ticket's catcher if it may have reached
    them: None if they were never sent one, or it came back (a bounce, or our SMTP server
    refused it for good). Only someone who has the request needs to hear it went elsewhere."""
    catcher = (ticket.catcher or "").lower()
    row = session.scalars(
        select(Outbox)
        .where(Outbox.ticket_id == ticket.id, Outbox.kind == "request")
        .order_by(Outbox.id.desc())
    ).first()
    if row is None or row.state == MailState.PARKED:
        return None
    recipients = [r.lower() for r in json.loads(row.rcpt_json)]
    if catcher not in recipients:
        return None
    # tickets.bounces writes this line for a returned request: "request to ADDR: why".
    returned = session.scalars(
        select(Event.id).where(
            Event.ticket_id == ticket.id,
            Event.kind == "undeliverable",
            Event.at >= row.created_at,
            Event.detail.startswith(f"request to {', '.join(json.loads(row.rcpt_json))}:"),
        )
    ).first()
    return None if returned is not None else row.message_id
