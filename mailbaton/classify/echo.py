"""Our own mail pasted back into a reply, recognised from the text we actually sent.

Clients paste the mail they answer below the answer, often without quote marks, and
an admin may word the templates any way: so what counts is the wording of the mail
mailbaton sent on this ticket, not the wording of the default templates.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["Sent", "normalise"]

# ">" and the rarer "|" and ":" that some clients and people quote with.
_QUOTE_MARKS = re.compile(r"^[\s>|:]+")
# A line this short ("Hi Jane,", "--", "GOT IT", "Got it, thanks") may be the replier's words:
# it is ours only as part of a longer stretch of our text.
_MIN_WORDS = 4
_MIN_CHARS = 12
# How many blank lines a client may put between two lines of a pasted paragraph.
_MAX_GAP = 3


def normalise(line: str) -> str:
    """A line as compared with ours: no quote marks, one space between words, case-folded."""
    return " ".join(_QUOTE_MARKS.sub("", line).split()).casefold()


def _significant(norm: str) -> bool:
    return len(norm) >= _MIN_CHARS and len(norm.split()) >= _MIN_WORDS


class Sent:
    """The plain-text bodies mailbaton sent on one ticket, to be looked for in a reply."""

    def __init__(self, texts: Sequence[str] = ()) -> None:
        # Each text as one run of words, so a line a client re-wrapped still matches.
        self.texts = tuple(
            " " + " ".join(filter(None, map(normalise, text.splitlines()))) + " "
            for text in texts
            if isinstance(text, str) and text.strip()
        )

    def __bool__(self) -> bool:
        return bool(self.texts)

    def _has(self, norm: str) -> bool:
        """Do these words stand together, whole, in one text we sent?"""
        needle = f" {norm} "
        return any(needle in text for text in self.texts)

    def prepare(self, lines: Sequence[str]) -> list[str]:
        """The reply's lines normalised once, for ours() and copy_starts()."""
        return [normalise(line) for line in lines] if self.texts else []

    def ours(self, norms: Sequence[str], i: int) -> bool:
        """Does line i reproduce our text, and is it long enough not to be a coincidence?"""
        return bool(norms) and _significant(norms[i]) and self._has(norms[i])

    def copy_starts(self, norms: Sequence[str], i: int) -> bool:
        """Does a pasted copy of our mail start at line i: it and the next line written
        stand together, in this order, in one text we sent?"""
        first = norms[i] if norms else ""
        if not first or not self._has(first):
            return False
        second = next((norm for norm in norms[i + 1 : i + 2 + _MAX_GAP] if norm), "")
        joined = f"{first} {second}"
        return bool(second) and _significant(joined) and self._has(joined)
