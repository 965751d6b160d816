"""Header values written by hand, so non-ASCII subjects and file names arrive exactly.

Python's generator folds a long non-ASCII header into encoded words and puts the
space between two words *between* the encoded words, where RFC 2047 says a reader
must drop it ("Rahmenvertrag €50.000" arrives as "Rahmenvertrag€50.000"), and some
lengths decode with a leading space. Here every space travels *inside* an encoded
word, each word ends at a word boundary where it can, and no line passes 76 characters.
"""

from __future__ import annotations

import base64
import re
from typing import Any
from urllib.parse import quote

# RFC 2047 section 5 (3): the characters a Q-encoded word may carry as they are.
_Q_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!*+-/")
_MAX_WORD = 75
_MAX_LINE = 76
_TOKENS = re.compile(r"\S+\s*|\s+")


def _q(data: bytes) -> str:
    return "".join(chr(b) if b in _Q_SAFE else "_" if b == 0x20 else f"={b:02X}" for b in data)


def _encoded(text: str) -> str:
    """One encoded word: Q for mostly-Latin text, B when that is shorter (CJK, emoji)."""
    data = text.encode("utf-8")
    q = _q(data)
    b = base64.b64encode(data).decode("ascii")
    return f"=?utf-8?q?{q}?=" if len(q) <= len(b) else f"=?utf-8?b?{b}?="


def encoded_words(text: str, first_room: int = _MAX_WORD) -> list[str]:
    """`text` as RFC 2047 words (the first no longer than `first_room`), every space inside one."""
    words: list[str] = []
    chunk = ""
    room = first_room
    for token in _TOKENS.findall(text):
        if len(_encoded(chunk + token)) <= room:
            chunk += token
            continue
        if chunk:
            words.append(_encoded(chunk))
            chunk, room = "", _MAX_WORD
        # A token too long for one word (Japanese has no spaces) is cut between characters.
        for char in token:
            if chunk and len(_encoded(chunk + char)) > room:
                words.append(_encoded(chunk))
                chunk, room = "", _MAX_WORD
            chunk += char
    if chunk or not words:
        words.append(_encoded(chunk))
    return words


def needs_encoding(text: str) -> bool:
    return not text.isascii() or "=?" in text or any(ord(c) < 32 for c in text)


class RawHeader(str):
    """A header value the email package sends as written: `fold` gives our own lines.

    The str value is what a reader decodes, so code that reads the header back before
    the message is sent sees the same thing as the recipient.
    """

    name: str
    lines: tuple[str, ...]
    # Read by EmailMessage.is_attachment() on a Content-Disposition before sending.
    content_disposition: str = ""

    def __new__(cls, name: str, value: str, lines: list[str]) -> RawHeader:
        header = super().__new__(cls, value)
        header.name = name
        header.lines = tuple(lines)
        return header

    def fold(self, *, policy: Any) -> str:
        linesep = str(policy.linesep)
        return linesep.join(self.lines) + linesep


def text_header(name: str, text: str) -> RawHeader:
    """An unstructured header (Subject, Thread-Topic) that decodes back to exactly `text`."""
    text = " ".join(text.split())
    if not needs_encoding(text) and len(name) + 2 + len(text) <= _MAX_LINE:
        return RawHeader(name, text, [f"{name}: {text}"])
    # Folding plain words is legal too, but readers that decode without unfolding first
    # then keep the line break: encoded words make every reader agree.
    words = encoded_words(text, first_room=_MAX_LINE - len(name) - 2)
    lines = [f"{name}: {words[0]}", *(f" {word}" for word in words[1:])]
    return RawHeader(name, text, lines)


def disposition_header(filename: str) -> RawHeader:
    """Content-Disposition with filename* (RFC 2231) and a plain filename= fallback.

    Readers that know RFC 2231 take filename*; some Outlook versions read only filename=,
    and get the RFC 2047 form most of them decode (or the ASCII form if it is all ASCII).
    """
    name = "Content-Disposition"
    filename = " ".join(filename.split()) or "attachment"
    if not needs_encoding(filename) and '"' not in filename and "\\" not in filename:
        lines = [f"{name}: attachment;", f' filename="{filename}"']
        return _disposition(name, f'attachment; filename="{filename}"', lines)
    star = quote(filename, safe="")
    lines = [f"{name}: attachment;"]
    # RFC 2231 continuations keep each line short; readers decode each piece on its own,
    # so a piece never splits a character's bytes.
    pieces = [""]
    for char in filename:
        if len(pieces[-1]) + len(quote(char, safe="")) > 50:
            pieces.append("")
        pieces[-1] += quote(char, safe="")
    for i, piece in enumerate(pieces):
        prefix = "utf-8''" if i == 0 else ""
        lines.append(f" filename*{i}*={prefix}{piece};")
    words = encoded_words(filename, first_room=_MAX_WORD - len(' filename="'))
    fallback = " ".join(words)
    lines.append(f' filename="{words[0]}')
    lines.extend(f" {word}" for word in words[1:])
    lines[-1] += '"'
    value = f"attachment; filename*=utf-8''{star}; filename=\"{fallback}\""
    return _disposition(name, value, lines)


def _disposition(name: str, value: str, lines: list[str]) -> RawHeader:
    header = RawHeader(name, value, lines)
    header.content_disposition = "attachment"
    return header
