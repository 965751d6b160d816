"""Ticket numbers: one counter per sequence, bumped inside the transaction that uses it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailbaton.store.models import Counter


def next_number(session: Session, sequence: str) -> int:
    # Row lock on PostgreSQL; SQLite serialises writers anyway.
    counter = session.scalars(
        select(Counter).where(Counter.name == sequence).with_for_update()
    ).one_or_none()
    if counter is None:
        counter = Counter(name=sequence, value=0)
        session.add(counter)
    counter.value += 1
    session.flush()
    return counter.value
