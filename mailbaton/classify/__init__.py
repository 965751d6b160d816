"""ParsedMail -> one decision, pure: screen machines, read handoffs and replies."""

from mailbaton.classify.catchers import check_catcher, is_group, parse_catchers
from mailbaton.classify.decision import decide
from mailbaton.classify.handoff import read_fields, read_handoff, too_large
from mailbaton.classify.hints import reply_hints
from mailbaton.classify.records import (
    Decision,
    Held,
    Ignored,
    NewHandoff,
    Reason,
    Rejection,
    Reply,
    ReplyHints,
    Returned,
)
from mailbaton.classify.screen import base_address, domain_allowed, screen, unverified
from mailbaton.classify.verdicts import Verdict, catcher_line, read_verdict, verdict_from_text

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
    "Verdict",
    "base_address",
    "catcher_line",
    "check_catcher",
    "decide",
    "domain_allowed",
    "is_group",
    "parse_catchers",
    "read_fields",
    "read_handoff",
    "read_verdict",
    "reply_hints",
    "screen",
    "too_large",
    "unverified",
    "verdict_from_text",
]
