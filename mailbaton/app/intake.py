"""Mail in from any Mailbox: each message decided in one transaction, filed after it commits."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mailbaton import classify, logs
from mailbaton.mail.parse import parse_message
from mailbaton.mail.records import ParsedMail
from mailbaton.outbound.desk import Desk
from mailbaton.store import leases, ledger
from mailbaton.store.db import Database
from mailbaton.store.leases import Worker
from mailbaton.store.ledger import Source
from mailbaton.store.models import Outcome as Filed
from mailbaton.tickets.dispatch import apply
from mailbaton.transport.base import Mailbox, TransportError

log = logging.getLogger(__name__)

PROCESSED, REJECTED, IGNORED, FAILED = Filed.PROCESSED, Filed.REJECTED, Filed.IGNORED, Filed.FAILED

__all__ = [
    "FAILED",
    "IGNORED",
    "PROCESSED",
    "REJECTED",
    "Drained",
    "Outcome",
    "Source",
    "drain",
    "process",
]


@dataclass(frozen=True)
class Outcome:
    outcome: Filed
    reason: str
    ticket_ref: str | None = None
    already_done: bool = False
    reasons: tuple[str, ...] = ()


@dataclass
class Drained:
    """What a drain did so far: kept up to date, so a pass cut short still reports it."""

    outcomes: list[Outcome] = field(default_factory=list)
    refiled: int = 0
    # Messages were left waiting (the pass's budget was spent, or a stop was asked for):
    # the daemon starts its next pass at once.
    more: bool = False


# Decided messages are filed this many at a time, one UID MOVE per outcome folder: a
# round trip per message was a fifth of a backlog's time. A crash before the MOVE leaves
# at most this many decided in the INBOX, and the next pass files them without deciding.
FILE_BATCH = 100
# Fresh messages are claimed this many at a time (store/leases.py): replicas on one
# mailbox take different ones, and one that dies strands no more than this many until its
# claims lapse (30 s after its last heartbeat).
CLAIM_CHUNK = 25


def drain(
    db: Database,
    desk: Desk,
    mailbox: Mailbox,
    now: datetime,
    into: Drained,
    worker: Worker | None = None,
    budget: int | None = None,
    stopping: threading.Event | None = None,
) -> None:
    """Every waiting message ends filed under exactly one outcome, decided exactly once,
    also with several replicas draining one mailbox: each takes the messages it claims.

    The daemon gives a `budget` (messages decided in this pass; then its deadlines and
    outbox get their turn, so a backlog of handoffs does not hold back every request
    until the last is decided) and `stopping` (SIGTERM: the chunk in hand is finished).

    Transport errors propagate: what was decided stays decided, and the next drain
    files it without deciding again."""
    worker = worker or Worker.at(now)
    leases.forget_lapsed(db, worker, "inbound:")
    waiting = mailbox.waiting()
    done = ledger.recorded_among(db, waiting)
    fresh = [source for source in waiting if source not in done]
    # Decided by an earlier pass that died before filing them: filed now, not decided
    # (unless a live replica holds them: it is about to file them itself).
    again = [source for source in waiting if source in done]
    for start in range(0, len(again), FILE_BATCH):
        with _claimed(db, worker, again[start : start + FILE_BATCH]) as mine:
            # Read again under the claim: the replica that decided them files them before
            # it lets go, and a second MOVE of a moved message fails the whole MOVE.
            now_done = ledger.recorded_among(db, mine)
            unfiled = [s for s in mine if s in now_done and not now_done[s].filed]
            _file(db, mailbox, [(source, Filed(done[source].outcome)) for source in unfiled])
            into.refiled += len(unfiled)
    taken = 0
    for start in range(0, len(fresh), CLAIM_CHUNK):
        if (budget is not None and taken >= budget) or (stopping and stopping.is_set()):
            into.more = True
            return
        with _claimed(db, worker, fresh[start : start + CLAIM_CHUNK]) as mine:
            # Another replica may have decided some between our listing and our claim.
            decided = ledger.recorded_among(db, mine)
            mine = [s for s in mine if s not in decided]
            _decide_all(db, desk, mailbox, now, into, mine)
            taken += len(mine)


@contextlib.contextmanager
def _claimed(db: Database, worker: Worker, sources: list[Source]) -> Iterator[list[Source]]:
    """The sources this worker could claim (a source without UIDs, the MTA pipe's, is
    always its own), held until the block ends."""
    named = [(_claim_name(source), source) for source in sources]
    held = leases.claim(db, worker, [name for name, _ in named if name])
    try:
        yield [source for name, source in named if not name or name in held]
    finally:
        leases.release(db, worker, held)


def _claim_name(source: Source) -> str:
    """The lease name of one message ("" for a source without UIDs)."""
    if source.uid is None:
        return ""
    key = f"{source.mailbox}:{source.folder}:{source.uidvalidity}:{source.uid}"
    if len(key) > 380:
        key = hashlib.sha256(key.encode()).hexdigest()
    return "inbound:" + key


def _decide_all(
    db: Database,
    desk: Desk,
    mailbox: Mailbox,
    now: datetime,
    into: Drained,
    fresh: list[Source],
) -> None:
    cap = desk.settings.protocol.max_message_size
    decided: list[tuple[Source, Filed]] = []
    try:
        for message in mailbox.read(fresh, cap):
            outcome = process(
                db, desk, message.raw, message.source, now, oversized=message.oversized
            )
            into.outcomes.append(outcome)
            _log_handled(message.source, outcome)
            # Only after the decision committed: a crash before the filing re-files, never
            # re-decides.
            decided.append((message.source, outcome.outcome))
            if len(decided) >= FILE_BATCH:
                _file(db, mailbox, decided)
                decided = []
    except TransportError:
        # Reading failed halfway: what was decided is filed now if the server still
        # answers, else by the next pass.
        with contextlib.suppress(TransportError):
            _file(db, mailbox, decided)
        raise
    _file(db, mailbox, decided)


def _file(db: Database, mailbox: Mailbox, decided: list[tuple[Source, Filed]]) -> None:
    if decided:
        ledger.mark_filed(db, mailbox.file_all(decided))


def _log_handled(source: Source, outcome: Outcome) -> None:
    logs.event(
        log,
        "message_handled",
        f"message {_where(source)}: {outcome.outcome} ({outcome.reason})",
        mailbox=source.mailbox,
        folder=source.folder,
        uid=source.uid,
        outcome=str(outcome.outcome),
        ticket=outcome.ticket_ref,
        reason=outcome.reason,
        reasons=list(outcome.reasons),
    )


def _where(source: Source) -> str:
    return f"{source.folder}/{source.uid}" if source.uid is not None else source.mailbox


def _entry(mail: ParsedMail | None, raw: bytes) -> ledger.Entry:
    return ledger.Entry(
        message_key=ledger.message_key(mail.message_id if mail else None, raw),
        sender=mail.from_.addr if mail and mail.from_ else "",
        sender_name=mail.from_.name if mail and mail.from_ else "",
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
    With `oversized` (the real size), `raw` is only the beginning of a message too large
    to load: it is screened, read as a reply if it answers a ticket, else rejected as too
    large."""
    mail: ParsedMail | None = None
    try:
        mail = parse_message(raw)
        with db.transaction() as session:
            return _decide(session, desk, mail, raw, source, now, oversized)
    except IntegrityError:
        # Another worker recorded this UID first: it owns the outcome.
        return _earlier(db, source)
    except Exception as error:
        log.exception("could not process message %s", _where(source))
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
    ticket, reason = result.ticket, result.reason
    if result.outcome is IGNORED:
        # Who sent it, beside why: "1 ignored" alone leaves a person guessing.
        reason = f"mail from {entry.sender or '(no From address)'}: {reason}"
    ledger.record(
        session, source, entry, now, result.outcome, reason, ticket.id if ticket else None
    )
    return Outcome(result.outcome, reason, ticket.ref if ticket else None, reasons=result.reasons)
