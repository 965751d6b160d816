"""Signature starts in a reply: "-- ", device lines ("Sent from my iPhone"), disclaimers."""

from __future__ import annotations

import re
from collections.abc import Sequence

from mailbaton.classify.data.devices import DEVICE_LINES

__all__ = ["is_banner", "is_device_line", "starts_signature"]

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


def _device_pattern() -> re.Pattern[str]:
    parts = []
    for _, _, template, _ in DEVICE_LINES:
        before, _, after = template.partition("{device}")
        name = r"[\w.'-]+(?:\s+[\w.'-]+){0,3}?" if "{device}" in template else ""
        words = [r"\s+".join(map(re.escape, piece.split())) for piece in (before, after)]
        space_before = r"\s*" if before.endswith(" ") else ""
        space_after = r"\s*" if after.startswith(" ") else ""
        parts.append(words[0] + space_before + name + space_after + words[1])
    return re.compile(r"^\W*(?:" + "|".join(parts) + r")[\s.!]*$", re.I)


_DEVICE_LINE = _device_pattern()
_LINK = re.compile(r"<[^<>]*>")
_DISCLAIMER = re.compile(
    r"^\W*(?:this\s+e-?mail\s+(?:message\s+)?(?:and\s+any\s+(?:files|attachments).{0,40}|is|may)"
    r".{0,30}(?:confidential|privileged|intended)|confidentiality\s+notice|disclaimer\s*:"
    r"|the\s+information\s+(?:contained\s+)?in\s+this\s+(?:e-?mail|message))",
    re.I,
)
_BANNER = re.compile(r"originated\s+(?:from\s+)?outside|external\s+(?:sender|e-?mail)", re.I)


def is_device_line(line: str) -> bool:
    """ "Sent from my iPhone", "Von meinem iPhone gesendet", "Get Outlook for Android"."""
    bare = _LINK.sub("", line).strip()
    return bool(_MOBILE.match(bare)) or (len(bare) <= 120 and bool(_DEVICE_LINE.match(bare)))


def is_banner(line: str) -> bool:
    """A "CAUTION: This email originated from outside" banner line."""
    return bool(_BANNER.search(line))


def _sign_off(lines: Sequence[str], i: int) -> bool:
    """A "-Name" sign-off standing alone as the last line of its paragraph."""
    before = lines[i - 1].strip() if i else ""
    after = lines[i + 1].strip() if i + 1 < len(lines) else ""
    return not before and not after and bool(_DASH_NAME.match(lines[i].strip()))


def starts_signature(lines: Sequence[str], i: int) -> bool:
    """Does a signature, device line or disclaimer start at line i?"""
    line = lines[i]
    return bool(
        _SIG_DELIMITER.match(line)
        or _DISCLAIMER.match(line)
        or is_device_line(line)
        or _sign_off(lines, i)
    )
