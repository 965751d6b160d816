"""A person's new mail read as a handoff: its fields, its catcher, its files, or why not."""

from __future__ import annotations

import re

from mailbaton.classify.catchers import check_catcher, distinct_catchers, parse_catchers
from mailbaton.classify.records import NewHandoff, Reason, Rejection
from mailbaton.config import Settings
from mailbaton.mail.records import Address, ParsedMail

__all__ = [
    "FIELD_ALIASES",
    "NewHandoff",
    "Reason",
    "Rejection",
    "read_fields",
    "read_handoff",
    "says_no",
    "split_body",
    "too_large",
]

FIELD_ALIASES = {
    "catcher": "catcher",
    "who is catching this": "catcher",
    "receiver": "catcher",
    "attached": "attached",
    "is the file attached": "attached",
    "title": "title",
    "due": "due",
    "notes": "notes",
}

_FIELD_LINE = re.compile(r"^\s*[*_]*([A-Za-z][A-Za-z0-9 ?'/-]{0,40}?)[*_]*\s*:[*_]*\s*(.*?)\s*$")
_HANDOFF_PREFIX = re.compile(r"^\s*handoff\s*:\s*", re.IGNORECASE)
# Enough for any note a person writes, and for a forwarded mail or two beneath it.
MESSAGE_LIMIT = 20_000
# The word an `Attached:` answer opens with says no: "No, will send later", "Not yet",
# "Nein, kommt später", "pas encore". Any other answer is a yes, as it always was.
_NO_WORDS = frozenset(
    "no n nope nah none nothing not false 0 nein nö nee nicht kein keine keins "
    "non pas aucun aucune rien".split()
)
_NO_PAIRS = frozenset({"noch nicht", "still not", "not yet"})
_WORD = re.compile(r"[^\s,.;:!?()\[\]*_\"'„“”«»–—-]+")


def read_fields(text: str) -> list[tuple[str, str]]:
    """The `Field: value` lines the body starts with, in order; names normalised."""
    return split_body(text)[0]


def split_body(text: str) -> tuple[list[tuple[str, str]], str]:
    """The leading `Field: value` lines, and the thrower's message: every other line, as
    written (up to a `-- ` signature), with its paragraphs kept."""
    found: list[tuple[str, str]] = []
    kept: list[str] = []
    skipped = 0
    reading = True
    for line in text.replace("\r", "").split("\n"):
        if line.rstrip() == "--":
            break
        match = _FIELD_LINE.match(line) if reading and line.strip() else None
        if match is None:
            kept.append(line.rstrip())
            if line.strip():
                skipped += 1
                # A greeting may come before the fields; prose after them ends them.
                reading = reading and not found and skipped <= 3
            continue
        name = re.sub(r"\s+", " ", match.group(1)).strip(" ?").lower()
        found.append((FIELD_ALIASES.get(name, name), match.group(2)))
    return found, _tidy(kept)


def _tidy(lines: list[str]) -> str:
    """Blank lines at either end dropped, runs of blank lines made one."""
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


def says_no(answer: str) -> bool:
    """Does an `Attached:` answer say the file is not attached? Read by its first words."""
    words = _WORD.findall(answer.lower(), 0, 200)[:2]
    return bool(words) and (words[0] in _NO_WORDS or " ".join(words) in _NO_PAIRS)


def _catcher(
    values: list[str], thrower: Address, settings: Settings, reasons: list[Reason]
) -> Address | None:
    """The one catcher named, or None; every problem with the names goes into reasons."""
    catchers = distinct_catchers(c for value in values for c in parse_catchers(value))
    if not catchers:
        reasons.append(Reason("no_catcher"))
        return None
    if len(catchers) > 1:
        # By the names the thrower gave; an address only where they gave none.
        names = ", ".join(c.name or c.addr for c in catchers)
        reasons.append(Reason("several_catchers", {"catchers": names}))
        for each in catchers:
            reasons.extend(check_catcher(each, thrower, settings))
        return None
    reasons.extend(check_catcher(catchers[0], thrower, settings))
    return catchers[0]


def read_handoff(mail: ParsedMail, settings: Settings) -> NewHandoff | Rejection:
    assert mail.from_ is not None, "screen() turns away mail without a sender"
    thrower = mail.from_
    kept: dict[str, str] = {}
    catcher_values: list[str] = []
    attached_values: list[str] = []
    fields, message = split_body(mail.text)
    if len(message) > MESSAGE_LIMIT:  # a whole forwarded thread: the start, and say so
        more = len(message) - MESSAGE_LIMIT
        message = f"{message[:MESSAGE_LIMIT].rstrip()}\n[... {more} more characters not shown]"
    for name, value in fields:
        if name == "catcher":
            catcher_values.append(value)
        elif name == "attached":
            attached_values.append(value)
        elif name not in kept:
            kept[name] = value

    subject = _HANDOFF_PREFIX.sub("", mail.subject).strip()
    title = kept.get("title") or subject or "(no title)"
    reasons: list[Reason] = []
    catcher = _catcher(catcher_values, thrower, settings, reasons)
    if any(says_no(value) for value in attached_values):
        reasons.append(Reason("attached_no"))
    if not mail.attachments:
        reasons.append(Reason("no_attachment", {"inline_images": str(mail.inline_images)}))

    if reasons or catcher is None:
        named = (c for value in catcher_values for c in parse_catchers(value))
        catchers = tuple(distinct_catchers(named))
        return Rejection(thrower, title, tuple(reasons), kept, catchers, message)
    return NewHandoff(
        thrower=thrower,
        catcher=catcher,
        title=title,
        subject=subject,
        due=kept.get("due") or None,
        notes=kept.get("notes") or None,
        fields=kept,
        attachments=mail.attachments,
        message=message,
    )


def too_large(mail: ParsedMail, settings: Settings, size: int) -> Rejection:
    """A message over protocol.max_message_size: only its beginning was read."""
    assert mail.from_ is not None, "screen() turns away mail without a sender"
    subject = _HANDOFF_PREFIX.sub("", mail.subject).strip() or "(no title)"
    params = {"size": _megabytes(size), "limit": _megabytes(settings.protocol.max_message_size)}
    return Rejection(mail.from_, subject, (Reason("too_large", params),), {})


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"
