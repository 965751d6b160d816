"""Mail that did not arrive: a bounce or a permanent SMTP refusal tells the thrower."""

from __future__ import annotations

import json
import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailbaton.mail.records import Bounce
from mailbaton.store.db import Database
from mailbaton.store.models import Outbox, Ticket
from mailbaton.tickets.opening import Desk, add_event, header_address, send_mail

log = logging.getLogger(__name__)


def undeliverable(
    session: Session, desk: Desk, ticket: Ticket, row: Outbox, problem: str, now: datetime
) -> bool:
    """The thrower learns that `row` (a mail to someone else) could not be delivered."""
    recipients = json.loads(row.rcpt_json)
    add_event(
        session,
        ticket,
        now,
        "undeliverable",
        f"{row.kind} to {', '.join(recipients)}: {problem}"[:1000],
    )
    if ticket.thrower in recipients:
        return False  # never answer a failure to the thrower with another mail to them
    return send_mail(
        session,
        desk,
        ticket,
        now,
        "undeliverable",
        to=header_address(ticket.thrower_name, ticket.thrower),
        in_reply_to=ticket.handoff_message_id,
        extra={
            "failed_kind": row.kind,
            "failed_to": ", ".join(recipients),
            "problem": problem[:500],
        },
        dedupe_key=f"undeliverable:{ticket.ref}:{row.kind}:{','.join(recipients)}",
    )


def handle_bounce(session: Session, desk: Desk, bounce: Bounce, now: datetime) -> str:
    """Finds the mail a bounce returns (by the Message-IDs inside the report); returns
    the reason recorded in the ledger. The bounce itself is never answered."""
    candidates = [i for i in (bounce.original_message_id, *bounce.original_references) if i]
    row = None
    for message_id in candidates:
        row = session.scalars(select(Outbox).where(Outbox.message_id == message_id)).first()
        if row is not None:
            break
    if row is None or row.ticket_id is None:
        return "delivery failure report for a message we did not send"
    ticket = session.get(Ticket, row.ticket_id)
    assert ticket is not None
    problem = " ".join(x for x in (bounce.status, bounce.diagnostic) if x) or "returned"
    told = undeliverable(session, desk, ticket, row, problem, now)
    return f"bounce of {ticket.ref}'s {row.kind}" + ("; thrower told" if told else "")


def after_parking(db: Database, desk: Desk, parked_ids: list[int], now: datetime) -> None:
    """The SMTP server refused these for good: tell each ticket's thrower once."""
    for row_id in parked_ids:
        with db.transaction() as session:
            row = session.get(Outbox, row_id)
            if row is None or row.ticket_id is None:
                continue
            ticket = session.get(Ticket, row.ticket_id)
            if ticket is not None:
                undeliverable(session, desk, ticket, row, row.last_error or "refused", now)
