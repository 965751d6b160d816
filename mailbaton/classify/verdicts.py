"""Read a catcher's or thrower's verdict (accept, refuse, cancel) from a reply mail."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from mailbaton.classify.quotes import new_text
from mailbaton.mail.parse import ParsedMail

__all__ = ["Verdict", "catcher_line", "new_text", "read_verdict", "verdict_from_text"]


@dataclass(frozen=True)
class Verdict:
    kind: str  # "accept" | "refuse" | "cancel" | "unclear"
    reason: str | None  # refuse: the reason text ("" if none given); else None
    new_text: str  # the new text the verdict was read from (for logs/timeline)


# A greeting on a line of its own comes before the opening words, not instead.
_GREETING = re.compile(
    r"^(?:hi|hello|hey|dear|hallo|bonjour|hola|hej|ciao|good\s+(?:morning|afternoon|evening))"
    r"\b[^.!?]{0,40}[,.!:]?$",
    re.I,
)
_LEAD = re.compile(r"^[\W_]+")
# Short acknowledgements that may come before the verdict: "OK, got it".
_PRELUDE = (
    r"(?:(?:ok(?:ay)?|yes|yep|yeah|sure|fine|great|perfect|alright|all\s+right|thanks"
    r"|thank\s+you|sounds\s+good|no\s+problem)\b[\s,.!:;-]*)*"
)
_ACCEPT = re.compile(
    _PRELUDE + r"(?:i\s+(?:have\s+|['’]ve\s+)?|i['’]ll\s+)?"
    r"(?:got\s*it|gotit|accept(?:ed|ing)?)(?!\w)(?!\s*\?)(?!\s+(?:wrong|backwards)\b)",
    re.I,
)
_CANCEL = re.compile(
    r"(?:please\s+)?cancel(?:l?ed|ling|ing)?(?:\s+(?:it|this|that|please))?(?!\w)(?!\s*\?)", re.I
)
_REFUSE = re.compile(r"\b(?:refus(?:e|ed|es|ing)|reject(?:ed|s|ing)?)\b", re.I)
# "I can't refuse", "not rejecting" are not refusals.
_NEGATED = re.compile(r"(?:\bnot|n['’]t|\bnever|\bcannot)(?:\s+\w+){0,2}\s*$", re.I)
# "I refuse this one: reason" - the object of the verb is not the reason.
_REASON_LEAD = re.compile(
    r"^(?:(?:this|that|it|the)(?:\s+(?:one|ticket|handoff|task|request|baton))?(?![\w'’]))?"
    r"[\s:\-–—,.;!]*",
    re.I,
)
_CATCHER = re.compile(r"^[\W_]{0,3}(?:new\s+)?catcher[*_]{0,2}\s*[:：]\s*(.*)$", re.I)


def _paragraphs(text: str) -> list[list[str]]:
    paragraphs: list[list[str]] = []
    current: list[str] = []
    for line in text.split("\n"):
        if line.strip():
            current.append(line.strip())
        elif current:
            paragraphs.append(current)
            current = []
    if current:
        paragraphs.append(current)
    # Drop a greeting on its own ("Hi Alice,"): the verdict follows it.
    if paragraphs and _GREETING.match(paragraphs[0][0]):
        if len(paragraphs[0]) > 1:
            paragraphs[0] = paragraphs[0][1:]
        elif len(paragraphs) > 1:
            paragraphs = paragraphs[1:]
    return paragraphs


def _refusal(paragraphs: list[list[str]]) -> tuple[int, int, str] | None:
    """(line index, column, reason) of the first refusal in the first paragraph."""
    first = paragraphs[0]
    for index, line in enumerate(first):
        for match in _REFUSE.finditer(line):
            if _NEGATED.search(line[max(0, match.start() - 40) : match.start()]):
                continue
            rest = _REASON_LEAD.sub("", line[match.end() :].strip()).strip()
            if not rest:
                following = first[index + 1 :]
                if not following and len(paragraphs) > 1:
                    following = paragraphs[1]
                rest = "\n".join(following).strip()
            return index, match.start(), rest
    return None


def _verdict(text: str) -> Verdict:
    paragraphs = _paragraphs(text)
    if not paragraphs:
        return Verdict("unclear", None, text)
    opening = paragraphs[0][0]
    lead = len(opening) - len(_LEAD.sub("", opening))
    words = opening[lead:]
    opened: str | None = None
    if _ACCEPT.match(words):
        opened = "accept"
    elif _CANCEL.match(words):
        opened = "cancel"
    refusal = _refusal(paragraphs)
    if refusal is not None:
        line_index, column, reason = refusal
        # Refuse beats the opening words only when it comes first on the opening line.
        if opened is None or (line_index == 0 and column <= lead):
            return Verdict("refuse", reason, text)
    if opened is not None:
        return Verdict(opened, None, text)
    return Verdict("unclear", None, text)


def verdict_from_text(text: str) -> Verdict:
    """The verdict read from already-stripped new text; "unclear" if there is none."""
    if not isinstance(text, str):
        return Verdict("unclear", None, "")
    try:
        return _verdict(text.replace("\r\n", "\n").replace("\r", "\n"))
    except Exception:
        return Verdict("unclear", None, text)


def read_verdict(mail: ParsedMail, sent: Sequence[str] = ()) -> Verdict:
    """new_text(mail.text, mail.html, sent), then the verdict from it. `sent`: the
    plain-text bodies mailbaton sent on the ticket, so a pasted-back copy never counts."""
    try:
        text = new_text(getattr(mail, "text", "") or "", getattr(mail, "html", None), sent)
    except Exception:
        text = ""
    return verdict_from_text(text)


def catcher_line(text: str, sent: Sequence[str] = ()) -> str | None:
    """The value of a "Catcher: ..." line opening the new text, else None."""
    try:
        paragraphs = _paragraphs(new_text(text, sent=sent))
    except Exception:
        return None
    for line in paragraphs[0] if paragraphs else []:
        match = _CATCHER.match(line)
        if match:
            value = match.group(1).strip().strip("*_").strip()
            return value or None
    return None
