"""Ticket numbers: one counter per sequence, bumped inside the transaction that uses it."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from mailbaton.store.db import insert_for
from mailbaton.store.models import Counter


def next_number(session: Session, sequence: str) -> int:
    """The next number of `sequence`, unique across replicas.

    A missing row is made with INSERT ... ON CONFLICT DO NOTHING: two replicas opening the
    very first ticket both found no row and both inserted it, and one of them failed on
    the key (PostgreSQL). The UPDATE holds the row lock until the ticket commits; it goes
    first, so only a sequence's first number costs the INSERT too."""
    value = _bump(session, sequence)
    if value is None:
        session.execute(
            insert_for(session, Counter)
            .values(name=sequence, value=0)
            .on_conflict_do_nothing(index_elements=["name"])
        )
        value = _bump(session, sequence)
    assert value is not None
    return int(value)


def _bump(session: Session, sequence: str) -> int | None:
    return session.scalar(
        update(Counter)
        .where(Counter.name == sequence)
        .values(value=Counter.value + 1)
        .returning(Counter.value)
        .execution_options(synchronize_session=False)
    )
