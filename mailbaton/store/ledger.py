"""The inbound ledger: every message seen, keyed on (mailbox, folder, UIDVALIDITY, UID)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from mailbaton.store.db import Database
from mailbaton.store.models import Inbound, Outcome


@dataclass(frozen=True)
class Source:
    """Where a message came from; (mailbox, folder, uidvalidity, uid) is its ledger key."""

    mailbox: str
    folder: str = ""
    uidvalidity: int | None = None
    uid: int | None = None


@dataclass(frozen=True)
class Entry:
    """What the ledger keeps of one message besides its key."""

    message_key: str
    sender: str
    subject: str
    size: int
    sender_name: str = ""


def message_key(message_id: str | None, raw: bytes) -> str:
    """The second guard: the Message-ID, or a hash of the bytes when there is none."""
    if message_id:
        return "mid:" + message_id[:380]
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def _by_source(source: Source) -> Select[Inbound]:
    return select(Inbound).where(
        Inbound.mailbox == source.mailbox,
        Inbound.folder == source.folder,
        Inbound.uidvalidity == source.uidvalidity,
        Inbound.uid == source.uid,
    )


def recorded(db: Database, source: Source) -> Inbound | None:
    """The ledger row for this exact UID, if an earlier pass got that far."""
    if source.uid is None:
        return None
    with db.transaction() as session:
        return session.scalars(_by_source(source)).one_or_none()


def recorded_among(db: Database, sources: list[Source]) -> dict[Source, Inbound]:
    """The ledger rows of these UIDs that an earlier pass got to: one query per folder
    and 500 UIDs, not one per waiting message."""
    found: dict[Source, Inbound] = {}
    with db.transaction() as session:
        for folder, uids in _by_folder(sources).items():
            for start in range(0, len(uids), 500):
                for row in session.scalars(_in_folder(folder, uids[start : start + 500])):
                    found[Source(row.mailbox, row.folder, row.uidvalidity, row.uid)] = row
    return found


def mark_filed(db: Database, sources: list[Source]) -> None:
    """These messages are in their outcome folders: one UPDATE per folder and 500 UIDs."""
    groups = _by_folder(sources)
    if not groups:
        return
    with db.transaction() as session:
        for folder, uids in groups.items():
            for start in range(0, len(uids), 500):
                chosen = _in_folder(folder, uids[start : start + 500]).with_only_columns(Inbound.id)
                session.execute(update(Inbound).where(Inbound.id.in_(chosen)).values(filed=True))


def _by_folder(sources: list[Source]) -> dict[Source, list[int]]:
    """UIDs per (mailbox, folder, UIDVALIDITY), that key given as a Source without a UID;
    a source without UIDs (the MTA pipe) keeps no per-message key and is left out."""
    groups: dict[Source, list[int]] = {}
    for source in sources:
        if source.uid is not None:
            folder = Source(source.mailbox, source.folder, source.uidvalidity)
            groups.setdefault(folder, []).append(source.uid)
    return groups


def _in_folder(folder: Source, uids: list[int]) -> Select[Inbound]:
    return select(Inbound).where(
        Inbound.mailbox == folder.mailbox,
        Inbound.folder == folder.folder,
        Inbound.uidvalidity == folder.uidvalidity,
        Inbound.uid.in_(uids),
    )


def first_outcome(session: Session, key: str) -> Inbound | None:
    """The earliest decided (not failed) entry for the same message, if any."""
    return session.scalars(
        select(Inbound)
        .where(Inbound.message_key == key, Inbound.outcome != Outcome.FAILED)
        .order_by(Inbound.id)
        .limit(1)
    ).one_or_none()


def record(
    session: Session,
    source: Source,
    entry: Entry,
    now: datetime,
    outcome: Outcome,
    reason: str,
    ticket_id: int | None = None,
) -> None:
    session.add(
        Inbound(
            mailbox=source.mailbox,
            folder=source.folder,
            uidvalidity=source.uidvalidity,
            uid=source.uid,
            message_key=entry.message_key,
            sender=entry.sender[:320],
            sender_name=entry.sender_name[:200],
            subject=entry.subject,
            size=entry.size,
            received_at=now,
            outcome=str(outcome),
            reason=reason,
            ticket_id=ticket_id,
            filed=False,
        )
    )
    session.flush()
