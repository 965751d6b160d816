"""ParsedMail -> ignored, reply hints, a new handoff, or a rejection naming every reason."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.utils import getaddresses
from fnmatch import fnmatchcase

from email_validator import EmailNotValidError, validate_email

from mailbaton.config import Settings
from mailbaton.mail.parse import Address, Attachment, ParsedMail

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

FIELD_ALIASES = {
    "catcher": "catcher",
    "who is catching this": "catcher",
    "receiver": "catcher",
    "attached": "attached",
    "is the file attached": "attached",
    "title": "title",
    "due": "due",
    "notes": "notes",
}

_FIELD_LINE = re.compile(r"^\s*[*_]*([A-Za-z][A-Za-z0-9 ?'/-]{0,40}?)[*_]*\s*:[*_]*\s*(.*?)\s*$")
_HANDOFF_PREFIX = re.compile(r"^\s*handoff\s*:\s*", re.IGNORECASE)
_MAILTO = re.compile(r"mailto:", re.IGNORECASE)
# Outlook's plain text renders a link as "jane@example.com<jane@example.com>".
_DOUBLED = re.compile(r"([^\s<>,;]+@[^\s<>,;]+)\s*<\1>", re.IGNORECASE)
_YES = {"yes", "y", "true", "ja", "oui", "si", "sí", "1", "attached", "yes, attached"}
_NO = {"no", "n", "false", "nein", "non", "0", "not attached", "no, not attached"}
_TAG = re.compile(r"\[([A-Za-z][A-Za-z0-9]{0,9})-(\d+)\]")


@dataclass(frozen=True)
class Ignored:
    """Mail that gets no answer and changes nothing: loops, machines, outsiders."""

    reason: str


@dataclass(frozen=True)
class Reason:
    """One problem with a handoff: a stable code and what to fill into its sentence."""

    code: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Rejection:
    thrower: Address
    title: str
    reasons: tuple[Reason, ...]
    fields: dict[str, str]


@dataclass(frozen=True)
class NewHandoff:
    thrower: Address
    catcher: Address
    title: str
    subject: str
    due: str | None
    notes: str | None
    fields: dict[str, str]
    attachments: tuple[Attachment, ...]


@dataclass(frozen=True)
class ReplyHints:
    """Where a mail says which ticket it answers, strongest first; resolved against the db."""

    tokens: tuple[str, ...] = ()
    message_ids: tuple[str, ...] = ()
    refs: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.tokens or self.message_ids or self.refs)


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


def screen(mail: ParsedMail, settings: Settings) -> Ignored | None:
    """Mail that must never open, change or get an answer (RFC 3834 and no backscatter)."""
    sender = mail.from_.addr if mail.from_ else ""
    shared = settings.mailbox.address
    if sender and base_address(sender) == base_address(shared):
        return Ignored("mail from the shared address itself")
    if any(key.lower() == "x-mailbaton-ticket" for key, _ in mail.headers):
        return Ignored("mail written by mailbaton")
    if mail.bounce is not None:
        return Ignored("delivery failure report (bounce)")
    if mail.auto_reason:
        return Ignored(f"automatic mail: {mail.auto_reason}")
    if not sender:
        return Ignored("no sender address")
    if not domain_allowed(sender, settings):
        return Ignored(f"sender {sender} is outside the allowed domains")
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


def reply_hints(mail: ParsedMail, settings: Settings) -> ReplyHints:
    tokens: list[str] = []
    if settings.mailbox.plus_addressing:
        shared_local, _, shared_domain = settings.mailbox.address.partition("@")
        candidates = [a.addr for a in (*mail.to, *mail.cc)] + list(mail.delivered_to)
        for addr in candidates:
            local, _, domain = addr.partition("@")
            name, plus, token = local.partition("+")
            if plus and name == shared_local and domain == shared_domain and token:
                tokens.append(token)
    ids = [*mail.in_reply_to, *reversed(mail.references)]
    prefix = settings.protocol.ticket_prefix.upper()
    refs = [
        f"{prefix}-{m.group(2)}"
        for m in _TAG.finditer(mail.subject)
        if m.group(1).upper() == prefix
    ]
    return ReplyHints(tuple(dict.fromkeys(tokens)), tuple(dict.fromkeys(ids)), tuple(refs))


def read_fields(text: str) -> list[tuple[str, str]]:
    """The `Field: value` lines the body starts with, in order; names normalised."""
    found: list[tuple[str, str]] = []
    skipped = 0
    for line in text.replace("\r", "").split("\n"):
        if not line.strip():
            continue
        match = _FIELD_LINE.match(line)
        if match is None:
            skipped += 1
            # A greeting may come before the fields; prose after them ends them.
            if found or skipped > 3:
                break
            continue
        name = re.sub(r"\s+", " ", match.group(1)).strip(" ?").lower()
        found.append((FIELD_ALIASES.get(name, name), match.group(2)))
    return found


def parse_catchers(value: str) -> list[Address]:
    cleaned = _DOUBLED.sub(r"\1", _MAILTO.sub("", value))
    result: list[Address] = []
    for name, addr in getaddresses([cleaned]):
        if not addr and not name:
            continue
        result.append(Address(name=name.strip(), addr=addr.strip().lower()))
    # "Jane Doe" with no address parses as an address "Jane Doe" and no name.
    return result


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


def read_handoff(mail: ParsedMail, settings: Settings) -> NewHandoff | Rejection:
    assert mail.from_ is not None, "screen() turns away mail without a sender"
    thrower = mail.from_
    fields = read_fields(mail.text)
    kept: dict[str, str] = {}
    catcher_values: list[str] = []
    attached_values: list[str] = []
    for name, value in fields:
        if name == "catcher":
            catcher_values.append(value)
        elif name == "attached":
            attached_values.append(value)
        elif name not in kept:
            kept[name] = value

    subject = _HANDOFF_PREFIX.sub("", mail.subject).strip()
    title = kept.get("title") or subject or "(no title)"
    reasons: list[Reason] = []

    catchers = [c for value in catcher_values for c in parse_catchers(value)]
    catcher: Address | None = None
    if not catchers:
        reasons.append(Reason("no_catcher"))
    elif len(catchers) > 1:
        names = ", ".join(c.addr or c.name for c in catchers)
        reasons.append(Reason("several_catchers", {"catchers": names}))
        for each in catchers:
            reasons.extend(check_catcher(each, thrower, settings))
    else:
        catcher = catchers[0]
        reasons.extend(check_catcher(catcher, thrower, settings))

    if any(v.strip().lower().rstrip(".!") in _NO for v in attached_values):
        reasons.append(Reason("attached_no"))
    if not mail.attachments:
        reasons.append(Reason("no_attachment", {"inline_images": str(mail.inline_images)}))

    if reasons or catcher is None:
        return Rejection(thrower, title, tuple(reasons), kept)
    return NewHandoff(
        thrower=thrower,
        catcher=catcher,
        title=title,
        subject=subject,
        due=kept.get("due") or None,
        notes=kept.get("notes") or None,
        fields=kept,
        attachments=mail.attachments,
    )


def check_catcher(catcher: Address, thrower: Address, settings: Settings) -> list[Reason]:
    shown = f"{catcher.name} <{catcher.addr}>" if catcher.name else catcher.addr
    params = {"catcher": shown, "address": catcher.addr}
    try:
        validate_email(catcher.addr, check_deliverability=False)
    except EmailNotValidError as error:
        return [Reason("catcher_invalid", {**params, "detail": str(error)})]
    reasons: list[Reason] = []
    kind = is_group(catcher.addr, settings)
    if base_address(catcher.addr) == base_address(settings.mailbox.address):
        reasons.append(Reason("catcher_shared", params))
    elif catcher.addr == thrower.addr:
        reasons.append(Reason("catcher_self", params))
    elif kind is not None:
        reasons.append(Reason(f"catcher_{kind}", params))
    if not domain_allowed(catcher.addr, settings):
        allowed = ", ".join(settings.protocol.allowed_domains)
        reasons.append(Reason("catcher_domain", {**params, "allowed": allowed}))
    return reasons


def too_large(mail: ParsedMail, settings: Settings, size: int) -> Rejection:
    """A message over protocol.max_message_size: only its header was read."""
    assert mail.from_ is not None, "screen() turns away mail without a sender"
    subject = _HANDOFF_PREFIX.sub("", mail.subject).strip() or "(no title)"
    params = {"size": _megabytes(size), "limit": _megabytes(settings.protocol.max_message_size)}
    return Rejection(mail.from_, subject, (Reason("too_large", params),), {})


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"
