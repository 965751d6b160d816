"""One grammar per kind of config value; each raises BadValue saying what is wrong and right."""

from __future__ import annotations

import re
import ssl
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from mailbaton.clock import parse_duration
from mailbaton.hours import ScheduleError, parse_holiday, parse_week, parse_zone

SECURITY_CHOICES = ("ssl", "starttls", "none")
HOURS_EXAMPLE = '"Mon-Fri 09:00-17:00"'

_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+$")
_DOMAIN = re.compile(r"^[a-z0-9.-]+\.[a-z]{2,}$", re.IGNORECASE)
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmg]?)i?b?\s*$", re.IGNORECASE)
_SIZE_SCALE = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class BadValue(ValueError):
    """One value cannot be used; each line reads "what is wrong; what would be right"."""

    def __init__(self, *lines: str) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


def wrong(raw: object, expected: str) -> BadValue:
    return BadValue(f"is {raw!r}; expected {expected}")


def text(raw: object, expected: str = "a string") -> str:
    if not isinstance(raw, str):
        raise wrong(raw, expected)
    return raw


def required_text(raw: object, expected: str) -> str:
    value = text(raw, expected)
    if not value.strip():
        raise BadValue(f"is missing; expected {expected}")
    return value


def boolean(raw: object) -> bool:
    if not isinstance(raw, bool):
        raise wrong(raw, "true or false")
    return raw


def seconds(raw: object) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float) or raw <= 0:
        raise wrong(raw, "seconds, e.g. 30")
    return float(raw)


def whole_number(raw: object, expected: str = "a whole number, e.g. 20") -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
        raise wrong(raw, expected)
    return raw


def port(raw: object) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 < raw < 65536:
        raise wrong(raw, "a port number (1-65535)")
    return raw


def choice(raw: object, choices: Sequence[str]) -> str:
    value = raw.strip().lower() if isinstance(raw, str) else raw
    if value not in choices:
        raise wrong(value, "one of " + ", ".join(choices))
    assert isinstance(value, str)
    return value


def duration(raw: object, *, can_be_off: bool = False) -> timedelta | None:
    """ "4h", "90m", "1h30m", "2d"; "off" (or false) where the key can be switched off."""
    if raw == "off" or raw is False:
        if can_be_off:
            return None
        raise BadValue(f'cannot be {raw!r}; expected a duration such as "4h"')
    try:
        value = parse_duration(raw) if isinstance(raw, str) else None
    except ValueError:
        value = None
    if value is None or value <= timedelta(0):
        raise wrong(raw, 'a duration such as "4h", "90m" or "2d"')
    return value


def size(raw: object) -> int:
    """ "25MB", "500KB", "1.5GB" or a number of bytes."""
    match = _SIZE.match(str(raw))
    if isinstance(raw, bool) or match is None or float(match.group(1)) <= 0:
        raise wrong(raw, 'a size such as "25MB" or "500KB"')
    return int(float(match.group(1)) * _SIZE_SCALE[match.group(2).lower()])


def is_address(item: str) -> bool:
    return bool(_ADDRESS.match(item))


def is_pattern(item: str) -> bool:
    """An address where "*" may stand for any run of characters: "*-team@example.com"."""
    return bool(_PATTERN.match(item))


def is_domain(item: str) -> bool:
    return bool(_DOMAIN.match(item))


def is_local_part(item: str) -> bool:
    return bool(item) and "@" not in item and not any(c.isspace() for c in item)


def is_web_address(item: str) -> bool:
    """http(s)://host/...: a webhook's address (its token is in the path)."""
    parts = urlsplit(item.strip())
    return parts.scheme in ("https", "http") and bool(parts.hostname)


def is_date(item: str) -> bool:
    try:
        parse_holiday(item)
    except ValueError:
        return False
    return True


def address(raw: object, expected: str = 'an address, e.g. "baton@example.com"') -> str:
    value = text(raw, expected).strip().lower()
    if not is_address(value):
        raise wrong(value, expected)
    return value


def strings(raw: object, check: Callable[[str], bool], what: str) -> tuple[str, ...]:
    """A list of strings (one string counts as a list of one), trimmed and lower-cased.

    `what` names one good item, e.g. 'an address; expected e.g. "a@example.com"'. Every
    bad item is its own problem line.
    """
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise wrong(raw, "a list of strings")
    bad = [f"{item!r} is not {what}" for item in items if not check(item.strip())]
    if bad:
        raise BadValue(*bad)
    return tuple(item.strip().lower() for item in items if item.strip())


def timezone(raw: object) -> str:
    expected = 'an IANA zone such as "Europe/Berlin"'
    name = text(raw, expected)
    try:
        parse_zone(name)
    except ValueError:
        raise wrong(raw, expected) from None
    return name


def business_hours(raw: object) -> str:
    """Checked by hours.parse_week, the grammar the escalation clock itself uses."""
    spec = text(raw, f"e.g. {HOURS_EXAMPLE}")
    try:
        parse_week(spec)
    except ScheduleError as error:
        detail = f"{error.detail}; " if error.detail else ""
        raise BadValue(f"is {spec!r}; {detail}expected e.g. {HOURS_EXAMPLE}") from None
    return spec


def clock_time(raw: object) -> str:
    """ "08:00", "7:30" -> "08:00": a time of day on a 24-hour clock."""
    expected = 'a time of day such as "08:00" (24-hour clock)'
    match = re.match(r"^\s*(\d{1,2}):(\d{2})\s*$", raw) if isinstance(raw, str) else None
    if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise wrong(raw, expected)
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def ticket_prefix(raw: object) -> str:
    value = text(raw, '1-10 letters or digits, e.g. "MB"')
    if not re.match(r"^[A-Za-z][A-Za-z0-9]{0,9}$", value):
        raise wrong(value, '1-10 letters or digits, e.g. "MB"')
    # Tags in subjects and `show` are read case-insensitively, as upper case: refs must match.
    return value.upper()


def host_or_none(raw: object) -> str | None:
    return text(raw, 'a host name, e.g. "mx.example.com"').strip().lower() or None


def env_name(raw: object) -> str:
    value = text(raw, "the name of an environment variable")
    if not _ENV_NAME.match(value):
        raise wrong(value, 'the name of an environment variable, e.g. "MAILBATON_SECRET"')
    return value


def database_url(raw: object, base: Path) -> str:
    expected = "sqlite:///FILE or postgresql+psycopg://..."
    url = resolve_sqlite(text(raw, expected), base)
    if not url.startswith(("sqlite", "postgresql")):
        raise BadValue(f"is {hide_password(url)!r}; expected {expected}")
    return url


def resolve_sqlite(url: str, base: Path) -> str:
    """A relative SQLite file is relative to the config file, not to wherever we started."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != prefix:
        path = url[len(prefix) :]
        if path != ":memory:":
            return prefix + str((base / path).resolve())
    return url


def hide_password(url: str) -> str:
    """user:secret@host -> user:***@host, for anything that prints a database URL."""
    return re.sub(r"(//[^/:@]*:)[^@/]*@", r"\1***@", url)


def path(raw: object, base: Path) -> Path:
    """A path as written; a relative one is relative to the config file's folder."""
    value = Path(text(raw, "a path"))
    return value if value.is_absolute() else base / value


def folder(raw: object, base: Path, expected: str) -> Path:
    value = path(raw, base)
    if not value.is_dir():
        raise BadValue(f"{str(value)!r} is not a folder; expected {expected}")
    return value


def existing_file(raw: object, base: Path) -> Path:
    value = path(raw, base)
    if not value.is_file():
        raise BadValue(f"{str(value)!r} is not a file; expected the path of an existing file")
    return value


def ca_file(raw: object, base: Path) -> Path:
    """A PEM file of CA certificates, checked by loading it, so a wrong file (a key, a DER
    certificate, the server's own certificate chain in the wrong form) is named at start."""
    value = existing_file(raw, base)
    try:
        ssl.create_default_context().load_verify_locations(cafile=str(value))
    except (ssl.SSLError, OSError, ValueError) as error:
        raise BadValue(
            f"{str(value)!r} holds no CA certificate that can be read ({error}); "
            "expected a PEM file with -----BEGIN CERTIFICATE----- blocks"
        ) from None
    return value
