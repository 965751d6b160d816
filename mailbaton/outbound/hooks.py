"""Chat webhooks: the protocol's #managers warning, posted to Slack, Teams, Mattermost or
any JSON receiver through the same durable outbox as mail.

An Alert is what is said; payload() writes it in each service's format; queue_hooks()
puts one outbox row per [notify.NAME] that takes the event, in the caller's transaction,
under a post id made from its dedupe key, so the same alert is never queued twice. The
daemon's pass posts the rows (transport/webhook.py), retries them with backoff and parks
them after three days, as it does mail.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mailbaton.config.schema import Hook
from mailbaton.outbound.outbox import Channel, MailState
from mailbaton.store.models import Event, Outbox, Ticket

POST_ID_CHARS = 400  # Outbox.message_id


@dataclass(frozen=True)
class Alert:
    """One thing to tell a channel: `event` is "escalation", "all_clear" or "health".

    `headline` is the one line a channel shows first; `lines` follow it; `facts` are
    label/value pairs (a Teams FactSet, a list elsewhere); `data` are the generic JSON
    receiver's fields, beside "event", "text" and "id"."""

    event: str
    headline: str
    lines: tuple[str, ...] = ()
    facts: tuple[tuple[str, str], ...] = ()
    data: dict[str, Any] = field(default_factory=dict, hash=False)


def queue_hooks(
    session: Session,
    hooks: Sequence[Hook],
    alert: Alert,
    *,
    dedupe_key: str,
    now: datetime,
    ticket: Ticket | None = None,
) -> int:
    """Queues `alert` for every hook that takes its event, in the caller's transaction;
    returns how many posts were queued. A `dedupe_key` is used once for good, per hook
    (e.g. "MB-12:escalation:1", or "health:imap:2026-11-30T16:00" for one outage): the
    same key again queues nothing."""
    queued = 0
    for hook in hooks:
        if alert.event not in hook.events:
            continue
        post_id = f"webhook:{hook.name}:{dedupe_key}"[:POST_ID_CHARS]
        if session.scalar(select(Outbox.id).where(Outbox.message_id == post_id)) is not None:
            continue
        body = json.dumps(payload(hook.kind, alert, post_id), ensure_ascii=False)
        session.add(
            Outbox(
                channel=Channel.WEBHOOK,
                kind=f"{alert.event} webhook",
                message_id=post_id,
                # A webhook row's sender is its post id: sent as the Idempotency-Key.
                mail_from=post_id,
                rcpt_json=json.dumps([hook.name]),
                subject=alert.headline,
                raw=body.encode(),
                ticket_id=ticket.id if ticket is not None else None,
                dedupe_key=dedupe_key,
                state=MailState.QUEUED,
                next_attempt_at=now,
                created_at=now,
                attempts=0,
            )
        )
        if ticket is not None:
            detail = f"{alert.event} to [notify.{hook.name}] ({hook.kind})"
            session.add(Event(ticket=ticket, at=now, kind="post queued", detail=detail))
        queued += 1
    return queued


# -- each service's format ------------------------------------------------------------


def payload(kind: str | None, alert: Alert, post_id: str) -> dict[str, Any]:
    """The JSON body for a hook of this kind."""
    if kind == "teams":
        return teams_message(alert)
    if kind == "mattermost":
        return {"text": markdown_text(alert)}
    if kind == "json":
        return {"event": alert.event, "id": post_id, "text": alert.headline, **alert.data}
    return {"text": slack_text(alert)}


def slack_escape(text: str) -> str:
    """Slack reads &, < and > as markup: a title such as '<!channel>' must not ping anyone."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_text(alert: Alert) -> str:
    """mrkdwn: the headline in bold, then the lines, then one '• label: value' per fact."""
    parts = [f"*{slack_escape(alert.headline)}*", *map(slack_escape, alert.lines)]
    parts.extend(f"• {slack_escape(label)}: {slack_escape(value)}" for label, value in alert.facts)
    return "\n".join(parts)


def markdown_text(alert: Alert) -> str:
    """Mattermost's Markdown: the headline in bold, the lines, then a list of facts."""
    parts = [f"**{alert.headline}**", *alert.lines]
    parts.extend(f"- {label}: {value}" for label, value in alert.facts)
    return "\n".join(parts)


# Adaptive Card 1.4: what Teams renders in a channel from a Workflows webhook.
CARD_VERSION = "1.4"
CARD_COLOURS = {"escalation": "Attention", "health": "Warning", "all_clear": "Good"}


def teams_message(alert: Alert) -> dict[str, Any]:
    """The message a Teams Workflow ("Send webhook alerts to a channel") posts as it is: one
    Adaptive Card attachment."""
    body: list[dict[str, Any]] = [
        {
            "type": "TextBlock",
            "text": alert.headline,
            "weight": "Bolder",
            "size": "Medium",
            "color": CARD_COLOURS.get(alert.event, "Default"),
            "wrap": True,
        },
        *({"type": "TextBlock", "text": line, "wrap": True} for line in alert.lines),
    ]
    if alert.facts:
        facts = [{"title": label, "value": value} for label, value in alert.facts]
        body.append({"type": "FactSet", "facts": facts})
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": CARD_VERSION,
        "body": body,
        "msteams": {"width": "Full"},
    }
    attachment = {"contentType": "application/vnd.microsoft.card.adaptive", "content": card}
    return {"type": "message", "attachments": [attachment]}


# -- what `status` says of them ---------------------------------------------------------


def post_problems(session: Session) -> list[str]:
    """One line per hook with posts waiting for a retry or given up (parked), with the
    latest error (which names the host only); nothing when every post went out."""
    rows = session.execute(
        select(Outbox.rcpt_json, Outbox.state, func.count(), func.max(Outbox.id))
        .where(Outbox.channel == Channel.WEBHOOK, Outbox.state != MailState.SENT)
        .group_by(Outbox.rcpt_json, Outbox.state)
        .order_by(Outbox.rcpt_json, Outbox.state)
    ).all()
    lines = []
    for rcpt_json, state, count, last_id in rows:
        name = ", ".join(json.loads(rcpt_json))
        error = session.scalar(select(Outbox.last_error).where(Outbox.id == last_id))
        if state == MailState.PARKED:
            lines.append(f"Chat posts: {count} to [notify.{name}] given up: {error}")
        elif error:
            lines.append(f"Chat posts: {count} to [notify.{name}] waiting to retry: {error}")
        else:
            lines.append(f"Chat posts: {count} to [notify.{name}] waiting to be posted")
    return lines
