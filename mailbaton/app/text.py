"""Tickets as a person reads them in a terminal: the status table, one ticket, the outbox."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from mailbaton.clock import as_utc, humanize, iso
from mailbaton.outbound.outbox import HeldAnswers
from mailbaton.store.models import PENDING, REJECTED, Ticket
from mailbaton.tickets.queries import MailProblems, TicketLine, owner, ticket_json

TITLE_WIDTH = 40


def mail_summary(problems: dict[int, dict[str, int]]) -> str:
    waiting = sum(p.get("queued", 0) for p in problems.values())
    parked = sum(p.get("parked", 0) for p in problems.values())
    held = sum(p.get("held", 0) for p in problems.values())
    lines = []
    if waiting or parked:
        lines.append(
            f"Outbox: {waiting} mail(s) waiting for the SMTP server, {parked} refused for "
            "good (the thrower was told; `show` has the details)."
        )
    if held:
        lines.append(
            f"Held: {held} answer(s) not sent, over protocol.max_answers_per_sender "
            "(a loop or a flood; the mail itself was recorded and filed)."
        )
    per_address = held_summary(problems.held_to) if isinstance(problems, MailProblems) else ""
    if per_address:
        lines.append(per_address)
    return "\n".join(lines)


def held_summary(held: dict[str, HeldAnswers]) -> str:
    """One line per person the ceiling stopped answering: 'held 280 answers to alice@...
    (over 20 answers an hour), the last at ...'."""
    lines = []
    for address, found in sorted(held.items(), key=lambda item: -item[1].count):
        reason = found.why.removesuffix(f" to {address}")
        plural = "s" if found.count != 1 else ""
        lines.append(
            f"held {found.count} answer{plural} to {address} ({reason}), "
            f"the last at {iso(found.last)}"
        )
    return "\n".join(lines)


def status_table(tickets: Sequence[TicketLine], now: datetime, *, closed: bool = False) -> str:
    if not tickets:
        return "No tickets." if closed else "No open tickets."
    rows = [("ID", "STATE", "TITLE", "THROWER -> CATCHER", "OWNER", "AGE", "DEADLINE", "ESC")]
    for t in tickets:
        deadline = "-"
        if t.state == PENDING and t.escalations:
            # Managers were told already: a deadline "in 3 h" (a run --now ahead of the
            # clock, or a shorter escalation.after) would read as time still left.
            deadline = "escalated"
        elif t.deadline is not None and t.state == PENDING:
            left = as_utc(t.deadline) - now
            deadline = f"in {humanize(left)}" if left.total_seconds() > 0 else "passed"
        rows.append(
            (
                t.ref,
                t.state,
                t.title if len(t.title) <= TITLE_WIDTH else t.title[: TITLE_WIDTH - 1] + "…",
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


def show_text(ticket: Ticket, now: datetime, timezone: str = "UTC") -> str:
    """One ticket for a person: times in the office's zone (escalation.timezone), to the
    minute; `show --json` keeps the exact UTC instants."""
    zone = ZoneInfo(timezone)

    def when(moment: datetime | None) -> str:
        if moment is None:
            return "-"
        local = as_utc(moment).astimezone(zone)
        return local.strftime("%Y-%m-%d %H:%M ") + (local.tzname() or timezone)

    data = ticket_json(ticket, now, events=True)
    lines = [
        f"{data['id']}  {data['title']}",
        f"  state:     {data['state']} (owner {data['owner']})",
        f"  thrower:   {data['thrower']}",
        f"  catcher:   {data['catcher'] or '-'}",
        # The shared address it came in through: its mail is sent from there.
        *([f"  mailbox:   {data['mailbox']}"] if data.get("mailbox") else []),
        f"  created:   {when(ticket.created_at)} ({humanize(now - as_utc(ticket.created_at))} ago)",
    ]
    if ticket.state != REJECTED:
        lines.append(f"  deadline:  {when(ticket.deadline)}{_deadline_note(ticket, now)}")
        lines.append(f"  escalations: {data['escalations']}")
    if data["files"]:
        lines.append(f"  files:     {', '.join(data['files'])}")
    if data.get("rejection_reasons"):
        lines.append(f"  rejected:  {', '.join(data['rejection_reasons'])}")
    if ticket.accepted_at:
        lines.append(f"  accepted:  {when(ticket.accepted_at)}")
    if ticket.refused_at or data["refusal_reason"]:
        lines.append(f"  refused:   {when(ticket.refused_at)}: {data['refusal_reason']}")
    if ticket.cancelled_at:
        lines.append(f"  cancelled: {when(ticket.cancelled_at)}: {data['cancel_reason'] or '-'}")
    if data["message"]:
        lines.append("  message:")
        lines.extend(f"    | {line}" for line in data["message"].splitlines())
    lines.append(f"  timeline ({timezone}):")
    for event in ticket.events:
        at = as_utc(event.at).astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")
        lines.append(f"    {at}  {event.kind}: {event.detail}")
    return "\n".join(lines)


def _deadline_note(ticket: Ticket, now: datetime) -> str:
    if ticket.state != PENDING or ticket.deadline is None:
        return ""
    if ticket.escalations:
        return " (escalated)"
    left = as_utc(ticket.deadline) - now
    return f" (in {humanize(left)})" if left.total_seconds() > 0 else " (passed)"
