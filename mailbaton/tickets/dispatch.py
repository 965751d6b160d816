"""One decision applied to the tickets: the only place a classified message changes state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from mailbaton.classify import Decision, Held, Ignored, NewHandoff, Rejection, Reply, Returned
from mailbaton.mail.records import ParsedMail
from mailbaton.outbound.desk import Desk
from mailbaton.store.models import Outcome, Ticket
from mailbaton.tickets import answers, bounces
from mailbaton.tickets.digest import answers_a_digest
from mailbaton.tickets.lookup import find_by_hints
from mailbaton.tickets.opening import open_ticket, reject
from mailbaton.tickets.turn import Turn, settle


@dataclass(frozen=True)
class Result:
    """What became of one message: its outcome folder, why, and the ticket it touched."""

    outcome: Outcome
    reason: str
    ticket: Ticket | None = None
    # A rejection's reason codes, for the log's `reasons` field.
    reasons: tuple[str, ...] = ()


def apply(
    session: Session, desk: Desk, decision: Decision, mail: ParsedMail, now: datetime
) -> Result:
    turn = Turn(session, desk, now, mail)
    if isinstance(decision, Returned):
        return Result(Outcome.IGNORED, bounces.handle_bounce(turn, decision.bounce))
    if isinstance(decision, Ignored):
        return Result(Outcome.IGNORED, decision.reason)
    if isinstance(decision, Held):
        # Not answered (it may be forged), not lost: an admin finds it in the failed folder.
        return Result(Outcome.FAILED, decision.reason)
    if isinstance(decision, Reply):
        ticket = find_by_hints(session, decision.hints)
        if ticket is not None:
            change = answers.handle_reply(turn, ticket)
            seen = len(ticket.events)
            settle(turn, ticket, change)
            return Result(change.outcome, change.reason + held_note(ticket, seen), ticket)
        if answers_a_digest(session, decision.hints.message_ids):
            return Result(Outcome.IGNORED, "a reply to a digest: kept, not answered")
        decision = decision.otherwise
    return _handoff(turn, decision)


def _handoff(turn: Turn, decision: NewHandoff | Rejection) -> Result:
    if isinstance(decision, Rejection):
        ticket = reject(turn, decision)
        codes = tuple(reason.code for reason in decision.reasons)
        # The outcome says "rejected" already: the reason is which rules it broke.
        return Result(Outcome.REJECTED, ", ".join(codes) + held_note(ticket), ticket, codes)
    ticket = open_ticket(turn, decision)
    return Result(Outcome.PROCESSED, f"opened {ticket.ref} for {ticket.catcher}", ticket)


def held_note(ticket: Ticket, seen: int = 0) -> str:
    """'; answer held: over 20 answers an hour to ...' when the ceiling kept this answer, so
    the ledger and the terminal say it too, not only the timeline. `seen`: how many events
    the ticket had before this message (one pass gives every message the same `now`, so
    the time cannot tell this message's lines from an earlier one's)."""
    held = [e.detail for e in ticket.events[seen:] if e.kind == "answer held"]
    return f"; answer held: {held[-1].split(': ', 1)[-1]}" if held else ""
