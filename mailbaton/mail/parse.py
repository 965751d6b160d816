"""Turn raw RFC 5322 bytes into a ParsedMail record, never raising on bad input."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email import policy as email_policy
from email.message import Message
from email.parser import BytesParser
from email.utils import parsedate_to_datetime

from mailbaton.mail.attachments import _attachments, _Walk
from mailbaton.mail.decoding import (
    _addresses,
    _decode_words,
    _first,
    _fold,
    _ids,
    _message_id,
    _parse_bytes,
    _raw_headers,
    _return_path,
    _values,
)
from mailbaton.mail.htmltext import html_to_text
from mailbaton.mail.machine import _auto_reason, _bounce
from mailbaton.mail.records import Address, Attachment, Bounce, ParsedMail

__all__ = ["Address", "Attachment", "Bounce", "ParsedMail", "html_to_text", "parse_message"]

_MAX_DEFECTS = 100


def _date(value: str | None, defects: list[str]) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except Exception:
        parsed = None
    if parsed is None:
        defects.append(f"unparseable Date header: {value[:80]!r}")
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_message(raw: bytes) -> ParsedMail:
    """Parse raw message bytes; problems are reported in .defects, never raised."""
    try:
        data = raw if isinstance(raw, bytes) else _to_bytes(raw)
    except Exception:
        data = b""
    # Some stored messages start with blank lines, which would make every
    # header part of the body.
    body = re.sub(rb"\A(?:\xef\xbb\xbf)?(?:[ \t]*\r?\n)*", b"", data[:4096]) + data[4096:]
    try:
        return _parse(data, _parse_bytes(body), [])
    except Exception as exc:
        first = f"parser failed ({type(exc).__name__}); headers only"
    try:
        parsed = BytesParser(policy=email_policy.compat32).parsebytes(body, headersonly=True)
        return _parse(data, parsed, [first])
    except Exception as exc:
        defects = (first, f"header parsing failed too ({type(exc).__name__})")
    return ParsedMail(
        len(data),
        None,
        (),
        (),
        "",
        None,
        (),
        (),
        (),
        (),
        None,
        None,
        None,
        None,
        "",
        None,
        (),
        0,
        (),
        (),
        defects,
    )


def _to_bytes(raw: object) -> bytes:
    if isinstance(raw, str):
        return raw.encode("utf-8", "surrogateescape")
    return bytes(raw)  # type: ignore[call-overload,no-any-return]


def _parse(data: bytes, msg: Message, defects: list[str]) -> ParsedMail:
    headers = _raw_headers(msg)
    walk = _Walk(defects=defects)
    walk.walk(msg, "part", 0, top=True)
    subject = _fold(_decode_words(_first(headers, "Subject") or ""))
    senders = _addresses(_values(headers, "From")[:1])
    sender = senders[0] if senders else None
    text = walk.text
    if (text is None or not text.strip()) and walk.html is not None:
        text = html_to_text(walk.html)
    attachments, inline = _attachments(walk)
    envelope = _values(headers, "Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To")
    bounce = _bounce(headers, sender, subject, walk, "\n".join(walk.texts) or text or "")
    auto = _auto_reason(headers, sender, subject, walk)
    if auto is None and bounce is not None:
        auto = "delivery failure report"
    return ParsedMail(
        raw_size=len(data),
        message_id=_message_id(_first(headers, "Message-ID")),
        in_reply_to=_ids(_values(headers, "In-Reply-To")),
        references=_ids(_values(headers, "References")),
        subject=subject,
        from_=sender,
        reply_to=tuple(_addresses(_values(headers, "Reply-To"))),
        to=tuple(_addresses(_values(headers, "To"))),
        cc=tuple(_addresses(_values(headers, "Cc"))),
        delivered_to=tuple(dict.fromkeys(a.addr for a in _addresses(envelope) if a.addr)),
        return_path=_return_path(_first(headers, "Return-Path")),
        date=_date(_first(headers, "Date"), walk.defects),
        auto_reason=auto,
        bounce=bounce,
        text=text or "",
        html=walk.html,
        attachments=attachments,
        inline_images=inline,
        authentication_results=tuple(_values(headers, "Authentication-Results")),
        headers=tuple(headers),
        defects=tuple(dict.fromkeys(walk.defects))[:_MAX_DEFECTS],
    )
