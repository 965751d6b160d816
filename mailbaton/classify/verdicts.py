"""Read a catcher's or thrower's verdict (accept, refuse, cancel) from a reply mail."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from mailbaton.classify.data.verdict_words import CONDITIONS
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
# "I have got it", "I've got it", "Ive got it" (the apostrophe dropped), "Got-it".
_ACCEPT = re.compile(
    _PRELUDE + r"(?:i(?:\s+have|['’]?ve)\s+|i\s+|i['’]ll\s+)?"
    r"(?:got[\s-]*it|accept(?:ed|ing)?)(?!\w)(?!\s*\?)(?!\s+(?:wrong|backwards)\b)",
    re.I,
)
_CANCEL = re.compile(
    r"(?:please\s+)?cancel(?:l?ed|ling|ing)?(?:\s+(?:it|this|that|please))?(?!\w)(?!\s*\?)", re.I
)
_REFUSE = re.compile(r"\b(?:refus(?:e|ed|es|ing)|reject(?:ed|s|ing)?)\b", re.I)
# "I can't refuse", "not rejecting" are not refusals.
_NEGATED = re.compile(r"(?:\bnot|n['’]t|\bnever|\bcannot)(?:\s+\w+){0,2}\s*$", re.I)
# A verdict is said, not asked or weighed: "Should I refuse?", "I might refuse", "If I
# refuse, who gets it?" are no verdicts. Words that make the clause a possibility, in the
# languages of the closings below; the condition words ("if", "wenn", "why") come from
# the everyday-phrase data.
_MODALS = (
    "whether", "might", "may", "could", "would", "should", "maybe", "perhaps", "possibly",
    "probably", "vielleicht", "eventuell", "sollte", "sollen", "könnte", "würde", "ob",
    "peut-être", "devrais", "pourrais", "faudrait", "quizás", "quizá", "tal vez", "debería",
    "podría", "forse", "dovrei", "potrei", "misschien", "zou", "moet ik", "talvez", "deveria",
    "poderia",
)  # fmt: skip
_WEIGHED = re.compile(
    r"(?<![\w'’])(?:"
    + "|".join(r"\s+".join(map(re.escape, w.split())) for w in (*_MODALS, *CONDITIONS))
    + r")(?![\w'’])|\w['’]d(?!\w)",
    re.I,
)
_CONDITION_FIRST = re.compile(
    r"^[\W_]*(?:" + "|".join(r"\s+".join(map(re.escape, w.split())) for w in CONDITIONS) + r")\b",
    re.I,
)
_SENTENCE_STOP = re.compile(r"[.!?。！？]")
_CLAUSE_STOP = re.compile(r"[.!?。！？,;:()–—]|\s-\s")
_QUESTION = ("?", "？")
# "REFUSE: why me?" - after the keyword's own separator comes the reason, not the question.
# A keyword opening its sentence also ends its clause at a comma: "Got it, can you send
# the file?" accepts, "GOT IT, or REFUSE?" does not.
_REASON_FOLLOWS = re.compile(r"\s*(?:[:–—]|-(?!\w))(?!\s*or\b)", re.I)
_CLAUSE_FOLLOWS = re.compile(r"\s*[,;](?!\s*or\b)", re.I)
_OPENS = re.compile(_PRELUDE + r"$", re.I)
# "Bob rejected the last one", "Legal refuses clause 4": a verb form that says who did it,
# with someone else before it, tells a story; "I rejected it", "Rejected: not mine" do not.
_TOLD = re.compile(r"(?:ed|es|s|ing)$", re.I)
_HELPERS = re.compile(
    r"(?:\s+(?:has|have|had|was|were|been|already|just|also|now|then|hereby|\w+ly))+$", re.I
)
_FIRST_PERSON = re.compile(
    r"(?:^|\b)(?:i|we|i['’]ve|we['’]ve|i['’]m|we['’]re|i\s+am|we\s+are|is|are|am|['’]s)$", re.I
)
_FILLER = re.compile(
    r"^(?:ok(?:ay)?|so|sorry|well|then|alas|unfortunately|regretfully|sadly|afraid|yes|no|hi"
    r"|hello|hey|dear)?$",
    re.I,
)
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
# Closings that end a reason wherever they stand, as a line of their own ("Thanks,",
# "Viele Grüße", "Thanks, Jane"): common business sign-offs, written for mailbaton.
_CLOSINGS = (
    # en
    "thanks", "thank you", "thanks again", "thanks so much", "thanks a lot", "many thanks",
    "thx", "tks", "ty", "regards", "kind regards", "best regards", "warm regards",
    "warmest regards", "warmly", "rgds", "br", "kr", "best", "all the best", "best wishes",
    "cheers", "sincerely", "yours", "yours sincerely", "yours truly", "sincerely yours",
    "respectfully", "take care", "talk soon", "speak soon", "with thanks", "much appreciated",
    # de
    "viele grüße", "beste grüße", "liebe grüße", "herzliche grüße", "schöne grüße",
    "freundliche grüße", "mit freundlichen grüßen", "mit besten grüßen", "grüße", "gruß",
    "viele grüsse", "beste grüsse", "liebe grüsse", "freundliche grüsse",
    "mit freundlichen grüssen", "grüsse", "gruss", "mfg", "lg", "vg", "danke", "vielen dank",
    "danke schön", "besten dank", "bis bald",
    # fr
    "cordialement", "bien cordialement", "très cordialement", "salutations",
    "meilleures salutations", "sincères salutations", "bien à vous", "bien à toi", "amitiés",
    "merci", "merci beaucoup", "merci bien", "bonne journée", "à bientôt", "bises",
    # es
    "saludos", "un saludo", "saludos cordiales", "atentamente", "cordialmente", "gracias",
    "muchas gracias", "un abrazo", "abrazos", "hasta pronto",
    # it
    "saluti", "cordiali saluti", "distinti saluti", "un saluto", "grazie", "grazie mille",
    "a presto", "buona giornata",
    # nl
    "groeten", "groetjes", "met vriendelijke groet", "met vriendelijke groeten",
    "vriendelijke groet", "vriendelijke groeten", "hartelijke groet", "hartelijke groeten",
    "mvg", "bedankt", "dank je", "dank u", "alvast bedankt",
    # pt
    "atenciosamente", "cumprimentos", "melhores cumprimentos", "com os melhores cumprimentos",
    "abraço", "abraços", "um abraço", "obrigado", "obrigada", "muito obrigado",
    "muito obrigada", "saudações", "att",
    # others already read before
    "hälsningar", "mvh", "med venlig hilsen", "hilsen", "terveisin", "pozdrawiam",
    "s pozdravem", "üdvözlettel", "с уважением", "спасибо", "saygılarımla",
)  # fmt: skip
_CLOSING = re.compile(
    r"^(?:"
    + "|".join(r"\s+".join(map(re.escape, w.split())) for w in sorted(_CLOSINGS, key=len)[::-1])
    + r")(?:\s*[,.!:;]*\s*|\s*,\s*(?-i:[A-Z])[\w.'-]*(?:\s+(?-i:[A-Z])[\w.'-]*)?)$",
    re.I,
)
_SENTENCE_ENDS = (".", "!", ",", ";", "-", "–", "—", ":", "。", "！", "，", "؛", "،")
_SIGNED = re.compile(r"^[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){0,2}$")
# "Hi Alice, I'll take it": a greeting opening the same line as the answer.
# "Hi Alice, GOT IT", "Thanks Alice, got it!": a greeting or thanks opening the line.
_INLINE_GREETING = re.compile(
    r"^(?:hi|hello|hey|dear|hallo|bonjour|hola|hej|ciao|salut|olá|cześć|привет"
    r"|thanks|thank\s+you|thx|danke|merci|gracias|grazie|obrigad[oa])\b[^,!:]{0,30}[,!:]\s*",
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


def _until_closing(lines: list[str]) -> tuple[list[str], bool]:
    """The lines above the first closing line, and whether there was one."""
    for number, line in enumerate(lines):
        if _CLOSING.match(line):
            return lines[:number], True
    return lines, False


def _reason_after(paragraphs: list[list[str]], index: int) -> str:
    """The lines after the keyword up to the quote (already cut), up to a closing."""
    following, closed = _until_closing(paragraphs[0][index + 1 :])
    if following or closed:
        return "\n".join(following).strip()
    kept: list[str] = []
    for number, paragraph in enumerate(paragraphs[1:], 1):
        last = number == len(paragraphs) - 1
        if last and kept and _SIGNED.match(paragraph[0]):
            break
        lines, closed = _until_closing(paragraph)
        if lines:
            kept.append("\n".join(lines))
        if closed:
            break
    return "\n\n".join(kept).strip()


def _reason_before(lines: list[str], index: int, column: int) -> str:
    """Words written before the keyword, when they end a sentence: "Out all week. REFUSE"."""
    before = lines[index][:column].rstrip()
    if before and not before.endswith(_SENTENCE_ENDS):
        return ""
    text = "\n".join([*lines[:index], before]).strip()
    return text.rstrip(" " + "".join(_SENTENCE_ENDS)).strip()


def _asked(line: str, start: int, end: int) -> bool:
    """Is the sentence holding line[start:end] a question? A separator right after the
    keyword starts its reason, which may well ask something: "REFUSE: why me?"."""
    if _REASON_FOLLOWS.match(line, end):
        return False
    opening = _LEAD.sub("", _SENTENCE_STOP.split(line[:start])[-1].strip())
    if _OPENS.match(opening) and _CLAUSE_FOLLOWS.match(line, end):
        return False
    close = _SENTENCE_STOP.search(line, end)
    return close is not None and close.group() in _QUESTION


def _weighed(line: str, start: int) -> bool:
    """Is the keyword at `start` a possibility rather than an answer: a modal or a
    condition in its clause ("I might refuse"), or a sentence opened by a condition?"""
    before = line[:start]
    sentence = _SENTENCE_STOP.split(before)[-1]
    clause = _CLAUSE_STOP.split(before)[-1]
    return bool(_WEIGHED.search(clause) or _CONDITION_FIRST.match(sentence.lstrip()))


def _told(line: str, start: int, word: str) -> bool:
    """Someone else's refusal told as news: "Bob rejected it", "the customer refused"."""
    if not _TOLD.search(word):
        return False
    clause = _HELPERS.sub("", " " + _CLAUSE_STOP.split(line[:start])[-1].rstrip()).strip()
    return not _FILLER.match(clause) and not _FIRST_PERSON.search(clause)


def _counts(line: str, start: int, end: int) -> bool:
    """A keyword is a verdict unless asked, weighed or negated just before."""
    return not (
        _NEGATED.search(line[max(0, start - 40) : start])
        or _asked(line, start, end)
        or _weighed(line, start)
    )


def _refusal(paragraphs: list[list[str]]) -> tuple[int, int, str] | None:
    """(line index, column, reason) of the first refusal in the first paragraph."""
    first = paragraphs[0]
    for index, line in enumerate(first):
        for match in _REFUSE.finditer(line):
            if not _counts(line, match.start(), match.end()) or _told(
                line, match.start(), match.group()
            ):
                continue
            rest = _REASON_LEAD.sub("", line[match.end() :].strip()).strip()
            if not rest:
                rest = _reason_after(paragraphs, index) or _reason_before(
                    first, index, match.start()
                )
            return index, match.start(), rest
    return None


def _accept_at(line: str) -> int | None:
    """Column of the first GOT IT that opens a sentence of the opening line and is an
    answer: "The customer rejected the draft. Got it though." accepts. Lines further down
    do not count: a header dump's "Accept-Status: Accept" is no answer."""
    greeting = _INLINE_GREETING.match(line)
    starts = [0, *([greeting.end()] if greeting else [])]
    for start in [*starts, *(stop.end() for stop in _SENTENCE_STOP.finditer(line))]:
        column = len(line) - len(_LEAD.sub("", line[start:]))
        match = _ACCEPT.match(line, column)
        if match and not _asked(line, column, match.end()):
            return column
    return None


def _everyday(paragraphs: list[list[str]], text: str) -> Verdict:
    """Beside the keywords: "I'll take it", "übernommen"; "I can't take this"."""
    opening = _INLINE_GREETING.sub("", paragraphs[0][0])
    accepted = opens_with_acceptance(opening)
    first = "\n".join(paragraphs[0])
    refused = refusal_at(first)
    if refused is not None and (not accepted or refused == 0):
        return Verdict("refuse", "\n".join(_until_closing(paragraphs[0])[0]) or first, text)
    if accepted and refused is None:
        return Verdict("accept", None, text)
    return Verdict("unclear", None, text)  # both at once: a person would ask again


def _verdict(text: str, strict: bool) -> Verdict:
    paragraphs = _paragraphs(text)
    if not paragraphs:
        return Verdict("unclear", None, text)
    opening = paragraphs[0][0]
    greeting = _INLINE_GREETING.match(opening)
    after = greeting.end() if greeting and opening[greeting.end() :].strip() else 0
    lead = len(opening) - len(_LEAD.sub("", opening[after:]))
    accepted = _accept_at(opening)
    cancel = _CANCEL.match(opening, lead)
    opened: str | None = None
    if accepted == lead:
        opened = "accept"
    elif cancel and not _asked(opening, lead, cancel.end()):
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
        return Verdict("unclear", None, text)  # strict: GOT IT counts as opening words only
    everyday = _everyday(paragraphs, text)
    if accepted is not None and everyday.kind == "unclear":
        return Verdict("accept", None, text)
    if accepted is not None and everyday.kind == "refuse":
        return Verdict("unclear", None, text)  # GOT IT and "I can't take this": ask again
    return everyday


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
