"""Attribution lines ("On <date>, <name> wrote:") in every client's and locale's wording."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache, cached_property

from mailbaton.classify.data.attributions import ATTRIBUTIONS
from mailbaton.classify.data.thunderbird_l10n import LOCALES

__all__ = ["MAX_ATTRIBUTION", "attribution_at", "is_quoted", "split_mid_line", "template_budget"]

# Attribution lines are short; anything longer is prose, and capping the length
# keeps every pattern below linear on pathological input.
MAX_ATTRIBUTION = 400
# The verb that ends an attribution ("... wrote:"), per language, beside the templates.
_VERBS = tuple(
    "wrote|writes|schrieb|schreef|geschreven|a écrit|escribió|escribio|ha scritto|scrisse"
    "|escreveu|skrev|napisał|napisała|napisal|pisze|написал|написала|написав|пишет|пише"
    "|kirjoitti|írta|napsal|napsala|yazdı|έγραψε|כתב|写道|寫道|のメッセージ|작성".split("|")
)
_QUOTED = re.compile(r"^\s*(?:>|\w{1,3}>)")


def is_quoted(line: str) -> bool:
    return bool(_QUOTED.match(line))


def _ends_with_verb(text: str, mark: bool) -> bool:
    """Does text end with an attribution verb, followed by ":" or "--" if mark?"""
    tail = " ".join(text[-80:].split()).lower()
    if tail.endswith((":", "：")):
        tail = tail[:-1].rstrip()
    elif tail.endswith("--"):
        tail = tail.rstrip("-").rstrip()
    elif mark:
        return False
    if tail.endswith(")") and "(" in tail[-6:]:  # "napisał(a):"
        tail = tail[: tail.rindex("(")].rstrip()
    return tail.endswith(_VERBS)


# Words that open an attribution line in the languages seen in real replies.
_OPENER = re.compile(
    r"^(?:-{2,}\s*)?(?:(?:on|am|le|el|op|il|em|den|på|w\s+dniu|dnia|в|dne|la|da)\b"
    r"|\d|在|\w+\.?,?\s+\d|\"?[\w.+-]+@)",
    re.I,
)
_ANGLE_ADDR = re.compile(r"@|&lt;")
_VERB_WORD = (
    r"\b(?:schrieb|schreef|skrev|a\s+écrit|escribió|ha\s+scritto|escreveu|napisał|kirjoitti)\b"
)
_VERB_MID = re.compile(_VERB_WORD + r".{1,200}[:：]\s*$", re.I)
_VERB_IN = re.compile(_VERB_WORD, re.I)
# Plain substrings of _VERB_WORD, to skip its regex on prose (re is slow on it).
_VERB_HINTS = ("schr", "skrev", "écrit", "escri", "scritto", "napisa", "kirjoitti")


def _has_verb_word(text: str) -> bool:
    low = text.lower()
    return any(hint in low for hint in _VERB_HINTS) and bool(_VERB_IN.search(text))


_DATED = re.compile(
    r"^\d{1,4}[-/.:]\s?\d{1,2}.{0,200}@[\w.-]+>?\"?\s*[:：]$"
    # Old Gmail: "2013/7/20 Name <addr>", "2016-03-03 17:21 GMT+01:00 Name"
    r"|^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\s(?:\d{1,2}:\d{2}\s.{0,200}|.{0,200}@[\w.-]+>)$"
)
_ADDR_END = re.compile(r"^>\s*[:：]\s*$")
_ADDR_COLON = re.compile(r"@[\w.-]+>\s*[:：]$")


def _is_attribution(joined: str) -> bool:
    """The hand-written rules the shared suites were first read with."""
    # Every form below has a colon, a "--" or an address: skip prose cheaply.
    if not any(mark in joined for mark in (":", "：", "@", "--")):
        return False
    if _ends_with_verb(joined, mark=True):
        return bool(_OPENER.match(joined) or _ANGLE_ADDR.search(joined))
    if (_OPENER.match(joined) or "@" in joined) and (
        # "Am <date> schrieb <name>:", "Op <date> schreef <name> <addr>:"
        (_has_verb_word(joined) and _VERB_MID.search(joined))
        # "On <date> <name> <addr> wrote", with no colon
        or ("@" in joined and _ends_with_verb(joined, mark=False))
    ):
        return True
    # "2014-03-20 8:48 GMT+01:00 Name <addr>:", "11:00 AM, <date>, Name <addr>:"
    # "ср, 30 апр. 2025 г. в 15:19, John Doe <doe@example.com>:"
    return bool(_DATED.match(joined) or (_ADDR_COLON.search(joined) and re.search(r"\d", joined)))


@dataclass(frozen=True)
class _Template:
    body: str  # the regex of the whole line, compiled when first needed
    needles: tuple[str, ...]  # words that must all be in the line before the regex runs
    dated: bool  # has a date: an author-only "X wrote:" needs more evidence
    named_first: bool  # starts with the author or date ("#1 kirjoitti #2 klo #3:")

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        # Only a line holding all its needles compiles a template: a process meets a few
        # of them, and compiling all of them cost every start ~0.1 s of CPU.
        return re.compile(rf"\s*{self.body}\s*", re.I)


_ADDRESS = r"(?:\s*[(<\[]{0,2}(?:mailto:)?[^\s<>()\[\]]+@[^\s<>()\[\]]+[)>\]]{0,2})?"
_PIECES = re.compile(r"(\s*\(?<?\{addr\}>?\)?|#[123]|%s|\{name\}|\[[^\]]*\])")
_WORD = re.compile(r"[^\W\d_]{2,}|[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]+")


def _literal(text: str) -> str:
    """A template's fixed words: spacing may vary (but words stay apart), a colon may be
    either width."""
    out = []
    for index, char in enumerate(text):
        if char.isspace():
            before, after = text[index - 1 : index], text[index + 1 : index + 2]
            # A placeholder next to the space counts as a word: "wrote on #2" is not "wrote one".
            apart = (before or "a").isalnum() and (after or "a").isalnum()
            out.append(r"\s+" if apart else r"\s*")
        elif char in ":：":
            out.append("[:：]")
        else:
            out.append(re.escape(char))
    return "".join(out)


def _compile(template: str) -> _Template | None:
    pieces = _PIECES.split(" ".join(template.replace("\xa0", " ").split()))
    regex, needles, dated = [], [], False
    for piece in pieces:
        if "{addr}" in piece:
            regex.append(_ADDRESS)
        elif piece in ("#1", "%s", "{name}"):
            regex.append(r".{1,120}?")
        elif piece in ("#2", "#3") or piece.startswith("["):
            regex.append(r".{1,60}?")
            dated = True
        else:
            regex.append(_literal(piece))
            needles += [word.lower() for word in _WORD.findall(piece)]
    if not needles or not template.rstrip().endswith((":", "：", "글")):
        return None  # no fixed word (Ukrainian "#2 #3, #1:"): the general rules cover it
    body = "".join(regex)
    opening = next(piece for piece in pieces if piece.strip())
    named_first = opening in ("#1", "#2", "#3", "%s", "{name}") or opening.startswith("[")
    return _Template(body, tuple(needles), dated, named_first)


def _templates() -> tuple[_Template, ...]:
    sources = [template for _, _, template, _ in ATTRIBUTIONS]
    for row in LOCALES:
        sources += [text for text in row[1:4] if text]
    compiled = {text: _compile(text) for text in sources}
    return tuple(t for t in compiled.values() if t is not None)


def _unspaced(word: str) -> bool:
    """In a script written without spaces (kana, CJK, Hangul)? A test of code points: a
    regex of these ranges cost ~5 ms to compile, for 242 short words."""
    return any(
        "\u3040" <= char <= "\u30ff" or "\u3400" <= char <= "\u9fff" or "\uac00" <= char <= "\ud7af"
        for char in word
    )


@dataclass(frozen=True)
class _Index:
    templates: tuple[_Template, ...]
    # Each template under its longest word, so a line only meets the templates its words
    # name; words in scripts without spaces are looked up as substrings.
    by_word: dict[str, set[int]]
    unspaced: tuple[tuple[int, str], ...]


@cache
def _index() -> _Index:
    """Built by the first line that could be an attribution, not by every import."""
    templates = _templates()
    by_word: dict[str, set[int]] = {}
    unspaced: list[tuple[int, str]] = []
    for index, template in enumerate(templates):
        key = max(template.needles, key=len)
        if _unspaced(key):
            unspaced.append((index, key))
        else:
            by_word.setdefault(key, set()).add(index)
    return _Index(templates, by_word, tuple(unspaced))


def _candidates(low: str) -> list[_Template]:
    index = _index()
    chosen: set[int] = set()
    for word in set(_WORD.findall(low)):
        chosen |= index.by_word.get(word, set())
    chosen.update(at for at, key in index.unspaced if key in low)
    return [index.templates[at] for at in sorted(chosen)]


# How many template look-ups and regexes one reply may run. Real replies need a few dozen
# (the development corpus at most 55, 99% of the shared corpus under 250); a crafted
# one with the same words repeated on every line would otherwise cost seconds. Past it,
# the hand-written rules still apply.
_BUDGET: ContextVar[list[int] | None] = ContextVar("template_budget", default=None)


@contextmanager
def template_budget(runs: int = 400) -> Iterator[None]:
    token = _BUDGET.set([runs])
    try:
        yield
    finally:
        _BUDGET.reset(token)


def _spend() -> bool:
    budget = _BUDGET.get()
    if budget is None:
        return True
    budget[0] -= 1
    return budget[0] >= 0


def _spent() -> bool:
    budget = _BUDGET.get()
    return budget is not None and budget[0] <= 0


def _template_match(joined: str) -> _Template | None:
    if not joined.rstrip().endswith((":", "：", "글")) or not _spend():
        return None  # every template ends so: prose lines are skipped at once
    low = joined.lower()
    has_digit = any(char.isdigit() for char in joined)
    for template in _candidates(low):
        if template.dated and not has_digit:
            continue  # a date always has a digit: "I wrote one of my own:" is prose
        if not all(needle in low for needle in template.needles):
            continue
        if not _spend():
            return None
        if template.pattern.fullmatch(joined):
            return template
    return None


_GAP = re.compile(r"[.!?؟](?=\s)\s*|[。！？।]\s*|\s+")
# An answer and an attribution on one line are short; longer lines are not split.
_MAX_SPLIT = 300
_KEYWORDS = ("GOT IT", "REFUSE", "REFUSED", "REJECT", "REJECTED", "ACCEPTED", "CANCEL")
_PROSE_WORD = re.compile(r"[^\W\d_]{2,}")


def _starts_attribution(line: str) -> bool:
    """Is the whole line an attribution from its first word (so nothing to split)?"""
    template = _template_match(line)
    if template and template.dated and not template.named_first:
        return True
    return bool(_OPENER.match(line)) and _is_attribution(line)


def _rest_is_attribution(rest: str, sentence: bool, named: bool) -> bool:
    first = rest.split(maxsplit=1)[0]
    if len(first) > 2 and first.isalpha() and first.isupper():
        return False  # a shouted keyword ("REFUSE 03.06.2024 ...") opens no attribution
    template = _template_match(rest)
    if template and template.dated and template.named_first == named:
        return named or not rest[0].islower()  # clients capitalise the opening word
    return sentence and not named and bool(_OPENER.match(rest)) and _is_attribution(rest)


def split_mid_line(line: str) -> int:
    """Where an attribution starts after new text on the same line ("Got it. On ... wrote:");
    0 if none does."""
    if len(line) > _MAX_SPLIT or not line.endswith((":", "：")) or "\n" in line:
        return 0
    if _spent() or not any(char.isdigit() for char in line) or _starts_attribution(line):
        return 0
    gaps = [gap for _, gap in zip(range(40), _GAP.finditer(line), strict=False)]
    # First an attribution opening with a word ("On", "Am", "Le"), then one opening with the
    # author ("Alice kirjoitti ..."), which can only follow the end of a sentence.
    for named in (False, True):
        for gap in gaps:
            at, sentence = gap.end(), not gap.group().isspace()
            # A verdict keyword is a whole answer: "REFUSE 03.06.2024 10:15, Alice:"
            sentence = sentence or line[:at].rstrip().endswith(_KEYWORDS)
            if at >= len(line) or not _prose_before(line[:at], named):
                continue
            if named and not sentence:
                continue  # an author or a date can open an attribution only after a sentence
            if not sentence and line[at].islower():
                continue  # clients capitalise the word that opens an attribution
            if _rest_is_attribution(line[at:], sentence, named):
                return at
    return 0


def _prose_before(prefix: str, named: bool) -> bool:
    """Could this be what the replier typed: "Got it.", not "03." or "po 3." (a date)?"""
    if not named:
        return any(char.isalpha() for char in prefix)
    # Dates start with words too ("man. 3.", "пн, 3 черв."): three words make a sentence.
    words = _PROSE_WORD.findall(re.sub(r"\S+@\S+", " ", prefix))
    return len(words) >= 3 or prefix.rstrip().endswith(tuple("!?。！？।"))


def _next_quoted(lines: Sequence[str], i: int) -> bool:
    return any(is_quoted(line) for line in lines[i : i + 3] if line.strip())


def _joined_at(lines: Sequence[str], i: int, size: int, joined: str) -> str | None:
    """joined with line i + size - 1 added, or None when it cannot continue an attribution."""
    if i + size - 1 >= len(lines):
        return None
    nxt = lines[i + size - 1].strip()
    if _ADDR_END.match(nxt):
        return joined + nxt[1:]  # "<addr" + ">:": the wrap split the address
    if not nxt or is_quoted(nxt) or len(joined) + len(nxt) > MAX_ATTRIBUTION:
        return None
    return f"{joined} {nxt}"


# "03.06.2024 10:15, Alice Martin:" (Thunderbird in Ukrainian): a date, a time and a
# colon, with a quote right below.
_DATE_TIME_COLON = re.compile(
    r"^(?=.{0,60}\b\d{1,4}[./-]\s?\d{1,2}[./-]\s?\d{2,4}\b)(?=.{0,80}\b\d{1,2}[:.]\d{2}\b)"
    r".{6,150}[:：]$"
)


def _undated_ok(line: str, lines: Sequence[str], i: int) -> bool:
    """ "Alice wrote:" is an attribution with an address in it or a quote right below."""
    return "@" in line or _next_quoted(lines, i + 1)


def _complete_at(lines: Sequence[str], i: int) -> bool:
    """Is line i alone a whole dated attribution (so the line above is not part of it)?"""
    if i >= len(lines) or len(lines[i]) > MAX_ATTRIBUTION:
        return False
    template = _template_match(lines[i].strip())
    return bool(template and template.dated)


def attribution_at(lines: Sequence[str], i: int) -> int:
    """How many lines from i form an "On <date>, <name> wrote:" line (0 if none)."""
    first = lines[i].strip()
    if not first or is_quoted(first) or len(first) > MAX_ATTRIBUTION:
        return 0
    joined: str | None = first
    for size in range(1, 4):
        if size > 1:
            joined = _joined_at(lines, i, size, joined or "")
            if joined is None:
                return 0
        if _attribution_of(lines, i, size, joined or ""):
            # A line typed right above an attribution is not part of it.
            return 0 if size > 1 and _complete_at(lines, i + size - 1) else size
    return 0


def _attribution_of(lines: Sequence[str], i: int, size: int, joined: str) -> bool:
    """Do lines i .. i + size - 1, joined, form an attribution?"""
    first = lines[i].strip()
    if _is_attribution(joined):
        starts = _OPENER.match(first) or ("@" in first and _has_verb_word(first))
        if size == 1 or starts:  # Gmail wraps long attributions, only ones that start like one
            return True
    if size == 1 and _DATE_TIME_COLON.match(joined) and _next_quoted(lines, i + 1):
        return True
    template = _template_match(joined)
    return bool(template and (template.dated or (size == 1 and _undated_ok(joined, lines, i))))
