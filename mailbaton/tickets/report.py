"""The work between departments, counted: `mailbaton report` and the digest read these figures.

Every live ticket opened in the window counts once, by the state it is in now, under three
headings: the thrower's department (handoffs sent), the catcher's department (handoffs
received) and the catcher. A re-routed ticket counts under the catcher it has now. Rejected
handoffs never became tickets and are not counted. Time to GOT IT runs from the ticket's
opening to the GOT IT, in clock time (not business hours): how long the work sat in the
thrower's name. The median is the usual one (the mean of the middle two for an even count);
p90 is the nearest rank, the ceil(0.9 * n)-th shortest wait, so it is always a real wait.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailbaton.clock import as_utc
from mailbaton.config import Department
from mailbaton.store.models import ACCEPTED, CANCELLED, PENDING, REFUSED, REJECTED, Ticket
from mailbaton.tickets.deadlines import department_of

# Rows read per round trip: a year of tickets is never held in memory at once.
BATCH = 1000


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def p90(values: list[float]) -> float | None:
    """Nearest rank: the smallest wait that at least 90% of the waits do not exceed."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[math.ceil(0.9 * len(ordered)) - 1]


@dataclass
class Figures:
    """One row of the report: how the handoffs of one department (or catcher) went."""

    handoffs: int = 0
    accepted: int = 0
    refused: int = 0
    cancelled: int = 0
    pending: int = 0
    escalated: int = 0
    waits: list[float] = field(default_factory=list, repr=False)

    def add(self, state: str, escalations: int, wait: float | None) -> None:
        self.handoffs += 1
        if state == ACCEPTED:
            self.accepted += 1
        elif state == REFUSED:
            self.refused += 1
        elif state == CANCELLED:
            self.cancelled += 1
        elif state == PENDING:
            self.pending += 1
        if escalations > 0:
            self.escalated += 1
        if wait is not None:
            self.waits.append(wait)

    @property
    def got_it_median(self) -> float | None:
        """Seconds from opening to GOT IT, the median over the accepted tickets."""
        return median(self.waits)

    @property
    def got_it_p90(self) -> float | None:
        return p90(self.waits)


@dataclass(frozen=True)
class OpenTicket:
    """A pending ticket: the work is still in the thrower's name."""

    ref: str
    title: str
    thrower: str
    thrower_name: str
    catcher: str
    catcher_name: str
    thrower_department: str | None
    catcher_department: str | None
    created_at: datetime
    deadline: datetime | None
    escalations: int

    def age(self, now: datetime) -> timedelta:
        return now - self.created_at

    def overdue(self, now: datetime) -> bool:
        return self.deadline is not None and self.deadline <= now


@dataclass
class Report:
    since: datetime
    until: datetime
    # Department name (None: in no department) -> figures; every configured one is listed.
    sent: dict[str | None, Figures]
    received: dict[str | None, Figures]
    # Catcher address -> (their department, figures).
    catchers: dict[str, tuple[str | None, Figures]]
    open: list[OpenTicket]

    @property
    def total(self) -> Figures:
        """Every ticket once (the sent rows, which count each ticket exactly once)."""
        total = Figures()
        for row in self.sent.values():
            total.handoffs += row.handoffs
            total.accepted += row.accepted
            total.refused += row.refused
            total.cancelled += row.cancelled
            total.pending += row.pending
            total.escalated += row.escalated
            total.waits.extend(row.waits)
        return total


def build(
    session: Session,
    departments: tuple[Department, ...],
    since: datetime,
    until: datetime,
) -> Report:
    """The figures for tickets opened in [since, until), and every ticket still pending."""
    sent: dict[str | None, Figures] = {d.name: Figures() for d in departments}
    received: dict[str | None, Figures] = {d.name: Figures() for d in departments}
    catchers: dict[str, tuple[str | None, Figures]] = {}
    names = Departments(departments)
    query = (
        select(
            Ticket.state, Ticket.thrower, Ticket.catcher, Ticket.created_at,
            Ticket.accepted_at, Ticket.escalations,
        )
        .where(Ticket.state != REJECTED, Ticket.created_at >= since, Ticket.created_at < until)
        .execution_options(yield_per=BATCH)
    )  # fmt: skip
    for state, thrower, catcher, created, accepted, escalations in session.execute(query):
        wait = None
        if state == ACCEPTED and accepted is not None:
            wait = (as_utc(accepted) - as_utc(created)).total_seconds()
        catcher = catcher or ""
        sent.setdefault(names.of(thrower), Figures()).add(state, escalations, wait)
        received.setdefault(names.of(catcher), Figures()).add(state, escalations, wait)
        if catcher not in catchers:
            catchers[catcher] = (names.of(catcher), Figures())
        catchers[catcher][1].add(state, escalations, wait)
    return Report(since, until, sent, received, catchers, list(open_tickets(session, names)))


class Departments:
    """Address -> department name, each address looked up once (patterns are fnmatch)."""

    def __init__(self, departments: tuple[Department, ...]) -> None:
        self.departments = departments
        self.seen: dict[str, str | None] = {}

    def of(self, address: str) -> str | None:
        # The address as stored, matched as the escalation matches it: the same department.
        if address not in self.seen:
            found = department_of(address, self.departments)
            self.seen[address] = found.name if found else None
        return self.seen[address]


def open_tickets(session: Session, names: Departments) -> Iterable[OpenTicket]:
    """Pending tickets, oldest first."""
    query = (
        select(Ticket)
        .where(Ticket.state == PENDING)
        .order_by(Ticket.created_at, Ticket.id)
        .execution_options(yield_per=BATCH)
    )
    for ticket in session.scalars(query):
        catcher = ticket.catcher or ""
        yield OpenTicket(
            ref=ticket.ref,
            title=ticket.title,
            thrower=ticket.thrower,
            thrower_name=ticket.thrower_name,
            catcher=catcher,
            catcher_name=ticket.catcher_name,
            thrower_department=names.of(ticket.thrower),
            catcher_department=names.of(catcher),
            created_at=as_utc(ticket.created_at),
            deadline=as_utc(ticket.deadline) if ticket.deadline else None,
            escalations=ticket.escalations,
        )
