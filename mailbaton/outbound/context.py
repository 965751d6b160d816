"""What templates may see: a ticket, its age and its refusal, as plain values."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from mailbaton.classify.handoff import Rejection
from mailbaton.clock import as_utc, humanize
from mailbaton.config import Settings
from mailbaton.store.models import Ticket

KNOWN_FIELDS = ("title", "due", "notes", "catcher", "attached")


def first_name(name: str, addr: str) -> str:
    return name.split()[0].strip(",") if name.strip() else addr


def display(name: str, addr: str) -> str:
    return f"{name} <{addr}>" if name else addr


def ticket_context(ticket: Ticket) -> dict[str, Any]:
    """What templates may see of a ticket: plain values only (they run sandboxed)."""
    fields = json.loads(ticket.fields_json or "{}")
    return {
        "ref": ticket.ref,
        "state": ticket.state,
        "title": ticket.title,
        "thrower": ticket.thrower,
        "thrower_name": ticket.thrower_name or ticket.thrower,
        "thrower_display": display(ticket.thrower_name, ticket.thrower),
        "thrower_first": first_name(ticket.thrower_name, ticket.thrower),
        "catcher": ticket.catcher or "",
        "catcher_name": ticket.catcher_name or ticket.catcher or "",
        "catcher_display": display(ticket.catcher_name, ticket.catcher or ""),
        "catcher_first": first_name(ticket.catcher_name, ticket.catcher or ""),
        "due": ticket.due,
        "notes": ticket.notes,
        "extra_fields": [(k, v) for k, v in fields.items() if k not in KNOWN_FIELDS],
        "files": [a.filename for a in ticket.attachments],
        "created_at": ticket.created_at,
        "deadline": ticket.deadline,
    }


def mail_context(
    ticket: Ticket, shared_address: str, now: datetime, **extra: Any
) -> dict[str, Any]:
    """Everything a notice template renders from: the ticket, the desk's address, extras."""
    return {
        "ticket": ticket_context(ticket),
        "shared_address": shared_address,
        "elapsed": humanize(now - as_utc(ticket.created_at)),
        "refusal_reason": ticket.refusal_reason,
        **extra,
    }


def example_values(rejection: Rejection, settings: Settings) -> dict[str, str]:
    """A filled-in handoff the thrower can copy, reusing what they already wrote."""
    domain = (settings.protocol.allowed_domains or ("example.com",))[0]
    title = rejection.title if rejection.title != "(no title)" else ""
    return {
        "catcher": f"Jane Doe <jane.doe@{domain}>",
        "title": title or "Acme Corp - $50,000 contract ready to countersign",
        "due": rejection.fields.get("due") or "2026-11-27",
        "notes": rejection.fields.get("notes") or "customer expects a call on Friday",
    }


def rejection_context(ref: str, rejection: Rejection, settings: Settings) -> dict[str, Any]:
    """The rejection template's extras: every reason with its details, and an example."""
    return {
        "ref": ref,
        "title": rejection.title,
        "thrower_name": first_name(rejection.thrower.name, rejection.thrower.addr),
        "reasons": [{"code": r.code, "params": r.params} for r in rejection.reasons],
        "example": example_values(rejection, settings),
    }
