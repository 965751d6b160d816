"""A manager's answer on a ticket: their words recorded and passed on, never told off; a
`Catcher:` line from them hands the ticket to someone else."""

from __future__ import annotations

import json
from typing import Any

from mailbaton.classify.verdicts import catcher_value
from mailbaton.config import Settings
from mailbaton.mail.records import Address
from mailbaton.outbound.context import ticket_context
from mailbaton.outbound.desk import header_address
from mailbaton.outbound.notices import Notice
from mailbaton.outbound.people import person_name
from mailbaton.store.models import PENDING, REFUSED, Ticket
from mailbaton.tickets.addressing import catcher_address, request_to, to_thrower
from mailbaton.tickets.deadlines import escalation_recipients
from mailbaton.tickets.handover import handover_refused, new_catcher, previous_catcher
from mailbaton.tickets.lookup import request_reached
from mailbaton.tickets.people import named
from mailbaton.tickets.states import Move
from mailbaton.tickets.turn import Change, Note, Step, Turn

NOTE_LENGTH = 4000


def is_manager(ticket: Ticket, sender: str, settings: Settings) -> bool:
    """Whoever the ticket was escalated to, or a manager of the thrower's or catcher's side."""
    warned = [a.lower() for a in json.loads(ticket.escalated_to or "[]")]
    managers = [a.lower() for a in escalation_recipients(ticket, settings)]
    return bool(sender) and sender.lower() in (*warned, *managers)


def from_manager(turn: Turn, ticket: Ticket, text: str) -> Change:
    """The words go on the timeline and, while the ticket is stuck (pending or refused), to
    the thrower and catcher (`manager_note`); with a Catcher: line on such a ticket, the
    new catcher gets the request."""
    assert turn.mail is not None and turn.mail.from_ is not None
    manager = named(turn.session, turn.mail.from_)
    note = text.strip()[:NOTE_LENGTH]
    # SPEC 5: the manager's words are recorded, all of them (a Catcher: line often comes
    # first, the words that say why after it), on one line.
    said = " ".join(note.split())[:NOTE_LENGTH] or "(no words)"
    steps: tuple[Step, ...] = (Note("manager note", f"from {manager.addr}: {said}"),)
    # Anywhere in a manager's new text (they write prose first): "Catcher: Bob <bob@...>".
    value = catcher_value(line.strip() for line in note.splitlines())
    if value and ticket.state in (PENDING, REFUSED):
        catcher, problems = new_catcher(turn, ticket, value)
        if catcher is None:
            return handover_refused(turn, ticket, value, problems, first=steps)
        return _hand_on(turn, ticket, manager, note, catcher, steps)
    if not note or ticket.state not in (PENDING, REFUSED):
        # "Thanks" to an all-clear, or an empty reply: kept, but nobody needs a mail about it.
        return Change(f"{ticket.ref}: note from manager {manager.addr} recorded", steps=steps)
    steps = (*steps, *_pass_on(turn, ticket, manager, note))
    return Change(f"{ticket.ref}: note from manager {manager.addr} passed on", steps=steps)


def _pass_on(
    turn: Turn,
    ticket: Ticket,
    manager: Address,
    note: str,
    handed_to: str | None = None,
    catcher_view: dict[str, Any] | None = None,
) -> tuple[Notice, ...]:
    """`manager_note` to the thrower (in their handoff's thread) and to the catcher (in the
    request's), unless the manager is one of them. `catcher_view`: the ticket as the
    catcher knew it, when it is being handed on from them (`handed_from` is their name)."""
    extra = {
        "manager_name": person_name(manager.name, manager.addr),
        "note": note,
        "handed_to": handed_to,
        "handed_from": catcher_view["catcher_name"] if catcher_view else None,
    }
    notices = [to_thrower(ticket, "manager_note", extra=extra)]
    # Not to a catcher whose request came back: their address does not take mail from us.
    request = request_reached(turn.session, ticket) if ticket.catcher else None
    if request is not None:
        view = {"ticket": catcher_view} if catcher_view else {}
        to = (catcher_address(ticket),)
        notices.append(Notice("manager_note", to, in_reply_to=request, extra={**extra, **view}))
    return tuple(n for n in notices if n.to[0].addr_spec.lower() != manager.addr)


def _hand_on(
    turn: Turn,
    ticket: Ticket,
    manager: Address,
    note: str,
    catcher: Address,
    steps: tuple[Step, ...],
) -> Change:
    # Rendered after the move: the one who had it is greeted from a copy taken now.
    handed_to = person_name(catcher.name, catcher.addr)
    told = _pass_on(turn, ticket, manager, note, handed_to, ticket_context(ticket))
    by = person_name(manager.name, manager.addr)
    # `previous` says the one before refused: true only if they did.
    previous = previous_catcher(ticket, by=by) if ticket.state == REFUSED else None
    handed_by = {"manager_name": by, "catcher_name": previous_catcher(ticket)["catcher_name"]}
    extra = {"previous": previous, "handed_by": handed_by}
    request = request_to(ticket, header_address(catcher.name, catcher.addr), extra)
    move = Move.REASSIGN if ticket.state == PENDING else Move.REROUTE
    steps = (
        *steps,
        Note("re-routed", f"by {manager.addr} from {ticket.catcher} to {catcher.addr}"),
        request,
        *told,
    )
    reason = f"{ticket.ref} handed to {catcher.addr} by manager {manager.addr}"
    return Change(reason, move, catcher=catcher, steps=steps)
