"""SQLAlchemy tables: tickets and their events, the inbound ledger, the outbox."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from mailbaton.clock import as_utc


class State(StrEnum):
    """A ticket's state (SPEC section 3); the transitions live in tickets/states.py."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    REFUSED = "refused"
    CANCELLED = "cancelled"
    REJECTED = "rejected"  # a handoff refused at the door: recorded, never live


class Outcome(StrEnum):
    """Where an inbound message ends: its ledger outcome and its IMAP folder."""

    PROCESSED = "processed"
    REJECTED = "rejected"
    IGNORED = "ignored"
    FAILED = "failed"


PENDING, ACCEPTED, REFUSED, CANCELLED, REJECTED = (
    State.PENDING,
    State.ACCEPTED,
    State.REFUSED,
    State.CANCELLED,
    State.REJECTED,
)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC in and out, whatever the backend keeps (SQLite keeps naive text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = as_utc(value)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)


class Base(DeclarativeBase):
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class Ticket(Base):
    """A handoff: live (pending/accepted/refused/cancelled) or rejected at intake."""

    __tablename__ = "tickets"
    # With the id: a name is looked up in the newest rows of an address (tickets.people).
    __table_args__ = (
        Index("ix_tickets_thrower", "thrower", "id"),
        Index("ix_tickets_catcher", "catcher", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(40), unique=True)
    state: Mapped[str] = mapped_column(String(16), index=True)
    title: Mapped[str] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(Text, default="")
    thrower: Mapped[str] = mapped_column(String(320))
    thrower_name: Mapped[str] = mapped_column(Text, default="")
    catcher: Mapped[str | None] = mapped_column(String(320))
    catcher_name: Mapped[str] = mapped_column(Text, default="")
    due: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    # The thrower's free text: every line of the handoff that is not a `Field: value` line.
    message: Mapped[str] = mapped_column(Text, default="")
    fields_json: Mapped[str] = mapped_column(Text, default="{}")
    reply_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    handoff_message_id: Mapped[str | None] = mapped_column(String(400), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    refused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    refusal_reason: Mapped[str | None] = mapped_column(Text)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    escalations: Mapped[int] = mapped_column(Integer, default=0)
    # Deadlines are columns swept by a query; set when the ticket opens (or is re-routed),
    # so a later config change does not move them.
    next_escalation_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    remind_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_to: Mapped[str] = mapped_column(Text, default="[]")
    rejection_reasons: Mapped[str | None] = mapped_column(Text)
    # The shared address it came in through when several mailboxes are watched (its mail
    # is sent from that address); None: the default [mailbox].
    mailbox: Mapped[str | None] = mapped_column(String(320))

    events: Mapped[list[Event]] = relationship(
        back_populates="ticket", order_by="Event.id", cascade="all, delete-orphan"
    )
    attachments: Mapped[list[StoredAttachment]] = relationship(
        back_populates="ticket", order_by="StoredAttachment.id", cascade="all, delete-orphan"
    )


class Event(Base):
    """One line of a ticket's timeline."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text, default="")

    ticket: Mapped[Ticket] = relationship(back_populates="events")


class StoredAttachment(Base):
    """The thrower's files, kept so the request (and any re-route) can carry them."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    filename: Mapped[str] = mapped_column(Text)
    content_type: Mapped[str] = mapped_column(String(255))
    data: Mapped[bytes] = mapped_column(LargeBinary)

    ticket: Mapped[Ticket] = relationship(back_populates="attachments")


class Inbound(Base):
    """The ledger: every message seen, once, with its outcome and whether it was filed."""

    __tablename__ = "inbound"
    __table_args__ = (
        UniqueConstraint("mailbox", "folder", "uidvalidity", "uid"),
        # Every reminder and escalation looks a person's newest name up by sender.
        Index("ix_inbound_sender", "sender", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mailbox: Mapped[str] = mapped_column(String(400))
    folder: Mapped[str] = mapped_column(String(400))
    # IMAP's are unsigned 32-bit: too big for PostgreSQL's INTEGER.
    uidvalidity: Mapped[int | None] = mapped_column(BigInteger)
    uid: Mapped[int | None] = mapped_column(BigInteger)
    message_key: Mapped[str] = mapped_column(String(400), index=True)
    sender: Mapped[str] = mapped_column(String(320), default="")
    # The From display name: how mailbaton names a person who never gave a name in a handoff.
    sender_name: Mapped[str] = mapped_column(Text, default="")
    subject: Mapped[str] = mapped_column(Text, default="")
    size: Mapped[int] = mapped_column(Integer, default=0)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    filed: Mapped[bool] = mapped_column(default=False)


class Outbox(Base):
    """A mail to send, complete with its bytes, committed with the change that caused it."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "state", "next_attempt_at"),
        Index("ix_outbox_answer_to", "answer_to", "created_at"),
        # status's line on webhook posts not sent: without it, a scan of every mail ever sent.
        Index("ix_outbox_channel_state", "channel", "state"),
        # The sender's claim, read from the index alone (mail_from: one mailbox's rows):
        # SQLite takes it over ix_outbox_due only when it has every column the claim reads.
        Index("ix_outbox_claim", "channel", "state", "id", "next_attempt_at", "mail_from"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    message_id: Mapped[str] = mapped_column(String(400), unique=True)
    mail_from: Mapped[str] = mapped_column(String(320))
    rcpt_json: Mapped[str] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(Text, default="")
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    state: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    # "rejection:alice@example.com:no_catcher": at most one such notice per day.
    dedupe_key: Mapped[str | None] = mapped_column(String(400), index=True)
    # Set on an answer to a person's mail: their address, for the answers-per-sender ceiling.
    answer_to: Mapped[str | None] = mapped_column(String(320))
    # "mail" goes to the SMTP server; "webhook" is a chat post (outbound/hooks.py): `raw`
    # is its JSON body and the one recipient is the [notify.NAME] it goes to.
    channel: Mapped[str] = mapped_column(String(16), default="mail", server_default="mail")
    # The worker sending it now (its claim lasts until next_attempt_at, renewed while that
    # worker lives); None when nobody holds it.
    claimed_by: Mapped[str | None] = mapped_column(String(100))


class Counter(Base):
    """Ticket numbers: one row per sequence, bumped inside the opening transaction."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class Lease(Base):
    """A named claim that lapses at `until` unless its holder renews it: an inbound message
    being decided, the deadline sweeper. A replica that dies stops renewing."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(400), primary_key=True)
    holder: Mapped[str] = mapped_column(String(100), index=True)
    until: Mapped[datetime] = mapped_column(UTCDateTime)


class Health(Base):
    """One row per server mailbaton depends on ("mailbox", "smtp"; "mailbox:NAME" and
    "smtp:NAME" per mailbox when several are watched): what the last pass of
    any replica learnt, so `status` and every replica read the same state."""

    __tablename__ = "health"

    component: Mapped[str] = mapped_column(String(50), primary_key=True)
    last_ok_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set by the first failure of an outage, cleared by the next success.
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The transport's words (never a secret: transports scrub what servers echo back).
    last_error: Mapped[str | None] = mapped_column(Text)
    sign_in_failed: Mapped[bool] = mapped_column(default=False)
    # The admins were mailed about this outage: claimed by a conditional UPDATE, so one
    # alert and one recovery note per outage across replicas and restarts.
    alerted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
