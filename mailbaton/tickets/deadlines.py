"""sweep(now): due reminders and escalations, each level claimed once across processes."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from fnmatch import fnmatchcase

from sqlalchemy import Update, and_, case, func, literal, null, select, update
from sqlalchemy.orm import Session

from mailbaton.config import Department, Settings
from mailbaton.outbound.announce import Announce
from mailbaton.outbound.desk import Desk, header_address
from mailbaton.outbound.notices import Notice
from mailbaton.outbound.outbox import MailState
from mailbaton.outbound.people import person_name
from mailbaton.store import leases
from mailbaton.store.db import Database
from mailbaton.store.leases import Worker
from mailbaton.store.models import PENDING, Lease, Outbox, Ticket, UTCDateTime
from mailbaton.tickets.addressing import catcher_address
from mailbaton.tickets.lookup import first_message_id, last_message_id
from mailbaton.tickets.people import seen_name
from mailbaton.tickets.schedule import following_escalation
from mailbaton.tickets.turn import Change, Note, Step, Turn, settle

log = logging.getLogger(__name__)


@dataclass
class SweepReport:
    escalated: int = 0
    reminded: int = 0


def department_of(address: str, departments: tuple[Department, ...]) -> Department | None:
    for department in departments:
        if any(fnmatchcase(address, pattern) for pattern in department.members):
            return department
    return None


def escalation_recipients(ticket: Ticket, settings: Settings) -> list[str]:
    """Managers of the thrower's and the catcher's departments, then the default list; once each."""
    found: list[str] = []
    for who in (ticket.thrower, ticket.catcher or ""):
        department = department_of(who, settings.departments)
        if department is not None:
            found.extend(department.managers)
    found.extend(settings.escalation.managers)
    return list(dict.fromkeys(found))


def department_label(address: str, settings: Settings) -> str:
    """'Sales' for a member of [departments.sales]; '' for someone in none."""
    department = department_of(address, settings.departments)
    return department.name.replace("_", " ").title() if department else ""


def side(address: str, name: str, settings: Settings) -> str:
    """Where a person stands: their department, else the person by name (a sentence never
    names someone by a bare address)."""
    return department_label(address, settings) or person_name(name, address)


# The lease one replica holds while it sweeps: the others skip their sweep meanwhile.
SWEEPER = "sweeper"


def sweep(
    db: Database, desk: Desk, now: datetime, limit: int = 500, worker: Worker | None = None
) -> SweepReport:
    """Due reminders and escalations, by one replica at a time (each level is also claimed
    on its own, so two sweeps could never send one twice; the lease spares the work)."""
    worker = worker or Worker.at(now)
    if SWEEPER not in leases.claim(db, worker, [SWEEPER]):
        return SweepReport()
    try:
        return _sweep(db, desk, now, limit)
    finally:
        leases.release(db, worker, [SWEEPER])


def _sweep(db: Database, desk: Desk, now: datetime, limit: int) -> SweepReport:
    report = SweepReport()
    with db.transaction() as session:
        due = session.execute(
            select(Ticket.id, Ticket.escalations, Ticket.next_escalation_at)
            .where(Ticket.state == PENDING, Ticket.next_escalation_at <= now)
            .order_by(Ticket.next_escalation_at)
            .limit(limit)
        ).all()
        reminders = session.scalars(
            select(Ticket.id).where(Ticket.state == PENDING, Ticket.remind_at <= now).limit(limit)
        ).all()
    # The managers' names, looked up once a sweep: every escalation goes to the same few.
    names: dict[str, str] = {}
    for ticket_id in reminders:
        with db.transaction() as session:
            if remind(Turn(session, desk, now), ticket_id):
                report.reminded += 1
    for ticket_id, level, due_at in due:
        with db.transaction() as session:
            if escalate(Turn(session, desk, now), ticket_id, level, due_at, names):
                report.escalated += 1
    return report


def claim(session: Session, claiming: Update) -> Ticket | None:
    """The ticket as a conditional UPDATE left it, read by the same statement (RETURNING),
    or None when the condition no longer held (another process claimed it first). Its
    files are read at once: loaded later, they would flush the timeline lines one by one."""
    ticket = session.scalars(
        claiming.returning(Ticket).execution_options(
            synchronize_session=False, populate_existing=True
        )
    ).one_or_none()
    if ticket is not None:
        ticket.attachments  # noqa: B018 (the load is the point)
    return ticket


def remind(turn: Turn, ticket_id: int) -> bool:
    """The catcher is reminded once, by whichever process claims the reminder; never once
    the moment it announces has come (the escalation says it then)."""
    now = turn.now
    escalation_first = and_(
        Ticket.next_escalation_at.is_not(None), Ticket.next_escalation_at <= now
    )
    ticket = claim(
        turn.session,
        update(Ticket)
        .where(Ticket.id == ticket_id, Ticket.state == PENDING, Ticket.remind_at <= now)
        .values(
            remind_at=None,
            reminded_at=case((escalation_first, null()), else_=literal(now, UTCDateTime())),
        ),
    )
    if ticket is None:
        return False
    announce_at = ticket.next_escalation_at
    if announce_at is not None and announce_at <= now:
        why = f"escalation due at {announce_at:%Y-%m-%d %H:%M} UTC comes first"
        settle(
            turn,
            ticket,
            Change(f"{ticket.ref}: reminder skipped", steps=(Note("reminder skipped", why),)),
        )
        return False
    request = last_message_id(turn.session, ticket, "request")
    notice = Notice(
        "reminder",
        (catcher_address(ticket),),
        in_reply_to=request,
        extra={"announce_at": announce_at},
    )
    steps = (Note("reminder", f"catcher {ticket.catcher} reminded"), notice)
    settle(turn, ticket, Change(f"{ticket.ref} reminded", steps=steps))
    return True


def escalate(
    turn: Turn,
    ticket_id: int,
    level: int,
    due_at: datetime | None = None,
    names: dict[str, str] | None = None,
) -> bool:
    """Level `level + 1` for a ticket still pending and due, claimed once across processes.
    `due_at`: its next_escalation_at as the sweep read it; `names`: names already looked up."""
    session, settings, now = turn.session, turn.desk.settings, turn.now
    if due_at is None:
        due_at = session.scalar(select(Ticket.next_escalation_at).where(Ticket.id == ticket_id))
        if due_at is None:
            return False
    ticket = claim(
        session,
        update(Ticket)
        .where(
            Ticket.id == ticket_id,
            Ticket.state == PENDING,
            Ticket.escalations == level,
            Ticket.next_escalation_at <= now,
        )
        .values(
            escalations=level + 1, next_escalation_at=following_escalation(settings, due_at, now)
        ),
    )
    if ticket is None:
        return False  # another process took this level, or the ticket moved on
    recipients = escalation_recipients(ticket, settings)
    warned = list(dict.fromkeys([*json.loads(ticket.escalated_to or "[]"), *recipients]))
    ticket.escalated_to = json.dumps(warned)
    # Every level and the all-clear answer the first warning: one thread per ticket.
    first = first_message_id(session, ticket, "escalation")
    names = {} if names is None else names
    for address in recipients:
        if address not in names:
            names[address] = seen_name(session, address)
    change = escalation(ticket, settings, level + 1, due_at, recipients, first, names)
    settle(turn, ticket, change)
    log.info("%s escalated (level %d) to %s", ticket.ref, level + 1, recipients)
    return True


def escalation(
    ticket: Ticket,
    settings: Settings,
    level: int,
    due_at: datetime,
    recipients: list[str],
    first: str | None = None,
    names: dict[str, str] | None = None,
) -> Change:
    """The managers hear which sides a stuck ticket sits between, and since when; `names`:
    a name seen for each, so the To line reads as people."""
    names = names or {}
    steps: tuple[Step, ...] = (
        Note("escalated", f"level {level} to {', '.join(recipients) or 'nobody configured'}"),
        # The #managers channel hears of it even where no manager gets mail.
        Announce("escalation", {"level": level, "managers": list(recipients)}),
    )
    if recipients:
        extra: dict[str, object] = {
            "level": level,
            "due_at": due_at,
            "from_side": side(ticket.thrower, ticket.thrower_name, settings),
            "to_side": side(ticket.catcher or "", ticket.catcher_name or "", settings),
            "from_department": department_label(ticket.thrower, settings),
            "to_department": department_label(ticket.catcher or "", settings),
        }
        to = tuple(header_address(names.get(a, ""), a) for a in recipients)
        thread = (first,) if first else ()
        steps = (
            *steps,
            Notice("escalation", to, in_reply_to=first, references=thread, extra=extra),
        )
    return Change(f"{ticket.ref} escalated to level {level}", steps=steps)


def next_due(db: Database) -> datetime | None:
    """The earliest moment anything is due: the daemon sleeps until then."""
    with db.transaction() as session:
        candidates = [
            session.scalar(
                select(func.min(Ticket.next_escalation_at)).where(Ticket.state == PENDING)
            ),
            session.scalar(select(func.min(Ticket.remind_at)).where(Ticket.state == PENDING)),
            session.scalar(
                select(func.min(Outbox.next_attempt_at)).where(Outbox.state == MailState.QUEUED)
            ),
            # Messages another replica claimed: if it dies, they are free at this moment.
            session.scalar(select(func.min(Lease.until)).where(Lease.name.like("inbound:%"))),
        ]
    found = [c for c in candidates if c is not None]
    return min(found) if found else None
