"""Cut a reply down to what the replier wrote: no quotes, attributions or signatures."""

from __future__ import annotations

import re
from collections.abc import Sequence

from mailbaton.classify.echo import Sent
from mailbaton.mail.htmltext import html_to_text

__all__ = ["new_text"]

# Attribution lines are short; anything longer is prose, and capping the length
# keeps every pattern below linear on pathological input.
_MAX_ATTRIBUTION = 400
_MAX_LINE = 1000
# The verb that ends an attribution ("... wrote:"), per language.
_VERBS = tuple(
    "wrote|writes|schrieb|schreef|geschreven|a écrit|escribió|escribio|ha scritto|scrisse"
    "|escreveu|skrev|napisał|napisała|napisal|pisze|написал|написала|написав|пишет|пише"
    "|kirjoitti|írta|napsal|napsala|yazdı|έγραψε|כתב|写道|寫道|のメッセージ|작성".split("|")
)


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
# Outlook-style header blocks, in the languages Outlook is localised to.
_FROM_KEY = (
    r"from|von|de|van|da|od|från|fra|fr|от|lähettäjä|feladó|odesílatel|kimden"
    r"|差出人|发件人|寄件者|보낸\s*사람"
)
_OTHER_KEYS = (
    r"sent|date|to|cc|subject|reply-to|gesendet|datum|an|betreff|envoyé|à|objet|enviado"
    r"|fecha|para|asunto|verzonden|aan|onderwerp|inviato|data|a|oggetto|risposta|wysłane|sujet"
    r"|envoyé\s+le|copie\s+à|cc\s+à"
    r"|wysłano|do|temat|skickat|till|ämne|sendt|til|emne|отправлено|кому|тема|assunto"
    r"|dato|päivämäärä|vastaanottaja|aihe|送信日時|宛先|件名|发送时间|收件人|主题|日期|받는\s*사람|제목"
)
_HEADER = r"^\s*[*_]{0,2}(?:%s)[*_]{0,2}\s*[:：]"
_FROM_LINE = re.compile(_HEADER % _FROM_KEY, re.I)
_OTHER_LINE = re.compile(_HEADER % _OTHER_KEYS, re.I)
# The sender's address when Outlook wrapped the From: line.
_FROM_TAIL = re.compile(r"^\s*(?:<|\[mailto:)\S+@\S+\s*$")
_ONE_LINE_HEADERS = re.compile(
    r"\b(?:from|von|de)\s*:.{1,300}?\b(?:sent|gesendet|envoyé)\s*:", re.I
)
_SEPARATORS = re.compile(
    r"^[*_\s]*-{2,}\s*(?:original message|ursprüngliche nachricht|message d'origine"
    r"|mensaje original|oorspronkelijk bericht|messaggio originale|mensagem original"
    r"|originalmeddelande|oprindelig meddelelse|opprinnelig melding|wiadomość oryginalna"
    r"|исходное сообщение|alkuperäinen viesti|oprindelig besked|původní zpráva"
    r"|forwarded message|weitergeleitete nachricht|message transféré|mensaje reenviado"
    r"|doorgestuurd bericht)\s*-{2,}[*_\s]*$"
    r"|^\s*(?:begin forwarded message|début du message réexpédié|anfang der weitergeleiteten)",
    re.I,
)
_QUOTED = re.compile(r"^\s*(?:>|\w{1,3}>)")
_WRAP_WIDTH = 60
_DASH_NAME = re.compile(r"^-[A-Z][\w.']*(?: [A-Z][\w.']*){0,2}$")
_SIG_DELIMITER = re.compile(r"^\s*(?:--|-- |—|_{2,}|\*{3,}|={4,})\s*$")
_DEVICE = (
    r"iphone|ipad|ipod|ios|android|mobile|phone|cell|blackberry|samsung|galaxy|htc|nokia|huawei"
    r"|pixel|outlook|mail|gmail|yahoo|aol|airmail|mailbox|windows|device|tablet|handy|móvil"
    r"|movil|téléphone|telefono|telefoon|mobil|mobiel|sparrow|spark|superhuman|proton"
)
_MOBILE = re.compile(
    r"^\W*(?:(?:sent|sent from|envoyé|enviado|inviato|skickat|sendt|verzonden|verstuurd|wysłane"
    r"|отправлено|get|download)\s+(?:from|via|with|using|depuis|de|desde|da|do|från|fra|vanaf"
    rf"|met|van|z|с|outlook)\b(?:\W+\w+){{0,3}}?\W+(?:{_DEVICE})"
    r"|von\s+meinem\s.{1,40}gesendet|gesendet\s+von\s|diese\s+nachricht\s+wurde\s+von"
    r"|envoyé\s+(?:de|depuis|à\s+partir\s+de)\s"
    # Short "Sent from my X" lines name a device even when we do not know it.
    r"|sent\s+from\s+my\s+\S+(?:\s+\S+){0,4}\s*$"
    r"|(?:sent|send)\s+(?:from|via|by)\s+(?:a\s+)?\w+\W*$"
    r"|从我的|從我的|.{1,20}から送信)",
    re.I,
)
_LINK = re.compile(r"<[^<>]*>")
_DISCLAIMER = re.compile(
    r"^\W*(?:this\s+e-?mail\s+(?:message\s+)?(?:and\s+any\s+(?:files|attachments).{0,40}|is|may)"
    r".{0,30}(?:confidential|privileged|intended)|confidentiality\s+notice|disclaimer\s*:"
    r"|the\s+information\s+(?:contained\s+)?in\s+this\s+(?:e-?mail|message))",
    re.I,
)
_BANNER = re.compile(r"originated\s+(?:from\s+)?outside|external\s+(?:sender|e-?mail)", re.I)
_GREETING = re.compile(r"^\s*(?:hi|hello|hey|dear|hallo|bonjour|hola|hej|ciao)\b.{0,40}$", re.I)
_JUNK = re.compile(r"[\s\-_=*#~+.ᐧ—–|]*")
_OUTLOOK_HTML = re.compile(
    r"<div\b[^>]*\bid=[\"']?(?:divRplyFwdMsg|appendonsend|OLK_SRC_BODY_SECTION)\b"
    r"|<div\b[^>]*\bstyle=[\"'][^\"'>]*border-top:\s*solid\s+#[0-9a-f]{6}\s+1(?:\.0)?pt"
    r"|<hr\b[^>]*\bid=[\"']?stopSpelling",
    re.I,
)


def _is_attribution(joined: str) -> bool:
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


def _attribution_at(lines: list[str], i: int) -> int:
    """How many lines from i form an "On <date>, <name> wrote:" line (0 if none)."""
    first = lines[i].strip()
    if not first or _QUOTED.match(first) or len(first) > _MAX_ATTRIBUTION:
        return 0
    joined = first
    for size in range(1, 4):
        if size > 1:
            if i + size - 1 >= len(lines):
                return 0
            nxt = lines[i + size - 1].strip()
            if _ADDR_END.match(nxt):
                joined += nxt[1:]  # "<addr" + ">:": the wrap split the address
            elif not nxt or _QUOTED.match(nxt) or len(joined) + len(nxt) > _MAX_ATTRIBUTION:
                return 0
            else:
                joined = f"{joined} {nxt}"
            # Gmail wraps long attributions, but only ones that start like one.
            if not (_OPENER.match(first) or ("@" in first and _has_verb_word(first))):
                return 0
        if _is_attribution(joined):
            return size
    return 0


def _header_block_at(lines: list[str], i: int) -> bool:
    """Is line i the From: line of an Outlook-style header block?"""
    line = lines[i]
    if _ONE_LINE_HEADERS.search(line) and re.search(r"(?i)\b(?:subject|betreff|objet)\s*:", line):
        return True
    if not _FROM_LINE.match(line):
        return False
    others = 0
    for index, nxt in enumerate(lines[i + 1 : i + 8]):
        if _OTHER_LINE.match(nxt):
            others += 1
        elif nxt.strip() and not others and not (index == 0 and _FROM_TAIL.match(nxt)):
            return False
    return others >= 2


def _wrapped_quote(lines: list[str], i: int) -> bool:
    """A quoted line's tail that the client wrapped onto an unquoted line."""
    line = lines[i].strip()
    return (
        0 < i < len(lines) - 1
        and bool(line)
        and not line[0].isupper()
        and len(lines[i - 1]) >= _WRAP_WIDTH
        and bool(_QUOTED.match(lines[i - 1]))
        and bool(_QUOTED.match(lines[i + 1]))
    )


def _sign_off(lines: list[str], i: int) -> bool:
    """A "-Name" sign-off standing alone as the last line of its paragraph."""
    before = lines[i - 1].strip() if i else ""
    after = lines[i + 1].strip() if i + 1 < len(lines) else ""
    return not before and not after and bool(_DASH_NAME.match(lines[i].strip()))


def _next_nonblank(lines: list[str], i: int) -> str:
    for line in lines[i:]:
        if line.strip():
            return line
    return ""


def _probe(line: str) -> str:
    # Patterns only ever see a bounded, stripped line: no input can make one slow.
    line = line.strip()
    return line if len(line) <= _MAX_LINE else line[:_MAX_LINE] + " …"


def _strip_lines(text: str, sent: Sent) -> list[str]:
    raw = text.split("\n")
    lines = [_probe(line) for line in raw]
    norms = sent.prepare(lines)
    kept: list[str] = []
    in_sig = False
    wrote = False
    banner_check = True
    i = 0
    while i < len(lines):
        line = stripped = lines[i]
        if _QUOTED.match(line) or _wrapped_quote(lines, i):
            in_sig = False
            i += 1
            continue
        # Nothing written yet: a quote header on top introduces the text below
        # it (a forward, or a reply typed under an unquoted original).
        on_top = not wrote
        size = _attribution_at(lines, i)
        if size:
            if not on_top and not _QUOTED.match(_next_nonblank(lines, i + size)):
                break  # an unquoted original follows: nothing after it is new
            in_sig = False
            i += size
            continue
        if _header_block_at(lines, i) or _SEPARATORS.match(line):
            if not on_top:
                break
            i += 1
            while i < len(lines) and lines[i].strip():
                i += 1
            continue
        if sent.copy_starts(norms, i):
            # Our mail pasted back: nothing below is new, nor the greeting above it.
            while kept and (not kept[-1].strip() or _GREETING.match(kept[-1])):
                kept.pop()
            break
        if sent.ours(norms, i):  # one line of ours, such as an instruction, never counts
            i += 1
            continue
        if (
            _SIG_DELIMITER.match(line)
            or _DISCLAIMER.match(line)
            or _MOBILE.match(_LINK.sub("", stripped))
            or _sign_off(lines, i)
        ):
            in_sig = True
        if banner_check and stripped:
            banner_check = False
            if _BANNER.search(line):
                # A "CAUTION: external email" banner: skip its paragraph.
                while i < len(lines) and lines[i].strip():
                    i += 1
                continue
        if not in_sig:
            kept.append(raw[i].rstrip())
            wrote = wrote or bool(stripped)
        i += 1
    return kept


def _tidy(lines: list[str]) -> str:
    while lines and _JUNK.fullmatch(lines[-1]):
        lines.pop()
    start = next((n for n, line in enumerate(lines) if line.strip()), len(lines))
    return "\n".join(lines[start:])


def _normalise(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return re.sub("[\u200b\u200c\u200d\ufeff\u2060]", "", text).replace("\xa0", " ")


def _from_text(text: str, sent: Sent) -> str:
    return _tidy(_strip_lines(_normalise(text), sent))


def new_text(text: str, html: str | None = None, sent: Sequence[str] = ()) -> str:
    """Only what the replier wrote: quoted text, signatures and any copy of `sent` (the
    plain-text bodies mailbaton sent on the ticket) removed."""
    ours = Sent(sent)
    try:
        result = _from_text(text if isinstance(text, str) else "", ours)
    except Exception:
        result = ""
    if isinstance(html, str):
        try:
            # Outlook marks the start of the quoted original only in its HTML;
            # when the plain text missed it, the HTML cut is the tighter one.
            match = _OUTLOOK_HTML.search(html)
            if match:
                cut = _from_text(html_to_text(html[: match.start()]), ours)
                if cut and len(" ".join(cut.split())) < len(" ".join(result.split())):
                    result = cut
        except Exception:
            pass
    return result
