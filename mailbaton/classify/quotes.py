"""Cut a reply down to what the replier wrote: no quotes, attributions or signatures."""

from __future__ import annotations

import re
from collections.abc import Sequence

from mailbaton.classify.attribution import (
    attribution_at,
    is_quoted,
    split_mid_line,
    template_budget,
)
from mailbaton.classify.echo import Sent
from mailbaton.classify.headers import header_block_at, is_separator
from mailbaton.classify.signatures import is_banner, is_device_line, starts_signature
from mailbaton.mail.htmltext import html_to_text

__all__ = ["new_text"]

_MAX_LINE = 1000
_WRAP_WIDTH = 60
_GREETING = re.compile(r"^\s*(?:hi|hello|hey|dear|hallo|bonjour|hola|hej|ciao)\b.{0,40}$", re.I)
_JUNK = re.compile(r"[\s\-_=*#~+.ᐧ—–|]*")
_OUTLOOK_HTML = re.compile(
    r"<div\b[^>]*\bid=[\"']?(?:divRplyFwdMsg|appendonsend|OLK_SRC_BODY_SECTION)\b"
    r"|<div\b[^>]*\bstyle=[\"'][^\"'>]*border-top:\s*solid\s+#[0-9a-f]{6}\s+1(?:\.0)?pt"
    r"|<hr\b[^>]*\bid=[\"']?stopSpelling",
    re.I,
)


def _may_continue(char: str) -> bool:
    """Can a wrapped quote line start so? Not with a capital, "¿" or a caseless letter (CJK,
    Arabic, Hebrew...), which start a line of their own."""
    caseless = char.isalpha() and not char.islower() and not char.isupper()
    return not char.isupper() and not caseless and char not in "¿¡"


def _wrapped_quote(lines: list[str], i: int) -> bool:
    """A quoted line's tail that the client wrapped onto an unquoted line."""
    line = lines[i].strip()
    return (
        0 < i < len(lines) - 1
        and bool(line)
        and _may_continue(line[0])
        and len(lines[i - 1]) >= _WRAP_WIDTH
        and is_quoted(lines[i - 1])
        and is_quoted(lines[i + 1])
    )


def _next_nonblank(lines: list[str], i: int) -> str:
    for line in lines[i:]:
        if line.strip():
            return line
    return ""


def _probe(line: str) -> str:
    # Patterns only ever see a bounded, stripped line: no input can make one slow.
    line = line.strip()
    return line if len(line) <= _MAX_LINE else line[:_MAX_LINE] + " …"


def _split_lines(text: str) -> list[str]:
    """The text's lines, with an attribution that follows new text on one line put on its own."""
    lines: list[str] = []
    for line in text.split("\n"):
        at = split_mid_line(line.strip()) if line.rstrip().endswith((":", "：")) else 0
        if at:
            stripped = line.strip()
            lines += [stripped[:at].rstrip(), stripped[at:]]
        else:
            lines.append(line)
    return lines


class _Walk:
    """One pass over a reply's lines, top to bottom, keeping what the replier wrote."""

    def __init__(self, text: str, sent: Sent) -> None:
        self.raw = _split_lines(text)
        self.lines = [_probe(line) for line in self.raw]
        self.norms = sent.prepare(self.lines)
        self.sent = sent
        self.kept: list[str] = []
        self.in_sig = False
        self.wrote = False
        self.banner_check = True

    def _skip_paragraph(self, i: int) -> int:
        while i < len(self.lines) and self.lines[i].strip():
            i += 1
        return i

    def _quote_start(self, i: int) -> int | None:
        """Where to go on if a quote header starts at i; -1 to stop; None if none does."""
        lines = self.lines
        # Nothing written yet: a quote header on top introduces the text below
        # it (a forward, or a reply typed under an unquoted original).
        on_top = not self.wrote
        size = attribution_at(lines, i)
        if size:
            if not on_top and not is_quoted(_next_nonblank(lines, i + size)):
                return -1  # an unquoted original follows: nothing after it is new
            self.in_sig = False
            return i + size
        if header_block_at(lines, i) or is_separator(lines[i]):
            return self._skip_paragraph(i + 1) if on_top else -1
        return None

    def _ours(self, i: int) -> int | None:
        """Where to go on if our own mail is pasted at i; -1 to stop; None if it is not."""
        if self.sent.copy_starts(self.norms, i):
            # Our mail pasted back: nothing below is new, nor the greeting above it.
            while self.kept and (not self.kept[-1].strip() or _GREETING.match(self.kept[-1])):
                self.kept.pop()
            return -1
        if self.sent.ours(self.norms, i):  # one line of ours, such as an instruction
            return i + 1
        return None

    def step(self, i: int) -> int:
        """Read line i; return the next line to read, or -1 when nothing below is new."""
        line = self.lines[i]
        if is_quoted(line) or _wrapped_quote(self.lines, i):
            self.in_sig = False
            return i + 1
        for check in (self._quote_start, self._ours):
            after = check(i)
            if after is not None:
                return after
        if not self.wrote and line and is_device_line(line):
            return i + 1  # a device line above the text (typed under the signature)
        if starts_signature(self.lines, i):
            self.in_sig = True
        if self.banner_check and line:
            self.banner_check = False
            if is_banner(line):  # "CAUTION: external email": skip its paragraph
                return self._skip_paragraph(i)
        if not self.in_sig:
            self.kept.append(self.raw[i].rstrip())
            self.wrote = self.wrote or bool(line)
        return i + 1

    def run(self) -> list[str]:
        i = 0
        while 0 <= i < len(self.lines):
            i = self.step(i)
        return self.kept


def _tidy(lines: list[str]) -> str:
    while lines and _JUNK.fullmatch(lines[-1]):
        lines.pop()
    start = next((n for n, line in enumerate(lines) if line.strip()), len(lines))
    return "\n".join(lines[start:])


def _normalise(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return re.sub("[\u200b\u200c\u200d\ufeff\u2060]", "", text).replace("\xa0", " ")


def _from_text(text: str, sent: Sent) -> str:
    with template_budget():
        return _tidy(_Walk(_normalise(text), sent).run())


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
