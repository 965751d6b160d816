"""Is a named catcher one specific person we may hand to? Read and check catcher values."""

from __future__ import annotations

import re
from collections.abc import Iterable
from email.utils import getaddresses
from fnmatch import fnmatchcase

from mailbaton.classify.records import Reason
from mailbaton.classify.screen import domain_allowed, ours
from mailbaton.config import Settings
from mailbaton.mail.records import Address

__all__ = [
    "ROLE_NAMES",
    "check_catcher",
    "distinct_catchers",
    "is_group",
    "parse_catchers",
    "same_person",
]

# RFC 2142 mailbox names plus the role and team names people actually use.
ROLE_NAMES = frozenset(
    """
    info marketing sales support abuse noc security postmaster hostmaster usenet news
    webmaster www uucp ftp ops operations team all everyone staff admin administrator
    noreply no-reply donotreply do-not-reply contact hello office billing accounts
    accounting finance hr help helpdesk service services it legal jobs careers press
    media mail mailer-daemon root list newsletter notifications alerts devops
    engineering management managers customerservice customer-success success cs
    """.split()
)

_MAILTO = re.compile(r"mailto:", re.IGNORECASE)
# Outlook's plain text renders a link as "jane@example.com<jane@example.com>".
_DOUBLED = re.compile(r"([^\s<>,;]+@[^\s<>,;]+)\s*<\1>", re.IGNORECASE)
# A named link turned to text, followed by the address it already showed.
_TWICE = re.compile(r"<([^<>]+)>\s*<\1>", re.IGNORECASE)
_BRACKETED = re.compile(r"(.*?)<([^<>]*)>")
_LONE_WORD = re.compile(r"[^\s@<>\"]+")


def parse_catchers(value: str) -> list[Address]:
    """Every person the value names, each address once. What does not read as an address
    is kept as written ("Jane Doe", "jane@@example..com"), so a rejection quotes the
    thrower's own words back to them."""
    cleaned = _TWICE.sub(r"<\1>", _DOUBLED.sub(r"\1", _MAILTO.sub("", value)))
    named = (_one(item) for item in _surname_first(_items(cleaned)))
    return distinct_catchers(each for each in named if each.addr or each.name)


def distinct_catchers(catchers: Iterable[Address]) -> list[Address]:
    """Each address once (case-insensitive), where it was first named, with the first name
    given to it: "Catcher: Jane <jane@x>" and "Receiver: JANE@x" name one person."""
    found: dict[str, Address] = {}
    for catcher in catchers:
        key = catcher.addr.lower()
        if key not in found or (not found[key].name and catcher.name):
            found[key] = catcher if key not in found else Address(catcher.name, found[key].addr)
    return list(found.values())


def _items(value: str) -> list[str]:
    """The value split at commas and semicolons outside quotes, <...> and (...)."""
    items: list[str] = []
    current: list[str] = []
    quoted = False
    depth = 0
    for char in value:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in "<(":
            depth += 1
        elif not quoted and char in ">)":
            depth = max(0, depth - 1)
        elif not quoted and not depth and char in ",;":
            items.append("".join(current))
            current = []
            continue
        current.append(char)
    items.append("".join(current))
    return [item.strip() for item in items if item.strip()]


def _surname_first(items: list[str]) -> list[str]:
    """Outlook's directory names read "Doe, Jane <jane@example.com>": a lone word before a
    named address is that person's surname, not a second catcher (a word alone could never
    be a catcher: it has no address)."""
    joined: list[str] = []
    index = 0
    while index < len(items):
        item = items[index]
        following = _BRACKETED.fullmatch(items[index + 1]) if index + 1 < len(items) else None
        given = following.group(1).strip(' "') if following else ""
        if following and _LONE_WORD.fullmatch(item) and given and "@" not in given:
            joined.append(f"{given} {item} <{following.group(2)}>")
            index += 2
            continue
        joined.append(item)
        index += 1
    return joined


def _one(item: str) -> Address:
    parsed = getaddresses([item])
    if len(parsed) == 1:
        name, addr = (part.strip() for part in parsed[0])
        # getaddresses turns "Jane Doe" into "Jane" and "a@@b" into "@b"; trust it only
        # when the address it found is one the thrower wrote.
        if addr.count("@") == 1 and addr.lower() in item.lower():
            # An Outlook mention shows "@Jane Doe": the name is Jane Doe.
            return Address(name.lstrip("@ "), _lowered(addr))
    bracketed = _BRACKETED.fullmatch(item)
    if bracketed:
        name = bracketed.group(1).strip(' "').lstrip("@ ")
        return Address(name, _lowered(bracketed.group(2).strip()))
    return Address("", item)


def _lowered(addr: str) -> str:
    """A valid address in lower case, for comparing; anything else as written, to quote."""
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(addr, check_deliverability=False)
    except EmailNotValidError:
        return addr
    return addr.lower()


def same_person(one: str, other: str) -> bool:
    """One mailbox: case-insensitive, and jane+x@ is jane@ (a +tag reaches the same person)."""

    def mailbox(address: str) -> tuple[str, str]:
        local, _, domain = address.lower().rpartition("@")
        return local.split("+", 1)[0], domain

    return mailbox(one) == mailbox(other)


def is_group(address: str, settings: Settings) -> str | None:
    """Why this address is not one specific human, or None."""
    patterns = list(settings.protocol.group_addresses)
    for department in settings.departments:
        patterns.extend(department.group_addresses)
    # Config first: an admin who listed ops@ as a group knows better than our word list.
    if any(fnmatchcase(address, pattern) for pattern in patterns):
        return "group"
    local = address.partition("@")[0].split("+", 1)[0]
    if local in ROLE_NAMES or local in settings.protocol.role_names:
        return "role"
    return None


def check_catcher(catcher: Address, thrower: Address, settings: Settings) -> list[Reason]:
    shown = f"{catcher.name} <{catcher.addr}>" if catcher.name else catcher.addr
    params = {"catcher": shown, "address": catcher.addr}
    # Imported by the first catcher checked, not at every start (~30 ms of CPU): most
    # passes read no handoff.
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(catcher.addr, check_deliverability=False)
    except EmailNotValidError as error:
        return [Reason("catcher_invalid", {**params, "detail": str(error)})]
    reasons: list[Reason] = []
    kind = is_group(catcher.addr, settings)
    if ours(catcher.addr, settings):
        reasons.append(Reason("catcher_shared", params))
    elif same_person(catcher.addr, thrower.addr):
        reasons.append(Reason("catcher_self", params))
    elif kind is not None:
        reasons.append(Reason(f"catcher_{kind}", params))
    if not domain_allowed(catcher.addr, settings):
        allowed = ", ".join(settings.protocol.allowed_domains)
        reasons.append(Reason("catcher_domain", {**params, "allowed": allowed}))
    return reasons
