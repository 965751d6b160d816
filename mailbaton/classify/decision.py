"""ParsedMail -> exactly one Decision: what this message is, decided once and in one order."""

from __future__ import annotations

from dataclasses import dataclass

from mailbaton.classify.handoff import (
    Ignored,
    NewHandoff,
    Rejection,
    ReplyHints,
    read_handoff,
    reply_hints,
    screen,
    too_large,
    unverified,
)
from mailbaton.config import Settings
from mailbaton.mail.records import Bounce, ParsedMail


@dataclass(frozen=True)
class Returned:
    """A delivery failure report: matched against our own mail, never answered."""

    bounce: Bounce


@dataclass(frozen=True)
class Held:
    """Possibly forged (no DMARC pass where one is required): kept for an admin, unanswered."""

    reason: str


@dataclass(frozen=True)
class Reply:
    """Names a ticket; when no ticket matches, the mail is read as `otherwise`."""

    hints: ReplyHints
    otherwise: NewHandoff | Rejection


Decision = Returned | Ignored | Held | Reply | NewHandoff | Rejection


def decide(mail: ParsedMail, settings: Settings, *, oversized: int | None = None) -> Decision:
    """The one place that orders the checks. With `oversized` (the real size), `mail` is
    only the header of a message too large to load."""
    if mail.bounce is not None:  # from any MTA: matched only by our own Message-IDs
        return Returned(mail.bounce)
    ignored = screen(mail, settings)
    if ignored is not None:
        return ignored
    if oversized is not None:
        return too_large(mail, settings, oversized)
    held = unverified(mail, settings)
    if held is not None:
        return Held(held)
    handoff = read_handoff(mail, settings)
    hints = reply_hints(mail, settings)
    return Reply(hints, handoff) if hints else handoff
