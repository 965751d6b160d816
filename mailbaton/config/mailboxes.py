"""[mailbox] and [mailboxes.NAME]: every watched mailbox, each with its SMTP sign-in."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from mailbaton.config.keys import declared, key_names
from mailbaton.config.schema import MAIN_MAILBOX, MailboxSettings, SharedMailbox, SmtpSettings

if TYPE_CHECKING:
    from mailbaton.config.loader import _Reader

# A name shows in health rows, logs and environment variables: kept plain and short.
NAME = re.compile(r"[A-Za-z0-9_-]{1,30}")


def env_name(name: str) -> str:
    """How a mailbox's name is written in a variable: MAILBATON_MAILBOXES__<THIS>__KEY."""
    return name.upper().replace("-", "_")


def read_main(reader: _Reader, tables: Mapping[str, Any]) -> MailboxSettings | None:
    """[mailbox]; None when the file gives only [mailboxes.NAME] tables."""
    named = tables.get("mailboxes")
    if "mailbox" not in tables and isinstance(named, dict) and named:
        return None
    return reader.section(MailboxSettings, tables, "mailbox")


def read_mailboxes(
    reader: _Reader, tables: Mapping[str, Any], main: MailboxSettings | None, smtp: SmtpSettings
) -> list[tuple[str, SharedMailbox]]:
    """(where in the file, mailbox) for [mailbox] (`main`, unless only [mailboxes.NAME]
    are given) and each [mailboxes.NAME], in that order."""
    named = reader.table(tables, "mailboxes", "tables such as [mailboxes.sales]")
    found: list[tuple[str, SharedMailbox]] = []
    spelt: dict[str, str] = {}  # name as variables write it -> name
    if main is not None:
        found.append(("mailbox", SharedMailbox(MAIN_MAILBOX, main, smtp)))
    for name, inner in named.items():
        path = f"mailboxes.{name}"
        if not isinstance(inner, dict):
            reader.fail(path, "expected a table with the keys of [mailbox] (host, username, ...)")
            continue
        if not NAME.fullmatch(name):
            reader.fail(path, "expected a name of at most 30 letters, digits, '-' and '_'")
        if env_name(name) in spelt:
            reader.fail(
                path,
                f"is written {env_name(name)} in environment variables, as "
                f"[mailboxes.{spelt[env_name(name)]}] is; give one of them another name",
            )
        spelt.setdefault(env_name(name), name)
        if name == MAIN_MAILBOX and found:
            reader.fail(
                path,
                f'"{MAIN_MAILBOX}" is the name [mailbox] goes by beside [mailboxes.NAME]; '
                "give this mailbox another name",
            )
        # "smtp" among the known keys, so a misspelt [mailboxes.NAME.smtp] gets its hint.
        known = key_names(MailboxSettings)
        reader.unknown(inner, path, (*known, "smtp"))
        keys = {key: value for key, value in inner.items() if key in known}
        box = reader.fields(MailboxSettings, keys, path)
        own = "smtp" in inner
        sending = _own_smtp(reader, inner, path, smtp) if own else smtp
        found.append((path, SharedMailbox(name, box, sending, own_smtp=own, table=path)))
    _check_unique(reader, found)
    return found


def _own_smtp(
    reader: _Reader, inner: Mapping[str, Any], path: str, smtp: SmtpSettings
) -> SmtpSettings:
    """[mailboxes.NAME.smtp]: the keys it gives over [smtp]'s."""
    where = f"{path}.smtp"
    table = reader.table(inner, where, "a table with the keys of [smtp]")
    parsed = reader.fields(SmtpSettings, table, where)
    given = [
        item.name
        for item, _ in declared(SmtpSettings)
        if item.name in table or f"{item.name}_env" in table
    ]
    return replace(smtp, **{name: getattr(parsed, name) for name in given})


def _check_unique(reader: _Reader, found: list[tuple[str, SharedMailbox]]) -> None:
    """Two mailboxes on one address would not know whose a reply is; two on one folder
    would take each other's mail."""
    addresses: dict[str, str] = {}
    places: dict[tuple[str, str, str], str] = {}
    for path, box in found:
        address = box.address.lower()
        if address and address in addresses:
            reader.fail(
                f"{path}.address",
                f'"{box.address}" is also the address of [{addresses[address]}]; each mailbox '
                "needs an address of its own (its mail is sent from it)",
            )
        addresses.setdefault(address, path)
        s = box.mailbox
        # INBOX is one folder however it is written (RFC 3501 5.1); others keep their case.
        folder = "INBOX" if s.folder.upper() == "INBOX" else s.folder
        place = (s.host.lower(), s.username.lower(), folder)
        if s.username and place in places:
            reader.fail(
                f"{path}.folder",
                f"{s.username} on {s.host}, folder {s.folder}, is also watched by "
                f"[{places[place]}]; the two would take each other's mail: give one another "
                "folder or account",
            )
        places.setdefault(place, path)
