"""Everyday acceptances and refusals ("I'll take it", "kann ich nicht übernehmen") in new text."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import cached_property

from mailbaton.classify.data.verdict_words import (
    ACCEPT,
    CONDITIONS,
    NEGATIONS,
    NOT_AFTER_ACCEPT,
    PRELUDES,
    REFUSE,
)

__all__ = ["opens_with_acceptance", "refusal_at"]

# Scripts written without spaces between words (Thai, kana, CJK, Hangul): a phrase is a
# plain substring there. Ranges of code points, tested in Python: as a regex class they
# cost ~5 ms to compile.
_NO_SPACES = (
    ("\u0e00", "\u0e7f"),
    ("\u3040", "\u30ff"),
    ("\u3400", "\u9fff"),
    ("\uac00", "\ud7af"),
    ("\uf900", "\ufaff"),
)
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'"})
# Emoji that say "yes, mine" on their own.
_ACCEPT_EMOJI = ("👍", "👌", "✅", "✔️", "✔", "🫡")
_SENTENCE_END = re.compile(r"[.!?。！？]|\n")


def _unspaced(phrase: str) -> bool:
    return any(low <= char <= high for char in phrase for low, high in _NO_SPACES)


def _alternation(phrases: Iterable[str]) -> str:
    """The phrases, longest first, each a whole word (but in scripts without spaces).

    One word-boundary test stands for a run of phrases in a row that need it: the same
    matches, in the same order of preference, as one test around every phrase, and half
    the regex to compile."""
    runs: list[tuple[bool, list[str]]] = []
    for phrase in sorted(set(phrases), key=len, reverse=True):
        body = r"\s+".join(re.escape(word) for word in phrase.split())
        spaced = not _unspaced(phrase)
        if runs and runs[-1][0] == spaced:
            runs[-1][1].append(body)
        else:
            runs.append((spaced, [body]))
    return "|".join(
        rf"(?<![\w'])(?:{'|'.join(bodies)})(?![\w'])" if spaced else "|".join(bodies)
        for spaced, bodies in runs
    )


def _all(table: dict[str, tuple[str, ...]]) -> list[str]:
    return [phrase for phrases in table.values() for phrase in phrases]


class _Lazy:
    """A pattern compiled by its first use (~40 ms of CPU for all six): most replies say
    GOT IT or REFUSE, which are read before these are, and many starts read no reply."""

    def __init__(self, source: Callable[[], str]) -> None:
        self.source = source

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        return re.compile(self.source(), re.I)


_PRELUDE = _Lazy(lambda: rf"^(?:(?:{_alternation(PRELUDES)})[\s,.!:;、，。-]*)+")
_ACCEPT = _Lazy(lambda: rf"^(?:{_alternation(_all(ACCEPT))})")
_REFUSE = _Lazy(lambda: _alternation(_all(REFUSE)))
_CONDITION = _Lazy(lambda: rf"(?:{_alternation(CONDITIONS)})")
_NOT_AFTER = _Lazy(lambda: rf"(?:{_alternation(NOT_AFTER_ACCEPT)})")
_NEGATION = _Lazy(lambda: rf"(?:{_alternation(NEGATIONS)})")


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
    return not _CONDITION.pattern.search(before) and not _CONDITION.pattern.match(after.lstrip())


def opens_with_acceptance(opening: str) -> bool:
    """Do these opening words accept: "I'll take it", "Übernommen", "👍", "OK, will do"?"""
    text = normalise(opening)
    prelude = _PRELUDE.pattern.match(text)
    text = text[prelude.end() if prelude else 0 :]
    if text.startswith(_ACCEPT_EMOJI):
        rest = text.lstrip("".join(_ACCEPT_EMOJI) + "\ufe0f ")
        return not rest.startswith("?")
    match = _ACCEPT.pattern.match(text)
    if match is None or _NOT_AFTER.pattern.match(text[match.end() :].lstrip()):
        return False
    clause = _CLAUSE_END.split(text[match.end() :], maxsplit=1)[0]
    if _NEGATION.pattern.search(clause):
        return False  # "Ich übernehme das nicht", "Jag tar det inte"
    return _is_answer(text, match.start(), match.end())


def refusal_at(paragraph: str) -> int | None:
    """Where an everyday refusal starts in this paragraph ("I can't take this"), or None."""
    text = normalise(paragraph)
    for match in _REFUSE.pattern.finditer(text):
        if _is_answer(text, match.start(), match.end()):
            return match.start()
    return None
