"""docs/config.md, generated from the schema so the reference cannot drift from the loader."""

from __future__ import annotations

import inspect
import json
from typing import Any

from mailbaton.config.keys import TABLE, Key, declared, env_variable
from mailbaton.config.schema import REPEATED, SECTIONS

REGENERATE = "python -m mailbaton.config > docs/config.md"

_INTRO = f"""\
# Configuration reference

<!-- Generated from mailbaton/config/schema.py by `{REGENERATE}`; edit the schema, not this. -->

mailbaton reads `config.toml` (or the file given with `-c PATH`). A bad file stops the
service at start with one line per problem: which key, what is wrong, what would be right.
Secrets are never shown.

## How values are written

- **durations**: `"4h"`, `"90m"`, `"1h30m"`, `"1h 30m"`, `"2d"`, `"45s"`; where the type says
  so, `"off"` switches the feature off.
- **sizes**: `"25MB"`, `"500KB"`, `"1GB"` (1 KB = 1024 bytes) or a number of bytes.
- **business hours**: days then opening-closing times, e.g. `"Mon-Fri 09:00-17:00"` or
  `"Monday-Friday 9:00-17:00"`, any case; a day range may wrap (`"Fri-Mon"`); `24:00`
  closes at midnight. The escalation clock reads them with the same grammar.
- **lists of addresses, patterns, domains**: a list of strings (one string counts as a list
  of one); they are lower-cased. In a pattern `*` stands for any characters:
  `"*-team@example.com"`.
- **paths**: relative ones are relative to the folder of the config file, and so is a
  relative SQLite file (`sqlite:///mailbaton.db`).
- **passwords**: `password = "..."`, or `password_env = "NAME"` to read it from the
  environment variable `NAME`.

## Environment variables

Every key except those of `[departments.NAME]` and `[notify.NAME]` can also be set by an
environment variable named `MAILBATON_<TABLE>__<KEY>` (two underscores between the parts; a
sub-table adds one more part, e.g. `MAILBATON_MAILBOX__FOLDERS__FAILED`). A
`[mailboxes.NAME]` table declared in the file takes `MAILBATON_MAILBOXES__<NAME>__<KEY>`, its
name in capitals with `-` written `_` (`MAILBATON_MAILBOXES__SALES__PASSWORD`,
`MAILBATON_MAILBOXES__SALES__SMTP__PASSWORD`); the environment cannot add a mailbox. The environment
wins over the file. The text is read with the same grammar as the file: `true`/`false`
(also `yes`/`no`, `1`/`0`), numbers, and lists written with commas (`a@example.com, b@example.com`).
`MAILBATON_MAILBOX__PASSWORD` and `MAILBATON_SMTP__PASSWORD` replace both `password` and
`password_env`. A variable that starts with `MAILBATON_`, contains `__` and names no key
is reported as a problem, with the closest name.
"""


def reference() -> str:
    """The whole of docs/config.md."""
    parts = [_INTRO]
    for section, cls in SECTIONS.items():
        heading = f"{section}.NAME" if section in REPEATED else section
        # [mailboxes.NAME] keys are set as MAILBATON_MAILBOXES__NAME__KEY.
        parts.extend(_tables(cls, heading, env=section not in REPEATED or section == "mailboxes"))
    return "\n".join(parts)


def _tables(cls: type[Any], path: str, *, env: bool) -> list[str]:
    rows = [
        "| key | type | default | environment variable | meaning |",
        "|---|---|---|---|---|",
    ]
    nested: list[str] = []
    for item, declaration in declared(cls):
        where = f"{path}.{item.name}"
        if declaration is None:
            nested.extend(_tables(item.metadata[TABLE], where, env=env))
            continue
        variable = f"`{env_variable(where)}`" if env else "-"
        rows.append(_row(item.name, declaration, variable))
        if declaration.kind.secret:
            rows.append(
                f"| `{item.name}_env` | environment variable name | not set | - "
                f"| read `{item.name}` from this environment variable instead |"
            )
    text = inspect.getdoc(cls) or ""
    return [f"## [{path}]\n\n{text}\n\n" + "\n".join(rows) + "\n", *nested]


def _row(name: str, declaration: Key, variable: str) -> str:
    cells = (
        f"`{name}`",
        declaration.kind.name,
        _default(declaration),
        variable,
        declaration.help,
    )
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def _default(declaration: Key) -> str:
    if declaration.required:
        return "required"
    if declaration.default is None:
        return "not set"
    return "`" + _toml(declaration.default) + "`"


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    return json.dumps(value) if isinstance(value, str) else str(value)
