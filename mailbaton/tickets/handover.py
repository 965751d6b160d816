"""Handing a ticket to a new catcher (a thrower after a refusal, or a manager): who, and
what the new catcher is told about the one before."""

from __future__ import annotations

from typing import Any

from mailbaton.classify.catchers import check_catcher, parse_catchers, same_person
from mailbaton.mail.records import Address
from mailbaton.outbound.notices import answer
from mailbaton.outbound.people import person_name
from mailbaton.store.models import Ticket
from mailbaton.tickets.people import named
from mailbaton.tickets.turn import Change, Note, Step, Turn


def new_catcher(turn: Turn, ticket: Ticket, value: str) -> tuple[Address | None, list[str]]:
    """The one person `value` names, with a name to call them by; else what is wrong."""
    found = parse_catchers(value)
    if len(found) != 1:
        return None, ["no_catcher" if not found else "several_catchers"]
    thrower = Address(ticket.thrower_name, ticket.thrower)
    problems = [r.code for r in check_catcher(found[0], thrower, turn.desk.settings)]
    if ticket.catcher and same_person(found[0].addr, ticket.catcher):
        problems.append("catcher_same")
    if problems:
        return None, problems
    return named(turn.session, found[0]), []


def previous_catcher(ticket: Ticket, by: str | None = None) -> dict[str, Any]:
    """What the new catcher's request says of the one before: who, why they gave it back
    (None if they never answered), and who moved it (a manager's name, else None)."""
    return {
        "catcher_name": person_name(ticket.catcher_name, ticket.catcher or ""),
        "reason": ticket.refusal_reason or None,
        "by": by,
    }


def handover_refused(
    turn: Turn, ticket: Ticket, value: str, problems: list[str], first: tuple[Step, ...] = ()
) -> Change:
    """The sender asked for a catcher who cannot be one: nothing moves, they are told why."""
    assert turn.mail is not None
    extra = {"reroute_problems": problems, "reroute_value": value}
    steps: tuple[Step, ...] = (
        *first,
        Note("re-route refused", ", ".join(problems)),
        *answer(turn.mail.from_, "not_pending", turn.mail, extra=extra),
    )
    return Change(f"{ticket.ref}: re-route refused: {', '.join(problems)}", steps=steps)
