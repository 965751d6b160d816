"""`mailbaton export`: every ticket with its events, for audits, read in batches.

A million tickets are never in memory at once: tickets are read in id order, BATCH at a
time (keyset paging, so each batch is one indexed query), their events and file names with
them (never the files' bytes), and the batch is let go before the next one is read. One
transaction for the whole walk: the export is one consistent moment.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from mailbaton.store.models import StoredAttachment, Ticket
from mailbaton.tickets.queries import mail_problems, ticket_json

BATCH = 500


def tickets(session: Session, now: datetime, batch: int = BATCH) -> Iterator[dict[str, Any]]:
    """Each ticket as `show --json` prints it (SPEC section 9), rejected handoffs too."""
    problems = mail_problems(session)
    last = 0
    while True:
        query = (
            select(Ticket)
            .where(Ticket.id > last)
            .order_by(Ticket.id)
            .limit(batch)
            .options(
                selectinload(Ticket.events),
                selectinload(Ticket.attachments).load_only(StoredAttachment.filename),
            )
        )
        found = list(session.scalars(query))
        if not found:
            return
        for ticket in found:
            yield ticket_json(ticket, now, events=True, mail=problems.get(ticket.id))
        last = found[-1].id
        session.expunge_all()  # the batch is written out: let it go
