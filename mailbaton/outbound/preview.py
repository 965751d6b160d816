"""Sample data for `templates preview` and `templates check`, made by the real context code."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from mailbaton.config import Settings
from mailbaton.outbound.context import mail_context
from mailbaton.store.models import PENDING, StoredAttachment, Ticket

CREATED = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
# The sample ticket's number: 42 on screen; 0 in a mail that is sent (`templates
# send-test`), because numbering starts at 1 and reply lookup compares refs whole, so a
# reply to a test mail names no ticket there is ("[MB-42]" was a real ticket's tag).
PREVIEW_NUMBER, SENT_NUMBER = 42, 0


def sample(settings: Settings, number: int = PREVIEW_NUMBER) -> Ticket:
    """A pending ticket never stored: what a template sees is what a real one would give."""
    domain = (settings.protocol.allowed_domains or ("example.com",))[0]
    ticket = Ticket(
        ref=f"{settings.protocol.ticket_prefix}-{number}",
        state=PENDING,
        title="Acme Corp - $50,000 contract ready to countersign",
        thrower=f"alice@{domain}",
        thrower_name="Alice Smith",
        catcher=f"jane@{domain}",
        catcher_name="Jane Doe",
        due="2026-11-27",
        notes="customer expects a call on Friday",
        message=(
            "Hi Jane,\n\nplease countersign and call them before Friday; "
            "they asked for the signed copy by mail.\n\nThanks,\nAlice"
        ),
        fields_json=json.dumps({"account": "ACME-0042"}),
        created_at=CREATED,
        deadline=CREATED + settings.escalation.after,
        refusal_reason="no capacity this week, ask Bob",
    )
    ticket.attachments.append(
        StoredAttachment(filename="acme-contract.pdf", content_type="application/pdf", data=b"")
    )
    return ticket


def sample_context(name: str, settings: Settings, number: int = PREVIEW_NUMBER) -> dict[str, Any]:
    if name in ("alert", "recovery"):
        # About mailbaton itself, not a ticket: the health module's own context.
        from mailbaton.watch.alerts import sample_context as health_sample

        return health_sample(name, settings)
    ticket = sample(settings, number)
    if name == "cancelled":
        ticket.cancel_reason = "the customer signed the old version after all"
    # 1 h 12 min after opening: long enough that "elapsed" shows both units.
    context = mail_context(ticket, settings.mailbox.address, CREATED + timedelta(minutes=72))
    if name == "rejection":
        context.update(_rejection_sample(settings, number))
    if name == "digest":
        from mailbaton.tickets.digest import sample_digest  # tickets builds on outbound

        context.update(sample_digest(settings, CREATED))
    context.update(level=1, due_at=ticket.deadline, from_side="Sales", to_side="Ops")
    context.update(from_department="Sales", to_department="Ops")
    context.update(
        failed_kind="request",
        failed_to="jane@example.com",
        problem="5.1.1 <jane@example.com>: Recipient address rejected",
    )
    context.update(
        verdict="accept",
        manager_name="Maria Lopez",
        note="Got it, I'll chase Jane today.",
        handed_to=None,
        handed_from=None,
        announce_at=ticket.next_escalation_at or ticket.deadline,
    )
    return context


def ticket_sample(name: str, settings: Settings, ticket: Ticket, now: datetime) -> dict[str, Any]:
    """NAME as it would read about a real ticket: the ticket's own data, and from the
    sample only what exists at the moment of sending (a level, a manager's note)."""
    context = sample_context(name, settings)
    context.update(mail_context(ticket, settings.mailbox.address, now))
    if name == "rejection":
        codes = json.loads(ticket.rejection_reasons or "[]")
        context.update(
            ref=ticket.ref,
            title=ticket.title,
            thrower_name=context["ticket"]["thrower_first"],
            # The details of each reason were not kept; their names show in the sentence.
            reasons=[{"code": code, "params": {}} for code in codes] or context["reasons"],
        )
    return context


def _rejection_sample(settings: Settings, number: int) -> dict[str, Any]:
    domain = (settings.protocol.allowed_domains or ("example.com",))[0]
    rejected = 7 if number == PREVIEW_NUMBER else number
    return {
        "ref": f"{settings.protocol.ticket_prefix}-R{rejected}",
        "title": "Acme contract",
        "thrower_name": "Alice",
        "reasons": [
            {"code": "catcher_role", "params": {"address": f"sales@{domain}"}},
            {"code": "no_attachment", "params": {"inline_images": "1"}},
        ],
        # What example_values makes of that handoff: their title, a blank for the
        # catcher they got wrong, a due date ahead, no notes since they wrote none.
        "example": {
            "catcher": f"Full Name <first.last@{domain}>",
            "title": "Acme contract",
            "due": (CREATED + timedelta(days=7)).date().isoformat(),
            "notes": "",
        },
    }


def sample_variants(name: str, settings: Settings) -> dict[str, dict[str, Any]]:
    """The other faces of one mail, for previews and screenshots: a re-routed request, a
    confirmed refusal, a past Due date."""
    base = sample_context(name, settings)
    variants: dict[str, dict[str, Any]] = {}
    if name in ("request", "receipt"):
        previous = {
            "catcher_name": "Bob Stone",
            "reason": "no capacity this week, ask Jane",
            "by": None,
        }
        variants["rerouted"] = {**base, "previous": previous}
        late = {**base["ticket"], "due": "2026-11-20", "due_past": True}
        variants["due_past"] = {**base, "ticket": late}
    if name == "request":
        handed_by = {"manager_name": "Maria Lopez", "catcher_name": "Bob Stone"}
        variants["handed_on"] = {**base, "handed_by": handed_by}
    if name == "cancelled":
        variants["handed_on"] = {**base, "handed_to": "Bob Stone"}
    if name == "unclear":
        variants["thrower"] = {**base, "thrower_asked": "Due: Friday"}
    if name == "manager_note":
        moved = {**base["ticket"], "catcher_name": "Bob Stone", "catcher_first": "Bob"}
        handed = {"handed_to": "Bob Stone", "handed_from": "Jane Doe", "ticket": moved}
        variants["handed_on"] = {**base, **handed, "note": "Bob, please handle this one."}
    if name == "confirmed":
        variants["refuse"] = {**base, "verdict": "refuse"}
    return variants
