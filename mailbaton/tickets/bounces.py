"""Mail that did not arrive: a bounce or a permanent SMTP refusal tells the thrower."""

from __future__ import annotations

import json
import logging
from datetime import datetime

from sqlalchemy import select

from mailbaton.mail.records import Bounce
from mailbaton.outbound.desk import Desk
from mailbaton.store.db import Database
from mailbaton.store.models import Outbox, Outcome, Ticket
from mailbaton.tickets.addressing import to_thrower
from mailbaton.tickets.turn import Change, Note, Step, Turn, settle

log = logging.getLogger(__name__)


def undeliverable(ticket: Ticket, row: Outbox, problem: str) -> Change:
    """The thrower learns that `row` (a mail to someone else) could not be delivered."""
    recipients = json.loads(row.rcpt_json)
    to = ", ".join(recipients)
    steps: tuple[Step, ...] = (Note("undeliverable", f"{row.kind} to {to}: {problem}"[:1000]),)
    # Never answer a failure to the thrower with another mail to them.
    if ticket.thrower not in recipients:
        extra = {"failed_kind": row.kind, "failed_to": to, "problem": problem[:500]}
        key = f"undeliverable:{ticket.ref}:{row.kind}:{','.join(recipients)}"
        steps = (*steps, to_thrower(ticket, "undeliverable", extra=extra, dedupe_key=key))
    return Change(f"bounce of {ticket.ref}'s {row.kind}", outcome=Outcome.IGNORED, steps=steps)


def handle_bounce(turn: Turn, bounce: Bounce) -> str:
    """Finds the mail a bounce returns (by the Message-IDs inside the report); returns
    the reason recorded in the ledger. The bounce itself is never answered."""
    candidates = [i for i in (bounce.original_message_id, *bounce.original_references) if i]
    row = None
    for message_id in candidates:
        row = turn.session.scalars(select(Outbox).where(Outbox.message_id == message_id)).first()
        if row is not None:
            break
    if row is None or row.ticket_id is None:
        return "delivery failure report for a message we did not send"
    ticket = turn.session.get(Ticket, row.ticket_id)
    assert ticket is not None
    problem = " ".join(x for x in (bounce.status, bounce.diagnostic) if x) or "returned"
    change = undeliverable(ticket, row, problem)
    told = settle(turn, ticket, change) > 0
    return change.reason + ("; thrower told" if told else "")


def after_parking(db: Database, desk: Desk, parked_ids: list[int], now: datetime) -> None:
    """The SMTP server refused these for good: tell each ticket's thrower once."""
    for row_id in parked_ids:
        with db.transaction() as session:
            row = session.get(Outbox, row_id)
            if row is None or row.ticket_id is None:
                continue
            ticket = session.get(Ticket, row.ticket_id)
            if ticket is not None:
                change = undeliverable(ticket, row, row.last_error or "refused")
                settle(Turn(session, desk, now), ticket, change)
