"""The durable outbox: mail is queued with the change that caused it, sent later, retried."""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import SMTP
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, case, func, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import ReturningUpdate

from mailbaton import logs
from mailbaton.clock import as_utc
from mailbaton.mail.policy import DEFAULT
from mailbaton.outbound.compose import bare_id
from mailbaton.store.db import Database
from mailbaton.store.leases import QUIET_LEASE, Worker
from mailbaton.store.models import Event, Outbox, Ticket
from mailbaton.transport.base import PARTLY_REFUSED, Sender, Transient, TransportError

log = logging.getLogger(__name__)

Where = ColumnElement[bool]


class Channel(StrEnum):
    """What a row goes out through: the SMTP server, or a chat webhook (outbound/hooks.py)."""

    MAIL = "mail"
    WEBHOOK = "webhook"


class MailState(StrEnum):
    """An outbox row's state: waiting (or retrying), delivered to the server, or refused."""

    QUEUED = "queued"
    SENT = "sent"
    PARKED = "parked"
    # Over protocol.max_answers_per_sender: kept, never sent (a loop, or a flood).
    HELD = "held"


# While one worker sends a row, others leave it alone; after this, a crashed
# worker's claim lapses and the row is sent again (same Message-ID). A daemon's claims
# are shorter and renewed by its heartbeat (store/leases.py), so they lapse soon after it dies.
LEASE = QUIET_LEASE
# Short enough that mail leaves soon after an outage ends, long enough not to hammer.
MAX_BACKOFF = timedelta(minutes=10)
GIVE_UP_AFTER = timedelta(days=3)


def enqueue(
    session: Session,
    message: EmailMessage,
    *,
    kind: str,
    mail_from: str,
    now: datetime,
    ticket: Ticket | None = None,
    dedupe_key: str | None = None,
    answer_to: str | None = None,
) -> Outbox:
    recipients = [addr.addr_spec for addr in message["To"].addresses]
    row = Outbox(
        ticket_id=ticket.id if ticket is not None else None,
        kind=kind,
        message_id=bare_id(message),
        mail_from=mail_from,
        rcpt_json=json.dumps(recipients),
        subject=str(message["Subject"]),
        raw=message.as_bytes(policy=SMTP),
        state=MailState.QUEUED,
        attempts=0,
        created_at=now,
        next_attempt_at=now,
        dedupe_key=dedupe_key,
        answer_to=answer_to,
    )
    session.add(row)
    if ticket is not None:
        detail = f"{kind} to {', '.join(recipients)}"
        session.add(Event(ticket=ticket, at=now, kind="mail queued", detail=detail))
    return row


def hold(
    session: Session,
    kind: str,
    to: str,
    message_id: str,
    *,
    now: datetime,
    ticket: Ticket,
    why: str,
) -> Outbox:
    """Records an answer the ceiling stopped: counted and shown, never written or sent."""
    row = Outbox(
        ticket_id=ticket.id,
        kind=kind,
        message_id=message_id,
        mail_from="",
        rcpt_json=json.dumps([to]),
        subject="",
        raw=b"",
        state=MailState.HELD,
        attempts=0,
        created_at=now,
        next_attempt_at=now,
        answer_to=to,
        last_error=why,
    )
    session.add(row)
    session.add(Event(ticket=ticket, at=now, kind="answer held", detail=f"{kind} to {to}: {why}"))
    return row


def answers_to(session: Session, address: str, now: datetime) -> tuple[int, int]:
    """Answers to `address` in the last hour, (queued, held): the loop ceiling counts the
    first, its log line the second; one query, as it runs for every answer."""
    held = case((Outbox.state == MailState.HELD, 1), else_=0)
    query = select(func.count(), func.coalesce(func.sum(held), 0)).where(
        Outbox.answer_to == address, Outbox.created_at > now - timedelta(hours=1)
    )
    total, held_count = session.execute(query).one()
    return int(total) - int(held_count), int(held_count)


def held_answers(
    session: Session, since: datetime | None = None, address: str | None = None
) -> dict[str, HeldAnswers]:
    """Per address (or for `address` alone): the answers the ceiling held back (since
    `since`), why, and the latest moment one was held (what `status` and the log report)."""
    query = select(
        Outbox.answer_to, func.count(), func.max(Outbox.last_error), func.max(Outbox.created_at)
    ).where(Outbox.state == MailState.HELD)
    if since is not None:
        query = query.where(Outbox.created_at > since)
    if address is not None:
        query = query.where(Outbox.answer_to == address)
    rows = session.execute(query.group_by(Outbox.answer_to)).all()
    return {
        address: HeldAnswers(count, why or "", as_utc(last))
        for address, count, why, last in rows
        if address
    }


@dataclass(frozen=True)
class HeldAnswers:
    """Answers to one address that the ceiling kept back."""

    count: int
    why: str
    last: datetime


def sent_recently(session: Session, dedupe_key: str, now: datetime) -> bool:
    """Whether a notice with this key was queued in the last day (one per sender, reason, day)."""
    found = session.scalars(
        select(Outbox.id)
        .where(Outbox.dedupe_key == dedupe_key, Outbox.created_at > now - timedelta(days=1))
        .limit(1)
    ).first()
    return found is not None


# The plain text of mails already read, by Message-ID: a row's bytes never change, and
# every reply on a ticket reads all mail sent on it (a request may carry 25 MB of files),
# so each is loaded and parsed once per process, not once per reply.
_TEXTS: OrderedDict[str, str] = OrderedDict()
TEXTS_KEPT = 2000


def sent_texts(session: Session, ticket: Ticket) -> list[str]:
    """The plain text of every mail queued about `ticket`: what its people may quote back."""
    ids = session.scalars(
        select(Outbox.message_id)
        .where(
            Outbox.ticket_id == ticket.id,
            Outbox.state != MailState.HELD,
            Outbox.channel == Channel.MAIL,
        )
        .order_by(Outbox.id)
    ).all()
    found = {i: _TEXTS[i] for i in ids if i in _TEXTS}
    missing = [i for i in ids if i not in found]
    if missing:
        query = select(Outbox.message_id, Outbox.raw).where(Outbox.message_id.in_(missing))
        for message_id, raw in session.execute(query):
            found[message_id] = _TEXTS[message_id] = plain_text(raw)
        while len(_TEXTS) > TEXTS_KEPT:
            _TEXTS.popitem(last=False)
    return [found[i] for i in ids if found.get(i)]


def plain_text(raw: bytes) -> str:
    """A sent mail's plain-text part ("" if it has none)."""
    message = message_from_bytes(raw, policy=DEFAULT)
    assert isinstance(message, EmailMessage)
    body = message.get_body(("plain",))
    return str(body.get_content()) if body is not None else ""


@dataclass
class FlushReport:
    sent: int = 0
    retrying: int = 0
    parked: int = 0
    parked_ids: list[int] = field(default_factory=list)
    # Why the server could not be used (the flush stopped there); health records it.
    server_error: TransportError | None = None


def backoff(attempts: int) -> timedelta:
    step: timedelta = timedelta(minutes=1) * (2 ** max(attempts - 1, 0))
    return min(step, MAX_BACKOFF)


async def flush(
    db: Database,
    sender: Sender,
    now: datetime,
    channel: Channel = Channel.MAIL,
    worker: Worker | None = None,
    only: Where | None = None,
) -> FlushReport:
    """Send everything due at `now` on `channel`, all on the sender's one connection; each
    row's fate is committed as soon as it is known. One row is claimed at a time (a worker
    that dies holds one, not a batch); replicas flushing together each claim a different
    one. `only` narrows the rows: one mailbox's, when several send through their own."""
    report = FlushReport()
    worker = worker or Worker.at(now)
    # Each row claimed leaves the due set (sent, leased, retried later or parked).
    while (row := _claim(db, worker, now, channel, only)) is not None:
        if not await _send_one(db, sender, row, now, report):
            break  # the server is unwell: the rest waits for the next pass
    return report


@dataclass(frozen=True)
class Claimed:
    """What sending one row and recording its fate need, read by the claim itself."""

    id: int
    ticket_id: int | None
    kind: str
    message_id: str
    mail_from: str
    rcpt_json: str
    raw: bytes
    attempts: int
    created_at: datetime
    channel: str


async def _send_one(
    db: Database, sender: Sender, row: Claimed, now: datetime, report: FlushReport
) -> bool:
    """Sends one claimed row; False when the server failed in a way that may pass."""
    try:
        answer = await sender.send(row.raw, row.mail_from, json.loads(row.rcpt_json))
    except Exception as raised:  # a sender's own bug must not leave the row leased
        error = _as_transport_error(raised)
        _failed(db, row, error, now, report)
        if not error.permanent:
            report.server_error = error
        return error.permanent
    _sent(db, row, answer, now)
    report.sent += 1
    return True


def _as_transport_error(error: Exception) -> TransportError:
    """Anything a sender raises, as a transport error: an unexpected one is retried like a
    passing fault, named by its type only (its text may carry what it was sending)."""
    if isinstance(error, TransportError):
        return error
    log.error("unexpected error while sending", exc_info=error)
    return Transient(f"unexpected error while sending ({type(error).__name__})")


def _claim(
    db: Database, worker: Worker, now: datetime, channel: Channel, only: Where | None = None
) -> Claimed | None:
    """The next due row, claimed by `worker` until its lease lapses (renewed while it lives),
    with what sending it needs (a read of its own was a third transaction a mail)."""
    with db.connection() as connection:
        found = connection.execute(claiming(worker, now, channel, only)).first()
    return Claimed(*found) if found is not None else None


def claiming(
    worker: Worker, now: datetime, channel: Channel, only: Where | None = None
) -> ReturningUpdate[Any]:
    """One UPDATE: on PostgreSQL the row is picked FOR UPDATE SKIP LOCKED, so replicas never
    wait on, or both take, the same row; SQLite lets one writer in at a time. It goes down
    ix_outbox_claim (a test reads SQLite's plan): by (state, next_attempt_at) it read and
    sorted every due row, each 30 KB file too."""
    due = (
        select(Outbox.id)
        .where(
            Outbox.state == MailState.QUEUED,
            Outbox.next_attempt_at <= now,
            Outbox.channel == channel,
            *([only] if only is not None else []),
        )
        .order_by(Outbox.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    return (
        update(Outbox)
        # `=`, not IN: a scalar subquery runs once (IN may run it per row, claiming all).
        .where(
            Outbox.id == due.scalar_subquery(),
            Outbox.state == MailState.QUEUED,
            Outbox.next_attempt_at <= now,
        )
        .values(
            next_attempt_at=worker.until(), attempts=Outbox.attempts + 1, claimed_by=worker.holder
        )
        .returning(*(getattr(Outbox, item.name) for item in fields(Claimed)))
    )


def _sent(db: Database, row: Claimed, answer: str, now: datetime) -> None:
    # Recipients the server refused while taking the mail for the others: said on the
    # timeline and in the log, not lost with the answer.
    refused = answer.partition(PARTLY_REFUSED)[2]
    ref: str | None = None
    with db.connection() as connection:
        connection.execute(
            update(Outbox)
            .where(Outbox.id == row.id)
            .values(state=MailState.SENT, sent_at=now, last_error=None, claimed_by=None)
        )
        if row.ticket_id is not None:
            ref = connection.scalar(select(Ticket.ref).where(Ticket.id == row.ticket_id))
            rcpts = ", ".join(json.loads(row.rcpt_json))
            connection.execute(
                insert(Event).values(
                    ticket_id=row.ticket_id,
                    at=now,
                    kind="mail sent" if row.channel == Channel.MAIL else "posted",
                    detail=f"{row.kind} to {rcpts}"
                    + (f"{PARTLY_REFUSED}{refused}"[:1000] if refused else ""),
                )
            )
    logs.event(
        log,
        "mail_sent" if row.channel == Channel.MAIL else "posted",
        f"sent {row.kind}{f' for {ref}' if ref else ''} to "
        f"{', '.join(json.loads(row.rcpt_json))} ({row.message_id})",
        ticket=ref,
        kind=row.kind,
        recipients=json.loads(row.rcpt_json),
        message_id=row.message_id,
    )
    if refused:
        log.warning("%s (%s) refused for some recipients: %s", row.kind, row.message_id, refused)


def _failed(
    db: Database, row: Claimed, error: TransportError, now: datetime, report: FlushReport
) -> None:
    give_up = error.permanent or now - row.created_at > GIVE_UP_AFTER
    with db.connection() as connection:
        values: dict[str, object] = {"last_error": str(error)[:2000], "claimed_by": None}
        if give_up:
            values["state"] = MailState.PARKED
            report.parked += 1
            report.parked_ids.append(row.id)
        else:
            values["next_attempt_at"] = now + backoff(row.attempts)
            report.retrying += 1
        connection.execute(update(Outbox).where(Outbox.id == row.id).values(**values))
        if give_up and row.ticket_id is not None:
            connection.execute(
                insert(Event).values(
                    ticket_id=row.ticket_id,
                    at=now,
                    kind="mail failed" if row.channel == Channel.MAIL else "post failed",
                    detail=f"{row.kind} could not be sent: {error}",
                )
            )
    log.warning(
        "%s %s (%s): %s", "parked" if give_up else "will retry", row.kind, row.message_id, error
    )
