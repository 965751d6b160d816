"""Convert an email's HTML body to plain text that keeps its line structure."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from urllib.parse import unquote

__all__ = ["html_to_text"]

# Elements whose boundaries end the current line. <p> gives a single line
# break, not a blank line: Outlook renders each <p class=MsoNormal> as one
# line, and the handoff fields are read line by line.
_BLOCK_TAGS = frozenset(
    "p div tr li ul ol dl dt dd table thead tbody tfoot h1 h2 h3 h4 h5 h6 hr pre "
    "blockquote section article header footer address center form fieldset nav "
    "aside main figure figcaption caption details summary".split()
)
_SKIP_TAGS = frozenset(["head", "style", "script", "title", "xml", "template"])
_CELL_TAGS = frozenset(["td", "th"])
_SPACES = re.compile(r"[ \t\r\n\f\v\u200b\ufeff]+")
_INLINE_SPACES = re.compile(r"[ \t\f\v]+")
_TAG = re.compile(r"<[^>]*>")


class _TextBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._parts: list[str] = []
        self._has_text = False
        # An &nbsp;-only paragraph is a deliberate blank line (Outlook's
        # <p><o:p>&nbsp;</o:p></p>), unlike whitespace between tags.
        self._saw_nbsp = False
        self._skip: list[str] = []
        self._quote_depth = 0
        self._line_depth = 0
        self._pre = 0
        # One entry per open <div>/<blockquote>: did it open a quote level?
        self._quote_stack: list[tuple[str, bool]] = []
        # The open mailto: link: its address and the text shown for it so far.
        self._mailto: tuple[str, list[str]] | None = None

    def _end_line(self, hard: bool) -> None:
        text = _INLINE_SPACES.sub(" ", "".join(self._parts)).strip()
        depth = self._line_depth if text else self._quote_depth
        if text or hard or self._saw_nbsp:
            prefix = "> " * depth
            self.lines.append((prefix + text) if text else prefix.rstrip())
        self._parts = []
        self._has_text = False
        self._saw_nbsp = False
        self._line_depth = self._quote_depth

    def _add(self, text: str) -> None:
        if not self._has_text and text.strip():
            self._has_text = True
            self._line_depth = self._quote_depth
        self._parts.append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skip.append(tag)
            return
        if tag == "body":
            self._skip.clear()
        if self._skip:
            return
        if tag == "br":
            self._end_line(hard=True)
        elif tag == "a":
            self._open_link(dict(attrs).get("href") or "")
        elif tag in _CELL_TAGS:
            self._add(" ")
        elif tag in _BLOCK_TAGS:
            self._end_line(hard=False)
            if tag == "pre":
                self._pre += 1
            if tag in ("div", "blockquote"):
                classes = (dict(attrs).get("class") or "").split()
                quoting = tag == "blockquote" or "gmail_quote" in classes
                self._quote_stack.append((tag, quoting))
                if quoting:
                    self._quote_depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            if tag in self._skip:
                while self._skip and self._skip.pop() != tag:
                    pass
            return
        if self._skip:
            return
        if tag == "br":
            # Browsers treat a stray </br> as <br>.
            self._end_line(hard=True)
        elif tag == "a":
            self._close_link()
        elif tag in _BLOCK_TAGS:
            self._end_line(hard=False)
            if tag == "pre":
                self._pre = max(0, self._pre - 1)
            if tag in ("div", "blockquote"):
                self._close_quote(tag)
        elif tag in _CELL_TAGS:
            self._add(" ")

    def _open_link(self, href: str) -> None:
        scheme, _, target = href.strip().partition(":")
        address = unquote(target.partition("?")[0]).strip()
        self._mailto = (address, []) if scheme.lower() == "mailto" and "@" in address else None

    def _close_link(self) -> None:
        """Outlook's mention and a named mailto: link show a name, not the address; keep
        both ("Jane Doe <jane@example.com>"), or `Catcher:` would name nobody."""
        if self._mailto is None:
            return
        address, shown = self._mailto
        self._mailto = None
        text = "".join(shown).strip()
        if text and address.lower() not in text.lower():
            self._add(f" <{address}>")

    def _close_quote(self, tag: str) -> None:
        # Tolerate sloppy nesting: close back to the nearest matching element.
        for index in range(len(self._quote_stack) - 1, -1, -1):
            if self._quote_stack[index][0] == tag:
                for _name, quoting in self._quote_stack[index:]:
                    if quoting:
                        self._quote_depth -= 1
                del self._quote_stack[index:]
                return

    def handle_data(self, data: str) -> None:
        if self._skip or not data:
            return
        if "\xa0" in data:
            self._saw_nbsp = True
            data = data.replace("\xa0", " ")
        if self._mailto is not None:
            self._mailto[1].append(data)
        if self._pre:
            chunks = data.replace("\r\n", "\n").replace("\r", "\n").split("\n")
            for index, chunk in enumerate(chunks):
                if index:
                    self._end_line(hard=True)
                self._add(chunk)
        else:
            self._add(_SPACES.sub(" ", data))

    def finish(self) -> list[str]:
        self._end_line(hard=False)
        return self.lines


def _tidy(lines: list[str]) -> str:
    out: list[str] = []
    for line in lines:
        blank = not line.strip("> ")
        if blank and (not out or not out[-1].strip("> ")):
            continue
        out.append(line)
    while out and not out[-1].strip("> "):
        out.pop()
    return "\n".join(out)


def html_to_text(html_source: str) -> str:
    """Return the visible text of an HTML body, one line per visual line.

    Quoted content (<blockquote>, Gmail's gmail_quote) has each line prefixed
    with "> ". Never raises.
    """
    builder = _TextBuilder()
    try:
        builder.feed(html_source)
        builder.close()
        return _tidy(builder.finish())
    except Exception:
        # html.parser has historically raised on some malformed markup; fall
        # back to crude tag stripping rather than losing the body.
        text = re.sub(r"(?i)<br\s*/?>|</?(?:p|div|tr|li|h\d)\b[^>]*>", "\n", html_source)
        text = html.unescape(_TAG.sub("", text)).replace("\xa0", " ")
        lines = [_INLINE_SPACES.sub(" ", line).strip() for line in text.splitlines()]
        return _tidy(lines)
