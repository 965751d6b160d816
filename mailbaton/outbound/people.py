"""How mail names a person: a display name, never a bare address in a sentence."""

from __future__ import annotations

import re

__all__ = ["first_name", "person_name", "usable_name"]

_SEPARATORS = re.compile(r"[._\-]+")


def usable_name(name: str) -> str:
    """A display name worth using: not empty, not an address, "Doe, Jane" read as "Jane Doe"."""
    name = " ".join(name.replace('"', " ").split()).strip(" ,;'")
    if not name or "@" in name:
        return ""
    last, comma, first = name.partition(",")
    # Directory style "Doe, Jane" (Outlook/Exchange): one comma, a word or two each side.
    if comma and first.strip() and "," not in first and len(last.split()) <= 2:
        return f"{first.strip()} {last.strip()}"
    return name


def from_address(addr: str) -> str:
    """'jane.doe+x@example.com' -> 'Jane Doe': the local part, capitalised word by word."""
    local = addr.partition("@")[0].split("+", 1)[0]
    words = [w for w in _SEPARATORS.split(local) if w]
    return " ".join(w[:1].upper() + w[1:] for w in words) or addr


def person_name(name: str, addr: str) -> str:
    """The name a sentence uses: the display name if there is one, else made from the address."""
    return usable_name(name) or from_address(addr or "")


def first_name(name: str, addr: str) -> str:
    full = person_name(name, addr)
    return full.split()[0] if full.split() else full
