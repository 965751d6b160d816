"""ParsedMail -> one decision, pure: screen machines, read handoffs and replies."""

from mailbaton.classify.decision import Decision, Held, Reply, Returned, decide
from mailbaton.classify.handoff import Ignored, NewHandoff, Reason, Rejection, ReplyHints

__all__ = [
    "Decision",
    "Held",
    "Ignored",
    "NewHandoff",
    "Reason",
    "Rejection",
    "Reply",
    "ReplyHints",
    "Returned",
    "decide",
]
