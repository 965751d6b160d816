"""One message in: ledger, parse, classify, ticket change and outgoing mail, in one transaction."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mailbaton.classify import handoff as classify
from mailbaton.mail.parse import ParsedMail, parse_message
from mailbaton.store.db import Database
from mailbaton.store.models import Inbound
from mailbaton.tickets import answers, bounces
from mailbaton.tickets import opening as tickets

log = logging.getLogger(__name__)

PROCESSED, REJECTED, IGNORED, FAILED = "processed", "rejected", "ignored", "failed"


@dataclass(frozen=True)
class Source:
    """Where a message came from; (mailbox, folder, uidvalidity, uid) is its ledger key."""

    mailbox: str
    folder: str = ""
    uidvalidity: int | None = None
    uid: int | None = None


@dataclass(frozen=True)
class Outcome:
    outcome: str  # processed | rejected | ignored | failed
    reason: str
    ticket_ref: str | None = None
    already_done: bool = False


def message_key(mail: ParsedMail | None, raw: bytes) -> str:
    if mail is not None and mail.message_id:
        return "mid:" + mail.message_id[:380]
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def recorded(db: Database, source: Source) -> Inbound | None:
    """The ledger row for this exact UID, if an earlier pass got that far."""
    if source.uid is None:
        return None
    with db.transaction() as session:
        return session.scalars(
            select(Inbound).where(
                Inbound.mailbox == source.mailbox,
                Inbound.folder == source.folder,
                Inbound.uidvalidity == source.uidvalidity,
                Inbound.uid == source.uid,
            )
        ).one_or_none()


def mark_filed(db: Database, source: Source) -> None:
    with db.transaction() as session:
        row = session.scalars(
            select(Inbound).where(
                Inbound.mailbox == source.mailbox,
                Inbound.folder == source.folder,
                Inbound.uidvalidity == source.uidvalidity,
                Inbound.uid == source.uid,
            )
        ).one_or_none()
        if row is not None:
            row.filed = True


def process(
    db: Database,
    desk: tickets.Desk,
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
            if oversized is not None:
                return _too_large(session, desk, mail, raw, source, now, oversized)
            return _decide(session, desk, mail, raw, source, now)
    except IntegrityError:
        # Another worker recorded this UID first: it owns the outcome.
        previous = recorded(db, source)
        if previous is not None:
            return Outcome(previous.outcome, previous.reason, already_done=True)
        raise
    except Exception as error:
        log.exception("could not process message %s/%s", source.folder, source.uid)
        reason = f"could not be processed: {type(error).__name__}: {error}"[:1000]
        try:
            with db.transaction() as session:
                _record(session, source, mail, raw, now, FAILED, reason)
        except IntegrityError:
            # This UID is already in the ledger (another worker, or a retry): keep its word.
            previous = recorded(db, source)
            if previous is None:
                raise
            return Outcome(previous.outcome, previous.reason, already_done=True)
        return Outcome(FAILED, reason)


def _decide(
    session: Session,
    desk: tickets.Desk,
    mail: ParsedMail,
    raw: bytes,
    source: Source,
    now: datetime,
) -> Outcome:
    key = message_key(mail, raw)
    earlier = session.scalars(
        select(Inbound)
        .where(Inbound.message_key == key, Inbound.outcome != FAILED)
        .order_by(Inbound.id)
        .limit(1)
    ).one_or_none()
    if earlier is not None:
        # A second delivery, or the same message under a new UIDVALIDITY: file it
        # with its first outcome and do nothing else.
        reason = f"already processed (same message as ledger entry {earlier.id})"
        _record(session, source, mail, raw, now, earlier.outcome, reason)
        return Outcome(earlier.outcome, reason, already_done=True)

    settings = desk.settings
    if mail.bounce is not None:  # from any MTA; matched only by our own Message-IDs
        reason = bounces.handle_bounce(session, desk, mail, now)
        _record(session, source, mail, raw, now, IGNORED, reason)
        return Outcome(IGNORED, reason)
    ignored = classify.screen(mail, settings)
    if ignored is not None:
        _record(session, source, mail, raw, now, IGNORED, ignored.reason)
        return Outcome(IGNORED, ignored.reason)

    held = classify.unverified(mail, settings)
    if held is not None:
        # Not answered (it may be forged), not lost: an admin finds it in the failed folder.
        _record(session, source, mail, raw, now, FAILED, held)
        return Outcome(FAILED, held)

    hints = classify.reply_hints(mail, settings)
    if hints:
        ticket = tickets.find_by_hints(session, hints)
        if ticket is not None:
            result = answers.handle_reply(session, desk, ticket, mail, now)
            _record(session, source, mail, raw, now, result.outcome, result.reason, ticket.id)
            return Outcome(result.outcome, result.reason, ticket.ref)

    decision = classify.read_handoff(mail, settings)
    if isinstance(decision, classify.Rejection):
        ticket = tickets.reject(session, desk, decision, mail, now)
        reason = "rejected: " + ", ".join(r.code for r in decision.reasons)
        _record(session, source, mail, raw, now, REJECTED, reason, ticket.id)
        return Outcome(REJECTED, reason, ticket.ref)
    ticket = tickets.open_ticket(session, desk, decision, mail, now)
    reason = f"opened {ticket.ref} for {ticket.catcher}"
    _record(session, source, mail, raw, now, PROCESSED, reason, ticket.id)
    return Outcome(PROCESSED, reason, ticket.ref)


def _too_large(
    session: Session,
    desk: tickets.Desk,
    mail: ParsedMail,
    raw: bytes,
    source: Source,
    now: datetime,
    size: int,
) -> Outcome:
    ignored = classify.screen(mail, desk.settings)
    if ignored is not None:
        _record(session, source, mail, raw, now, IGNORED, f"{ignored.reason} (too large)")
        return Outcome(IGNORED, ignored.reason)
    rejection = classify.too_large(mail, desk.settings, size)
    ticket = tickets.reject(session, desk, rejection, mail, now)
    reason = f"rejected: too_large ({size} bytes)"
    _record(session, source, mail, raw, now, REJECTED, reason, ticket.id)
    return Outcome(REJECTED, reason, ticket.ref)


def _record(
    session: Session,
    source: Source,
    mail: ParsedMail | None,
    raw: bytes,
    now: datetime,
    outcome: str,
    reason: str,
    ticket_id: int | None = None,
) -> None:
    session.add(
        Inbound(
            mailbox=source.mailbox,
            folder=source.folder,
            uidvalidity=source.uidvalidity,
            uid=source.uid,
            message_key=message_key(mail, raw),
            sender=(mail.from_.addr if mail and mail.from_ else "")[:320],
            subject=mail.subject if mail else "",
            size=len(raw),
            received_at=now,
            outcome=outcome,
            reason=reason,
            ticket_id=ticket_id,
            filed=False,
        )
    )
    session.flush()
