"""Templates -> EmailMessage: subject tag, threading headers, Auto-Submitted, files."""

from __future__ import annotations

import base64
import hashlib
import secrets
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.headerregistry import Address as HeaderAddress
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import BaseLoader, Environment, StrictUndefined, Undefined, select_autoescape
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from mailbaton.clock import as_utc
from mailbaton.mail.policy import DEFAULT
from mailbaton.outbound.headers import disposition_header, text_header
from mailbaton.outbound.html import InlineProblem, from_text, inline
from mailbaton.outbound.loading import FolderLoader, TemplateProblem, explain
from mailbaton.outbound.mending import Mending

# Every mail of SPEC section 4; a template set is complete when it has all of these.
TEMPLATE_NAMES = (
    "rejection",
    "receipt",
    "request",
    "accepted",
    "refused",
    "unclear",
    "not_catcher",
    "reminder",
    "escalation",
    "all_clear",
    "cancelled",
    "not_pending",
    "undeliverable",
    "confirmed",
    "manager_note",
    "digest",
    "alert",
    "recovery",
)
__all__ = ["TemplateProblem"]  # defined with the loader, known to callers from here

# Every one is sent by this version, so `templates check` insists on all of them.
REQUIRED = TEMPLATE_NAMES


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str | None


@dataclass(frozen=True)
class FileToSend:
    filename: str
    content_type: str
    data: bytes


def _fill(sentence: str, params: Mapping[str, str]) -> str:
    """A reason's sentence with its details filled in; unknown names stay visible."""

    class Keep(dict[str, str]):
        def __missing__(self, key: str) -> str:
            return "{" + key + "}"

    return sentence.format_map(Keep(params))


def line_breaks(text: str) -> Markup:
    """Someone's own words in HTML: escaped, each line break kept (Outlook ignores pre-wrap)."""
    return Markup("<br>\n").join(escape(line) for line in str(text).strip("\n").split("\n"))


# The templates that ship with the package: a wheel install has them.
DEFAULT_TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


class Composer:
    """Renders templates: an admin's folder first, then the defaults for any name it lacks."""

    def __init__(self, templates_dir: Path | None = None, timezone: str = "UTC") -> None:
        self.dir = templates_dir
        self.zone = ZoneInfo(timezone)
        folders = [DEFAULT_TEMPLATES]
        if templates_dir is not None and templates_dir.resolve() != DEFAULT_TEMPLATES:
            folders.insert(0, templates_dir)
        self.folders = tuple(folders)
        # Asks for changed files on each render: an edit counts from the next mail on.
        self.loader = FolderLoader(self.folders)
        self.env = self.environment(self.loader)
        self.mending = Mending(self.loader)
        self.listed: tuple[tuple[int, ...], list[str]] | None = None

    def environment(
        self, loader: BaseLoader, undefined: type[Undefined] = StrictUndefined
    ) -> SandboxedEnvironment:
        # Sandboxed: admins edit templates, and ticket titles come from strangers' mail.
        env = SandboxedEnvironment(
            loader=loader,
            undefined=undefined,
            autoescape=select_autoescape(enabled_extensions=("html",), default=False),
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        env.filters["fill"] = _fill
        env.filters["when"] = self.when
        env.filters["br"] = line_breaks
        return env

    def when(self, moment: datetime | None) -> str:
        """A time as the reader's office shows it, with the zone named."""
        if moment is None:
            return "-"
        if not isinstance(moment, datetime):
            # Said in the admin's terms: the filter is on a value that is not a time.
            raise TypeError(f"'when' shows a time (like ticket.deadline), not {moment!r}")
        local = as_utc(moment).astimezone(self.zone)
        return local.strftime("%a %d %b %Y %H:%M ") + (local.tzname() or "")

    def names(self) -> list[str]:
        # Asked before every mail: the folders are listed again only when one changed (a
        # file added, removed or renamed changes its folder's mtime).
        stamps = tuple(_stamp(folder) for folder in self.folders)
        if self.listed is not None and self.listed[0] == stamps:
            return list(self.listed[1])
        names = self.list_names()
        # A folder changed a moment ago may change again within the same mtime tick, unseen:
        # such a listing is not kept.
        if max(stamps) < time.time_ns() - 2_000_000_000:
            self.listed = (stamps, names)
        return names

    def list_names(self) -> list[str]:
        # A name starting with "_" is a part other templates import, not a mail.
        found = {
            path.stem
            for folder in self.folders
            for path in folder.glob("*.txt")
            if not path.stem.startswith("_")
        }
        return sorted(found, key=lambda n: (n not in TEMPLATE_NAMES, n))

    def folder_of(self, name: str) -> Path:
        """Where NAME comes from: the first folder with NAME.txt (its .html goes with it)."""
        return next((f for f in self.folders if (f / f"{name}.txt").is_file()), self.folders[-1])

    def has_html(self, name: str) -> bool:
        return (self.folder_of(name) / f"{name}.html").is_file()

    def render(self, name: str, context: Mapping[str, Any]) -> Rendered:
        """NAME as its files read now; TemplateProblem ("request.txt line 4: ...") if not."""
        return self.render_with(self.env, name, context)

    def render_with(self, env: Environment, name: str, context: Mapping[str, Any]) -> Rendered:
        source = _part(env, f"{name}.txt", context)
        head, _, body = source.lstrip("\n").partition("\n")
        if not head.lower().startswith("subject:"):
            raise TemplateProblem(f"{name}.txt: the first line must be 'Subject: ...'")
        subject = " ".join(head.partition(":")[2].split())
        text = body.strip("\n") + "\n"
        # Never a blank mail: an edit that renders nothing is as broken as one that fails.
        if not subject:
            raise TemplateProblem(f"{name}.txt: the subject renders empty")
        if not text.strip():
            raise TemplateProblem(f"{name}.txt: the mail's text renders empty")
        if not self.has_html(name):
            # Every mail is multipart/alternative, even from an admin's text-only template.
            return Rendered(subject=subject, text=text, html=from_text(subject, text))
        try:
            html = inline(_part(env, f"{name}.html", context))
        except InlineProblem as error:
            raise TemplateProblem(f"{name}.html: {error}") from error
        if not html.strip():
            raise TemplateProblem(f"{name}.html: the mail renders empty")
        return Rendered(subject=subject, text=text, html=html)

    def render_mail(self, name: str, context: Mapping[str, Any]) -> Rendered:
        """What a mail is written with: NAME as it reads now, or when an edit broke it, its
        last good version (the mistake logged once): never a blank or half-written mail."""
        return self.mending.render(self, name, context)

    def build(
        self,
        name: str,
        context: Mapping[str, Any],
        *,
        sender: HeaderAddress,
        to: Iterable[HeaderAddress],
        now: datetime,
        ref: str,
        in_reply_to: str | None = None,
        references: Iterable[str] = (),
        reply_to: HeaderAddress | None = None,
        auto: str = "auto-generated",
        files: Iterable[FileToSend] = (),
        thread: OutlookThread | None = None,
    ) -> EmailMessage:
        rendered = self.render_mail(name, context)
        message = EmailMessage(policy=DEFAULT)
        message["From"] = sender
        message["To"] = list(to)
        # Written by hand: the email package loses spaces in long non-ASCII subjects.
        message["Subject"] = text_header("Subject", rendered.subject)
        message["Date"] = format_datetime(as_utc(now))
        message["Message-ID"] = f"<{new_message_id(ref, name, sender.domain)}>"
        if reply_to is not None:
            message["Reply-To"] = reply_to
        chain = [i for i in references if i]
        if in_reply_to:
            message["In-Reply-To"] = f"<{in_reply_to}>"
            if in_reply_to not in chain:
                chain.append(in_reply_to)
        if chain:
            message["References"] = " ".join(f"<{i}>" for i in chain[-20:])
        # RFC 3834: tell other robots not to answer us, and Exchange not to send OOFs.
        message["Auto-Submitted"] = auto
        message["X-Auto-Response-Suppress"] = "All"
        message["X-Mailbaton-Ticket"] = ref
        if thread is not None:
            # Outlook groups conversations by these, not by References.
            message["Thread-Topic"] = text_header("Thread-Topic", thread.topic)
            message["Thread-Index"] = thread.index(now, str(message["Message-ID"]))
        message.set_content(rendered.text)
        texts = [rendered.text, rendered.html or ""]
        if rendered.html is not None:
            message.make_alternative(boundary=_boundary(texts))
            message.add_alternative(rendered.html, subtype="html")
        files = list(files)
        if files:
            message.make_mixed(boundary=_boundary(texts + [f.filename for f in files]))
        for item in files:
            attach(message, item)
        # Not parsed back from its bytes: that doubled the cost of a mail, and folding
        # is deterministic, so every serialising (outbox, SMTP) writes the same lines.
        return message


def _boundary(texts: list[str]) -> str:
    """A multipart boundary drawn as the email package draws one, but here: its generator
    compiled a new regex for each mail to look for it in the parts (a fifth of writing a
    mail). Encoded parts cannot hold a run of '=', so the raw texts are what to look in."""
    while True:
        boundary = "=" * 15 + str(secrets.randbelow(sys.maxsize)).zfill(_DIGITS) + "=="
        if not any(boundary in text for text in texts):
            return boundary


_DIGITS = len(str(sys.maxsize - 1))


def _stamp(folder: Path) -> int:
    try:
        return folder.stat().st_mtime_ns
    except OSError:
        return -1


def _part(env: Environment, filename: str, context: Mapping[str, Any]) -> str:
    try:
        return env.get_template(filename).render(context)
    except Exception as error:
        # Admins write these: a filter given the wrong kind of value fails like any mistake.
        raise TemplateProblem(explain(error, filename)) from error


def attach(message: EmailMessage, item: FileToSend) -> None:
    """A file with its exact name: filename* for modern readers, filename= for the rest."""
    maintype, _, subtype = item.content_type.partition("/")
    message.add_attachment(
        item.data,
        maintype=maintype or "application",
        subtype=subtype or "octet-stream",
        filename="file",
    )
    part = list(message.iter_attachments())[-1]
    del part["Content-Disposition"]
    part["Content-Disposition"] = disposition_header(item.filename)


@dataclass(frozen=True)
class OutlookThread:
    """One Outlook conversation per ticket: a fixed 22-byte root, a 5-byte child per mail."""

    key: str
    topic: str
    started: datetime

    def root(self) -> bytes:
        # 100 ns ticks since 1601 (FILETIME), first 6 bytes, then a GUID made from the key.
        ticks = int((as_utc(self.started) - _FILETIME_EPOCH).total_seconds() * 10_000_000)
        return ticks.to_bytes(8, "big")[:6] + hashlib.md5(self.key.encode()).digest()

    def index(self, now: datetime, message_id: str = "") -> str:
        """The root, then a child block unique to this mail: 20 bits of time since the
        ticket opened (for order) and 20 bits of its Message-ID (two mails of one pass)."""
        root = self.root()
        delta = int((as_utc(now) - as_utc(self.started)).total_seconds() * 10_000_000)
        salt = message_id or secrets.token_hex(8)
        mixed = int.from_bytes(hashlib.sha256(salt.encode()).digest()[:3], "big") >> 4
        child = (((max(delta, 0) >> 18) & 0xFFFFF) << 20 | mixed).to_bytes(5, "big")
        return base64.b64encode(root + child).decode()


_FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)


def new_message_id(ref: str, kind: str, domain: str) -> str:
    """Bare id (no brackets): readable in logs, unique, and findable by its ticket."""
    return f"{ref}.{kind}.{secrets.token_hex(8)}@{domain}"


def bare_id(message: EmailMessage) -> str:
    return str(message["Message-ID"]).strip().strip("<>")
