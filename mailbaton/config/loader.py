"""config.toml (and MAILBATON_* variables) -> frozen Settings; every problem reported at once."""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import Field, replace
from pathlib import Path
from typing import Any, TypeVar

from mailbaton.config.environ import overlay
from mailbaton.config.keys import HOOK_KIND, TABLE, Context, Key, declared, key_names
from mailbaton.config.mailboxes import read_mailboxes, read_main
from mailbaton.config.schema import (
    SECTIONS,
    AlertsSettings,
    DatabaseSettings,
    Department,
    DigestSettings,
    EscalationSettings,
    Hook,
    OAuth2Settings,
    ProtocolSettings,
    Settings,
    SharedMailbox,
    SmtpSettings,
    TemplatesSettings,
)
from mailbaton.config.values import BadValue

T = TypeVar("T")


class ConfigError(Exception):
    """The config cannot be used; `problems` holds one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def load(path: Path | str, environ: Mapping[str, str] | None = None) -> Settings:
    if not str(path):
        # Path("") is ".", a directory: name what was given, not the folder it became.
        raise ConfigError(["-c '' names no file; pass -c PATH, the config file to use"])
    config_path = Path(path)
    data = _read(config_path)
    base = config_path.resolve().parent
    return from_dict(data, base=base, source=config_path, environ=environ)


def _read(config_path: Path) -> dict[str, Any]:
    """The file's tables; whatever keeps them from being read is one problem, no traceback."""
    try:
        with config_path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        problem = "no such file; copy config.toml from the project or pass -c PATH"
    except IsADirectoryError:
        problem = "is a directory, not a file; pass -c PATH naming the config file in it"
    except PermissionError:
        problem = "cannot be read (permission denied); the user mailbaton runs as needs read access"
    except OSError as error:
        problem = f"cannot be read: {error.strerror or type(error).__name__}"
    except UnicodeDecodeError as error:
        problem = f"not UTF-8 text (byte {error.start} is 0x{error.object[error.start]:02x}); "
        problem += "save it as UTF-8, the encoding TOML requires"
    except tomllib.TOMLDecodeError as error:
        problem = f"not valid TOML: {error}"
    raise ConfigError([f"{config_path}: {problem}"])


def from_dict(
    data: Mapping[str, Any],
    *,
    base: Path,
    source: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """The file's tables -> Settings; `environ` (default: os.environ) overrides them."""
    env = os.environ if environ is None else environ
    layered = overlay(data, env)
    reader = _Reader(Context(base=base, environ=env), layered.origins, layered.problems)
    tables = layered.data
    reader.unknown(tables, "", tuple(SECTIONS))
    main = read_main(reader, tables)
    smtp = reader.section(SmtpSettings, tables, "smtp")
    found = read_mailboxes(reader, tables, main, smtp)
    oauth2 = reader.section(OAuth2Settings, tables, "oauth2")
    database = reader.section(DatabaseSettings, tables, "database")
    protocol = reader.section(ProtocolSettings, tables, "protocol")
    escalation = reader.section(EscalationSettings, tables, "escalation")
    departments = reader.named(tables, "departments", Department, "members and managers")
    hooks = reader.named(tables, "notify", Hook, "kind and url_env")
    _check_hooks(reader, hooks)
    templates = reader.section(TemplatesSettings, tables, "templates")
    digest = reader.section(DigestSettings, tables, "digest")
    alerts = reader.section(AlertsSettings, tables, "alerts")
    _check_sign_in(reader, found, oauth2)
    first, *more = [_with_oauth2(box, oauth2) for _, box in found]
    _check_schedule(reader, escalation)
    if reader.problems:
        raise ConfigError(reader.problems)
    return Settings(
        mailbox=first.mailbox,
        smtp=first.smtp,
        first=first,
        more_mailboxes=tuple(more),
        database_url=database.url,
        protocol=protocol,
        escalation=escalation,
        departments=departments,
        templates_dir=templates.dir,
        source=source,
        oauth2=oauth2,
        hooks=hooks,
        digest=digest,
        alerts=alerts,
    )


class _Reader:
    """Reads tables by their declarations, collecting problems instead of stopping."""

    def __init__(self, context: Context, origins: Mapping[str, str], problems: list[str]):
        self.context = context
        self.origins = origins
        self.problems = problems

    def fail(self, path: str, message: str) -> None:
        variable = self.origins.get(path)
        label = f"{path} (from {variable})" if variable else path
        self.problems.append(f"{label}: {message}")

    def unknown(self, table: Mapping[str, Any], path: str, known: Sequence[str]) -> None:
        for name in table:
            if name not in known:
                hint = difflib.get_close_matches(name, known, n=1)
                better = f"did you mean {hint[0]!r}?" if hint else "known keys: " + ", ".join(known)
                self.fail(_join(path, name), f"unknown key; {better}")

    def table(self, parent: Mapping[str, Any], path: str, expected: str) -> Mapping[str, Any]:
        value = parent.get(path.rsplit(".", 1)[-1], {})
        if not isinstance(value, dict):
            self.fail(path, f"expected {expected}")
            return {}
        return value

    def section(self, cls: type[T], parent: Mapping[str, Any], path: str, **extra: Any) -> T:
        """Reads the table `path` from `parent`, one declared key after the other."""
        return self.fields(cls, self.table(parent, path, "a table"), path, **extra)

    def fields(self, cls: type[T], table: Mapping[str, Any], path: str, **extra: Any) -> T:
        self.unknown(table, path, key_names(cls))
        found: dict[str, Any] = dict(extra)
        for item, declaration in declared(cls):
            where = _join(path, item.name)
            if declaration is None:
                found[item.name] = self.section(item.metadata[TABLE], table, where)
            elif isinstance(table.get(item.name), dict):
                self.fail(where, _table_for_value(item.name, where, cls))
                found[item.name] = item.default
            else:
                found[item.name] = self.value(table, item, declaration, where)
        return cls(**found)

    def value(
        self, table: Mapping[str, Any], item: Field[Any], declaration: Key, where: str
    ) -> Any:
        raw = table.get(item.name, declaration.default)
        if declaration.kind.secret and f"{item.name}_env" in table:
            raw = self.secret_from_env(table, item.name, where)
        if raw is None:
            return None
        try:
            return declaration.kind.parse(raw, self.context)
        except BadValue as error:
            for line in error.lines:
                self.fail(where, line)
            return item.default

    def secret_from_env(self, table: Mapping[str, Any], name: str, where: str) -> str:
        variable = table[f"{name}_env"]
        if not isinstance(variable, str) or not variable:
            self.fail(f"{where}_env", "expected the name of an environment variable")
            return ""
        if variable not in self.context.environ:
            self.fail(
                f"{where}_env",
                f'environment variable {variable} is not set; set it, or use {name} = "..." '
                "instead",
            )
            return ""
        return self.context.environ[variable]

    def named(
        self, tables: Mapping[str, Any], section: str, cls: type[T], holding: str
    ) -> tuple[T, ...]:
        """One table per name: [departments.sales], [notify.managers]."""
        found: list[T] = []
        example = "sales" if section == "departments" else "NAME"
        table = self.table(tables, section, f"tables such as [{section}.{example}]")
        for name, inner in table.items():
            path = f"{section}.{name}"
            if not isinstance(inner, dict):
                self.fail(path, f"expected a table with {holding}")
                continue
            found.append(self.fields(cls, inner, path, name=name))
        return tuple(found)


def _check_hooks(reader: _Reader, hooks: tuple[Hook, ...]) -> None:
    """A hook needs somewhere to post (unless its own table already has a problem)."""
    for hook in hooks:
        where = f"notify.{hook.name}"
        if any(p.startswith(f"{where}.") for p in reader.problems):
            continue
        if hook.kind is None:
            reader.fail(f"{where}.kind", f"is missing; expected {HOOK_KIND.name}")
        if not hook.url:
            reader.fail(
                f"{where}.url",
                'is missing; expected url_env = "VARIABLE" naming the environment variable '
                'that holds the webhook\'s URL (or url = "https://...")',
            )


def _table_for_value(name: str, where: str, cls: type[Any]) -> str:
    """[mailbox.folder] where [mailbox.folders] was meant: name the table, not a dict."""
    tables = [item.name for item, declaration in declared(cls) if declaration is None]
    hint = difflib.get_close_matches(name, tables, n=1)
    parent = where.rsplit(".", 1)[0]
    better = f"; did you mean [{_join(parent, hint[0])}]?" if hint else ""
    return f"is a table, but {name!r} takes a single value{better}"


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _check_sign_in(
    reader: _Reader, boxes: Sequence[tuple[str, SharedMailbox]], oauth2: OAuth2Settings
) -> None:
    """auth = "oauth2" needs an [oauth2] table that can get a token; checked at start."""
    users: list[str] = []
    for path, box in boxes:
        # A mailbox without an smtp table of its own signs in as [smtp] says: named there.
        smtp_path = f"{path}.smtp" if box.own_smtp else "smtp"
        for where, section in ((path, box.mailbox), (smtp_path, box.smtp)):
            if section.auth == "oauth2" and f"{where}.auth" not in users:
                users.append(f"{where}.auth")
    if not users:
        return
    if oauth2.provider is None:
        for where in users:
            reader.fail(
                where,
                "is 'oauth2' but [oauth2] names no provider; expected [oauth2] with "
                'provider = "microsoft", "google" or "command", or auth = "password"',
            )
        return
    if oauth2.provider == "command" and not oauth2.command:
        reader.fail(
            "oauth2.command",
            'is missing; expected the command that prints an access token, e.g. "get-token"',
        )
    variable = oauth2.client_secret_env
    if variable and variable not in reader.context.environ:
        reader.fail(
            "oauth2.client_secret_env",
            f'environment variable {variable} is not set; set it, or use certificate = "..."',
        )
    for where, problem in _oauth2_gaps(oauth2):
        reader.fail(where, problem)


def _with_oauth2(box: SharedMailbox, oauth2: OAuth2Settings) -> SharedMailbox:
    """Each connection made from these settings can sign in; XOAUTH2 on SMTP always names
    a user, the mailbox's unless smtp.username says otherwise."""
    smtp = box.smtp
    if smtp.auth == "oauth2" and not smtp.username:
        smtp = replace(smtp, username=box.mailbox.username)
    return replace(
        box, mailbox=replace(box.mailbox, oauth2=oauth2), smtp=replace(smtp, oauth2=oauth2)
    )


def _oauth2_gaps(oauth2: OAuth2Settings) -> list[tuple[str, str]]:
    """What a provider needs that the table lacks, and a token cache others can read."""
    gaps: list[tuple[str, str]] = []
    if oauth2.provider == "microsoft":
        if not oauth2.client_id:
            gaps.append(("oauth2.client_id", "is missing; expected the app's (client) id"))
        app_only = oauth2.token_cache is None
        if app_only and not oauth2.tenant:
            gaps.append(("oauth2.tenant", 'is missing; expected e.g. "contoso.onmicrosoft.com"'))
        if app_only and not (oauth2.client_secret_env or oauth2.certificate):
            gaps.append(
                (
                    "oauth2.client_secret_env",
                    "is missing; the app signs in with a secret (client_secret_env) or a "
                    "certificate, or set token_cache for a person's sign-in (auth login)",
                )
            )
    if oauth2.provider == "google" and not (oauth2.service_account_file or oauth2.token_cache):
        gaps.append(
            (
                "oauth2.service_account_file",
                "is missing; expected the service account's key (JSON), or token_cache",
            )
        )
    cache = oauth2.token_cache
    if cache is not None and cache.exists() and cache.stat().st_mode & 0o077:
        mode = cache.stat().st_mode & 0o777
        gaps.append(
            (
                "oauth2.token_cache",
                f"{cache} can be read by others (mode {mode:04o}); it holds a refresh token: "
                f"chmod 600 {cache}",
            )
        )
    return gaps


def _check_schedule(reader: _Reader, escalation: EscalationSettings) -> None:
    """Builds the clock's business hours once, now, so a bad one stops the start."""
    if any(p.startswith("escalation.") for p in reader.problems):
        return
    try:
        _ = escalation.schedule
    except ValueError as error:  # each part was read alone; this is a safety net
        reader.fail("escalation.business_hours", str(error))
