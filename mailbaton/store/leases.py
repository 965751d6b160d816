"""Leases: claims that lapse unless renewed, so several replicas share one database safely.

A worker (one process) claims by name (an inbound message being decided, the deadline
sweeper) or claims outbox rows; while it lives, its heartbeat renews everything it holds.
A worker that dies (SIGKILL, a lost machine) stops renewing, and within one lease its
claims are free for the others."""

from __future__ import annotations

import logging
import os
import platform
import secrets
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update

from mailbaton.store.db import Database, insert_for
from mailbaton.store.models import Lease, Outbox

log = logging.getLogger(__name__)

# A one-off process (run --once, ingest) holds its claims this long; it has no heartbeat.
QUIET_LEASE = timedelta(minutes=10)
# A daemon renews every HEARTBEAT; its claims lapse LIVE_LEASE after its last renewal.
LIVE_LEASE = timedelta(seconds=30)
HEARTBEAT = timedelta(seconds=5)


def _new_holder() -> str:
    return f"{platform.node()[:60]}:{os.getpid()}:{secrets.token_hex(4)}"


@dataclass
class Worker:
    """Who claims, for how long, and by which clock (the wall clock in the daemon; a
    test's `now` in a one-off pass)."""

    clock: Callable[[], datetime]
    lease: timedelta = QUIET_LEASE
    holder: str = field(default_factory=_new_holder)

    @classmethod
    def at(cls, now: datetime) -> Worker:
        """A worker for one pass at `now`, without a heartbeat."""
        return cls(lambda: now)

    def until(self) -> datetime:
        return self.clock() + self.lease


def claim(db: Database, worker: Worker, names: Iterable[str]) -> set[str]:
    """Which of `names` this worker holds now: free ones, lapsed ones and its own."""
    wanted = list(dict.fromkeys(names))
    if not wanted:
        return set()
    now, until = worker.clock(), worker.until()
    with db.transaction() as session:
        # A write first: SQLite takes its write lock here (waiting its busy timeout).
        session.execute(
            delete(Lease)
            .where(Lease.name.in_(wanted), or_(Lease.until < now, Lease.holder == worker.holder))
            .execution_options(synchronize_session=False)
        )
        rows = [{"name": n, "holder": worker.holder, "until": until} for n in wanted]
        insert = insert_for(session, Lease).values(rows)
        insert = insert.on_conflict_do_nothing(index_elements=["name"])
        # PostgreSQL: a name another worker is inserting waits for its commit, then skips.
        got = session.scalars(insert.returning(Lease.name)).all()
    return set(got)


def release(db: Database, worker: Worker, names: Iterable[str]) -> None:
    wanted = list(names)
    if not wanted:
        return
    with db.transaction() as session:
        session.execute(
            delete(Lease)
            .where(Lease.name.in_(wanted), Lease.holder == worker.holder)
            .execution_options(synchronize_session=False)
        )


def forget_lapsed(db: Database, worker: Worker, prefix: str) -> None:
    """Drops lapsed claims whose names start with `prefix` (a dead replica's, on messages
    that may since have left the folder), so nobody waits for them to lapse again."""
    with db.transaction() as session:
        session.execute(
            delete(Lease)
            .where(Lease.name.startswith(prefix), Lease.until < worker.clock())
            .execution_options(synchronize_session=False)
        )


def holds(db: Database, worker: Worker, name: str) -> bool:
    with db.transaction() as session:
        holder = session.scalar(select(Lease.holder).where(Lease.name == name))
    return holder == worker.holder


def renew(db: Database, worker: Worker) -> None:
    """Everything this worker holds lasts one more lease from now."""
    until = worker.until()
    with db.transaction() as session:
        session.execute(
            update(Lease)
            .where(Lease.holder == worker.holder)
            .values(until=until)
            .execution_options(synchronize_session=False)
        )
        session.execute(
            update(Outbox)
            .where(Outbox.claimed_by == worker.holder, Outbox.state == "queued")
            .values(next_attempt_at=until)
            .execution_options(synchronize_session=False)
        )


class Heartbeat(threading.Thread):
    """Renews a daemon's claims every HEARTBEAT, on its own thread: a pass that is busy
    (a 25 MB mail, a slow SMTP server) keeps what it holds; a dead process does not."""

    def __init__(self, db: Database, worker: Worker) -> None:
        super().__init__(name="mailbaton-heartbeat", daemon=True)
        self.db = db
        self.worker = worker
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.wait(HEARTBEAT.total_seconds()):
            try:
                renew(self.db, self.worker)
            except Exception as error:  # the database is away: the next beat tries again
                log.warning("cannot renew claims: %s", type(error).__name__)

    def stop(self) -> None:
        self._halt.set()
