"""Whether mailbaton can work: the last good poll, send and sign-in of each server.

Kept in the database (table `health`, one row per server), written by the daemon's passes
and read by `status`, `health` and the metrics: another process, or another replica, sees
the same. A failure is remembered from its first pass (`failing_since`) until the next
success; alerts.py mails the admins about it once it has lasted `alerts.after`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mailbaton.clock import as_utc, humanize, iso
from mailbaton.config import Settings, SharedMailbox
from mailbaton.outbound.outbox import Channel, MailState
from mailbaton.store.models import Health, Outbox
from mailbaton.transport.base import SignInFailed, TransportError

MAILBOX, SMTP = "mailbox", "smtp"
COMPONENTS = (MAILBOX, SMTP)
# A pass may take a while (a large mailbox, a slow server) before it records its poll.
SLACK = timedelta(minutes=1)


@dataclass(frozen=True)
class Outage:
    """A failure that has ended or is being reported: what failed, since when, why."""

    component: str
    since: datetime
    error: str
    sign_in: bool
    until: datetime | None = None


@dataclass(frozen=True)
class Watched:
    """One watched mailbox and the names of its two health rows."""

    box: SharedMailbox
    mailbox: str
    smtp: str


def watched(settings: Settings) -> list[Watched]:
    """One mailbox: rows "mailbox" and "smtp", as always; several: "mailbox:NAME" and
    "smtp:NAME" for each, so every line and alert says which one is failing."""
    boxes = settings.mailboxes
    if len(boxes) == 1:
        return [Watched(boxes[0], MAILBOX, SMTP)]
    return [Watched(box, f"{MAILBOX}:{box.name}", f"{SMTP}:{box.name}") for box in boxes]


def find(settings: Settings, component: str) -> Watched:
    """The mailbox a health row is about (the first, for a row no longer configured)."""
    found = [w for w in watched(settings) if component in (w.mailbox, w.smtp)]
    return found[0] if found else watched(settings)[0]


def former_name(settings: Settings, component: str) -> str | None:
    """The name the first mailbox's row had before the config went from one mailbox to
    several, or back ("mailbox" <-> "mailbox:NAME"); None for any other row."""
    first = watched(settings)[0]
    if component not in (first.mailbox, first.smtp):
        return None
    kind, _, named = component.partition(":")
    return kind if named else f"{kind}:{first.box.name}"


def adopt(session: Session, settings: Settings, component: str) -> None:
    """Carries the first mailbox's row over to its new name: an outage the admins were
    alerted about under the old name still gets its recovery mail, and its last poll and
    sign-in are not forgotten when a second mailbox is added."""
    former = former_name(settings, component)
    if former is None or session.get(Health, component) is not None:
        return
    try:
        with session.begin_nested():
            session.execute(
                update(Health).where(Health.component == former).values(component=component)
            )
    except IntegrityError:
        pass  # another replica adopted it, or made the new row, first


def poll_interval(settings: Settings) -> timedelta:
    """How often the daemon passes at the least: the shortest poll interval of any mailbox."""
    return min(box.mailbox.poll_interval for box in settings.mailboxes)


def rows(
    session: Session, components: Sequence[str] = COMPONENTS, found: dict[str, Health] | None = None
) -> dict[str, Health]:
    if found is None:
        found = {row.component: row for row in session.scalars(select(Health))}
    for component in components:  # a database migrated before any pass: nothing known yet
        found.setdefault(component, Health(component=component, sign_in_failed=False))
    return found


def note_ok(session: Session, component: str, now: datetime, signed_in: bool) -> Outage | None:
    """Records a success; returns the outage it ends if the admins were alerted about it
    (and only to one caller: the claim is a conditional UPDATE, safe across replicas)."""
    before = session.get(Health, component)
    ended = None
    if before is not None and before.alerted_at is not None and before.failing_since is not None:
        claimed = session.execute(
            update(Health)
            .where(Health.component == component, Health.alerted_at.is_not(None))
            .values(alerted_at=None)
        )
        if claimed.rowcount == 1:  # type: ignore[attr-defined]
            ended = Outage(
                component,
                before.failing_since,
                before.last_error or "",
                before.sign_in_failed,
                until=now,
            )
    values: dict[str, object] = {"last_ok_at": now, "failing_since": None, "last_error": None}
    values["sign_in_failed"] = False
    if signed_in:
        values["signed_in_at"] = now
    _write(session, component, values)
    return ended


def note_failure(session: Session, component: str, now: datetime, error: TransportError) -> Outage:
    """Records a failure; the outage it belongs to (started now, or earlier)."""
    before = session.get(Health, component)
    since = before.failing_since if before is not None else None
    text = str(error)[:1000]
    sign_in = isinstance(error, SignInFailed)
    values: dict[str, object] = {"last_failed_at": now, "last_error": text}
    values["sign_in_failed"] = sign_in
    if since is None:
        # Only the first failure starts the outage (another replica may have started it).
        session.execute(
            update(Health)
            .where(Health.component == component, Health.failing_since.is_(None))
            .values(failing_since=now)
        )
        since = now
    _write(session, component, values, failing_since=now)
    started = session.scalar(select(Health.failing_since).where(Health.component == component))
    return Outage(component, as_utc(started) if started else since, text, sign_in)


def claim_alert(session: Session, component: str, now: datetime, after: timedelta) -> bool:
    """True for exactly one caller once an outage has lasted `after` (across replicas)."""
    claimed = session.execute(
        update(Health)
        .where(
            Health.component == component,
            Health.failing_since <= now - after,
            Health.alerted_at.is_(None),
        )
        .values(alerted_at=now)
    )
    return bool(claimed.rowcount == 1)  # type: ignore[attr-defined]


def _write(session: Session, component: str, values: dict[str, object], **first: object) -> None:
    """Updates the row; makes it (with `first` too) where it is missing: the migration
    makes both, but a database emptied by hand (or by a test) has none."""
    change = update(Health).where(Health.component == component).values(**values)
    if session.execute(change).rowcount == 0:  # type: ignore[attr-defined]
        try:
            with session.begin_nested():
                session.add(
                    Health(component=component, **{"sign_in_failed": False, **first, **values})
                )
        except IntegrityError:
            # Another replica made the row between our UPDATE and INSERT: write over it.
            session.execute(change)


# -- reading: what status, `health` and the metrics show -----------------------------------


@dataclass(frozen=True)
class Reading:
    """One server as a person needs to know it: fine, failing, or not heard from lately."""

    component: str
    state: str  # "ok" | "failing" | "stale" | "unknown"
    summary: str
    last_ok_at: datetime | None
    signed_in_at: datetime | None
    failing_since: datetime | None
    last_error: str | None
    sign_in_failed: bool
    alerted_at: datetime | None
    waiting: int = 0
    oldest_waiting_at: datetime | None = None

    def as_json(self) -> dict[str, object]:
        return {
            "component": self.component,
            "state": self.state,
            "summary": self.summary,
            "last_ok_at": iso(self.last_ok_at),
            "signed_in_at": iso(self.signed_in_at),
            "failing_since": iso(self.failing_since),
            "last_error": self.last_error,
            "sign_in_failed": self.sign_in_failed,
            "alerted_at": iso(self.alerted_at),
            "waiting": self.waiting,
            "oldest_waiting_at": iso(self.oldest_waiting_at),
        }


def poll_due_within(settings: Settings) -> timedelta:
    """A poll older than this is late: the daemon passes at least every poll_interval, so
    three missed in a row (plus a slow pass) means it is stuck, stopped, or cannot read."""
    return poll_interval(settings) * 3 + SLACK


def send_due_within(settings: Settings) -> timedelta:
    """Mail waiting longer than this is late: the outbox retries at least every 10 min."""
    return max(timedelta(minutes=10) + poll_interval(settings) * 2, poll_due_within(settings))


def read(session: Session, settings: Settings, now: datetime) -> list[Reading]:
    boxes = watched(settings)
    found = rows(session, ())
    for name in (boxes[0].mailbox, boxes[0].smtp):
        former = former_name(settings, name)
        if name not in found and former in found:  # no pass since a mailbox was added
            found[name] = _renamed(found[former], name)
    found = rows(session, [name for w in boxes for name in (w.mailbox, w.smtp)], found)
    queued = session.execute(
        select(Outbox.mail_from, func.count(), func.min(Outbox.created_at))
        .where(Outbox.state == MailState.QUEUED, Outbox.channel == Channel.MAIL)
        .group_by(Outbox.mail_from)
    ).all()
    # Each mailbox's queue: the mail sent From its address (the first takes any other).
    waiting = {w.box.name: 0 for w in boxes}
    oldest: dict[str, datetime] = {}
    for mail_from, count, first in queued:
        name = settings.mailbox_for(mail_from).name
        waiting[name] += int(count or 0)
        if first is not None:
            oldest[name] = min(oldest.get(name, as_utc(first)), as_utc(first))
    readings: list[Reading] = []
    for w in boxes:
        name = w.box.name
        readings.append(_mailbox(found[w.mailbox], settings, now))
        readings.append(_smtp(found[w.smtp], settings, now, waiting[name], oldest.get(name)))
    return readings


def _renamed(row: Health, component: str) -> Health:
    """A detached copy of `row` under another name, for reading only."""
    columns = {column.key: getattr(row, column.key) for column in Health.__table__.columns}
    return Health(**{**columns, "component": component})


def _reading(row: Health, state: str, summary: str, **extra: object) -> Reading:
    return Reading(
        row.component,
        state,
        summary,
        row.last_ok_at,
        row.signed_in_at,
        row.failing_since,
        row.last_error,
        bool(row.sign_in_failed),
        row.alerted_at,
        **extra,  # type: ignore[arg-type]
    )


def _ago(moment: datetime | None, now: datetime) -> str:
    return "never" if moment is None else f"{humanize(now - as_utc(moment))} ago"


def _failing(row: Health, now: datetime) -> str:
    since = row.failing_since or now
    kind = "sign-in refused" if row.sign_in_failed else "failing"
    text = f"{kind} for {humanize(now - since)} (since {iso(since)}): {row.last_error}"
    if row.alerted_at is not None:
        text += f"; admins alerted {_ago(row.alerted_at, now)}"
    return text


def _mailbox(row: Health, settings: Settings, now: datetime) -> Reading:
    if row.failing_since is not None:
        summary = _failing(row, now) + f"; last good poll {_ago(row.last_ok_at, now)}"
        return _reading(row, "failing", summary)
    if row.last_ok_at is None:
        return _reading(row, "unknown", "no poll recorded yet (is `mailbaton run` running?)")
    late = now - row.last_ok_at > poll_due_within(settings)
    summary = f"last poll {_ago(row.last_ok_at, now)}"
    if late:
        due = humanize(poll_due_within(settings))
        summary += f": older than {due} (is `mailbaton run` running?)"
    summary += f"; last sign-in {_ago(row.signed_in_at, now)}"
    return _reading(row, "stale" if late else "ok", summary)


def _smtp(
    row: Health, settings: Settings, now: datetime, waiting: int, oldest: datetime | None
) -> Reading:
    extra = {"waiting": waiting, "oldest_waiting_at": oldest}
    queue = f"{waiting} mail(s) waiting" if waiting else "nothing waiting"
    if oldest is not None:
        queue += f", the oldest queued {_ago(oldest, now)}"
    if row.failing_since is not None:
        return _reading(row, "failing", _failing(row, now) + f"; {queue}", **extra)
    summary = f"last send {_ago(row.last_ok_at, now)}; {queue}"
    # Sending only matters when there is mail to send: a quiet outbox is not late.
    late = oldest is not None and now - oldest > send_due_within(settings)
    if late:
        summary += f": older than {humanize(send_due_within(settings))}"
    if row.last_ok_at is None and not late:
        return _reading(row, "unknown" if waiting else "ok", summary, **extra)
    return _reading(row, "stale" if late else "ok", summary, **extra)


def healthy(readings: list[Reading]) -> bool:
    return all(r.state in ("ok", "unknown") for r in readings)


def report(
    session: Session, settings: Settings, now: datetime, *, as_json: bool
) -> tuple[str, bool]:
    """What `mailbaton health [--json]` prints, and whether all is well."""
    readings = read(session, settings, now)
    ok = healthy(readings)
    if as_json:
        return json.dumps({"ok": ok, "health": [r.as_json() for r in readings]}, indent=2), ok
    return "\n".join(lines(readings)), ok


def lines(readings: list[Reading]) -> list[str]:
    """The health block `status` prints above the tickets."""
    marks = {"ok": "ok", "unknown": "?", "stale": "LATE", "failing": "FAILING"}
    width = max([8, *(len(r.component) for r in readings)])
    return [f"{r.component:<{width}} {marks[r.state]:<8} {r.summary}" for r in readings]
