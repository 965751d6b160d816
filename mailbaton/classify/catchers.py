"""Is a named catcher one specific person we may hand to? Read and check catcher values."""

from __future__ import annotations

import re
from email.utils import getaddresses
from fnmatch import fnmatchcase

from mailbaton.classify.records import Reason
from mailbaton.classify.screen import domain_allowed, ours
from mailbaton.config import Settings
from mailbaton.mail.records import Address

__all__ = ["ROLE_NAMES", "check_catcher", "is_group", "parse_catchers", "same_person"]

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


def parse_catchers(value: str) -> list[Address]:
    cleaned = _DOUBLED.sub(r"\1", _MAILTO.sub("", value))
    result: list[Address] = []
    for name, addr in getaddresses([cleaned]):
        if not addr and not name:
            continue
        result.append(Address(name=name.strip(), addr=addr.strip().lower()))
    # "Jane Doe" with no address parses as an address "Jane Doe" and no name.
    return result


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
