"""MAILBATON_<SECTION>__<KEY> environment variables laid over the file's values (containers)."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mailbaton.config.keys import Key, env_variable, walk
from mailbaton.config.mailboxes import env_name
from mailbaton.config.schema import REPEATED, SECTIONS, MailboxSettings, SmtpSettings

PREFIX = "MAILBATON_"


def settable(data: Mapping[str, Any] | None = None) -> dict[str, tuple[str, Key]]:
    """Variable name -> (dotted key, declaration) for every key the environment may set;
    with the file's `data`, also those of each [mailboxes.NAME] it declares."""
    found: dict[str, tuple[str, Key]] = {}
    for section, cls in SECTIONS.items():
        if section in REPEATED:
            continue
        for path, declaration in walk(cls, section):
            found[env_variable(path)] = (path, declaration)
    named = (data or {}).get("mailboxes")
    for name in named if isinstance(named, dict) else ():
        # The variable spells the name as a shell can; the path keeps the file's.
        label = f"MAILBATON_MAILBOXES__{env_name(name)}__"
        where = f"mailboxes.{name}"
        keys = [*walk(MailboxSettings, where), *walk(SmtpSettings, f"{where}.smtp")]
        for path, declaration in keys:
            found[label + path[len(where) + 1 :].replace(".", "__").upper()] = (path, declaration)
    return found


@dataclass
class Overlay:
    """The file's tables with the environment's values laid over them."""

    data: dict[str, Any]
    # dotted key -> the variable that set it, so a bad value names the variable.
    origins: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def overlay(data: Mapping[str, Any], environ: Mapping[str, str]) -> Overlay:
    """Environment wins over the file; its text is read as TOML values would be."""
    result = Overlay(_copy(data))
    keys = settable(data)
    for variable in sorted(environ):
        if not variable.startswith(PREFIX) or "__" not in variable:
            continue  # e.g. MAILBATON_IMAP_PASSWORD, named by a password_env key
        if variable not in keys:
            result.problems.append(_unknown(variable, keys))
            continue
        path, declaration = keys[variable]
        table = _table(result.data, path.split(".")[:-1])
        if table is None:
            continue  # the file has a value where a table belongs; the loader reports it
        name = path.rsplit(".", 1)[1]
        table[name] = declaration.kind.from_env(environ[variable])
        if declaration.kind.secret:
            # The variable's secret replaces the file's, wherever the file takes it from.
            table.pop(f"{name}_env", None)
        result.origins[path] = variable
    return result


def _unknown(variable: str, keys: Mapping[str, object]) -> str:
    section = variable[len(PREFIX) :].split("__", 1)[0].lower()
    if section == "mailboxes":
        # A misspelt key of a declared mailbox (not another table's key) is worth a hint.
        mailboxes = [name for name in keys if name.startswith(PREFIX + "MAILBOXES__")]
        hint = difflib.get_close_matches(variable, mailboxes, n=1)
        if hint:
            return f"{variable}: no such setting; did you mean {hint[0]}?"
        name = variable[len(PREFIX) :].split("__")[1] if variable.count("__") > 1 else "NAME"
        return (
            f"{variable}: no [mailboxes.{name.lower()}] in the config file, or no such key; "
            "a mailbox is declared in the file, the environment sets its keys "
            "(MAILBATON_MAILBOXES__NAME__KEY)"
        )
    if section in REPEATED:
        return f"{variable}: [{section}] cannot be set from the environment; use config.toml"
    hint = difflib.get_close_matches(variable, list(keys), n=1)
    better = f"did you mean {hint[0]}?" if hint else "see docs/config.md for the names"
    return f"{variable}: no such setting; {better}"


def _copy(data: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _copy(item) if isinstance(item, dict) else item for name, item in data.items()}


def _table(data: dict[str, Any], names: list[str]) -> dict[str, Any] | None:
    table = data
    for name in names:
        inner = table.setdefault(name, {})
        if not isinstance(inner, dict):
            return None
        table = inner
    return table
