"""Where a mail says which ticket it answers: plus address, thread ids, subject tag."""

from __future__ import annotations

import re

from mailbaton.classify.records import ReplyHints
from mailbaton.config import Settings
from mailbaton.mail.records import ParsedMail

__all__ = ["reply_hints"]

_TAG = re.compile(r"\[([A-Za-z][A-Za-z0-9]{0,9})-(\d+)\]")


def _plus_tokens(mail: ParsedMail, settings: Settings) -> list[str]:
    """The +token of every recipient that is a shared address plus a tag (any mailbox's:
    a reply that reaches another of our mailboxes still names its ticket)."""
    shared = {
        tuple(box.address.lower().partition("@")[::2])
        for box in settings.mailboxes
        if box.mailbox.plus_addressing
    }
    if not shared:
        return []
    tokens: list[str] = []
    for addr in [a.addr for a in (*mail.to, *mail.cc)] + list(mail.delivered_to):
        local, _, domain = addr.lower().partition("@")
        # The longest shared address it extends: a mailbox may be at baton+sales@, and
        # its reply address baton+sales+TOKEN@ carries TOKEN, not "sales+TOKEN".
        names = [name for name, at in shared if at == domain and local.startswith(name + "+")]
        if names:
            token = addr.partition("@")[0][len(max(names, key=len)) + 1 :]
            if token:
                tokens.append(token)
    return tokens


def reply_hints(mail: ParsedMail, settings: Settings) -> ReplyHints:
    tokens = _plus_tokens(mail, settings)
    ids = [*mail.in_reply_to, *reversed(mail.references)]
    prefix = settings.protocol.ticket_prefix.upper()
    refs = [
        f"{prefix}-{m.group(2)}"
        for m in _TAG.finditer(mail.subject)
        if m.group(1).upper() == prefix
    ]
    return ReplyHints(tuple(dict.fromkeys(tokens)), tuple(dict.fromkeys(ids)), tuple(refs))
