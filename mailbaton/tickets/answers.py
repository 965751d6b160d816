"""A human reply applied to its ticket: accept, refuse, cancel, re-route, or a notice."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from mailbaton.classify.handoff import check_catcher, parse_catchers
from mailbaton.classify.verdicts import Verdict, catcher_line, read_verdict
from mailbaton.mail.parse import Address, ParsedMail
from mailbaton.store.models import ACCEPTED, CANCELLED, PENDING, REFUSED, Ticket
from mailbaton.tickets.opening import (
    Desk,
    add_event,
    catcher_address,
    first_line,
    header_address,
    last_message_id,
    reply_in_thread,
    send_mail,
    send_request_and_receipt,
    set_deadlines,
    to_thrower,
)


@dataclass(frozen=True)
class ReplyResult:
    outcome: str  # an intake outcome: processed | ignored
    reason: str


def handle_reply(
    session: Session, desk: Desk, ticket: Ticket, mail: ParsedMail, now: datetime
) -> ReplyResult:
    """A human answered on a ticket: the catcher decides, the thrower may cancel or re-route,
    anyone else is told they are not the catcher. Nothing else changes a ticket."""
    sender = mail.from_.addr if mail.from_ else ""
    verdict = read_verdict(mail)
    said = first_line(verdict.new_text)
    if sender == (ticket.catcher or "").lower() and sender != ticket.thrower:
        return _from_catcher(session, desk, ticket, mail, verdict, said, now)
    if sender == ticket.thrower:
        return _from_thrower(session, desk, ticket, mail, verdict, said, now)
    add_event(
        session, ticket, now, "reply ignored", f"from {sender}, who is not the catcher: {said}"
    )
    reply_in_thread(
        session,
        desk,
        ticket,
        mail,
        now,
        "not_catcher",
        to=mail.from_,
        dedupe_key=f"not_catcher:{sender}:{ticket.ref}",
    )
    return ReplyResult("processed", f"{ticket.ref}: {sender} is not the catcher; told so")


def _from_catcher(
    session: Session,
    desk: Desk,
    ticket: Ticket,
    mail: ParsedMail,
    verdict: Verdict,
    said: str,
    now: datetime,
) -> ReplyResult:
    if ticket.state != PENDING:
        return _not_pending(session, desk, ticket, mail, said, now)
    if verdict.kind == "accept":
        ticket.state = ACCEPTED
        ticket.accepted_at = now
        add_event(session, ticket, now, "accepted", f"by {ticket.catcher}: {said}")
        to_thrower(session, desk, ticket, now, "accepted")
        all_clear(session, desk, ticket, now)
        return ReplyResult("processed", f"{ticket.ref} accepted by {ticket.catcher}")
    if verdict.kind == "refuse":
        ticket.state = REFUSED
        ticket.refused_at = now
        ticket.refusal_reason = (verdict.reason or "").strip() or None
        add_event(
            session,
            ticket,
            now,
            "refused",
            f"by {ticket.catcher}: {ticket.refusal_reason or '(no reason given)'}",
        )
        to_thrower(session, desk, ticket, now, "refused")
        return ReplyResult("processed", f"{ticket.ref} refused by {ticket.catcher}")
    add_event(
        session, ticket, now, "reply ignored", f"unclear answer from {ticket.catcher}: {said}"
    )
    reply_in_thread(
        session,
        desk,
        ticket,
        mail,
        now,
        "unclear",
        to=mail.from_,
        dedupe_key=f"unclear:{ticket.catcher}:{ticket.ref}",
    )
    return ReplyResult("processed", f"{ticket.ref}: unclear reply; asked again")


def _from_thrower(
    session: Session,
    desk: Desk,
    ticket: Ticket,
    mail: ParsedMail,
    verdict: Verdict,
    said: str,
    now: datetime,
) -> ReplyResult:
    new_catcher = catcher_line(verdict.new_text)
    if ticket.state == REFUSED and new_catcher:
        return _reroute(session, desk, ticket, mail, new_catcher, now)
    if verdict.kind == "cancel" and ticket.state == PENDING:
        ticket.state = CANCELLED
        ticket.cancelled_at = now
        add_event(session, ticket, now, "cancelled", f"by {ticket.thrower}: {said}")
        all_clear(session, desk, ticket, now)
        if ticket.catcher:
            send_mail(
                session,
                desk,
                ticket,
                now,
                "cancelled",
                to=catcher_address(ticket),
                in_reply_to=last_message_id(session, ticket, "request"),
            )
        return ReplyResult("processed", f"{ticket.ref} cancelled by {ticket.thrower}")
    if verdict.kind == "cancel" or (ticket.state != PENDING and new_catcher):
        return _not_pending(session, desk, ticket, mail, said, now)
    # The thrower chatting on their own thread ("thanks!") changes nothing and needs no mail.
    add_event(session, ticket, now, "note", f"from {ticket.thrower}: {said}")
    return ReplyResult("processed", f"{ticket.ref}: note from the thrower recorded")


def all_clear(session: Session, desk: Desk, ticket: Ticket, now: datetime) -> None:
    """Everyone who was warned about a stuck ticket hears that it moved."""
    warned = json.loads(ticket.escalated_to or "[]")
    if not warned:
        return
    send_mail(
        session,
        desk,
        ticket,
        now,
        "all_clear",
        to=[header_address("", address) for address in warned],
    )
    add_event(session, ticket, now, "all clear", f"to {', '.join(warned)}")


def _not_pending(
    session: Session, desk: Desk, ticket: Ticket, mail: ParsedMail, said: str, now: datetime
) -> ReplyResult:
    add_event(session, ticket, now, "reply ignored", f"ticket is {ticket.state}: {said}")
    reply_in_thread(session, desk, ticket, mail, now, "not_pending", to=mail.from_)
    return ReplyResult("processed", f"{ticket.ref} is {ticket.state}; reply changed nothing")


def _reroute(
    session: Session, desk: Desk, ticket: Ticket, mail: ParsedMail, value: str, now: datetime
) -> ReplyResult:
    found = parse_catchers(value)
    thrower = Address(ticket.thrower_name, ticket.thrower)
    problems = (
        [r.code for r in check_catcher(found[0], thrower, desk.settings)]
        if len(found) == 1
        else ["no_catcher" if not found else "several_catchers"]
    )
    if problems:
        add_event(session, ticket, now, "re-route refused", ", ".join(problems))
        reply_in_thread(
            session,
            desk,
            ticket,
            mail,
            now,
            "not_pending",
            to=mail.from_,
            extra={"reroute_problems": problems, "reroute_value": value},
        )
        return ReplyResult("processed", f"{ticket.ref}: re-route refused: {', '.join(problems)}")
    previous = ticket.catcher
    ticket.catcher, ticket.catcher_name = found[0].addr, found[0].name
    ticket.state = PENDING
    ticket.refused_at = None
    ticket.refusal_reason = None
    # The ticket keeps its age; the new catcher gets a full window.
    set_deadlines(ticket, desk.settings, now)
    ticket.reply_token = secrets.token_hex(6)
    add_event(session, ticket, now, "re-routed", f"from {previous} to {ticket.catcher}")
    session.flush()
    send_request_and_receipt(session, desk, ticket, mail, now)
    return ReplyResult("processed", f"{ticket.ref} re-routed to {ticket.catcher}")
