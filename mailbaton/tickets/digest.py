"""The digest ([digest] in config.toml): each department's managers hear, daily or weekly,
which handoffs still wait for a GOT IT (overdue first) and how the last period went.

The schedule is a time of day (and a weekday) in escalation.timezone. A pass sends the
digest of the latest scheduled moment at or before its `now` once: its outbox row carries a
dedupe key naming the department and that moment, and a Message-ID made from the same two,
which the outbox keeps unique; so a restart, a second `run --once` or a second replica
finds it already queued and sends nothing. A digest missed while the service was down goes
out on the next pass if that comes within half a period (a daily 08:00 digest until 20:00,
a weekly one for three and a half days); later than that, or on the day the digest is first
switched on, the next scheduled moment sends the next one. Never a backlog.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mailbaton.clock import as_utc, humanize, iso
from mailbaton.config import Settings
from mailbaton.config.schema import WEEKDAYS, DigestSettings
from mailbaton.outbound import outbox
from mailbaton.outbound.compose import TemplateProblem
from mailbaton.outbound.desk import Desk, header_address
from mailbaton.outbound.people import person_name
from mailbaton.store.db import Database
from mailbaton.store.models import Outbox
from mailbaton.tickets.people import seen_name
from mailbaton.tickets.report import Figures, OpenTicket, Report, build

log = logging.getLogger(__name__)

# A manager reads a list, not a ledger: past this many, the mail says how many more.
MAX_LISTED = 30
EVERYONE = "*"


@dataclass(frozen=True)
class Slots:
    """The scheduled moments around `now`, in UTC: the digest at `last` covers [previous, last)."""

    previous: datetime
    last: datetime
    next: datetime


def slots(digest: DigestSettings, timezone: str, now: datetime) -> Slots | None:
    """None when the digest is off."""
    if digest.every == "off":
        return None
    zone = ZoneInfo(timezone)
    hour, minute = (int(part) for part in digest.at.split(":"))
    step = timedelta(days=7 if digest.every == "weekly" else 1)

    def at(day: date) -> datetime:
        return datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(UTC)

    day = as_utc(now).astimezone(zone).date()
    if digest.every == "weekly":
        day -= timedelta(days=(day.weekday() - WEEKDAYS.index(digest.weekday)) % 7)
    if at(day) > now:
        day -= step
    return Slots(previous=at(day - step), last=at(day), next=at(day + step))


def next_digest(settings: Settings, now: datetime) -> datetime | None:
    """When the daemon must wake for the next digest (None: the digest is off)."""
    found = slots(settings.digest, settings.escalation.timezone, now)
    return found.next if found else None


@dataclass(frozen=True)
class Scope:
    """Whose digest: one department (its managers), or every department (EVERYONE)."""

    key: str
    label: str
    recipients: tuple[str, ...]


def label(department: str) -> str:
    return department.replace("_", " ").title()


def scopes(settings: Settings) -> list[Scope]:
    """Each department's managers get its digest; escalation.managers, who hear of every
    escalation, get one digest of every department instead (never both)."""
    everyone = settings.escalation.managers
    found = []
    for department in settings.departments:
        managers = tuple(m for m in department.managers if m not in everyone)
        if managers:
            found.append(Scope(department.name, label(department.name), managers))
    if everyone:
        found.append(Scope(EVERYONE, "every department", everyone))
    return found


def dedupe_key(scope: Scope, slot: datetime) -> str:
    return f"digest:{scope.key}:{iso(slot)}"


def message_id(scope: Scope, slot: datetime, domain: str) -> str:
    """The same for one department and moment in every process: the outbox keeps it unique."""
    safe = "all" if scope.key == EVERYONE else re.sub(r"[^A-Za-z0-9-]", "-", scope.key)[:40]
    digest = hashlib.sha256(scope.key.encode()).hexdigest()[:8]
    # REF.KIND.unique@domain, as every mailbaton Message-ID reads.
    return f"digest.digest.{safe}-{digest}-{as_utc(slot):%Y%m%dT%H%MZ}@{domain}"


def due(session: Session, settings: Settings, now: datetime) -> tuple[Slots | None, list[Scope]]:
    """The moment whose digests are due at `now`, and the departments still owed one."""
    found = slots(settings.digest, settings.escalation.timezone, now)
    if found is None or now - found.last > (found.last - found.previous) / 2:
        return None, []
    return found, [s for s in scopes(settings) if not _queued(session, dedupe_key(s, found.last))]


def send_due(db: Database, desk: Desk, now: datetime) -> int:
    """Queues the digests due at `now` that no process has queued yet; how many were."""
    settings = desk.settings
    with db.transaction() as session:
        found, todo = due(session, settings, now)
        if found is None or not todo:
            return 0
        figures = build(session, settings.departments, found.previous, found.last)
        names = {a: seen_name(session, a) for s in todo for a in s.recipients}
    queued = 0
    for scope in todo:
        context = digest_context(scope, settings, found, figures, now)
        try:
            with db.transaction() as session:
                if _queued(session, dedupe_key(scope, found.last)):
                    continue
                _enqueue(session, desk, scope, found.last, context, names, now)
            queued += 1
        except IntegrityError:  # another replica queued the same digest a moment ago
            log.info("digest for %s at %s: already queued elsewhere", scope.label, found.last)
        except TemplateProblem as error:  # an admin's digest template: the pass goes on
            log.error("digest for %s not sent: %s", scope.label, error)
    return queued


def answers_a_digest(session: Session, message_ids: tuple[str, ...]) -> bool:
    """A reply in a digest's thread: a manager's "thanks" is no handoff, and must not be
    answered with a rejection."""
    if not message_ids:
        return False
    found = select(Outbox.id).where(Outbox.kind == "digest", Outbox.message_id.in_(message_ids))
    return session.scalar(found.limit(1)) is not None


def _queued(session: Session, key: str) -> bool:
    return session.scalar(select(Outbox.id).where(Outbox.dedupe_key == key).limit(1)) is not None


def _enqueue(
    session: Session,
    desk: Desk,
    scope: Scope,
    slot: datetime,
    context: dict[str, Any],
    names: dict[str, str],
    now: datetime,
) -> None:
    to = [header_address(names.get(a, ""), a) for a in scope.recipients]
    message = desk.composer.build(
        "digest", context, sender=desk.sender, to=to, now=now, ref="digest"
    )
    del message["Message-ID"]
    message["Message-ID"] = f"<{message_id(scope, slot, desk.sender.domain)}>"
    mail_from = desk.settings.mailbox.address
    key = dedupe_key(scope, slot)
    outbox.enqueue(session, message, kind="digest", mail_from=mail_from, now=now, dedupe_key=key)
    session.flush()  # a Message-ID another process took fails here, inside the try
    log.info("digest for %s queued to %s", scope.label, ", ".join(scope.recipients))


def figure_row(title: str, row: Figures) -> dict[str, Any]:
    def wait(seconds: float | None) -> str | None:
        return None if seconds is None else humanize(timedelta(seconds=seconds))

    return {
        "label": title,
        "handoffs": row.handoffs,
        "accepted": row.accepted,
        "refused": row.refused,
        "cancelled": row.cancelled,
        "pending": row.pending,
        "escalated": row.escalated,
        "median": wait(row.got_it_median),
        "p90": wait(row.got_it_p90),
    }


def open_row(ticket: OpenTicket, now: datetime) -> dict[str, Any]:
    return {
        "ref": ticket.ref,
        "title": ticket.title,
        "thrower_name": person_name(ticket.thrower_name, ticket.thrower),
        "catcher_name": person_name(ticket.catcher_name, ticket.catcher),
        "from_side": label(ticket.thrower_department or "") or "no department",
        "to_side": label(ticket.catcher_department or "") or "no department",
        "age": humanize(ticket.age(now)),
        "overdue": ticket.overdue(now),
        "deadline": ticket.deadline,
    }


def digest_context(
    scope: Scope, settings: Settings, when: Slots, figures: Report, now: datetime
) -> dict[str, Any]:
    """What the digest template sees: plain values only (templates run sandboxed)."""
    if scope.key == EVERYONE:
        rows = [figure_row("All handoffs", figures.total)]
        waiting = figures.open
    else:
        name = scope.label
        sent, received = figures.sent.get(scope.key), figures.received.get(scope.key)
        rows = [
            figure_row(f"Sent by {name}", sent or Figures()),
            figure_row(f"Received by {name}", received or Figures()),
        ]
        waiting = [
            t for t in figures.open if scope.key in (t.thrower_department, t.catcher_department)
        ]
    ordered = sorted(waiting, key=lambda t: not t.overdue(now))  # stable: oldest first within
    return {
        "scope": scope.label,
        "every": settings.digest.every,
        "period_start": when.previous,
        "period_end": when.last,
        "open": [open_row(t, now) for t in ordered[:MAX_LISTED]],
        "open_count": len(ordered),
        "overdue_count": sum(1 for t in ordered if t.overdue(now)),
        "more": max(len(ordered) - MAX_LISTED, 0),
        "figures": rows,
        "shared_address": settings.mailbox.address,
    }


def sample_digest(settings: Settings, now: datetime) -> dict[str, Any]:
    """The digest's preview: Sales' day, made by the same code as a real one."""
    hour = timedelta(hours=1)
    sent = Figures(12, 8, 2, 1, 1, 3, waits=[h * 3600.0 for h in (0.5, 1, 1, 2, 2, 3, 5, 7)])
    received = Figures(5, 4, 1, 0, 0, 1, waits=[h * 3600.0 for h in (1, 2, 2, 4)])

    def waiting(n: int, title: str, age: timedelta, catcher: str, side: str) -> OpenTicket:
        opened = now - age
        deadline = opened + settings.escalation.after
        return OpenTicket(
            f"{settings.protocol.ticket_prefix}-{n}", title, "alice@example.com",
            "Alice Smith", f"{catcher.split()[0].lower()}@example.com", catcher, "sales",
            side, opened, deadline, 1 if deadline <= now else 0,
        )  # fmt: skip

    figures = Report(
        since=now - 24 * hour,
        until=now,
        sent={"sales": sent},
        received={"sales": received},
        catchers={},
        open=[
            waiting(38, "Initech onboarding call notes", 50 * hour, "Bob Stone", "finance"),
            waiting(41, "Globex renewal - pricing sign-off", 27 * hour, "Jane Doe", "ops"),
            waiting(
                42, "Acme Corp - $50,000 contract ready to countersign", hour, "Jane Doe", "ops"
            ),
        ],
    )
    when = Slots(previous=now - 24 * hour, last=now, next=now + 24 * hour)
    scope = Scope("sales", "Sales", ("head-of-sales@example.com",))
    return digest_context(scope, settings, when, figures, now)
