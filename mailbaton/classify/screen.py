"""Mail that is no one's handoff or reply: machines, our own mail, outsiders, forgeries."""

from __future__ import annotations

import re

from mailbaton.classify.records import Ignored, Returned
from mailbaton.config import Settings
from mailbaton.mail.records import ParsedMail

__all__ = ["base_address", "domain_allowed", "ours", "screen", "unverified"]


def domain_allowed(address: str, settings: Settings) -> bool:
    """Exact domain or a subdomain of it; an empty list allows everyone."""
    allowed = settings.protocol.allowed_domains
    if not allowed:
        return True
    domain = address.rpartition("@")[2].lower()
    return any(domain == d or domain.endswith("." + d) for d in allowed)


def base_address(address: str) -> str:
    """jane+x@example.com -> jane@example.com."""
    local, _, domain = address.lower().partition("@")
    return f"{local.split('+', 1)[0]}@{domain}"


def ours(address: str, settings: Settings) -> bool:
    """One of the shared addresses (any mailbox's, a +tag too): our own, never a person."""
    base = base_address(address)
    return any(base == base_address(shared) for shared in settings.shared_addresses)


def screen(mail: ParsedMail, settings: Settings) -> Returned | Ignored | None:
    """Mail that must never open, change or get an answer (RFC 3834 and no backscatter).
    Machine mail is told apart here and nowhere else: bounces first, because a bounce
    from any MTA is still matched to the mail it returns."""
    if mail.bounce is not None:
        return Returned(mail.bounce)
    sender = mail.from_.addr if mail.from_ else ""
    if sender and ours(sender, settings):
        return Ignored("mail from the shared address itself")
    if any(key.lower() == "x-mailbaton-ticket" for key, _ in mail.headers):
        return Ignored("mail written by mailbaton")
    if mail.auto_reason:
        return Ignored(f"automatic mail: {mail.auto_reason}")
    if not sender:
        return Ignored("the From line is empty, so there is nobody to answer")
    if not domain_allowed(sender, settings):
        allowed = ", ".join(settings.protocol.allowed_domains)
        return Ignored(f"the sender is outside the allowed domains ({allowed}); not answered")
    return None


def unverified(mail: ParsedMail, settings: Settings) -> str | None:
    """With protocol.require_dmarc_pass_from set: why this mail is held for review.
    Only the named server's verdict counts (RFC 8601: it must strip forged ones)."""
    server = settings.protocol.require_dmarc_pass_from
    if server is None:
        return None
    for value in mail.authentication_results:
        authserv, _, results = value.partition(";")
        named = authserv.strip().lower().split()[:1] == [server]
        if named and re.search(r"\bdmarc=pass\b", results, re.IGNORECASE):
            return None
    return f"held for review: no dmarc=pass from {server}"
