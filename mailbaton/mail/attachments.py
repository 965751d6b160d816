"""Walk a message's MIME tree into bodies, attachments, inline images and report parts."""

from __future__ import annotations

import base64
import binascii
import mimetypes
import quopri
import re
from dataclasses import dataclass, field
from email.message import Message
from typing import Any
from urllib.parse import unquote

import tnefparse

from mailbaton.mail.decoding import (
    decode_bytes,
    first_header,
    guarded_call,
    parse_bytes,
    part_filename,
    part_param,
    part_payload,
    part_text,
    raw_headers,
)
from mailbaton.mail.records import Attachment

_MAX_PARTS = 2000
_MAX_DEPTH = 50
_SIGNATURE_TYPES = frozenset(
    ["application/pkcs7-signature", "application/x-pkcs7-signature", "application/pgp-signature"]
)
_ENCRYPTED_TYPES = frozenset(["application/pkcs7-mime", "application/x-pkcs7-mime"])
_TNEF_TYPES = frozenset(["application/ms-tnef", "application/vnd.ms-tnef"])
_MESSAGE_TYPES = frozenset(["message/rfc822", "message/global"])
_HEADER_TYPES = frozenset(["text/rfc822-headers", "message/rfc822-headers"])
_CID_REF = re.compile(r"""cid:([^"'\s<>)]+)""", re.IGNORECASE)


@dataclass
class _Leaf:
    """A non-body leaf part; whether it is an attachment depends on cid: use."""

    content_type: str
    source: str
    filename: str
    counts: bool
    cid: str = ""
    part: Message | None = None
    data: bytes = b""


@dataclass
class Walk:
    defects: list[str] = field(default_factory=list)
    leaves: list[_Leaf] = field(default_factory=list)
    htmls: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    text: str | None = None
    html: str | None = None
    reports: set[str] = field(default_factory=set)
    dsn: list[Message] = field(default_factory=list)
    returned: list[Message] = field(default_factory=list)
    parts: int = 0

    def walk(self, part: Message, source: str, depth: int, top: bool) -> None:
        self.parts += 1
        if self.parts > _MAX_PARTS or depth > _MAX_DEPTH:
            if self.parts == _MAX_PARTS + 1 or depth == _MAX_DEPTH + 1:
                self.defects.append("MIME structure too large or too deep; rest ignored")
            return
        self.defects.extend(f"{type(d).__name__}: {d}" for d in getattr(part, "defects", ()))
        ctype = guarded_call(part, lambda p: p.get_content_type(), "text/plain")
        payload = guarded_call(part, lambda p: p.get_payload(), None)
        if ctype.startswith("multipart/") and isinstance(payload, list):
            self._multipart(part, ctype, payload, source, depth, top)
        elif ctype in _MESSAGE_TYPES:
            inner = self._inner_message(part, payload)
            if inner is not None:
                if top:
                    self.returned.append(inner)
                self.walk(inner, "forwarded", depth + 1, top=False)
        elif ctype == "message/delivery-status":
            if top:
                self.dsn.append(part)
        elif ctype in _HEADER_TYPES:
            first = payload[0] if isinstance(payload, list) and payload else None
            if top and isinstance(first, Message):
                self.returned.append(first)
            elif top:
                self.returned.append(parse_bytes(part_payload(part), headers_only=True))
        elif ctype.startswith("message/"):
            pass  # MDN / ARF reports, external bodies: neither text nor files
        else:
            self._leaf(part, "text/plain" if ctype.startswith("multipart/") else ctype, source, top)

    def _multipart(
        self,
        part: Message,
        ctype: str,
        children: list[Message | str] | list[Any],
        source: str,
        depth: int,
        top: bool,
    ) -> None:
        if ctype == "multipart/encrypted":
            self.defects.append("PGP/MIME encrypted content cannot be read")
            return
        if ctype == "multipart/report" and top:
            self.reports.add(part_param(part, "report-type"))
        if ctype == "multipart/signed" and source == "part":
            source = "signed"
        for child in children:
            if isinstance(child, Message):
                self.walk(child, source, depth + 1, top)

    def _inner_message(self, part: Message, payload: object) -> Message | None:
        cte = guarded_call(part, lambda p: str(p.get("content-transfer-encoding", "")), "")
        inner = payload[0] if isinstance(payload, list) and payload else None
        if cte.strip().lower() in ("base64", "quoted-printable"):
            # The parser reads message/* bodies as MIME even when they are
            # encoded; decode and parse again.
            # (A Message with no headers is falsy, hence "is not None".)
            encoded = part_payload(part) if inner is None else guarded_call(inner, _as_bytes, b"")
            try:
                if cte.strip().lower() == "base64":
                    data = base64.b64decode(encoded)
                else:
                    data = quopri.decodestring(encoded)
                return parse_bytes(data)
            except (binascii.Error, ValueError):
                self.defects.append("undecodable encoded message/rfc822 part")
        return inner if isinstance(inner, Message) else None

    def _leaf(self, part: Message, ctype: str, source: str, top: bool) -> None:
        disposition = guarded_call(part, lambda p: p.get_content_disposition(), None)
        filename = part_filename(part)
        if ctype in _SIGNATURE_TYPES or filename.lower().endswith(".p7s"):
            return
        if ctype in _ENCRYPTED_TYPES:
            kind = part_param(part, "smime-type") or "enveloped-data"
            self.defects.append(f"S/MIME {kind} part is encrypted or opaque and was not read")
            return
        if ctype in _TNEF_TYPES or filename.lower() == "winmail.dat":
            self._tnef(part, filename or "winmail.dat", ctype)
            return
        if ctype in ("text/plain", "text/html") and disposition != "attachment":
            body = part_text(part)
            if ctype == "text/html":
                self.htmls.append(body)
            elif top:
                self.texts.append(body)
            if top and ctype == "text/plain" and self.text is None:
                self.text = body
                return
            if top and ctype == "text/html" and self.html is None:
                self.html = body
                return
            if not filename:
                return
        counts = disposition == "attachment" or bool(filename)
        cid = first_header(raw_headers(part), "content-id") or ""
        self.leaves.append(_Leaf(ctype, source, filename, counts, _norm_cid(cid), part))

    def _tnef(self, part: Message, filename: str, ctype: str) -> None:
        data = part_payload(part)
        try:
            files = tnefparse.TNEF(data, do_checksum=False).attachments
            found = [(_tnef_name(f), bytes(f.data or b"")) for f in files]
        except Exception as exc:
            self.defects.append(f"could not unpack TNEF {filename}: {exc!r}"[:200])
            self.leaves.append(_Leaf(ctype, "part", filename, True, data=data))
            return
        for name, blob in found:
            guessed = mimetypes.guess_type(name)[0] or "application/octet-stream"
            self.leaves.append(_Leaf(guessed, "tnef", name, True, data=blob))


def _as_bytes(message: Message) -> bytes:
    return message.as_bytes()


def _tnef_name(item: object) -> str:
    for getter in ("long_filename", "name"):
        try:
            value = getattr(item, getter)
            value = value() if callable(value) else value
        except Exception:
            continue
        if isinstance(value, bytes):
            value = decode_bytes(value.rstrip(b"\x00"), "cp1252")
        if isinstance(value, str) and value.strip("\x00 "):
            return value.strip("\x00 ")
    return ""


def _norm_cid(value: str) -> str:
    return unquote(value).strip().strip("<>").strip().lower()


def attachments_of(walk: Walk) -> tuple[tuple[Attachment, ...], int]:
    """The walk's real attachments, and how many leaves were cid: inline images."""
    referenced = {_norm_cid(m) for h in walk.htmls for m in _CID_REF.findall(h)}
    attachments: list[Attachment] = []
    inline = 0
    for leaf in walk.leaves:
        if leaf.cid and leaf.cid in referenced:
            inline += 1
        elif leaf.counts:
            data = part_payload(leaf.part) if leaf.part is not None else leaf.data
            name = leaf.filename or _made_up_name(len(attachments) + 1, leaf.content_type)
            attachments.append(Attachment(name, leaf.content_type, data, leaf.source))
    return tuple(attachments), inline


def _made_up_name(index: int, content_type: str) -> str:
    return f"attachment-{index}{mimetypes.guess_extension(content_type) or '.bin'}"
