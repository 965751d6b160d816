"""Lenient decoding of header values, addresses, ids and MIME part payloads."""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Iterable
from email.header import decode_header
from email.message import Message
from email.parser import BytesParser
from email.policy import Compat32
from email.utils import getaddresses
from typing import TypeVar

from mailbaton.mail.policy import DEFAULT
from mailbaton.mail.records import Address

_T = TypeVar("_T")
# The default policy's header parser is slow on huge headers; compat32 is not.
_POLICY_LIMIT = 8000
_ANGLE_ID = re.compile(r"<([^<>]*)>")
_FOLD = re.compile(r"\r?\n(?=[ \t])")
_MAKE_HEADER = DEFAULT.header_factory


# Lone surrogates other than surrogate escapes (\udc80-\udcff, the parser's 8-bit bytes):
# what a truncated encoded word leaves behind. They cannot be stored or sent.
_STRAY_SURROGATE = re.compile("[\ud800-\udc7f\udd00-\udfff]")
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")


def _unsurrogate(text: str) -> str:
    # Nearly every header is ASCII: nothing to mend, and no scan of it at all.
    if text.isascii():
        return text
    text = _STRAY_SURROGATE.sub("\ufffd", text)
    # BytesParser keeps 8-bit header bytes as surrogate escapes; most are UTF-8.
    if _ESCAPED_BYTE.search(text) is None:
        return text
    data = text.encode("utf-8", "surrogateescape")
    decoded = data.decode("utf-8", "replace")
    # Mostly valid UTF-8 (say, a truncated name) is still UTF-8; Latin-1 is not.
    bad = decoded.count("\ufffd")
    if sum(ord(ch) > 127 for ch in decoded) - bad > 2 * bad:
        return decoded
    return data.decode("cp1252", "replace")


def fold(text: str) -> str:
    return " ".join(_unsurrogate(text).split())


def _codec(charset: str | None) -> str | None:
    if not charset:
        return None
    try:
        return codecs.lookup(charset.split("*")[0].strip().strip('"').lower()).name
    except (LookupError, ValueError):
        return None


def decode_bytes(data: bytes, charset: str | None) -> str:
    codec = _codec(charset)
    # Mislabelled UTF-8 (e.g. declared Big5) is common; valid non-ASCII UTF-8
    # is almost never meant as another 8-bit charset.
    if not data.isascii() and not (codec or "").startswith(("utf-16", "utf-32", "utf-7")):
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    for name, errors in ((codec, "strict"), (codec, "replace"), ("cp1252", "replace")):
        if name:
            try:
                return data.decode(name, errors)
            except (UnicodeError, LookupError):
                continue
    return data.decode("latin-1")


def decode_words(value: str) -> str:
    """RFC 2047-decode a header value, tolerating broken and unknown encodings."""
    if len(value) < _POLICY_LIMIT:
        try:
            return _unsurrogate(str(_MAKE_HEADER("subject", value)))
        except Exception:
            pass
    try:
        chunks = decode_header(value)
    except Exception:
        return value
    out: list[str] = []
    for chunk, charset in chunks:
        if isinstance(chunk, str):
            out.append(chunk)
        elif charset is None:
            out.append(chunk.decode("raw-unicode-escape", "replace"))
        else:
            out.append(decode_bytes(chunk, charset))
    return _unsurrogate("".join(out))


class _Lenient(Compat32):
    """compat32 header access that returns plain strings, 8-bit bytes decoded."""

    def header_fetch_parse(self, name: str, value: str) -> str:
        return _unsurrogate(_FOLD.sub("", str(value)))


_LENIENT = _Lenient()


def guarded_call(part: Message, fn: Callable[[Message], _T], default: _T) -> _T:
    """Run fn on part with lenient string header access, then the part's own policy.

    Reading MIME parameters from plain strings is several times faster than the
    default policy's header objects, and it does not raise on odd headers.
    """
    saved = part.policy
    for policy in (_LENIENT, saved):
        try:
            part.policy = policy
            return fn(part)
        except Exception:
            continue
        finally:
            part.policy = saved
    return default


class HeaderList(list[tuple[str, str]]):
    """A message's (name, value) pairs, with where each lower-case name stands worked out
    on the first lookup: a message is asked for some twenty names, and lower-casing
    every key on each ask was most of reading a header bomb."""

    positions: dict[str, list[int]] | None = None

    def values_of(self, names: Iterable[str]) -> list[str]:
        if self.positions is None:
            self.positions = {}
            for at, (key, _) in enumerate(self):
                self.positions.setdefault(key.lower(), []).append(at)
        found = [self.positions.get(name, []) for name in {n.lower() for n in names}]
        # In the message's order, as a scan would give them.
        spots = found[0] if len(found) == 1 else sorted(at for spots in found for at in spots)
        return [self[at][1] for at in spots]


def raw_headers(msg: Message) -> list[tuple[str, str]]:
    try:
        items = list(msg.raw_items())
    except Exception:
        return []
    return HeaderList((str(k), _unsurrogate(_FOLD.sub("", str(v))).strip()) for k, v in items)


def header_values(headers: list[tuple[str, str]], *names: str) -> list[str]:
    if isinstance(headers, HeaderList):
        return headers.values_of(names)
    wanted = {n.lower() for n in names}
    return [v for k, v in headers if k.lower() in wanted]


def first_header(headers: list[tuple[str, str]], name: str) -> str | None:
    found = header_values(headers, name)
    return found[0] if found else None


def message_ids(values: Iterable[str]) -> tuple[str, ...]:
    out: list[str] = []
    for value in values:
        found = [re.sub(r"\s+", "", m) for m in _ANGLE_ID.findall(value)]
        if not found:
            found = [t.strip("<>") for t in re.split(r"[\s,]+", value) if "@" in t]
        out.extend(i for i in found if i)
    return tuple(dict.fromkeys(out))


def message_id(value: str | None) -> str | None:
    if value is None:
        return None
    found = message_ids([value])
    if found:
        return found[0]
    token = value.strip().strip("<>").strip()
    return token if token and not any(c.isspace() for c in token) else None


def _bare(addr: str) -> str:
    addr = addr.strip().strip("<>").strip().lower()
    return addr if "@" in addr and not any(c.isspace() for c in addr) else ""


def addresses(values: Iterable[str]) -> list[Address]:
    out: list[Address] = []
    for value in values:
        try:
            if len(value) >= _POLICY_LIMIT:
                raise ValueError("too long for the policy parser")
            parsed = [
                (a.display_name, f"{a.username}@{a.domain}" if a.domain else a.username)
                for a in _MAKE_HEADER("to", value).addresses
            ]
        except Exception:
            parsed = [(decode_words(n), a) for n, a in getaddresses([value])]
        for name, addr in parsed:
            # Keep what there is of an address without a domain as the name.
            bare = _bare(addr)
            if name.strip() or addr.strip():
                out.append(Address(fold(name) or ("" if bare else fold(addr)), bare))
    return out


def return_path(value: str | None) -> str | None:
    if value is None:
        return None
    match = _ANGLE_ID.search(value)
    return re.sub(r"\s+", "", match.group(1) if match else value).lower()


def part_param(part: Message, name: str) -> str:
    value = guarded_call(part, lambda p: p.get_param(name), None)
    if isinstance(value, tuple):
        value = value[2]
    return str(value or "").strip().lower()


def part_payload(part: Message) -> bytes:
    data = guarded_call(part, lambda p: p.get_payload(decode=True), None)
    return data if isinstance(data, bytes) else b""


def part_text(part: Message) -> str:
    text = decode_bytes(
        part_payload(part), guarded_call(part, lambda p: p.get_content_charset(), None)
    )
    return text.replace("\r\n", "\n").replace("\r", "\n")


def part_filename(part: Message) -> str:
    name = guarded_call(part, lambda p: p.get_filename(), None)
    if not name:
        return ""
    name = fold(decode_words(_unsurrogate(str(name))))
    return re.split(r"[\\/]", name)[-1]


def parse_bytes(data: bytes, headers_only: bool = False) -> Message:
    parser = BytesParser(policy=DEFAULT)
    return parser.parsebytes(data, headersonly=headers_only)
