"""A human reply read as one handler's Change: accept, refuse, cancel, re-route, or a notice."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from mailbaton.classify.cancelling import cancel_reason
from mailbaton.classify.handoff import FIELD_ALIASES, read_fields
from mailbaton.classify.verdicts import catcher_line, catcher_value, read_verdict
from mailbaton.mail.records import Address, ParsedMail
from mailbaton.outbound.announce import Announce
from mailbaton.outbound.context import ticket_context
from mailbaton.outbound.desk import header_address
from mailbaton.outbound.notices import Notice, answer
from mailbaton.outbound.outbox import sent_texts
from mailbaton.outbound.people import person_name
from mailbaton.store.models import PENDING, REFUSED, Ticket
from mailbaton.tickets.addressing import (
    all_clear_to,
    catcher_address,
    request_and_receipt,
    to_thrower,
)
from mailbaton.tickets.handover import handover_refused, new_catcher, previous_catcher
from mailbaton.tickets.lookup import first_message_id, last_message_id, request_reached
from mailbaton.tickets.managers import from_manager, is_manager
from mailbaton.tickets.people import seen_name
from mailbaton.tickets.states import Move, Said, allowed
from mailbaton.tickets.turn import Change, Note, Step, Turn

# The handoff's fields: a thrower writing one on a waiting ticket expects it to change.
HANDOFF_FIELDS = frozenset(FIELD_ALIASES.values())


def first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:200]
    return "(empty)"


def handle_reply(turn: Turn, ticket: Ticket) -> Change:
    """A human answered on a ticket: the catcher decides, the thrower may cancel or re-route,
    anyone else is told they are not the catcher. Nothing else changes a ticket."""
    mail = _mail(turn)
    sender = mail.from_.addr if mail.from_ else ""
    # protocol.strict_verdicts: only the keywords count, not everyday words ("Will do").
    strict = turn.desk.settings.protocol.strict_verdicts
    verdict = read_verdict(mail, sent=sent_texts(turn.session, ticket), strict=strict)
    said, words = Said.read(verdict.kind), first_line(verdict.new_text)
    if sender == (ticket.catcher or "").lower() and sender != ticket.thrower:
        if ticket.state != PENDING:
            return not_pending(turn, ticket, words)
        if said is Said.ACCEPT:
            return accept(turn, ticket, words)
        if said is Said.REFUSE:
            return refuse(turn, ticket, verdict.reason)
        return unclear(turn, ticket, words, verdict.new_text)
    if sender == ticket.thrower:
        return _from_thrower(turn, ticket, said, verdict.new_text, words)
    if is_manager(ticket, sender, turn.desk.settings):
        return from_manager(turn, ticket, verdict.new_text)
    return not_catcher(turn, ticket, sender, words, verdict.new_text)


def _from_thrower(turn: Turn, ticket: Ticket, said: Said, text: str, words: str) -> Change:
    # Anywhere in the new text, as for a manager: people write a line of prose first.
    new_catcher = catcher_line(text) or catcher_value(line.strip() for line in text.splitlines())
    if new_catcher and ticket.state in (PENDING, REFUSED):
        return reroute(turn, ticket, new_catcher)
    if said is Said.CANCEL and allowed(ticket.state, Move.CANCEL):
        return cancel(turn, ticket, words, cancel_reason(text))
    if said is Said.CANCEL or (ticket.state != PENDING and new_catcher):
        return not_pending(turn, ticket, words)
    asked = _not_acted_on(said, text, words) if ticket.state == PENDING else None
    if asked:
        return thrower_unclear(turn, ticket, asked, text)
    return note(ticket, words)


def _not_acted_on(said: Said, text: str, words: str) -> str | None:
    """An instruction in the thrower's reply that nothing acts on: a handoff field they may
    think changes the ticket ("Due: Friday"), or a REFUSE only the catcher can give. A thrower
    who hears nothing believes it was done. "Got it, thanks" to a receipt is a thank-you."""
    fields = [(n, v) for n, v in read_fields(text) if n in HANDOFF_FIELDS]
    if fields:
        name, value = fields[0]
        return f"{name.capitalize()}: {value}".strip()
    return words if said is Said.REFUSE else None


def thrower_unclear(turn: Turn, ticket: Ticket, asked: str, text: str) -> Change:
    steps: tuple[Step, ...] = (
        Note("reply ignored", f"from the thrower {ticket.thrower}, not acted on: {asked}"),
        *back(
            turn,
            "unclear",
            extra={"thrower_asked": asked},
            dedupe_key=said_once("unclear", ticket.thrower, ticket, text),
        ),
    )
    return Change(f"{ticket.ref}: the thrower's reply changed nothing; told so", steps=steps)


def _mail(turn: Turn) -> ParsedMail:
    if turn.mail is None:
        raise ValueError("a reply handler needs the reply")
    return turn.mail


def back(
    turn: Turn, kind: str, *, extra: dict[str, Any] | None = None, dedupe_key: str | None = None
) -> tuple[Notice, ...]:
    """An answer to whoever sent the reply, in its thread."""
    mail = _mail(turn)
    return answer(mail.from_, kind, mail, extra=extra, dedupe_key=dedupe_key)


def accept(turn: Turn, ticket: Ticket, words: str) -> Change:
    steps: tuple[Step, ...] = (
        Note("accepted", f"by {ticket.catcher}: {words}"),
        to_thrower(ticket, "accepted"),
        # The ACK of the ACK: the catcher sees at once how their words were read.
        *back(turn, "confirmed", extra={"verdict": "accept"}),
        *all_clear(turn, ticket),
    )
    return Change(f"{ticket.ref} accepted by {ticket.catcher}", Move.ACCEPT, steps=steps)


def refuse(turn: Turn, ticket: Ticket, reason: str | None) -> Change:
    why = (reason or "").strip() or None
    steps: tuple[Step, ...] = (
        Note("refused", f"by {ticket.catcher}: {why or '(no reason given)'}"),
        to_thrower(ticket, "refused"),
        *back(turn, "confirmed", extra={"verdict": "refuse"}),
    )
    return Change(
        f"{ticket.ref} refused by {ticket.catcher}", Move.REFUSE, refusal_reason=why, steps=steps
    )


def cancel(turn: Turn, ticket: Ticket, words: str, reason: str | None = None) -> Change:
    said = f"{words} (reason: {reason})" if reason and reason not in words else words
    steps: list[Step] = [
        Note("cancelled", f"by {ticket.thrower}: {said}"),
        *all_clear(turn, ticket),
    ]
    if ticket.catcher:
        request = last_message_id(turn.session, ticket, "request")
        steps.append(Notice("cancelled", (catcher_address(ticket),), in_reply_to=request))
    return Change(
        f"{ticket.ref} cancelled by {ticket.thrower}",
        Move.CANCEL,
        refusal_reason=reason,
        steps=tuple(steps),
    )


def all_clear(turn: Turn, ticket: Ticket) -> tuple[Step, ...]:
    """Everyone who was warned about a stuck ticket hears that it moved, in the thread of
    the first warning."""
    warned = json.loads(ticket.escalated_to or "[]")
    # A channel told of the escalation hears the all-clear, managers by mail or not.
    told: tuple[Step, ...] = (Announce("all_clear", {"managers": warned}),)
    if not ticket.escalations:
        return ()
    if not warned:
        return told
    first = first_message_id(turn.session, ticket, "escalation")
    names = {a: seen_name(turn.session, a) for a in warned}
    mail = all_clear_to(warned, first, names), Note("all clear", f"to {', '.join(warned)}")
    return (*mail, *told)


def said_once(kind: str, who: str | None, ticket: Ticket, text: str) -> str:
    """The dedupe key of an answer to a reply that changed nothing: one a day per person,
    ticket and new text (case and spacing aside). A person who writes something new is
    answered; an auto-responder that does not say so, repeating itself, is not."""
    said = " ".join(text.lower().split())
    digest = hashlib.sha256(said.encode()).hexdigest()[:12]
    return f"{kind}:{who}:{ticket.ref}:{digest}"


def unclear(turn: Turn, ticket: Ticket, words: str, text: str = "") -> Change:
    steps: tuple[Step, ...] = (
        Note("reply ignored", f"unclear answer from {ticket.catcher}: {words}"),
        *back(turn, "unclear", dedupe_key=said_once("unclear", ticket.catcher, ticket, text)),
    )
    return Change(f"{ticket.ref}: unclear reply; asked again", steps=steps)


def not_catcher(turn: Turn, ticket: Ticket, sender: str, words: str, text: str = "") -> Change:
    steps: tuple[Step, ...] = (
        Note("reply ignored", f"from {sender}, who is not the catcher: {words}"),
        *back(turn, "not_catcher", dedupe_key=said_once("not_catcher", sender, ticket, text)),
    )
    return Change(f"{ticket.ref}: {sender} is not the catcher; told so", steps=steps)


def not_pending(turn: Turn, ticket: Ticket, words: str) -> Change:
    steps: tuple[Step, ...] = (
        Note("reply ignored", f"ticket is {ticket.state}: {words}"),
        *back(turn, "not_pending"),
    )
    return Change(f"{ticket.ref} is {ticket.state}; reply changed nothing", steps=steps)


def note(ticket: Ticket, words: str) -> Change:
    # The thrower chatting on their own thread ("thanks!") changes nothing and needs no mail.
    steps = (Note("note", f"from {ticket.thrower}: {words}"),)
    return Change(f"{ticket.ref}: note from the thrower recorded", steps=steps)


def reroute(turn: Turn, ticket: Ticket, value: str) -> Change:
    """The thrower names a new catcher, after a refusal or while it waits (the request
    bounced, or it should go elsewhere): a fresh request goes out, telling the new catcher
    who refused before and why; one who had the request and never refused hears it moved."""
    mail = _mail(turn)
    catcher, problems = new_catcher(turn, ticket, value)
    if catcher is None:
        return handover_refused(turn, ticket, value, problems)
    refused = ticket.state == REFUSED
    # `previous` says the one before refused: true only if they did.
    extra = {"previous": previous_catcher(ticket)} if refused else {}
    steps: tuple[Step, ...] = (
        Note("re-routed", f"from {ticket.catcher} to {catcher.addr}"),
        *request_and_receipt(
            ticket, mail, catcher=header_address(catcher.name, catcher.addr), extra=extra
        ),
        *(() if refused else handed_away(turn, ticket, catcher)),
    )
    return Change(
        f"{ticket.ref} re-routed to {catcher.addr}",
        Move.REROUTE if refused else Move.REASSIGN,
        catcher=catcher,
        steps=steps,
    )


def handed_away(turn: Turn, ticket: Ticket, catcher: Address) -> tuple[Notice, ...]:
    """The catcher who was waiting with the request learns it went to someone else
    (`cancelled`, with `handed_to`), greeted from a copy taken before the move; not one
    whose request came back: they never had it."""
    request = request_reached(turn.session, ticket)
    if request is None:
        return ()
    extra = {"ticket": ticket_context(ticket), "handed_to": person_name(catcher.name, catcher.addr)}
    return (Notice("cancelled", (catcher_address(ticket),), in_reply_to=request, extra=extra),)
