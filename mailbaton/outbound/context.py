"""What templates may see: a ticket, its age and its refusal, as plain values."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from mailbaton.clock import as_utc, humanize
from mailbaton.config import Settings
from mailbaton.outbound.due import due_dates, is_past
from mailbaton.outbound.people import first_name, person_name, usable_name
from mailbaton.store.models import Ticket

if TYPE_CHECKING:
    # Only named: importing classify (its phrase tables, ~0.3 s) for `status` and `notify`
    # was a third of their start-up.
    from mailbaton.classify.handoff import Rejection

__all__ = [
    "KNOWN_FIELDS",
    "display",
    "first_name",
    "mail_context",
    "person_name",
    "rejection_context",
    "ticket_context",
]

KNOWN_FIELDS = ("title", "due", "notes", "catcher", "attached")


def display(name: str, addr: str) -> str:
    """'Jane Doe <jane@example.com>' for a line that shows the address too."""
    return f"{person_name(name, addr)} <{addr}>" if addr else usable_name(name)


def ticket_context(ticket: Ticket) -> dict[str, Any]:
    """What templates may see of a ticket: plain values only (they run sandboxed)."""
    fields = json.loads(ticket.fields_json or "{}")
    return {
        "ref": ticket.ref,
        "state": ticket.state,
        "title": ticket.title,
        "thrower": ticket.thrower,
        "thrower_name": person_name(ticket.thrower_name, ticket.thrower),
        "thrower_display": display(ticket.thrower_name, ticket.thrower),
        "thrower_first": first_name(ticket.thrower_name, ticket.thrower),
        "catcher": ticket.catcher or "",
        "catcher_name": person_name(ticket.catcher_name, ticket.catcher or ""),
        "catcher_display": display(ticket.catcher_name, ticket.catcher or ""),
        "catcher_first": first_name(ticket.catcher_name, ticket.catcher or ""),
        "due": ticket.due,
        # Judged against the day the ticket opened: a Due that was fine then is not "late".
        "due_past": is_past(ticket.due, as_utc(ticket.created_at).date()),
        "notes": ticket.notes,
        "message": ticket.message or "",
        "cancel_reason": ticket.cancel_reason or None,
        "extra_fields": [(k, v) for k, v in fields.items() if k not in KNOWN_FIELDS],
        "files": [a.filename for a in ticket.attachments],
        "created_at": ticket.created_at,
        "deadline": ticket.deadline,
    }


def mail_context(
    ticket: Ticket, shared_address: str, now: datetime, /, **extra: Any
) -> dict[str, Any]:
    """Everything a notice template renders from: the ticket, the desk's address, extras
    (which may replace any of it, e.g. `ticket` as someone saw it before a change)."""
    return {
        "ticket": ticket_context(ticket),
        "shared_address": shared_address,
        "elapsed": humanize(now - as_utc(ticket.created_at)),
        "refusal_reason": ticket.refusal_reason,
        # Set on a re-routed request: {"catcher_name": ..., "reason": ...} of who refused.
        "previous": None,
        # Set on a request a manager handed on: {"manager_name": ..., "catcher_name": ...}.
        "handed_by": None,
        "new_catcher_example": new_catcher_example(ticket, shared_address),
        **extra,
    }


def new_catcher_example(ticket: Ticket, shared_address: str) -> str:
    """A `Catcher:` value to show in "hand it to someone else" lines: never one of the two
    people already on the ticket (a thrower called Bob was shown himself)."""
    domain = shared_address.rpartition("@")[2] or "example.com"
    taken = {
        address.partition("@")[0].lower() for address in (ticket.thrower, ticket.catcher or "")
    }
    taken |= {
        name.split()[0].lower()
        for name in (ticket.thrower_name, ticket.catcher_name or "")
        if name and name.split()
    }
    for first in ("Bob", "Kim", "Sam"):
        if first.lower() not in taken:
            return f"{first} Example <{first.lower()}@{domain}>"
    return f"Full Name <first.last@{domain}>"


def example_values(rejection: Rejection, settings: Settings, today: date) -> dict[str, str]:
    """A filled-in handoff the thrower can copy, made of what they already wrote: the catcher
    they named (when that one is fine), their title and notes, their Due if it is ahead."""
    domain = (settings.protocol.allowed_domains or ("example.com",))[0]
    title = rejection.title if rejection.title != "(no title)" else ""
    due = rejection.fields.get("due") or ""
    if not due or is_past(due, today + timedelta(days=1)) or not due_dates(due, today):
        due = (today + timedelta(days=7)).isoformat()
    return {
        "catcher": _example_catcher(rejection, domain),
        "title": title or "what you are handing over, in a few words",
        "due": due,
        "notes": rejection.fields.get("notes") or "",
    }


def _example_catcher(rejection: Rejection, domain: str) -> str:
    """The catcher they named, unless that one is the mistake; then a blank to fill in."""
    bad = {r.params.get("address") for r in rejection.reasons if r.code.startswith("catcher_")}
    for catcher in rejection.catchers:
        if catcher.addr and catcher.addr not in bad and "@" in catcher.addr:
            return display(catcher.name, catcher.addr)
        name = usable_name(catcher.name) or usable_name(catcher.addr)
        # "Catcher: Jane Doe" with no address: their own person, with the address to add.
        if name and "@" not in catcher.addr and " " in name.strip():
            local = ".".join(name.lower().split())
            return f"{name} <{local}@{domain}>"
    return f"Full Name <first.last@{domain}>"


def rejection_context(
    ref: str, rejection: Rejection, settings: Settings, today: date
) -> dict[str, Any]:
    """The rejection template's extras: every reason with its details, and an example."""
    return {
        "ref": ref,
        "title": rejection.title,
        "thrower_name": first_name(rejection.thrower.name, rejection.thrower.addr),
        "reasons": [{"code": r.code, "params": r.params} for r in rejection.reasons],
        "example": example_values(rejection, settings, today),
    }
