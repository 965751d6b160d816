"""The development corpus: replies as each client writes them, in each language, generated.

For every client and language the data knows (mailbaton/classify/data), a catcher
answers mailbaton's request top-posted, bottom-posted and inline, in plain text and
HTML, with an acceptance, a refusal, a question or a keyword (tests/reply_answers.py).
Each case carries the new text a person sees and the verdict a person reads. The
client formats follow what each client writes; the header strings come from the same
data the reader uses, so this corpus measures the reader's rules, not its strings
(the shared suites and the e2e tests are the outside checks).
"""

from __future__ import annotations

import functools
import html as htmllib
from dataclasses import dataclass

from reply_answers import ANSWERS

from mailbaton.classify.data.attributions import ATTRIBUTIONS
from mailbaton.classify.data.devices import DEVICE_LINES
from mailbaton.classify.data.headers import LABELS, SEPARATORS
from mailbaton.classify.data.thunderbird_l10n import LOCALES
from mailbaton.mail.htmltext import html_to_text

NAME, ADDR, JANE = "Alice Martin", "alice@example.com", "Jane Doe <jane@example.com>"
SUBJECT = "[MB-7] Acme contract renewal"
ORIGINAL = (
    "Jane, Alice Martin is handing this over to you. Please reply GOT IT or REFUSE by"
    " Mon 3 Jun 2024 17:00 UTC.\n\nAcme contract renewal\n\n"
    "Handed over by: Alice Martin <alice@example.com>\n\n"
    "-- \nmailbaton, the Baton Pass Protocol (MB-7)"
)
DATE, TIME = "03.06.2024", "10:15"
# Thunderbird's locale for each language of the answers.
TB_LOCALE = {"es": "es-ES", "pt": "pt-BR", "sv": "sv-SE", "nb": "nb-NO", "zh": "zh-CN"}
POSTINGS = ("top", "bottom", "inline")
# Plain-text shapes that came out wrong before the data: the answer typed right above the
# attribution (no blank line), and the attribution glued to the end of the answer.
TIGHT = ("tight", "midline")
VARIANTS = ("accept", "refuse", "question", "got_it", "refuse_kw", "refuse_before")


@dataclass(frozen=True)
class DevCase:
    name: str  # client/language/posting/format/variant
    client: str
    lang: str
    text: str  # the plain body every tool is given (HTML-only mail: its text rendering)
    html: str | None
    new: str  # the new text a person sees
    verdict: str  # accept | refuse | cancel | unclear
    reason: str | None


@dataclass(frozen=True)
class Said:
    new: str
    verdict: str
    reason: str | None


def said(lang: str, variant: str) -> Said:
    """What the catcher writes for this variant, and what a person reads from it."""
    accept, refuse, question = ANSWERS[lang]
    if variant == "accept":
        return Said(accept, "accept", None)
    if variant == "refuse":
        return Said(refuse, "refuse", refuse)
    if variant == "question":
        return Said(question, "unclear", None)
    if variant == "got_it":
        return Said(f"GOT IT\n\n{accept}", "accept", None)
    if variant == "refuse_before" and refuse.endswith((".", "。")):
        return Said(f"{refuse} REFUSE", "refuse", refuse.rstrip(".。"))
    return Said(f"REFUSE:\n{refuse}", "refuse", refuse)


def _fill(template: str) -> str:
    text = template.replace("{name}", NAME).replace("{addr}", ADDR).replace("%s", NAME)
    text = text.replace("#1", NAME).replace("#2", DATE).replace("#3", TIME)
    return text.replace("[", "").replace("]", "")


def quoted(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.split("\n"))


def html_lines(text: str) -> str:
    return "".join(f"<div>{htmllib.escape(line) or '<br>'}</div>" for line in text.split("\n"))


def _halves() -> tuple[str, str]:
    first, _, rest = ORIGINAL.partition("\n\n")
    return first, rest


# --- the clients ----------------------------------------------------------------------


def _quoting_client(attribution: str, posting: str, new: str, html_kind: str) -> tuple[str, str]:
    """Clients that quote with '>' / <blockquote> under an attribution line."""
    first, rest = _halves()
    if posting == "top":
        text = f"{new}\n\n{attribution}\n{quoted(ORIGINAL)}\n"
    elif posting == "tight":
        text = f"{new}\n{attribution}\n{quoted(ORIGINAL)}\n"
    elif posting == "midline":
        text = f"{new} {attribution}\n{quoted(ORIGINAL)}\n"
    elif posting == "bottom":
        text = f"{attribution}\n{quoted(ORIGINAL)}\n\n{new}\n"
    else:
        text = f"{attribution}\n{quoted(first)}\n\n{new}\n\n{quoted(rest)}\n"  # inline
    attr = htmllib.escape(attribution)
    if html_kind == "gmail":
        cite = f'<div dir="ltr" class="gmail_attr">{attr}<br></div>'
        open_ = f'<div class="gmail_quote">{cite}<blockquote class="gmail_quote">'
        close = "</blockquote></div>"
    elif html_kind == "apple":
        open_ = f'<div><br><blockquote type="cite"><div>{attr}</div><br>'
        close = "</blockquote></div>"
    else:  # thunderbird and the rest
        open_ = f'<div class="moz-cite-prefix">{attr}<br></div><blockquote type="cite">'
        close = "</blockquote>"
    mine = f'<div dir="ltr">{html_lines(new)}</div>'
    if posting == "top":
        body = f"{mine}<br>{open_}{html_lines(ORIGINAL)}{close}"
    elif posting == "bottom":
        body = f"{open_}{html_lines(ORIGINAL)}{close}<br>{mine}"
    else:
        again = open_.replace(attr, "", 1)  # the attribution heads the first part only
        body = f"{open_}{html_lines(first)}{close}{mine}{again}{html_lines(rest)}{close}"
    return text, f"<html><body>{body}</body></html>"


def _labels(lang: str) -> tuple[str, ...]:
    return next((row for row in LABELS if row[0] == lang), LABELS[0])


def _header_block(lang: str, date_label: int = 2, sent: bool = True) -> list[str]:
    row = _labels(lang)
    when = f"{DATE} {TIME}"
    lines = [f"{row[1]}: {NAME} <{ADDR}>", f"{row[date_label]}: {when}", f"{row[3]}: {JANE}"]
    if not sent:
        lines[1], lines[2] = lines[2], lines[1]
    return [*lines, f"{row[5]}: {SUBJECT}"]


def _outlook(
    lang: str, new: str, device: str | None = None, shape: str = "plain"
) -> tuple[str, str]:
    block = _header_block(lang)
    sig = f"\n\n{device}" if device else ""
    row = _labels(lang)
    if shape == "reply_to" and row[7]:
        block.insert(1, f"{row[7]} : {NAME} <{ADDR}>")
    lines = block
    if shape == "bold":  # a rich-text client's plain part: "*From:*", French "**De :**"
        mark = "**" if lang == "fr" else "*"
        space = " " if lang == "fr" else ""
        lines = [f"{mark}{k}{space}:{mark}{v}" for k, v in (x.split(":", 1) for x in block)]
    rule = "________________________________"
    head = rule + lines[0] if shape == "glued" else rule + "\n" + lines[0]
    text = f"{new}{sig}\n\n{head}\n" + "\n".join(lines[1:])
    text += f"\n\n{ORIGINAL}\n"
    bold = "<br>".join(
        f"<b>{htmllib.escape(line.split(':', 1)[0])}:</b>{htmllib.escape(line.split(':', 1)[1])}"
        for line in block
    )
    html = (
        f"<html><body><div>{html_lines(new)}</div>"
        + (f"<div>{htmllib.escape(device)}</div>" if device else "")
        + '<div id="appendonsend"></div><hr style="display:inline-block;width:98%">'
        f'<div id="divRplyFwdMsg" dir="ltr"><font face="Calibri">{bold}</font><div>&nbsp;</div>'
        f"</div><div>{html_lines(ORIGINAL)}</div></body></html>"
    )
    return text, html


def _separator(lang: str, client: str) -> str:
    words = next((t for l_, t, c, _ in SEPARATORS if l_ == lang and c == client), None)
    words = words or next(t for l_, t, c, _ in SEPARATORS if l_ == lang or l_ == "en")
    return f"-------- {words} --------"


def _pasted(lead: list[str], new: str, device: str | None = None) -> str:
    """A reply above an original pasted without quote marks under header lines."""
    sig = f"\n\n{device}" if device else ""
    return f"{new}{sig}\n\n\n" + "\n".join(lead) + f"\n\n{ORIGINAL}\n"


def _device(client: str, lang: str, name: str) -> str | None:
    line = next((t for c, l_, t, _ in DEVICE_LINES if c == client and l_ == lang), None)
    return line.replace("{device}", name) if line else None


# --- the corpus -----------------------------------------------------------------------


def _case(client: str, lang: str, label: str, body: tuple[str, str | None], s: Said) -> DevCase:
    text, html = body
    return DevCase(f"{client}/{lang}/{label}", client, lang, text, html, s.new, s.verdict, s.reason)


def _variants(offset: int) -> list[str]:
    return [VARIANTS[(offset + n) % len(VARIANTS)] for n in range(len(VARIANTS))]


def _quoting_cases(client: str, lang: str, attribution: str, kind: str, n: int) -> list[DevCase]:
    cases, variants = [], _variants(n)
    for index, (posting, fmt) in enumerate((p, f) for p in POSTINGS for f in ("plain", "html")):
        variant = variants[index % len(variants)]
        s = said(lang, variant)
        text, html = _quoting_client(attribution, posting, s.new, kind)
        body = (text, None) if fmt == "plain" else (html_to_text(html), html)
        cases.append(_case(client, lang, f"{posting}/{fmt}/{variant}", body, s))
    for index, posting in enumerate(TIGHT):
        variant = variants[(index + 2) % len(variants)]
        s = said(lang, variant)
        if posting == "midline" and "\n" in s.new:
            continue  # only a one-line answer can share its line with the attribution
        text, _ = _quoting_client(attribution, posting, s.new, kind)
        cases.append(_case(client, lang, f"{posting}/plain/{variant}", (text, None), s))
    return cases


def _thunderbird() -> list[DevCase]:
    cases: list[DevCase] = []
    by_locale = {row[0]: row for row in LOCALES}
    for n, lang in enumerate(ANSWERS):
        row = by_locale.get(TB_LOCALE.get(lang, lang)) or by_locale.get("en-GB")
        if row is None or not row[1]:
            continue
        cases += _quoting_cases("thunderbird", lang, _fill(row[1]), "thunderbird", n)
    return cases


def _attributed(client: str, kind: str) -> list[DevCase]:
    cases: list[DevCase] = []
    for n, (who, lang, template, _) in enumerate(ATTRIBUTIONS):
        if who == client and lang in ANSWERS:
            cases += _quoting_cases(client, lang, _fill(template), kind, n)
    return cases


def _top_posted(client: str, lang: str, n: int, build: object, label: str = "top") -> list[DevCase]:
    cases = []
    for index, fmt in enumerate(("plain", "html")):
        variant = _variants(n)[index]
        s = said(lang, variant)
        text, html = build(s.new)  # type: ignore[operator]
        body = (text, None) if fmt == "plain" else (html_to_text(html), html)
        cases.append(_case(client, lang, f"{label}/{fmt}/{variant}", body, s))
    return cases


def _ios() -> list[DevCase]:
    cases: list[DevCase] = []
    for n, (who, lang, template, _) in enumerate(ATTRIBUTIONS):
        device = _device("ios", lang, "iPhone")
        if who != "apple" or lang not in ANSWERS or device is None:
            continue
        attribution = _fill(template)

        def build(new: str, a: str = attribution, d: str = device) -> tuple[str, str]:
            # iOS Mail: the device line under the answer, the attribution inside the quote.
            text = f"{new}\n\n{d}\n\n{quoted(a)}\n>\n{quoted(ORIGINAL)}\n"
            return text, _quoting_client(a, "top", f"{new}\n\n{d}", "apple")[1]

        cases += _top_posted("ios", lang, n, build)
        s = said(lang, _variants(n)[2])
        # Typed under the device line the app put at the top.
        text = f"{device}\n\n{s.new}\n\n{quoted(attribution)}\n>\n{quoted(ORIGINAL)}\n"
        cases.append(_case("ios", lang, "under_signature/plain", (text, None), s))
    return cases


def _outlook_cases() -> list[DevCase]:
    cases: list[DevCase] = []
    for n, lang in enumerate(ANSWERS):
        cases += _top_posted("outlook", lang, n, lambda new, lang=lang: _outlook(lang, new))
        shape = ("bold", "glued", "reply_to")[n % 3]
        build = lambda new, la=lang, sh=shape: _outlook(la, new, shape=sh)  # noqa: E731
        cases += _top_posted("outlook", lang, n + 3, build, f"top-{shape}")[:1]
        device = _device("outlook_mobile", lang, "iOS")
        if device:
            cases += _top_posted(
                "outlook_mobile", lang, n + 1, lambda new, la=lang, d=device: _outlook(la, new, d)
            )
    return cases


def _webmail_cases() -> list[DevCase]:
    """GMX/WEB.DE (Sent first), Samsung Email and Zimbra (separator, then headers)."""
    cases: list[DevCase] = []
    for n, lang in enumerate(("de", "en", "fr", "es")):
        row = _labels(lang)
        lead = [f"{row[2]}: {DATE} um {TIME}", f"{row[1]}: {NAME} <{ADDR}>", f"{row[3]}: {JANE}"]
        lead.append(f"{row[5]}: Re: {SUBJECT}")
        build = lambda new, lead=lead: (_pasted(lead, new), _pasted_html(lead, new))  # noqa: E731
        cases += _top_posted("gmx", lang, n, build)
    for n, lang in enumerate(("en", "de", "fr", "es", "it", "pt", "ru", "pl", "ko")):
        device = _device("samsung", lang, "Galaxy") or "Sent from my Galaxy"
        lead = [_separator(lang, "samsung" if lang == "en" else "outlook")]
        lead += _header_block(lang, date_label=6)
        build = lambda new, lead=lead, d=device: (  # noqa: E731
            _pasted(lead, new, d),
            _pasted_html(lead, f"{new}\n\n{d}"),
        )
        cases += _top_posted("samsung", lang, n, build)
    for n, lang in enumerate(("en", "de", "fr")):
        lead = [_separator(lang, "zimbra" if lang != "en" else "outlook")]
        lead += _header_block(lang, sent=False)
        build = lambda new, lead=lead: (_pasted(lead, new), _pasted_html(lead, new))  # noqa: E731
        cases += _top_posted("zimbra", lang, n, build)
    return cases


def _pasted_html(lead: list[str], new: str) -> str:
    head = "".join(f"<div>{htmllib.escape(line)}</div>" for line in lead)
    return (
        f"<html><body><div>{html_lines(new)}</div><div><br></div><div><br></div>"
        f"<div>{head}<div><br></div>{html_lines(ORIGINAL)}</div></body></html>"
    )


@functools.cache
def dev_corpus() -> tuple[DevCase, ...]:
    cases = _thunderbird()
    for client, kind in (
        ("gmail", "gmail"),
        ("apple", "apple"),
        ("yahoo", "thunderbird"),
        ("notes", "thunderbird"),
        ("proton", "thunderbird"),
        ("mailru", "thunderbird"),
        ("yandex", "thunderbird"),
        ("onet", "thunderbird"),
        ("outlook_mobile", "thunderbird"),
    ):
        cases += _attributed(client, kind)
    cases += _ios() + _outlook_cases() + _webmail_cases()
    return tuple(cases)
