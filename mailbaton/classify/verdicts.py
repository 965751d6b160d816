"""Read a catcher's or thrower's verdict (accept, refuse, cancel) from a reply mail."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from mailbaton.classify.phrases import opens_with_acceptance, refusal_at
from mailbaton.classify.quotes import new_text
from mailbaton.mail.parse import ParsedMail

__all__ = [
    "Verdict",
    "catcher_line",
    "catcher_value",
    "new_text",
    "read_verdict",
    "verdict_from_text",
]


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
_THING = r"(?:\s+(?:one|ticket|handoff|task|request|baton))"
_SEPARATORS = r"[\s:\-–—,.;!]*"
# "I refuse this one: reason" - the object of the verb is not the reason; nor is it after
# the colon, "REFUSE: this one. Busy until Friday", when a stop ends it ("REFUSE: it is
# too late" is a reason).
_REASON_LEAD = re.compile(
    rf"^(?:(?:this|that|it|the){_THING}?(?![\w'’]))?{_SEPARATORS}"
    rf"(?:(?:(?:this|that|it){_THING}?|the{_THING})(?=\s*(?:[:\-–—,.;!]|$)){_SEPARATORS})?",
    re.I,
)
# A closing that ends a reason written over several paragraphs: "Thanks,", "Viele Grüße".
_CLOSING = re.compile(
    r"^(?:thanks|thank\s+you|many\s+thanks|regards|best|cheers|br|kind\s+regards|best\s+regards"
    r"|sincerely|viele\s+grüße|beste\s+grüße|grüße|gruß|mfg|lg|vg|danke|cordialement|bien\s+à\s+vous"
    r"|merci|saludos|un\s+saludo|atentamente|gracias|cumprimentos|abraços?|obrigad[oa]|saluti"
    r"|cordiali\s+saluti|grazie|groeten|met\s+vriendelijke\s+groet|hälsningar|mvh|med\s+venlig\s+hilsen"
    r"|hilsen|terveisin|pozdrawiam|s\s+pozdravem|üdvözlettel|с\s+уважением|спасибо|saygılarımla)\b",
    re.I,
)
_SENTENCE_ENDS = (".", "!", ",", ";", "-", "–", "—", ":", "。", "！", "，", "؛", "،")
_SIGNED = re.compile(r"^[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){0,2}$")
# "Hi Alice, I'll take it": a greeting opening the same line as the answer.
_INLINE_GREETING = re.compile(
    r"^(?:hi|hello|hey|dear|hallo|bonjour|hola|hej|ciao|salut|olá|cześć|привет)\b[^,!:]{0,30}[,!:]\s*",
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


def _reason_after(paragraphs: list[list[str]], index: int) -> str:
    """The lines after the keyword up to the quote (already cut), without the closing."""
    following = paragraphs[0][index + 1 :]
    if following:
        return "\n".join(following).strip()
    kept: list[str] = []
    for number, paragraph in enumerate(paragraphs[1:], 1):
        last = number == len(paragraphs) - 1
        if _CLOSING.match(paragraph[0]) or (last and kept and _SIGNED.match(paragraph[0])):
            break
        kept.append("\n".join(paragraph))
    return "\n\n".join(kept).strip()


def _reason_before(lines: list[str], index: int, column: int) -> str:
    """Words written before the keyword, when they end a sentence: "Out all week. REFUSE"."""
    before = lines[index][:column].rstrip()
    if before and not before.endswith(_SENTENCE_ENDS):
        return ""
    text = "\n".join([*lines[:index], before]).strip()
    return text.rstrip(" " + "".join(_SENTENCE_ENDS)).strip()


def _refusal(paragraphs: list[list[str]]) -> tuple[int, int, str] | None:
    """(line index, column, reason) of the first refusal in the first paragraph."""
    first = paragraphs[0]
    for index, line in enumerate(first):
        for match in _REFUSE.finditer(line):
            if _NEGATED.search(line[max(0, match.start() - 40) : match.start()]):
                continue
            rest = _REASON_LEAD.sub("", line[match.end() :].strip()).strip()
            if not rest:
                rest = _reason_after(paragraphs, index) or _reason_before(
                    first, index, match.start()
                )
            return index, match.start(), rest
    return None


def _everyday(paragraphs: list[list[str]], text: str) -> Verdict:
    """Beside the keywords: "I'll take it", "übernommen"; "I can't take this"."""
    opening = _INLINE_GREETING.sub("", paragraphs[0][0])
    accepted = opens_with_acceptance(opening)
    first = "\n".join(paragraphs[0])
    refused = refusal_at(first)
    if refused is not None and (not accepted or refused == 0):
        return Verdict("refuse", first, text)
    if accepted and refused is None:
        return Verdict("accept", None, text)
    return Verdict("unclear", None, text)  # both at once: a person would ask again


def _verdict(text: str, strict: bool) -> Verdict:
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
    if strict:
        return Verdict("unclear", None, text)
    return _everyday(paragraphs, text)


def verdict_from_text(text: str, *, strict: bool = False) -> Verdict:
    """The verdict read from already-stripped new text; "unclear" if there is none.
    strict: only the keywords count (protocol.strict_verdicts), not everyday phrases."""
    if not isinstance(text, str):
        return Verdict("unclear", None, "")
    try:
        return _verdict(text.replace("\r\n", "\n").replace("\r", "\n"), strict)
    except Exception:
        return Verdict("unclear", None, text)


def read_verdict(mail: ParsedMail, sent: Sequence[str] = (), *, strict: bool = False) -> Verdict:
    """new_text(mail.text, mail.html, sent), then the verdict from it. `sent`: the
    plain-text bodies mailbaton sent on the ticket, so a pasted-back copy never counts;
    strict: only the keywords count (protocol.strict_verdicts)."""
    try:
        text = new_text(getattr(mail, "text", "") or "", getattr(mail, "html", None), sent)
    except Exception:
        text = ""
    return verdict_from_text(text, strict=strict)


def catcher_line(text: str, sent: Sequence[str] = ()) -> str | None:
    """The value of a "Catcher: ..." line opening the new text, else None."""
    try:
        paragraphs = _paragraphs(new_text(text, sent=sent))
    except Exception:
        return None
    return catcher_value(paragraphs[0] if paragraphs else [])


def catcher_value(lines: Iterable[str]) -> str | None:
    """The value of the first "Catcher: ..." (or "New catcher: ...") line among `lines`
    that names someone; an empty one is passed over."""
    for line in lines:
        match = _CATCHER.match(line)
        value = match.group(1).strip().strip("*_").strip() if match else ""
        if value:
            return value
    return None
