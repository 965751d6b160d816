"""Sample data for `templates preview` and `templates check`, made by the real context code."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from mailbaton.config import Settings
from mailbaton.outbound.context import mail_context, ticket_context
from mailbaton.store.models import PENDING, StoredAttachment, Ticket

CREATED = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def sample(settings: Settings) -> Ticket:
    """A pending ticket never stored: what a template sees is what a real one would give."""
    domain = (settings.protocol.allowed_domains or ("example.com",))[0]
    ticket = Ticket(
        ref=f"{settings.protocol.ticket_prefix}-42",
        state=PENDING,
        title="Acme Corp - $50,000 contract ready to countersign",
        thrower=f"alice@{domain}",
        thrower_name="Alice Smith",
        catcher=f"jane@{domain}",
        catcher_name="Jane Doe",
        due="2026-11-27",
        notes="customer expects a call on Friday",
        fields_json=json.dumps({"account": "ACME-0042"}),
        created_at=CREATED,
        deadline=CREATED + settings.escalation.after,
        refusal_reason="no capacity this week, ask Bob",
    )
    ticket.attachments.append(
        StoredAttachment(filename="acme-contract.pdf", content_type="application/pdf", data=b"")
    )
    return ticket


def sample_ticket(settings: Settings) -> dict[str, Any]:
    return ticket_context(sample(settings))


def sample_context(name: str, settings: Settings) -> dict[str, Any]:
    ticket = sample(settings)
    # 1 h 12 min after opening: long enough that "elapsed" shows both units.
    context = mail_context(ticket, settings.mailbox.address, CREATED + timedelta(minutes=72))
    if name == "rejection":
        domain = (settings.protocol.allowed_domains or ("example.com",))[0]
        context.update(
            ref=f"{settings.protocol.ticket_prefix}-R7",
            title="Acme contract",
            thrower_name="Alice",
            reasons=[
                {"code": "catcher_role", "params": {"address": f"sales@{domain}"}},
                {"code": "no_attachment", "params": {"inline_images": "1"}},
            ],
            example={
                "catcher": f"Jane Doe <jane.doe@{domain}>",
                "title": "Acme contract",
                "due": "2026-11-27",
                "notes": "customer expects a call on Friday",
            },
        )
    context.update(level=1, due_at=ticket.deadline, from_side="Sales", to_side="Ops")
    context.update(
        failed_kind="request",
        failed_to="jane@example.com",
        problem="5.1.1 <jane@example.com>: Recipient address rejected",
    )
    return context
