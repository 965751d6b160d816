"""`run --once --now ISO --dry-run`: what a pass would do then; nothing sent, filed or changed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mailbaton.classify import Decision, Held, Ignored, NewHandoff, Rejection, Reply, decide
from mailbaton.classify.verdicts import read_verdict
from mailbaton.config import MailboxSettings, Settings
from mailbaton.mail.parse import parse_message
from mailbaton.mail.records import ParsedMail
from mailbaton.outbound.outbox import MailState, sent_texts
from mailbaton.store import ledger
from mailbaton.store.db import Database
from mailbaton.store.models import PENDING, Outbox, Ticket
from mailbaton.tickets import digest
from mailbaton.tickets.deadlines import escalation_recipients
from mailbaton.tickets.lookup import find_by_hints
from mailbaton.transport.base import head_size
from mailbaton.transport.imap import Inbox


def incoming(settings: Settings, db: Database, box: MailboxSettings | None = None) -> list[str]:
    """One line per message waiting in the watched folder (of `box`, default the first
    mailbox). Reads with BODY.PEEK and creates no folder: the mailbox is left exactly as
    it was. Raises TransportError."""
    cap = settings.protocol.max_message_size
    lines: list[str] = []
    box = box or settings.mailbox
    with Inbox(box) as inbox:
        uidvalidity = inbox.select()
        uids = inbox.uids()
        sizes = inbox.sizes(uids) if uids else {}
        for uid in uids:
            source = ledger.Source(inbox.key, box.folder, uidvalidity, uid)
            done = ledger.recorded(db, source)
            if done is not None:
                lines.append(f"message {uid}: decided before ({done.outcome}); would be filed")
                continue
            size = sizes.get(uid, 0)
            oversized = size if size > cap else None
            whole = b"".join(raw for _uid, raw in inbox.fetch([uid])) if not oversized else b""
            raw = inbox.fetch_head(uid, head_size(cap)) if oversized else whole
            lines.append(f"message {uid}: {describe(settings, db, raw, oversized)}")
    return lines or ["no mail waiting"]


def describe(settings: Settings, db: Database, raw: bytes, oversized: int | None) -> str:
    """What intake would decide for one message, read-only."""
    mail = parse_message(raw)
    with db.transaction() as session:
        earlier = ledger.first_outcome(session, ledger.message_key(mail.message_id, raw))
        if earlier is not None:
            return f"the same message as an earlier one; would be filed as {earlier.outcome}"
        try:
            decision = decide(mail, settings, oversized=oversized)
        except Exception as error:  # intake would file it as failed and go on
            return f"would be filed as failed: {type(error).__name__}"
        sender = mail.from_.addr if mail.from_ else "(no sender)"
        return _decision(settings, session, decision, mail, sender)


def _decision(
    settings: Settings, session: Session, decision: Decision, mail: ParsedMail, sender: str
) -> str:
    if isinstance(decision, Ignored):
        return f"would be ignored, unanswered: {decision.reason}"
    if isinstance(decision, Held):
        return f"would be held for review, unanswered: {decision.reason}"
    if isinstance(decision, Reply):
        ticket = find_by_hints(session, decision.hints)
        if ticket is not None:
            strict = settings.protocol.strict_verdicts
            verdict = read_verdict(mail, sent=sent_texts(session, ticket), strict=strict)
            return f"a reply from {sender} on {ticket.ref} ({ticket.state}), read as {verdict.kind}"
        if digest.answers_a_digest(session, decision.hints.message_ids):
            return f"a reply from {sender} to a digest: would be kept, not answered"
        decision = decision.otherwise
    if isinstance(decision, NewHandoff):
        return f"would open a ticket: {sender} -> {decision.catcher.addr}: {decision.title}"
    if isinstance(decision, Rejection):
        codes = ", ".join(reason.code for reason in decision.reasons)
        return f"would be rejected ({codes}); {sender} would be told why"
    return "a delivery failure report: matched against our mail, never answered"


def deadlines(settings: Settings, db: Database, now: datetime) -> list[str]:
    """Reminders and escalations due at `now`, as the sweep would send them."""
    lines: list[str] = []
    with db.transaction() as session:
        pending = select(Ticket).where(Ticket.state == PENDING)
        for ticket in session.scalars(pending.where(Ticket.remind_at <= now)):
            late = ticket.next_escalation_at is not None and ticket.next_escalation_at <= now
            what = "reminder skipped: its escalation is due too" if late else "would remind"
            lines.append(f"{ticket.ref}: {what} {ticket.catcher}")
        for ticket in session.scalars(pending.where(Ticket.next_escalation_at <= now)):
            to = ", ".join(escalation_recipients(ticket, settings)) or "nobody configured"
            level = ticket.escalations + 1
            lines.append(f"{ticket.ref}: would escalate (level {level}) to {to}")
        for scope in digest.due(session, settings, now)[1]:
            lines.append(f"digest for {scope.label} would be sent to {', '.join(scope.recipients)}")
        due = (
            select(Outbox.channel, func.count())
            .where(Outbox.state == MailState.QUEUED, Outbox.next_attempt_at <= now)
            .group_by(Outbox.channel)
        )
        waiting: dict[str, int] = {channel: n for channel, n in session.execute(due)}
    lines.append(f"outbox: {waiting.get('mail', 0)} mail(s) due would be sent")
    if waiting.get("webhook"):
        lines.append(f"outbox: {waiting['webhook']} chat post(s) due would be posted")
    return lines
