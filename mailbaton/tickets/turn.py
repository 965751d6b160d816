"""One turn of the state machine: what a handler is given (Turn) and what it returns (Change),
and settle(), which writes a Change: the move, the timeline lines and the notices, in order."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from mailbaton.mail.records import Address, ParsedMail
from mailbaton.outbound.announce import Announce, announce
from mailbaton.outbound.desk import Desk
from mailbaton.outbound.notices import Notice, post
from mailbaton.store.models import Event, Outcome, Ticket
from mailbaton.tickets.schedule import set_deadlines
from mailbaton.tickets.states import Move, transition


@dataclass(frozen=True)
class Turn:
    """What every handler needs: the open transaction, the desk, the time, the mail in hand."""

    session: Session
    desk: Desk
    now: datetime
    mail: ParsedMail | None = None


@dataclass(frozen=True)
class Note:
    """One line of a ticket's timeline."""

    kind: str
    detail: str


Step = Note | Notice | Announce


@dataclass(frozen=True)
class Change:
    """What a handler decided: an optional move, timeline lines and notices (kept in the
    order the timeline shows them), and the reason the ledger records."""

    reason: str
    move: Move | None = None
    refusal_reason: str | None = None  # with Move.REFUSE, or Move.CANCEL: the words given
    catcher: Address | None = None  # with Move.REROUTE: who catches from now on
    steps: tuple[Step, ...] = ()
    outcome: Outcome = Outcome.PROCESSED


def settle(turn: Turn, ticket: Ticket, change: Change) -> int:
    """Applies `change` to `ticket`; returns how many notices were queued (a notice
    already sent today is skipped)."""
    if change.move is not None:
        transition(ticket, change.move, turn.now, reason=change.refusal_reason)
    if change.catcher is not None:
        hand_to(turn, ticket, change.catcher)
    return write(turn, ticket, change.steps)


def hand_to(turn: Turn, ticket: Ticket, catcher: Address) -> None:
    """A new catcher: the ticket keeps its age; the new catcher gets a full window."""
    ticket.catcher, ticket.catcher_name = catcher.addr, catcher.name
    set_deadlines(ticket, turn.desk.settings, turn.now)
    ticket.reply_token = secrets.token_hex(6)


def write(turn: Turn, ticket: Ticket, steps: tuple[Step, ...]) -> int:
    """Timeline lines and notices, in order; how many notices were queued."""
    queued = 0
    for step in steps:
        if isinstance(step, Note):
            turn.session.add(Event(ticket=ticket, at=turn.now, kind=step.kind, detail=step.detail))
        elif isinstance(step, Announce):
            # Chat posts are not mail: not counted in what this returns.
            announce(turn.session, turn.desk, ticket, step, turn.now)
        elif post(turn.session, turn.desk, ticket, step, turn.now):
            queued += 1
    return queued
