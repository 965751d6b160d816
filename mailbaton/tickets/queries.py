"""Tickets as the CLI shows them: SPEC section 9's JSON objects and the status table."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from mailbaton.clock import as_utc, humanize, iso
from mailbaton.store.models import ACCEPTED, PENDING, REJECTED, Outbox, Ticket


def owner(ticket: Ticket) -> str:
    """Whose name the work is in: the thrower's until the catcher says GOT IT."""
    if ticket.state == ACCEPTED and ticket.catcher:
        return ticket.catcher
    return ticket.thrower


def mail_problems(session: Session) -> dict[int, dict[str, int]]:
    """Per ticket: mails still waiting for the SMTP server, and mails it refused for good."""
    rows = session.execute(
        select(Outbox.ticket_id, Outbox.state, func.count())
        .where(Outbox.state.in_(("queued", "parked")), Outbox.ticket_id.is_not(None))
        .group_by(Outbox.ticket_id, Outbox.state)
    ).all()
    found: dict[int, dict[str, int]] = {}
    for ticket_id, state, count in rows:
        if ticket_id is not None:
            found.setdefault(ticket_id, {"queued": 0, "parked": 0})[state] = count
    return found


def ticket_json(
    ticket: Ticket, now: datetime, *, events: bool, mail: dict[str, int] | None = None
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": ticket.ref,
        "state": ticket.state,
        "title": ticket.title,
        "thrower": ticket.thrower,
        "catcher": ticket.catcher,
        "owner": owner(ticket),
        "created_at": iso(ticket.created_at),
        "age_seconds": int((now - as_utc(ticket.created_at)).total_seconds()),
        "deadline": iso(ticket.deadline),
        "accepted_at": iso(ticket.accepted_at),
        "refused_at": iso(ticket.refused_at),
        "refusal_reason": ticket.refusal_reason,
        "cancelled_at": iso(ticket.cancelled_at),
        "escalations": ticket.escalations,
        "due": ticket.due,
        "files": [a.filename for a in ticket.attachments],
        "mail_waiting": (mail or {}).get("queued", 0),
        "mail_undeliverable": (mail or {}).get("parked", 0),
    }
    if ticket.state == REJECTED:
        data["rejection_reasons"] = json.loads(ticket.rejection_reasons or "[]")
    if events:
        data["events"] = [
            {"at": iso(event.at), "kind": event.kind, "detail": event.detail}
            for event in ticket.events
        ]
    return data


def load_tickets(session: Session, *, include_closed: bool) -> list[Ticket]:
    query = select(Ticket).options(selectinload(Ticket.attachments)).order_by(Ticket.id)
    if not include_closed:
        query = query.where(Ticket.state == PENDING)
    return list(session.scalars(query))


def load_ticket(session: Session, ref: str) -> Ticket | None:
    query = select(Ticket).options(selectinload(Ticket.events), selectinload(Ticket.attachments))
    return session.scalars(query.where(Ticket.ref == ref.strip().upper())).one_or_none()


def mail_summary(problems: dict[int, dict[str, int]]) -> str:
    waiting = sum(p["queued"] for p in problems.values())
    parked = sum(p["parked"] for p in problems.values())
    if not waiting and not parked:
        return ""
    return (
        f"Outbox: {waiting} mail(s) waiting for the SMTP server, {parked} refused for "
        "good (the thrower was told; `show` has the details)."
    )


def status_table(tickets: list[Ticket], now: datetime, *, closed: bool = False) -> str:
    if not tickets:
        return "No tickets." if closed else "No open tickets."
    rows = [("ID", "STATE", "TITLE", "THROWER -> CATCHER", "OWNER", "AGE", "DEADLINE", "ESC")]
    for t in tickets:
        deadline = "-"
        if t.deadline is not None and t.state == PENDING:
            left = as_utc(t.deadline) - now
            deadline = f"in {humanize(left)}" if left.total_seconds() > 0 else "passed"
        rows.append(
            (
                t.ref,
                t.state,
                t.title if len(t.title) <= 40 else t.title[:39] + "…",
                f"{t.thrower} -> {t.catcher or '?'}",
                owner(t),
                humanize(now - as_utc(t.created_at)),
                deadline,
                str(t.escalations),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows
    )


def show_text(ticket: Ticket, now: datetime) -> str:
    data = ticket_json(ticket, now, events=True)
    lines = [
        f"{data['id']}  {data['title']}",
        f"  state:     {data['state']} (owner {data['owner']})",
        f"  thrower:   {data['thrower']}",
        f"  catcher:   {data['catcher'] or '-'}",
        f"  created:   {data['created_at']} ({humanize(now - as_utc(ticket.created_at))} ago)",
    ]
    if ticket.state != REJECTED:
        lines.append(f"  deadline:  {data['deadline']}")
        lines.append(f"  escalations: {data['escalations']}")
    if data["files"]:
        lines.append(f"  files:     {', '.join(data['files'])}")
    if data.get("rejection_reasons"):
        lines.append(f"  rejected:  {', '.join(data['rejection_reasons'])}")
    if data["accepted_at"]:
        lines.append(f"  accepted:  {data['accepted_at']}")
    if data["refusal_reason"]:
        lines.append(f"  refused:   {data['refused_at']}: {data['refusal_reason']}")
    lines.append("  timeline:")
    lines.extend(f"    {e['at']}  {e['kind']}: {e['detail']}" for e in data["events"])
    return "\n".join(lines)
