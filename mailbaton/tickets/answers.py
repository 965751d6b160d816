"""A human reply read as one handler's Change: accept, refuse, cancel, re-route, or a notice."""

from __future__ import annotations

import json
from typing import Any

from mailbaton.classify.handoff import check_catcher, parse_catchers
from mailbaton.classify.verdicts import catcher_line, read_verdict
from mailbaton.mail.records import Address, ParsedMail
from mailbaton.outbound.desk import header_address
from mailbaton.outbound.notices import Notice, answer
from mailbaton.outbound.outbox import sent_texts
from mailbaton.store.models import PENDING, Ticket
from mailbaton.tickets.addressing import (
    all_clear_to,
    catcher_address,
    request_and_receipt,
    to_thrower,
)
from mailbaton.tickets.lookup import last_message_id
from mailbaton.tickets.states import Move, Said, allowed
from mailbaton.tickets.turn import Change, Note, Step, Turn


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
    verdict = read_verdict(mail, sent=sent_texts(turn.session, ticket))
    said, words = Said.read(verdict.kind), first_line(verdict.new_text)
    if sender == (ticket.catcher or "").lower() and sender != ticket.thrower:
        if ticket.state != PENDING:
            return not_pending(turn, ticket, words)
        if said is Said.ACCEPT:
            return accept(ticket, words)
        if said is Said.REFUSE:
            return refuse(ticket, verdict.reason)
        return unclear(turn, ticket, words)
    if sender == ticket.thrower:
        return _from_thrower(turn, ticket, said, verdict.new_text, words)
    return not_catcher(turn, ticket, sender, words)


def _from_thrower(turn: Turn, ticket: Ticket, said: Said, text: str, words: str) -> Change:
    new_catcher = catcher_line(text)
    if new_catcher and allowed(ticket.state, Move.REROUTE):
        return reroute(turn, ticket, new_catcher)
    if said is Said.CANCEL and allowed(ticket.state, Move.CANCEL):
        return cancel(turn, ticket, words)
    if said is Said.CANCEL or (ticket.state != PENDING and new_catcher):
        return not_pending(turn, ticket, words)
    return note(ticket, words)


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


def accept(ticket: Ticket, words: str) -> Change:
    steps: tuple[Step, ...] = (
        Note("accepted", f"by {ticket.catcher}: {words}"),
        to_thrower(ticket, "accepted"),
        *all_clear(ticket),
    )
    return Change(f"{ticket.ref} accepted by {ticket.catcher}", Move.ACCEPT, steps=steps)


def refuse(ticket: Ticket, reason: str | None) -> Change:
    why = (reason or "").strip() or None
    steps = (
        Note("refused", f"by {ticket.catcher}: {why or '(no reason given)'}"),
        to_thrower(ticket, "refused"),
    )
    return Change(
        f"{ticket.ref} refused by {ticket.catcher}", Move.REFUSE, refusal_reason=why, steps=steps
    )


def cancel(turn: Turn, ticket: Ticket, words: str) -> Change:
    steps: list[Step] = [Note("cancelled", f"by {ticket.thrower}: {words}"), *all_clear(ticket)]
    if ticket.catcher:
        request = last_message_id(turn.session, ticket, "request")
        steps.append(Notice("cancelled", (catcher_address(ticket),), in_reply_to=request))
    return Change(f"{ticket.ref} cancelled by {ticket.thrower}", Move.CANCEL, steps=tuple(steps))


def all_clear(ticket: Ticket) -> tuple[Step, ...]:
    """Everyone who was warned about a stuck ticket hears that it moved."""
    warned = json.loads(ticket.escalated_to or "[]")
    if not warned:
        return ()
    return all_clear_to(warned), Note("all clear", f"to {', '.join(warned)}")


def unclear(turn: Turn, ticket: Ticket, words: str) -> Change:
    steps: tuple[Step, ...] = (
        Note("reply ignored", f"unclear answer from {ticket.catcher}: {words}"),
        *back(turn, "unclear", dedupe_key=f"unclear:{ticket.catcher}:{ticket.ref}"),
    )
    return Change(f"{ticket.ref}: unclear reply; asked again", steps=steps)


def not_catcher(turn: Turn, ticket: Ticket, sender: str, words: str) -> Change:
    steps: tuple[Step, ...] = (
        Note("reply ignored", f"from {sender}, who is not the catcher: {words}"),
        *back(turn, "not_catcher", dedupe_key=f"not_catcher:{sender}:{ticket.ref}"),
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
    """The thrower names a new catcher after a refusal: a fresh request goes out."""
    mail = _mail(turn)
    found = parse_catchers(value)
    thrower = Address(ticket.thrower_name, ticket.thrower)
    problems = (
        [r.code for r in check_catcher(found[0], thrower, turn.desk.settings)]
        if len(found) == 1
        else ["no_catcher" if not found else "several_catchers"]
    )
    if problems:
        extra = {"reroute_problems": problems, "reroute_value": value}
        steps: tuple[Step, ...] = (
            Note("re-route refused", ", ".join(problems)),
            *back(turn, "not_pending", extra=extra),
        )
        return Change(f"{ticket.ref}: re-route refused: {', '.join(problems)}", steps=steps)
    catcher = found[0]
    steps = (
        Note("re-routed", f"from {ticket.catcher} to {catcher.addr}"),
        *request_and_receipt(ticket, mail, catcher=header_address(catcher.name, catcher.addr)),
    )
    return Change(
        f"{ticket.ref} re-routed to {catcher.addr}", Move.REROUTE, catcher=catcher, steps=steps
    )
