"""One message in: ledger, parse, decide, ticket change and outgoing mail, in one transaction."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mailbaton import classify
from mailbaton.mail.parse import parse_message
from mailbaton.mail.records import ParsedMail
from mailbaton.store import ledger
from mailbaton.store.db import Database
from mailbaton.store.ledger import Source
from mailbaton.store.models import Outcome as Filed
from mailbaton.tickets.dispatch import apply
from mailbaton.tickets.opening import Desk

log = logging.getLogger(__name__)

PROCESSED, REJECTED, IGNORED, FAILED = Filed.PROCESSED, Filed.REJECTED, Filed.IGNORED, Filed.FAILED

__all__ = ["FAILED", "IGNORED", "PROCESSED", "REJECTED", "Outcome", "Source", "process"]


@dataclass(frozen=True)
class Outcome:
    outcome: Filed
    reason: str
    ticket_ref: str | None = None
    already_done: bool = False


def _entry(mail: ParsedMail | None, raw: bytes) -> ledger.Entry:
    return ledger.Entry(
        message_key=ledger.message_key(mail.message_id if mail else None, raw),
        sender=mail.from_.addr if mail and mail.from_ else "",
        subject=mail.subject if mail else "",
        size=len(raw),
    )


def process(
    db: Database,
    desk: Desk,
    raw: bytes,
    source: Source,
    now: datetime,
    *,
    oversized: int | None = None,
) -> Outcome:
    """Decides and records one message; never raises for a bad message (it is 'failed').
    With `oversized` (the real size), `raw` is only the header of a message too large
    to load: it is screened and, if a person sent it, rejected as too large."""
    mail: ParsedMail | None = None
    try:
        mail = parse_message(raw)
        with db.transaction() as session:
            return _decide(session, desk, mail, raw, source, now, oversized)
    except IntegrityError:
        # Another worker recorded this UID first: it owns the outcome.
        return _earlier(db, source)
    except Exception as error:
        log.exception("could not process message %s/%s", source.folder, source.uid)
        reason = f"could not be processed: {type(error).__name__}: {error}"[:1000]
        try:
            with db.transaction() as session:
                ledger.record(session, source, _entry(mail, raw), now, FAILED, reason)
        except IntegrityError:
            # This UID is already in the ledger (another worker, or a retry): keep its word.
            return _earlier(db, source)
        return Outcome(FAILED, reason)


def _earlier(db: Database, source: Source) -> Outcome:
    """Called inside an IntegrityError handler: the UID's first word, else that error."""
    previous = ledger.recorded(db, source)
    if previous is None:
        raise
    return Outcome(Filed(previous.outcome), previous.reason, already_done=True)


def _decide(
    session: Session,
    desk: Desk,
    mail: ParsedMail,
    raw: bytes,
    source: Source,
    now: datetime,
    oversized: int | None,
) -> Outcome:
    entry = _entry(mail, raw)
    earlier = ledger.first_outcome(session, entry.message_key)
    if earlier is not None:
        # A second delivery, or the same message under a new UIDVALIDITY: file it
        # with its first outcome and do nothing else.
        reason = f"already processed (same message as ledger entry {earlier.id})"
        ledger.record(session, source, entry, now, Filed(earlier.outcome), reason)
        return Outcome(Filed(earlier.outcome), reason, already_done=True)
    decision = classify.decide(mail, desk.settings, oversized=oversized)
    result = apply(session, desk, decision, mail, now)
    ticket = result.ticket
    ledger.record(
        session, source, entry, now, result.outcome, result.reason, ticket.id if ticket else None
    )
    return Outcome(result.outcome, result.reason, ticket.ref if ticket else None)
