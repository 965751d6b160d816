"""sweep(now): due reminders and escalations, each level claimed once across processes."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from fnmatch import fnmatchcase

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from mailbaton.config import Department, Settings
from mailbaton.hours import deadline
from mailbaton.store.db import Database
from mailbaton.store.models import PENDING, Outbox, Ticket
from mailbaton.tickets.opening import (
    Desk,
    add_event,
    business_clock,
    catcher_address,
    header_address,
    last_message_id,
    send_mail,
)

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


def side(address: str, settings: Settings) -> str:
    """'Sales' for a member of [departments.sales]; the address for someone in none."""
    department = department_of(address, settings.departments)
    return department.name.replace("_", " ").title() if department else address


def sweep(db: Database, desk: Desk, now: datetime, limit: int = 500) -> SweepReport:
    report = SweepReport()
    with db.transaction() as session:
        due = session.execute(
            select(Ticket.id, Ticket.escalations)
            .where(Ticket.state == PENDING, Ticket.next_escalation_at <= now)
            .order_by(Ticket.next_escalation_at)
            .limit(limit)
        ).all()
        reminders = session.scalars(
            select(Ticket.id).where(Ticket.state == PENDING, Ticket.remind_at <= now).limit(limit)
        ).all()
    for ticket_id in reminders:
        with db.transaction() as session:
            if _remind(session, desk, ticket_id, now):
                report.reminded += 1
    for ticket_id, level in due:
        with db.transaction() as session:
            if _escalate(session, desk, ticket_id, level, now):
                report.escalated += 1
    return report


def _remind(session: Session, desk: Desk, ticket_id: int, now: datetime) -> bool:
    # Claim: only the process whose UPDATE matched sends it.
    claimed = session.execute(
        update(Ticket)
        .where(Ticket.id == ticket_id, Ticket.state == PENDING, Ticket.remind_at <= now)
        .values(remind_at=None, reminded_at=now)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return False
    ticket = session.get(Ticket, ticket_id)
    assert ticket is not None
    add_event(session, ticket, now, "reminder", f"catcher {ticket.catcher} reminded")
    send_mail(
        session,
        desk,
        ticket,
        now,
        "reminder",
        to=catcher_address(ticket),
        in_reply_to=last_message_id(session, ticket, "request"),
    )
    return True


def _escalate(session: Session, desk: Desk, ticket_id: int, level: int, now: datetime) -> bool:
    ticket = session.get(Ticket, ticket_id)
    if ticket is None or ticket.next_escalation_at is None:
        return False
    settings = desk.settings
    due_at = ticket.next_escalation_at
    following = None
    if settings.escalation.repeat_every is not None:
        hours = business_clock(settings)
        following = deadline(due_at, settings.escalation.repeat_every, hours)
        if following <= now:  # missed while down: fire once now, then the normal rhythm
            following = deadline(now, settings.escalation.repeat_every, hours)
    claimed = session.execute(
        update(Ticket)
        .where(Ticket.id == ticket_id, Ticket.state == PENDING, Ticket.escalations == level)
        .values(escalations=level + 1, next_escalation_at=following)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return False  # another process took this level, or the ticket moved on
    session.refresh(ticket)
    recipients = escalation_recipients(ticket, settings)
    warned = list(dict.fromkeys([*json.loads(ticket.escalated_to or "[]"), *recipients]))
    ticket.escalated_to = json.dumps(warned)
    add_event(
        session,
        ticket,
        now,
        "escalated",
        f"level {level + 1} to {', '.join(recipients) or 'nobody configured'}",
    )
    if recipients:
        send_mail(
            session,
            desk,
            ticket,
            now,
            "escalation",
            to=[header_address("", address) for address in recipients],
            extra=_escalation_context(ticket, settings, level + 1, due_at),
        )
    log.info("%s escalated (level %d) to %s", ticket.ref, level + 1, recipients)
    return True


def _escalation_context(
    ticket: Ticket, settings: Settings, level: int, due_at: datetime
) -> dict[str, object]:
    return {
        "level": level,
        "due_at": due_at,
        "from_side": side(ticket.thrower, settings),
        "to_side": side(ticket.catcher or "", settings),
    }


def next_due(db: Database) -> datetime | None:
    """The earliest moment anything is due: the daemon sleeps until then."""
    with db.transaction() as session:
        candidates = [
            session.scalar(
                select(func.min(Ticket.next_escalation_at)).where(Ticket.state == PENDING)
            ),
            session.scalar(select(func.min(Ticket.remind_at)).where(Ticket.state == PENDING)),
            session.scalar(
                select(func.min(Outbox.next_attempt_at)).where(Outbox.state == "queued")
            ),
        ]
    found = [c for c in candidates if c is not None]
    return min(found) if found else None
