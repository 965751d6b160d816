"""Everyday acceptances and refusals ("I'll take it", "kann ich nicht übernehmen") in new text."""

from __future__ import annotations

import re
from collections.abc import Iterable

from mailbaton.classify.data.verdict_words import (
    ACCEPT,
    CONDITIONS,
    NEGATIONS,
    NOT_AFTER_ACCEPT,
    PRELUDES,
    REFUSE,
)

__all__ = ["opens_with_acceptance", "refusal_at"]

# Scripts written without spaces between words: a phrase is a plain substring there.
_NO_SPACES = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'"})
# Emoji that say "yes, mine" on their own.
_ACCEPT_EMOJI = ("👍", "👌", "✅", "✔️", "✔", "🫡")
_SENTENCE_END = re.compile(r"[.!?。！？]|\n")


def _alternation(phrases: Iterable[str]) -> str:
    parts = []
    for phrase in sorted(set(phrases), key=len, reverse=True):
        body = r"\s+".join(re.escape(word) for word in phrase.split())
        if _NO_SPACES.search(phrase):
            parts.append(body)
        else:
            parts.append(rf"(?<![\w']){body}(?![\w'])")
    return "|".join(parts)


def _all(table: dict[str, tuple[str, ...]]) -> list[str]:
    return [phrase for phrases in table.values() for phrase in phrases]


_PRELUDE = re.compile(rf"^(?:(?:{_alternation(PRELUDES)})[\s,.!:;、，。-]*)+", re.I)
_ACCEPT = re.compile(rf"^(?:{_alternation(_all(ACCEPT))})", re.I)
_REFUSE = re.compile(_alternation(_all(REFUSE)), re.I)
_CONDITION = re.compile(rf"(?:{_alternation(CONDITIONS)})", re.I)
_NOT_AFTER = re.compile(rf"(?:{_alternation(NOT_AFTER_ACCEPT)})", re.I)
_NEGATION = re.compile(rf"(?:{_alternation(NEGATIONS)})", re.I)
_CLAUSE_END = re.compile(r"[,;.!?。、，！？\n]")


def normalise(text: str) -> str:
    """Lower case, one kind of apostrophe, one space between words."""
    return " ".join(text.translate(_APOSTROPHES).split()).lower()


def _is_answer(text: str, start: int, end: int) -> bool:
    """Not asked as a question, not made a condition: "if I can't", "I'll take it if"."""
    before = _SENTENCE_END.split(text[:start])[-1]
    after = text[end:]
    close = _SENTENCE_END.search(after)
    if close and close.group() in ("?", "？"):
        return False
    return not _CONDITION.search(before) and not _CONDITION.match(after.lstrip())


def opens_with_acceptance(opening: str) -> bool:
    """Do these opening words accept: "I'll take it", "Übernommen", "👍", "OK, will do"?"""
    text = normalise(opening)
    prelude = _PRELUDE.match(text)
    text = text[prelude.end() if prelude else 0 :]
    if text.startswith(_ACCEPT_EMOJI):
        rest = text.lstrip("".join(_ACCEPT_EMOJI) + "\ufe0f ")
        return not rest.startswith("?")
    match = _ACCEPT.match(text)
    if match is None or _NOT_AFTER.match(text[match.end() :].lstrip()):
        return False
    clause = _CLAUSE_END.split(text[match.end() :], maxsplit=1)[0]
    if _NEGATION.search(clause):
        return False  # "Ich übernehme das nicht", "Jag tar det inte"
    return _is_answer(text, match.start(), match.end())


def refusal_at(paragraph: str) -> int | None:
    """Where an everyday refusal starts in this paragraph ("I can't take this"), or None."""
    text = normalise(paragraph)
    for match in _REFUSE.finditer(text):
        if _is_answer(text, match.start(), match.end()):
            return match.start()
    return None
