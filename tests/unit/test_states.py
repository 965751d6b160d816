"""The transition table: every legal move and every illegal one, and the columns they stamp."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import product

import pytest

from mailbaton.store.models import State, Ticket
from mailbaton.tickets.states import (
    TRANSITIONS,
    IllegalMove,
    Move,
    Said,
    allowed,
    next_state,
    transition,
)

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
LEGAL = {
    (State.PENDING, Move.ACCEPT): State.ACCEPTED,
    (State.PENDING, Move.REFUSE): State.REFUSED,
    (State.PENDING, Move.CANCEL): State.CANCELLED,
    (State.REFUSED, Move.REROUTE): State.PENDING,
    # A manager hands a waiting ticket to someone else: it waits for the new catcher.
    (State.PENDING, Move.REASSIGN): State.PENDING,
}
ILLEGAL = [pair for pair in product(State, Move) if pair not in LEGAL]


def ticket(state: State) -> Ticket:
    return Ticket(ref="BP-1", state=state, title="t", thrower="a@example.com")


def test_the_table_is_exactly_the_protocol() -> None:
    assert TRANSITIONS == LEGAL


@pytest.mark.parametrize(("state", "move"), list(LEGAL))
def test_legal_moves_land_where_the_table_says(state: State, move: Move) -> None:
    assert allowed(state, move)
    assert transition(ticket(state), move, NOW) == LEGAL[(state, move)]


@pytest.mark.parametrize(("state", "move"), ILLEGAL)
def test_illegal_moves_are_refused_and_change_nothing(state: State, move: Move) -> None:
    t = ticket(state)
    with pytest.raises(IllegalMove, match=f"cannot {move.value} a ticket that is {state.value}"):
        transition(t, move, NOW)
    assert t.state == state
    assert not allowed(state, move)


def test_an_unknown_state_is_illegal_too() -> None:
    with pytest.raises(IllegalMove):
        next_state("archived", Move.ACCEPT)


def test_each_move_stamps_its_columns() -> None:
    accepted = ticket(State.PENDING)
    transition(accepted, Move.ACCEPT, NOW)
    assert accepted.accepted_at == NOW

    refused = ticket(State.PENDING)
    transition(refused, Move.REFUSE, NOW, reason="no capacity")
    assert (refused.refused_at, refused.refusal_reason) == (NOW, "no capacity")

    cancelled = ticket(State.PENDING)
    transition(cancelled, Move.CANCEL, NOW, reason="the customer signed already")
    assert (cancelled.cancelled_at, cancelled.cancel_reason) == (
        NOW,
        "the customer signed already",
    )

    transition(refused, Move.REROUTE, NOW)
    assert (refused.state, refused.refused_at, refused.refusal_reason) == (
        State.PENDING,
        None,
        None,
    )


@pytest.mark.parametrize(
    ("kind", "said"),
    [
        ("accept", Said.ACCEPT),
        ("refuse", Said.REFUSE),
        ("cancel", Said.CANCEL),
        ("?", Said.UNCLEAR),
    ],
)
def test_verdict_kinds_map_onto_said(kind: str, said: Said) -> None:
    assert Said.read(kind) is said
