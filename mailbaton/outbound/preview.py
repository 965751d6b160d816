"""Sample data for `templates preview` and `templates check`, shaped like the real contexts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from mailbaton.config import Settings


def sample_ticket(settings: Settings) -> dict[str, Any]:
    created = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    domain = (settings.protocol.allowed_domains or ("example.com",))[0]
    return {
        "ref": f"{settings.protocol.ticket_prefix}-42",
        "state": "pending",
        "title": "Acme Corp - $50,000 contract ready to countersign",
        "thrower": f"alice@{domain}",
        "thrower_name": "Alice Smith",
        "thrower_display": f"Alice Smith <alice@{domain}>",
        "thrower_first": "Alice",
        "catcher": f"jane@{domain}",
        "catcher_name": "Jane Doe",
        "catcher_display": f"Jane Doe <jane@{domain}>",
        "catcher_first": "Jane",
        "due": "2026-11-27",
        "notes": "customer expects a call on Friday",
        "extra_fields": [("account", "ACME-0042")],
        "files": ["acme-contract.pdf"],
        "created_at": created,
        "deadline": created + settings.escalation.after,
    }


def sample_context(name: str, settings: Settings) -> dict[str, Any]:
    context: dict[str, Any] = {
        "ticket": sample_ticket(settings),
        "shared_address": settings.mailbox.address,
    }
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
    context.update(
        level=1, due_at=sample_ticket(settings)["deadline"], from_side="Sales", to_side="Ops"
    )
    context.update(
        failed_kind="request",
        failed_to="jane@example.com",
        problem="5.1.1 <jane@example.com>: Recipient address rejected",
    )
    context["elapsed"] = "1 h 12 min"
    context["refusal_reason"] = "no capacity this week, ask Bob"
    return context
