"""The reason a thrower gives with CANCEL, read from the new text of their reply."""

from __future__ import annotations

import re

__all__ = ["cancel_reason"]

_CANCEL = re.compile(r"\bcancel(?:l?ed|ling|ing|s)?\b", re.I)
# Words that belong to the request, not the reason: "please cancel this one: ...".
_LEAD = re.compile(
    r"^(?:(?:this\s+one|it|this|that|the\s+(?:ticket|handoff|request)|please)\b[\s,.]*)*"
    r"[\s:\-–—,.;!]*",
    re.I,
)
_FILLER = re.compile(r"^(?:hi|hello|ok(?:ay)?|yes|sorry|please|pls)\b[\s,.!]*", re.I)
# A sign-off ends the reason: "Thanks, Alice" is not why.
_CLOSING = re.compile(
    r"^(?:thanks?|thank\s+you|cheers|best|regards|kind\s+regards|br|cordialement|"
    r"merci|danke|gr(?:ü|ue)(?:ß|ss)e|viele\s+gr(?:ü|ue)(?:ß|ss)e|mfg)\b",
    re.I,
)
MAX_LENGTH = 1000


def cancel_reason(text: str) -> str | None:
    """The words after CANCEL on its line, else the lines after it (up to a sign-off),
    else the words before it ("Customer withdrew, please cancel"); None if none."""
    lines = [line.strip() for line in text.replace("\r", "").split("\n")]
    for index, line in enumerate(lines):
        match = _CANCEL.search(line)
        if match is None:
            continue
        after = _LEAD.sub("", line[match.end() :].strip()).strip(" .!")
        if after:
            return after[:MAX_LENGTH]
        following = _following(lines[index + 1 :])
        if following:
            return following[:MAX_LENGTH]
        before = line[: match.start()].strip(" ,;:-–—")
        while _FILLER.match(before):
            before = _FILLER.sub("", before, count=1)
        before = re.sub(r"\b(?:please|pls)$", "", before, flags=re.I).strip(" ,;:-–—.")
        return before[:MAX_LENGTH] or None
    return None


def _following(lines: list[str]) -> str:
    kept: list[str] = []
    for line in lines:
        if _CLOSING.match(line) or line.startswith(">"):
            break
        if not line:
            if kept:
                break
            continue
        kept.append(line)
    return " ".join(kept)
