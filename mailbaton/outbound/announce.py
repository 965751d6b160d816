"""What a ticket's escalation and all-clear say in a chat channel, as the protocol's
#managers warning reads: "MB-12 'Acme renewal' from alice@... to jane@... is not caught
after 4 h". An Announce is a step of a Change, written by settle() after the move."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailbaton.clock import as_utc, humanize, iso
from mailbaton.outbound.context import display
from mailbaton.outbound.desk import Desk
from mailbaton.outbound.hooks import Alert, queue_hooks
from mailbaton.outbound.outbox import Channel
from mailbaton.outbound.people import first_name, person_name
from mailbaton.store.models import ACCEPTED, Outbox, Ticket


@dataclass(frozen=True)
class Announce:
    """Tell the [notify] channels about this ticket: "escalation" (extra: level, managers)
    or "all_clear" (extra: managers)."""

    event: str
    extra: dict[str, Any] = field(default_factory=dict, hash=False)


def announce(session: Session, desk: Desk, ticket: Ticket, step: Announce, now: datetime) -> int:
    """Queues the ticket's alert for every hook that takes it; once per ticket and level."""
    hooks = desk.settings.hooks
    if not hooks:
        return 0
    if step.event == "escalation":
        level = int(step.extra.get("level", ticket.escalations))
        alert = escalation_alert(ticket, desk, level, step.extra.get("managers", ()), now)
        key = f"{ticket.ref}:escalation:{level}"
    else:
        alert = all_clear_alert(ticket, desk, step.extra.get("managers", ()), now)
        key = f"{ticket.ref}:all_clear:{ticket.state}"
        # Only a channel that was told of the escalation hears that it is over.
        told = set(told_channels(session, ticket))
        hooks = tuple(h for h in hooks if h.name in told)
    return queue_hooks(session, hooks, alert, dedupe_key=key, now=now, ticket=ticket)


def told_channels(session: Session, ticket: Ticket) -> list[str]:
    """The [notify.NAME]s an escalation of this ticket was queued for."""
    rows = session.scalars(
        select(Outbox.rcpt_json).where(
            Outbox.ticket_id == ticket.id,
            Outbox.channel == Channel.WEBHOOK,
            Outbox.kind == "escalation webhook",
        )
    )
    return [name for row in rows for name in json.loads(row)]


def ticket_data(ticket: Ticket, now: datetime, managers: list[str]) -> dict[str, Any]:
    """The generic JSON receiver's fields: plain values, times in ISO 8601 UTC."""
    age = now - as_utc(ticket.created_at)
    return {
        "ticket": ticket.ref,
        "title": ticket.title,
        "state": ticket.state,
        "thrower": ticket.thrower,
        "catcher": ticket.catcher,
        "age": humanize(age),
        "age_seconds": int(age.total_seconds()),
        "created_at": iso(ticket.created_at),
        "deadline": iso(ticket.deadline),
        "due": ticket.due,
        "escalations": ticket.escalations or 0,
        "managers": managers,
    }


def escalation_alert(ticket: Ticket, desk: Desk, level: int, managers: Any, now: datetime) -> Alert:
    told = list(managers)
    age = humanize(now - as_utc(ticket.created_at))
    still = "still " if level > 1 else ""
    warning = f" (warning {level})" if level > 1 else ""
    headline = (
        f"{ticket.ref} '{ticket.title}' from {ticket.thrower} to {ticket.catcher or '?'} "
        f"is {still}not caught after {age}{warning}"
    )
    owner = person_name(ticket.thrower_name, ticket.thrower)
    lines = (
        f"Nobody has replied GOT IT, so the work is still in {owner}'s name.",
        "Managers told by mail: " + (", ".join(told) if told else "nobody configured") + ".",
    )
    return Alert("escalation", headline, lines, facts(ticket, desk), ticket_data(ticket, now, told))


def all_clear_alert(ticket: Ticket, desk: Desk, managers: Any, now: datetime) -> Alert:
    told = list(managers) or json.loads(ticket.escalated_to or "[]")
    age = humanize(now - as_utc(ticket.created_at))
    subject = f"All clear: {ticket.ref} '{ticket.title}'"
    if ticket.state == ACCEPTED:
        catcher = person_name(ticket.catcher_name, ticket.catcher or "")
        first = first_name(ticket.catcher_name, ticket.catcher or "")
        headline = f"{subject} was caught by {ticket.catcher} after {age}"
        line = f"{catcher} replied GOT IT; the work is in {first}'s name now."
    else:
        headline = f"{subject} was cancelled by {ticket.thrower} after {age}"
        reason = f" ({ticket.cancel_reason})" if ticket.cancel_reason else ""
        line = f"The thrower withdrew it{reason}: nobody needs to catch it."
    return Alert(
        "all_clear", headline, (line,), facts(ticket, desk), ticket_data(ticket, now, told)
    )


def facts(ticket: Ticket, desk: Desk) -> tuple[tuple[str, str], ...]:
    when = desk.composer.when
    facts = [
        ("Thrown by", display(ticket.thrower_name, ticket.thrower)),
        ("To catch", display(ticket.catcher_name, ticket.catcher or "") or "?"),
        ("Opened", when(ticket.created_at)),
        ("Deadline", when(ticket.deadline)),
    ]
    if ticket.due:
        facts.append(("Due", ticket.due))
    return tuple(facts)
