"""How a config key is declared: its kind (grammar, type name, environment form) and help."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import Field, dataclass, field, fields
from pathlib import Path
from typing import Any

from mailbaton.config import values as v

KEY = "mailbaton.key"
TABLE = "mailbaton.table"


@dataclass(frozen=True)
class Context:
    """What reading a value may depend on: the config file's folder and the environment."""

    base: Path
    environ: Mapping[str, str]


@dataclass(frozen=True)
class Kind:
    """One kind of value: its name in the reference, its grammar, how env text becomes it."""

    name: str
    parse: Callable[[object, Context], Any]
    # How an environment variable's text is turned into what TOML would have given.
    env_form: str = "text"
    secret: bool = False

    def from_env(self, text: str) -> object:
        value = text.strip()
        if self.env_form == "list":
            return [item.strip() for item in value.split(",") if item.strip()]
        if self.env_form == "bool" and value.lower() in _BOOLEANS:
            return _BOOLEANS[value.lower()]
        number = _number(value) if self.env_form in ("int", "float") else None
        if number is not None:
            return float(number) if self.env_form == "float" else number
        return text if self.secret else value


_BOOLEANS = {"true": True, "yes": True, "on": True, "1": True}
_BOOLEANS |= {"false": False, "no": False, "off": False, "0": False}


def _number(text: str) -> int | float | None:
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return None


@dataclass(frozen=True)
class Key:
    """A key's declaration; `default` is written as in config.toml (None: not set)."""

    kind: Kind
    default: object
    help: str
    required: bool = False
    env: bool = True


_DECLARING = Context(base=Path("."), environ={})


def key(kind: Kind, default: object, help: str, *, required: bool = False) -> Any:
    """A dataclass field declared as a config key; its Python default is the parsed one."""
    value = default if default is None or required else kind.parse(default, _DECLARING)
    return field(default=value, metadata={KEY: Key(kind, default, help, required)})


def table(cls: type[Any]) -> Any:
    """A dataclass field read from a sub-table such as [mailbox.folders]."""
    return field(default_factory=cls, metadata={TABLE: cls})


def declared(cls: type[Any]) -> list[tuple[Field[Any], Key | None]]:
    """The fields of a settings class that come from the file: keys and sub-tables."""
    found: list[tuple[Field[Any], Key | None]] = []
    for item in fields(cls):
        if KEY in item.metadata:
            found.append((item, item.metadata[KEY]))
        elif TABLE in item.metadata:
            found.append((item, None))
    return found


def key_names(cls: type[Any]) -> tuple[str, ...]:
    """Every key a table of this class may hold, a secret's `<name>_env` companion too."""
    names: list[str] = []
    for item, declaration in declared(cls):
        names.append(item.name)
        if declaration is not None and declaration.kind.secret:
            names.append(f"{item.name}_env")
    return tuple(names)


def env_variable(path: str) -> str:
    """mailbox.folders.processed -> MAILBATON_MAILBOX__FOLDERS__PROCESSED."""
    return "MAILBATON_" + "__".join(path.split(".")).upper()


def _plain(parse: Callable[[object], Any]) -> Callable[[object, Context], Any]:
    return lambda raw, _context: parse(raw)


def _list(what: str, check: Callable[[str], bool], name: str) -> Kind:
    return Kind(name, _plain(lambda raw: v.strings(raw, check, what)), "list")


def one_of(*choices: str) -> Kind:
    name = " | ".join(f'"{choice}"' for choice in choices)
    return Kind(name, _plain(lambda raw: v.choice(raw, choices)))


def required_text(expected: str) -> Kind:
    return Kind("string", _plain(lambda raw: v.required_text(raw, expected)))


def address(expected: str) -> Kind:
    return Kind("address", _plain(lambda raw: v.address(raw, expected)))


# What a [notify.NAME] webhook can be told of.
EVENTS = ("escalation", "all_clear", "health")


def _secret(raw: object) -> str:
    if not isinstance(raw, str):
        # Never echo the value: it is a secret, even when it is the wrong type.
        raise v.BadValue("is not a string; expected a quoted password, or password_env")
    return raw


def _webhook_url(raw: object) -> str:
    """A web address checked for its form only: it carries the channel's token, so no
    message ever shows it."""
    if not isinstance(raw, str) or (raw and not v.is_web_address(raw)):
        raise v.BadValue(
            "is not a web address; expected https://... as the chat service gave it, or url_env "
            "(the value is not shown: it is a secret)"
        )
    return raw


TEXT = Kind("string", _plain(v.text))
BOOL = Kind("true or false", _plain(v.boolean), "bool")
SECONDS = Kind("seconds", _plain(v.seconds), "float")
COUNT = Kind("whole number", _plain(v.whole_number), "int")
PORT = Kind("port (1-65535)", _plain(v.port), "int")
SECURITY = one_of(*v.SECURITY_CHOICES)
AUTH = one_of("password", "oauth2")
SECRET = Kind("secret string", _plain(_secret), secret=True)
WEBHOOK_URL = Kind("secret web address", _plain(_webhook_url), secret=True)
HOOK_KIND = one_of("slack", "teams", "mattermost", "json")
DURATION = Kind('duration ("4h", "90m", "1h30m", "2d")', _plain(v.duration))
DURATION_OR_OFF = Kind('duration or "off"', _plain(lambda raw: v.duration(raw, can_be_off=True)))
SIZE = Kind('size ("25MB", "500KB")', _plain(v.size))
TIMEZONE = Kind('IANA time zone ("Europe/Berlin")', _plain(v.timezone))
BUSINESS_HOURS = Kind(
    'business hours ("Mon-Fri 09:00-17:00", "Monday-Friday 9:00-17:00")',
    _plain(v.business_hours),
)
TIME_OF_DAY = Kind('time of day ("08:00")', _plain(v.clock_time))
TICKET_PREFIX = Kind("1-10 letters or digits", _plain(v.ticket_prefix))
HOST_OR_NONE = Kind("host name", _plain(v.host_or_none))
ENV_NAME = Kind("environment variable name", _plain(v.env_name))
DATABASE_URL = Kind("database URL", lambda raw, context: v.database_url(raw, context.base))
TEMPLATES_FOLDER = Kind(
    "folder", lambda raw, context: v.folder(raw, context.base, "the templates folder")
)
EXISTING_FILE = Kind("file", lambda raw, context: v.existing_file(raw, context.base))
CA_FILE = Kind("PEM file", lambda raw, context: v.ca_file(raw, context.base))
PATH = Kind("path", lambda raw, context: v.path(raw, context.base))

ADDRESSES = _list(
    'an address; expected e.g. "head-of-ops@example.com"', v.is_address, "list of addresses"
)
PATTERNS = _list(
    'an address or pattern such as "*-team@example.com"',
    v.is_pattern,
    "list of addresses or patterns",
)
DOMAINS = _list("a domain such as example.com", v.is_domain, "list of domains")
LOCAL_PARTS = _list("a local part like 'billing'", v.is_local_part, "list of local parts")
HOOK_EVENTS = _list(
    " or ".join(f'"{e}"' for e in EVENTS), lambda e: e.lower() in EVENTS, "list of events"
)
DATES = _list("a date such as 2026-12-25", v.is_date, 'list of dates ("2026-12-25")')


def walk(cls: type[Any], path: str) -> list[tuple[str, Key]]:
    """Every key under a settings class as (dotted path, declaration), sub-tables included."""
    found: list[tuple[str, Key]] = []
    for item, declaration in declared(cls):
        where = f"{path}.{item.name}"
        if declaration is None:
            found.extend(walk(item.metadata[TABLE], where))
        else:
            found.append((where, declaration))
    return found
