"""The frozen records parse_message produces: ParsedMail and its parts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = ["Address", "Attachment", "Bounce", "ParsedMail"]


@dataclass(frozen=True)
class Address:
    name: str
    addr: str


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes
    source: str


@dataclass(frozen=True)
class Bounce:
    status: str
    action: str
    recipients: tuple[str, ...]
    original_message_id: str | None
    original_references: tuple[str, ...]
    original_subject: str
    diagnostic: str


@dataclass(frozen=True)
class ParsedMail:
    raw_size: int
    message_id: str | None
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    subject: str
    from_: Address | None
    reply_to: tuple[Address, ...]
    to: tuple[Address, ...]
    cc: tuple[Address, ...]
    delivered_to: tuple[str, ...]
    return_path: str | None
    date: datetime | None
    # Facts only: why a machine seems to have written it, and the failure report it
    # carries. What the mail then is, is decided once, in classify.
    auto_reason: str | None
    bounce: Bounce | None
    text: str
    html: str | None
    attachments: tuple[Attachment, ...]
    inline_images: int
    authentication_results: tuple[str, ...]
    headers: tuple[tuple[str, str], ...]
    defects: tuple[str, ...]
