"""Header blocks (From:/Sent:/To:/Subject:) and separator lines above a pasted original."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from mailbaton.classify.data.headers import LABELS, SEPARATORS
from mailbaton.classify.data.thunderbird_l10n import LOCALES

__all__ = ["header_block_at", "is_separator"]

# The labels the first rules knew, kept beside the data so nothing right today turns wrong.
_FROM_KEYS = (
    "from|von|de|van|da|od|från|fra|fr|от|lähettäjä|feladó|odesílatel|kimden"
    "|差出人|发件人|寄件者|보낸 사람"
).split("|")
_OTHER_KEYS = (
    "sent|date|to|cc|subject|reply-to|gesendet|datum|an|betreff|envoyé|à|objet|enviado"
    "|fecha|para|asunto|verzonden|aan|onderwerp|inviato|data|a|oggetto|risposta|wysłane|sujet"
    "|envoyé le|copie à|cc à|wysłano|do|temat|skickat|till|ämne|sendt|til|emne|отправлено"
    "|кому|тема|assunto|dato|päivämäärä|vastaanottaja|aihe|送信日時|宛先|件名|发送时间|收件人"
    "|主题|日期|받는 사람|제목"
).split("|")


def _labels() -> tuple[set[str], set[str]]:
    froms, others = set(_FROM_KEYS), set(_OTHER_KEYS)
    for labels in LABELS:
        froms.add(labels[1])
        others.update(label for label in labels[2:8] if label)
    for locale in LOCALES:
        froms.add(locale[6])
        others.update(label for label in locale[7:12] if label)
    froms.discard("")
    others.discard("")
    return froms, others


def _alternation(words: Iterable[str]) -> str:
    ordered = sorted({word.lower() for word in words}, key=len, reverse=True)
    return "|".join(r"\s+".join(map(re.escape, word.split())) for word in ordered)


_FROMS, _OTHERS = _labels()
_HEADER = r"^\s*[*_]{0,2}(?:%s)[*_]{0,2}\s*[:：]"
_FROM_LINE = re.compile(_HEADER % _alternation(_FROMS), re.I)
_OTHER_LINE = re.compile(_HEADER % _alternation(_OTHERS), re.I)
# The sender's address when Outlook wrapped the From: line.
_FROM_TAIL = re.compile(r"^\s*(?:<|\[mailto:)\S+@\S+\s*$")
_SENT_KEYS = _alternation(row[2] for row in LABELS if row[2])
_SUBJECT_KEYS = _alternation(row[5] for row in LABELS if row[5])
_ONE_LINE_HEADERS = re.compile(
    rf"(?<!\w)(?:{_alternation(row[1] for row in LABELS)})\s*[:：].{{1,300}}?"
    rf"(?<!\w)(?:{_SENT_KEYS}|date)\s*[:：]",
    re.I,
)
_ONE_LINE_SUBJECT = re.compile(rf"(?<!\w)(?:{_SUBJECT_KEYS})\s*[:：]", re.I)


def _separator_words() -> set[str]:
    words = {text for _, text, _, _ in SEPARATORS}
    for row in LOCALES:
        words.update(text.strip("- ") for text in row[4:6] if text.strip("- "))
    words.update(
        "original message|ursprüngliche nachricht|message d'origine|mensaje original"
        "|oorspronkelijk bericht|messaggio originale|mensagem original|originalmeddelande"
        "|oprindelig meddelelse|opprinnelig melding|wiadomość oryginalna|исходное сообщение"
        "|alkuperäinen viesti|oprindelig besked|původní zpráva|forwarded message"
        "|weitergeleitete nachricht|message transféré|mensaje reenviado|doorgestuurd bericht".split(
            "|"
        )
    )
    return words


_SEPARATOR_WORDS = _alternation(_separator_words())
_SEPARATORS = re.compile(
    rf"^[*_\s]*-{{2,}}\s*(?:{_SEPARATOR_WORDS})\s*-{{2,}}[*_\s]*$"
    r"|^\s*(?:begin forwarded message|début du message réexpédié|anfang der weitergeleiteten"
    r"|inicio del mensaje reenviado|inizio messaggio inoltrato|begin doorgestuurd bericht"
    r"|início da mensagem reencaminhada|vidarebefordrat brev)",
    re.I,
)
# A separator the client glued to the first header line: "_____From: ...".
_GLUE = re.compile(
    rf"^[*\s]*(?:_{{5,}}|-{{5,}}|-{{2,}}\s*(?:{_SEPARATOR_WORDS})\s*-{{2,}})[*\s]*", re.I
)


def is_separator(line: str) -> bool:
    """A line such as "-----Original Message-----" or "Begin forwarded message:"."""
    return bool(_SEPARATORS.match(line))


def _labelled(lines: Sequence[str], i: int) -> list[str]:
    """The labels ("from" or "other") of the header lines from i, up to the first line
    that is neither a label, a blank nor the wrapped address of a From line."""
    kinds: list[str] = []
    for index, line in enumerate(lines[i : i + 8]):
        probe = _GLUE.sub("", line) if index == 0 else line
        if _FROM_LINE.match(probe):
            kinds.append("from")
        elif _OTHER_LINE.match(probe):
            kinds.append("other")
        elif line.strip() and not (kinds[-1:] == ["from"] and _FROM_TAIL.match(line)):
            break
    return kinds


def header_block_at(lines: Sequence[str], i: int) -> bool:
    """Is line i the first line of an Outlook-style header block?"""
    line = lines[i]
    colons = line.count(":") + line.count("：")
    if not colons:
        return False  # every header line has a colon: prose is skipped at once
    if colons >= 3 and _ONE_LINE_HEADERS.search(line) and _ONE_LINE_SUBJECT.search(line):
        return True
    probe = _GLUE.sub("", line)
    if _FROM_LINE.match(probe):
        others = 0
        for index, nxt in enumerate(lines[i + 1 : i + 8]):
            if _OTHER_LINE.match(nxt):
                others += 1
            elif nxt.strip() and not others and not (index == 0 and _FROM_TAIL.match(nxt)):
                return False
        return others >= 2
    if not _OTHER_LINE.match(probe):
        return False
    # GMX and WEB.DE put "Gesendet:" first; Zimbra "To:" before "Sent:"
    kinds = _labelled(lines, i)
    return "from" in kinds and len(kinds) >= 3 and kinds.index("from") <= 2
