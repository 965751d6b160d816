"""The state machine in one table: which move takes a ticket from which state to which."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from mailbaton.store.models import ACCEPTED, CANCELLED, PENDING, REFUSED, State, Ticket

__all__ = [
    "TRANSITIONS",
    "IllegalMove",
    "Move",
    "Said",
    "State",
    "allowed",
    "next_state",
    "transition",
]


class Move(StrEnum):
    """Something a person does to a ticket (SPEC section 3)."""

    ACCEPT = "accept"  # the catcher: GOT IT
    REFUSE = "refuse"  # the catcher: REFUSE: reason
    CANCEL = "cancel"  # the thrower: CANCEL
    REROUTE = "reroute"  # the thrower (or a manager), after a refusal: Catcher: someone else
    REASSIGN = "reassign"  # the thrower or a manager, while it waits: Catcher: someone else


class Said(StrEnum):
    """What a reply says, as classify.verdicts reads it."""

    ACCEPT = "accept"
    REFUSE = "refuse"
    CANCEL = "cancel"
    UNCLEAR = "unclear"

    @classmethod
    def read(cls, kind: str) -> Said:
        """The verdict kind classify returned; anything unknown is unclear."""
        try:
            return cls(kind)
        except ValueError:
            return cls.UNCLEAR


# Every legal move; anything else leaves the ticket as it is. Rejected is never live.
TRANSITIONS: dict[tuple[State, Move], State] = {
    (PENDING, Move.ACCEPT): ACCEPTED,
    (PENDING, Move.REFUSE): REFUSED,
    (PENDING, Move.CANCEL): CANCELLED,
    (REFUSED, Move.REROUTE): PENDING,
    (PENDING, Move.REASSIGN): PENDING,
}


class IllegalMove(ValueError):
    """A move the table does not allow from the ticket's state."""

    def __init__(self, state: str, move: Move) -> None:
        super().__init__(f"cannot {move.value} a ticket that is {state}")
        self.state = state
        self.move = move


def next_state(state: str, move: Move) -> State:
    """The state `move` leads to from `state`; IllegalMove if the table has no such line."""
    try:
        return TRANSITIONS[(State(state), move)]
    except (KeyError, ValueError):
        raise IllegalMove(state, move) from None


def allowed(state: str, move: Move) -> bool:
    try:
        next_state(state, move)
    except IllegalMove:
        return False
    return True


def transition(ticket: Ticket, move: Move, now: datetime, *, reason: str | None = None) -> State:
    """Moves `ticket` and stamps the columns that go with the move; `reason` is a refusal's
    or a cancellation's."""
    ticket.state = next_state(ticket.state, move)
    if move is Move.ACCEPT:
        ticket.accepted_at = now
    elif move is Move.REFUSE:
        ticket.refused_at = now
        ticket.refusal_reason = reason
    elif move is Move.CANCEL:
        ticket.cancelled_at = now
        ticket.cancel_reason = reason
    else:  # back with a new catcher: the refusal no longer stands
        ticket.refused_at = None
        ticket.refusal_reason = None
    return State(ticket.state)
