"""config.toml -> frozen, typed settings; every problem is reported at once."""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mailbaton.clock import parse_duration
from mailbaton.hours import from_settings

SECURITY_CHOICES = ("ssl", "starttls", "none")


class ConfigError(Exception):
    """The config cannot be used; `problems` holds one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Folders:
    processed: str = "mailbaton/processed"
    rejected: str = "mailbaton/rejected"
    ignored: str = "mailbaton/ignored"
    failed: str = "mailbaton/failed"

    def for_outcome(self, outcome: str) -> str:
        name: str = getattr(self, outcome)
        return name


@dataclass(frozen=True)
class MailboxSettings:
    host: str
    port: int
    security: str
    username: str
    password: str
    folder: str
    address: str
    plus_addressing: bool
    folders: Folders
    verify_tls: bool = True
    timeout: float = 30.0
    poll_interval: timedelta = timedelta(seconds=60)
    idle_renew: timedelta = timedelta(minutes=5)


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str
    username: str
    password: str
    verify_tls: bool = True
    timeout: float = 30.0
    from_name: str = "mailbaton"


@dataclass(frozen=True)
class ProtocolSettings:
    ticket_prefix: str = "MB"
    allowed_domains: tuple[str, ...] = ()
    group_addresses: tuple[str, ...] = ()
    role_names: tuple[str, ...] = ()
    max_message_size: int = 25 * 1024 * 1024
    require_dmarc_pass_from: str | None = None


@dataclass(frozen=True)
class EscalationSettings:
    after: timedelta = timedelta(hours=4)
    managers: tuple[str, ...] = ()
    repeat_every: timedelta | None = None
    remind_after: timedelta | None = None
    business_hours: str | None = None
    timezone: str = "UTC"
    holidays: tuple[str, ...] = ()


@dataclass(frozen=True)
class Department:
    name: str
    members: tuple[str, ...]
    managers: tuple[str, ...]
    group_addresses: tuple[str, ...] = ()


@dataclass(frozen=True)
class Settings:
    mailbox: MailboxSettings
    smtp: SmtpSettings
    database_url: str
    protocol: ProtocolSettings
    escalation: EscalationSettings
    departments: tuple[Department, ...]
    templates_dir: Path
    source: Path | None = field(default=None, compare=False)


T = TypeVar("T")

_KNOWN: dict[str, tuple[str, ...]] = {
    "": ("mailbox", "smtp", "database", "protocol", "escalation", "departments", "templates"),
    "mailbox": (
        "host",
        "port",
        "security",
        "username",
        "password",
        "password_env",
        "folder",
        "address",
        "plus_addressing",
        "folders",
        "verify_tls",
        "timeout",
        "poll_interval",
        "idle_renew",
    ),
    "mailbox.folders": ("processed", "rejected", "ignored", "failed"),
    "smtp": (
        "host",
        "port",
        "security",
        "username",
        "password",
        "password_env",
        "verify_tls",
        "timeout",
        "from_name",
    ),
    "database": ("url",),
    "protocol": (
        "ticket_prefix",
        "allowed_domains",
        "group_addresses",
        "role_names",
        "max_message_size",
        "require_dmarc_pass_from",
    ),
    "escalation": (
        "after",
        "managers",
        "repeat_every",
        "remind_after",
        "business_hours",
        "timezone",
        "holidays",
    ),
    "department": ("members", "managers", "group_addresses"),
    "templates": ("dir",),
}

_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+$")
_BUSINESS_HOURS = re.compile(
    r"^(mon|tue|wed|thu|fri|sat|sun)(-(mon|tue|wed|thu|fri|sat|sun))?\s+"
    r"([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$",
    re.IGNORECASE,
)


class _Reader:
    """Reads one table, collecting problems instead of stopping at the first."""

    def __init__(self, problems: list[str], table: Mapping[str, Any], path: str, kind: str):
        self.problems = problems
        self.table = table
        self.path = path
        for key in table:
            if key not in _KNOWN[kind]:
                hint = difflib.get_close_matches(key, _KNOWN[kind], n=1)
                better = (
                    f"did you mean {hint[0]!r}?"
                    if hint
                    else "known keys: " + ", ".join(_KNOWN[kind])
                )
                problems.append(f"{self.key(key)}: unknown key; {better}")

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def fail(self, name: str, message: str) -> None:
        self.problems.append(f"{self.key(name)}: {message}")

    def get(self, name: str, kind: type[T], default: T, what: str) -> T:
        value = self.table.get(name, default)
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            self.fail(name, f"is {value!r}; expected {what}")
            return default
        return value

    def text(self, name: str, default: str, what: str = "a string") -> str:
        return self.get(name, str, default, what)

    def strings(
        self, name: str, check: Callable[[str], bool] | None = None, what: str = "an address"
    ) -> tuple[str, ...]:
        value = self.table.get(name, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            self.fail(name, f"is {value!r}; expected a list of strings")
            return ()
        for item in value:
            if check is not None and not check(item.strip()):
                self.fail(name, f"{item!r} is not {what}{self._example(what)}")
        return tuple(item.strip().lower() for item in value if item.strip())

    @staticmethod
    def _example(what: str) -> str:
        return '; expected e.g. "head-of-ops@example.com"' if what == "an address" else ""

    def duration(
        self, name: str, default: timedelta | None, *, can_be_off: bool = False
    ) -> timedelta | None:
        raw = self.table.get(name)
        if raw is None:
            return default
        if raw in ("off", False):
            if can_be_off:
                return None
            self.fail(name, f'cannot be {raw!r}; expected a duration such as "4h"')
            return default
        try:
            if not isinstance(raw, str):
                raise ValueError
            value = parse_duration(raw)
            if value <= timedelta(0):
                raise ValueError
            return value
        except ValueError:
            self.fail(name, f'is {raw!r}; expected a duration such as "4h", "90m" or "2d"')
            return default

    def size(self, name: str, default: int) -> int:
        raw = self.table.get(name)
        if raw is None:
            return default
        match = re.match(r"^\s*(\d+(?:\.\d+)?)\s*([kmg]?)i?b?\s*$", str(raw), re.IGNORECASE)
        if isinstance(raw, bool) or match is None or float(match.group(1)) <= 0:
            self.fail(name, f'is {raw!r}; expected a size such as "25MB" or "500KB"')
            return default
        scale = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[match.group(2).lower()]
        return int(float(match.group(1)) * scale)

    def port(self, name: str, default: int) -> int:
        value = self.get(name, int, default, "a port number (1-65535)")
        if not 0 < value < 65536:
            self.fail(name, f"is {value}; expected a port number (1-65535)")
        return value

    def security(self, name: str, default: str) -> str:
        value = self.text(name, default).lower()
        if value not in SECURITY_CHOICES:
            self.fail(name, f"is {value!r}; expected one of " + ", ".join(SECURITY_CHOICES))
        return value

    def secret(self) -> str:
        env = self.table.get("password_env")
        if env is not None:
            if not isinstance(env, str) or not env:
                self.fail("password_env", "expected the name of an environment variable")
                return ""
            if env not in os.environ:
                self.fail(
                    "password_env",
                    f"environment variable {env} is not set; set it, or use "
                    'password = "..." instead',
                )
                return ""
            return os.environ[env]
        value = self.table.get("password", "")
        if not isinstance(value, str):
            # Never echo the value: it is a secret, even when it is the wrong type.
            self.fail("password", "is not a string; expected a quoted password, or password_env")
            return ""
        return value

    def sub(self, name: str, kind: str | None = None) -> _Reader:
        value = self.table.get(name, {})
        if not isinstance(value, dict):
            self.fail(name, "expected a table")
            value = {}
        return _Reader(self.problems, value, self.key(name), kind or self.key(name))


def _is_address(text: str) -> bool:
    return bool(_ADDRESS.match(text))


def _is_pattern(text: str) -> bool:
    return bool(_PATTERN.match(text))


def _is_domain(text: str) -> bool:
    return bool(re.match(r"^[a-z0-9.-]+\.[a-z]{2,}$", text, re.IGNORECASE))


def load(path: Path | str) -> Settings:
    config_path = Path(path)
    try:
        with config_path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(
            [f"{config_path}: no such file; copy config.toml from the project or pass -c PATH"]
        ) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError([f"{config_path}: not valid TOML: {error}"]) from None
    return from_dict(data, base=config_path.resolve().parent, source=config_path)


def from_dict(data: Mapping[str, Any], *, base: Path, source: Path | None = None) -> Settings:
    problems: list[str] = []
    root = _Reader(problems, data, "", "")

    mb = root.sub("mailbox")
    folders = mb.sub("folders", "mailbox.folders")
    mailbox = MailboxSettings(
        host=mb.text("host", "127.0.0.1"),
        port=mb.port("port", 993),
        security=mb.security("security", "ssl"),
        username=mb.text("username", ""),
        password=mb.secret(),
        folder=mb.text("folder", "INBOX"),
        address=mb.text("address", "").strip().lower(),
        plus_addressing=mb.get("plus_addressing", bool, False, "true or false"),
        folders=Folders(
            **{
                name: folders.text(name, getattr(Folders, name))
                for name in _KNOWN["mailbox.folders"]
            }
        ),
        verify_tls=mb.get("verify_tls", bool, True, "true or false"),
        timeout=mb.get("timeout", float, 30.0, "seconds, e.g. 30"),
        poll_interval=mb.duration("poll_interval", timedelta(seconds=60)) or timedelta(seconds=60),
        idle_renew=mb.duration("idle_renew", timedelta(minutes=5)) or timedelta(minutes=5),
    )
    if not mailbox.username:
        mb.fail("username", 'is missing; expected the IMAP login, e.g. "baton@example.com"')
    if not _is_address(mailbox.address):
        mb.fail(
            "address",
            f'is {mailbox.address!r}; expected the shared address, e.g. "baton@example.com"',
        )

    sm = root.sub("smtp")
    smtp = SmtpSettings(
        host=sm.text("host", "127.0.0.1"),
        port=sm.port("port", 587),
        security=sm.security("security", "starttls"),
        username=sm.text("username", ""),
        password=sm.secret(),
        verify_tls=sm.get("verify_tls", bool, True, "true or false"),
        timeout=sm.get("timeout", float, 30.0, "seconds, e.g. 30"),
        from_name=sm.text("from_name", "mailbaton"),
    )

    db = root.sub("database")
    url = db.text("url", "sqlite:///mailbaton.db")
    url = _resolve_sqlite(url, base)
    if not url.startswith(("sqlite", "postgresql")):
        db.fail(
            "url",
            f"is {_hide_password(url)!r}; expected sqlite:///FILE or postgresql+psycopg://...",
        )

    pr = root.sub("protocol")
    prefix = pr.text("ticket_prefix", "MB")
    if not re.match(r"^[A-Za-z][A-Za-z0-9]{0,9}$", prefix):
        pr.fail("ticket_prefix", f'is {prefix!r}; expected 1-10 letters or digits, e.g. "MB"')
    protocol = ProtocolSettings(
        ticket_prefix=prefix,
        allowed_domains=pr.strings("allowed_domains", _is_domain, "a domain such as example.com"),
        group_addresses=pr.strings(
            "group_addresses", _is_pattern, "an address or pattern such as *-team@example.com"
        ),
        role_names=pr.strings("role_names", lambda s: "@" not in s, "a local part like 'billing'"),
        max_message_size=pr.size("max_message_size", 25 * 1024 * 1024),
        require_dmarc_pass_from=pr.text("require_dmarc_pass_from", "").strip().lower() or None,
    )

    es = root.sub("escalation")
    timezone = es.text("timezone", "UTC")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        es.fail("timezone", f'is {timezone!r}; expected an IANA zone such as "Europe/Berlin"')
    hours = es.table.get("business_hours")
    if hours is not None and not (isinstance(hours, str) and _BUSINESS_HOURS.match(hours)):
        es.fail("business_hours", f'is {hours!r}; expected e.g. "Mon-Fri 09:00-17:00"')
        hours = None
    holidays = es.strings(
        "holidays", lambda s: bool(re.match(r"^\d{4}-\d{2}-\d{2}$", s)), "a date such as 2026-12-25"
    )
    if not [p for p in problems if p.startswith(("escalation.timezone", "escalation.holidays"))]:
        try:
            from_settings(hours, timezone, holidays)
        except ValueError as error:
            es.fail(
                "holidays" if "holiday" in str(error) or not hours else "business_hours", str(error)
            )
    escalation = EscalationSettings(
        after=es.duration("after", timedelta(hours=4)) or timedelta(hours=4),
        managers=es.strings("managers", _is_address),
        repeat_every=es.duration("repeat_every", None, can_be_off=True),
        remind_after=es.duration("remind_after", None, can_be_off=True),
        business_hours=hours,
        timezone=timezone,
        holidays=holidays,
    )

    departments: list[Department] = []
    deps = data.get("departments", {})
    if not isinstance(deps, dict):
        root.fail("departments", "expected tables such as [departments.sales]")
        deps = {}
    for name, table in deps.items():
        if not isinstance(table, dict):
            root.fail(f"departments.{name}", "expected a table with members and managers")
            continue
        dep = _Reader(problems, table, f"departments.{name}", "department")
        departments.append(
            Department(
                name=name,
                members=dep.strings("members", _is_pattern, "an address or pattern"),
                managers=dep.strings("managers", _is_address),
                group_addresses=dep.strings(
                    "group_addresses", _is_pattern, "an address or pattern"
                ),
            )
        )

    tp = root.sub("templates")
    templates_dir = Path(tp.text("dir", "templates"))
    if not templates_dir.is_absolute():
        templates_dir = base / templates_dir
    if not templates_dir.is_dir():
        tp.fail("dir", f"{str(templates_dir)!r} is not a folder; expected the templates folder")

    if problems:
        raise ConfigError(problems)
    return Settings(
        mailbox=mailbox,
        smtp=smtp,
        database_url=url,
        protocol=protocol,
        escalation=escalation,
        departments=tuple(departments),
        templates_dir=templates_dir,
        source=source,
    )


def _resolve_sqlite(url: str, base: Path) -> str:
    """A relative SQLite file is relative to the config file, not to wherever we started."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != prefix:
        path = url[len(prefix) :]
        if path != ":memory:":
            return prefix + str((base / path).resolve())
    return url


def _hide_password(url: str) -> str:
    """user:secret@host -> user:***@host, for anything that prints a database URL."""
    return re.sub(r"(//[^/:@]*:)[^@/]*@", r"\1***@", url)
