"""Turn raw RFC 5322 bytes into a ParsedMail record, never raising on bad input."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email import policy as email_policy
from email.message import Message
from email.parser import BytesParser
from email.utils import parsedate_to_datetime

from mailbaton.mail.attachments import Walk, attachments_of
from mailbaton.mail.decoding import (
    addresses,
    decode_words,
    first_header,
    fold,
    header_values,
    message_id,
    message_ids,
    parse_bytes,
    raw_headers,
    return_path,
)
from mailbaton.mail.htmltext import html_to_text
from mailbaton.mail.machine import auto_reason, read_bounce
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
        return _parse(data, parse_bytes(body), [])
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
    headers = raw_headers(msg)
    walk = Walk(defects=defects)
    walk.walk(msg, "part", 0, top=True)
    subject = fold(decode_words(first_header(headers, "Subject") or ""))
    senders = addresses(header_values(headers, "From")[:1])
    sender = senders[0] if senders else None
    text = walk.text
    if (text is None or not text.strip()) and walk.html is not None:
        text = html_to_text(walk.html)
    attachments, inline = attachments_of(walk)
    envelope = header_values(
        headers, "Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To"
    )
    bounce = read_bounce(headers, sender, subject, walk, "\n".join(walk.texts) or text or "")
    auto = auto_reason(headers, sender, subject, walk)
    return ParsedMail(
        raw_size=len(data),
        message_id=message_id(first_header(headers, "Message-ID")),
        in_reply_to=message_ids(header_values(headers, "In-Reply-To")),
        references=message_ids(header_values(headers, "References")),
        subject=subject,
        from_=sender,
        reply_to=tuple(addresses(header_values(headers, "Reply-To"))),
        to=tuple(addresses(header_values(headers, "To"))),
        cc=tuple(addresses(header_values(headers, "Cc"))),
        delivered_to=tuple(dict.fromkeys(a.addr for a in addresses(envelope) if a.addr)),
        return_path=return_path(first_header(headers, "Return-Path")),
        date=_date(first_header(headers, "Date"), walk.defects),
        auto_reason=auto,
        bounce=bounce,
        text=text or "",
        html=walk.html,
        attachments=attachments,
        inline_images=inline,
        authentication_results=tuple(header_values(headers, "Authentication-Results")),
        headers=tuple(headers),
        defects=tuple(dict.fromkeys(walk.defects))[:_MAX_DEFECTS],
    )
