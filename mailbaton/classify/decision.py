"""ParsedMail -> exactly one Decision: what this message is, decided once and in one order."""

from __future__ import annotations

from mailbaton.classify.handoff import read_handoff, too_large
from mailbaton.classify.hints import reply_hints
from mailbaton.classify.records import (
    Decision,
    Held,
    Ignored,
    NewHandoff,
    Rejection,
    Reply,
    Returned,
)
from mailbaton.classify.screen import screen, unverified
from mailbaton.config import Settings
from mailbaton.mail.records import ParsedMail

# The Decision types are re-exported: callers may take them from here.
__all__ = ["Decision", "Held", "Ignored", "NewHandoff", "Rejection", "Reply", "Returned", "decide"]


def decide(mail: ParsedMail, settings: Settings, *, oversized: int | None = None) -> Decision:
    """The one place that orders the checks. With `oversized` (the real size), `mail` is
    only the beginning of a message too large to load."""
    screened = screen(mail, settings)  # machines first: a bounce is never a person's mail
    if screened is not None:
        return screened
    held = unverified(mail, settings)
    if held is not None:
        return Held(held)
    if oversized is not None:
        # Only its beginning was read: enough for a reply's verdict (a catcher's GOT IT
        # with the file sent back is still a GOT IT), never enough to pass a file on.
        rejection = too_large(mail, settings, oversized)
        hints = reply_hints(mail, settings)
        return Reply(hints, rejection) if hints else rejection
    handoff = read_handoff(mail, settings)
    hints = reply_hints(mail, settings)
    return Reply(hints, handoff) if hints else handoff
