"""When a ticket is due: its escalation and reminder moments, in business hours if set."""

from __future__ import annotations

import functools
from datetime import datetime

from mailbaton.config import EscalationSettings, Settings
from mailbaton.hours import BusinessHours, deadline, from_settings
from mailbaton.store.models import Ticket


def business_clock(settings: Settings) -> BusinessHours | None:
    return _clock(settings.escalation)


@functools.lru_cache(maxsize=8)
def _clock(esc: EscalationSettings) -> BusinessHours | None:
    return from_settings(esc.business_hours, esc.timezone, esc.holidays)


def first_deadlines(settings: Settings, start: datetime) -> tuple[datetime, datetime | None]:
    """When a ticket opened at `start` escalates, and when its catcher is reminded."""
    hours = business_clock(settings)
    esc = settings.escalation
    escalate = deadline(start, esc.after, hours)
    remind = None
    if esc.remind_after is not None and esc.remind_after < esc.after:
        remind = deadline(start, esc.remind_after, hours)
    return escalate, remind


def set_deadlines(ticket: Ticket, settings: Settings, start: datetime) -> None:
    """Copied onto the ticket, so a later config change does not move a running clock."""
    ticket.deadline, ticket.remind_at = first_deadlines(settings, start)
    ticket.next_escalation_at = ticket.deadline


def following_escalation(settings: Settings, due_at: datetime, now: datetime) -> datetime | None:
    """When the level after the one due at `due_at` fires; None without repeat_every."""
    every = settings.escalation.repeat_every
    if every is None:
        return None
    hours = business_clock(settings)
    following = deadline(due_at, every, hours)
    if following <= now:  # missed while down: fire once now, then the normal rhythm
        following = deadline(now, every, hours)
    return following
