"""`mailbaton check`: one line per item, ok or FAILED, and under each failure its likely fix.

The config's own problems never get here: the loader refused the config with every problem
at once. What is left is what only trying can tell: the sign-ins, what the IMAP server
offers, the folders, the database and the templates."""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from mailbaton.app import auth_cli, notify_cli
from mailbaton.config import Settings, SharedMailbox, SmtpSettings
from mailbaton.store.db import Database, make_engine, schema_state
from mailbaton.transport.auth import SignInProblem
from mailbaton.transport.base import TransportError
from mailbaton.transport.checkup import ImapFindings, likely_fix, probe_imap
from mailbaton.transport.smtp import check_login as smtp_check_login
from mailbaton.watch.unwatched import unwatched

# What the service does without each capability, so "not offered" is never a mystery.
WITHOUT = {
    "IDLE": "not offered: new mail is found by polling every {poll}",
    "MOVE": "not offered: messages are filed by COPY, \\Deleted and UID EXPUNGE instead",
    "UIDPLUS": (
        "not offered: filed messages stay in the folder flagged \\Deleted, never expunged "
        "(a plain EXPUNGE would also remove mail a person deleted); expunge them now and then"
    ),
}
WITH = {
    "IDLE": "new mail is seen at once",
    "MOVE": "each message is moved to its outcome folder in one step",
    "UIDPLUS": "filed messages are expunged one by one",
}


@dataclass
class Checklist:
    lines: list[str] = field(default_factory=list)
    failures: int = 0

    def ok(self, line: str) -> None:
        self.lines.append(line)

    def failed(self, line: str, fix: str | None = None) -> None:
        self.failures += 1
        self.lines.append(line)
        if fix:
            self.lines.append(f"  likely fix: {fix}")


def check(settings: Settings, template_problems: list[str], template_origin: str) -> Checklist:
    found = Checklist()
    found.ok(f"config {settings.source}: ok")
    oauth2_lines, oauth2_ok = auth_cli.check_lines(settings)
    found.lines.extend(oauth2_lines)
    found.failures += 0 if oauth2_ok else 1
    several = len(settings.mailboxes) > 1
    checked: list[SmtpSettings] = []
    for box in settings.mailboxes:
        # Several mailboxes: each line says whose it is.
        tag = f"mailbox {box.name}: " if several else ""
        _imap(found, box, tag)
        if box.smtp not in checked:  # mailboxes sending through [smtp] alike: tried once
            checked.append(box.smtp)
            _smtp(found, box, tag)
    if _database(found, settings.database_url):
        _unwatched(found, settings)
    if template_problems:
        found.failed("templates: FAILED")
        found.lines.extend(f"  {problem}" for problem in template_problems)
    else:
        found.ok(f"templates: ok {template_origin}")
    found.lines.extend(notify_cli.check_lines(settings))
    found.lines.append(
        "all ok" if not found.failures else f"{found.failures} problem(s): see FAILED above"
    )
    return found


def _imap(found: Checklist, box: SharedMailbox, tag: str) -> None:
    s = box.mailbox
    try:
        seen = probe_imap(s)
    except (TransportError, SignInProblem) as error:
        found.failed(f"{tag}IMAP: FAILED: {error}", _fix(error, box.table, s.security))
        found.ok(f"{tag}IMAP capabilities and folders: not checked (no login)")
        return
    found.ok(f"{tag}IMAP {s.host}:{s.port} ok: {seen.login}")
    poll = f"{s.poll_interval.total_seconds():g} s"
    for name in ("IDLE", "MOVE", "UIDPLUS"):
        if name in seen.capabilities:
            found.ok(f"{tag}IMAP {name}: ok: {WITH[name]}")
        elif name == "UIDPLUS" and "MOVE" in seen.capabilities:
            found.ok(f"{tag}IMAP UIDPLUS: not offered, not needed (MOVE is)")
        else:
            found.ok(f"{tag}IMAP {name}: {WITHOUT[name].format(poll=poll)}")
    _folders(found, box, seen, tag)


def _folders(found: Checklist, box: SharedMailbox, seen: ImapFindings, tag: str) -> None:
    folder = box.mailbox.folder
    if seen.folder_problem:
        found.failed(
            f"{tag}IMAP folder {folder}: FAILED: {seen.folder_problem}",
            f"does the folder exist for {box.mailbox.username}? [{box.table}] folder names it",
        )
    else:
        found.ok(f"{tag}IMAP folder {folder}: ok: {seen.messages} message(s) waiting")
    if seen.folders_problem:
        found.failed(
            f"{tag}IMAP outcome folders: FAILED: {seen.folders_problem}",
            "the account needs the right to create folders, or create them yourself; "
            f"[{box.table}.folders] names them",
        )
        return
    said = []
    if seen.created:
        said.append(f"created {', '.join(seen.created)}")
    if seen.existed:
        said.append(f"{', '.join(seen.existed)} already there")
    found.ok(f"{tag}IMAP outcome folders: ok: {'; '.join(said)}")


def _smtp(found: Checklist, box: SharedMailbox, tag: str) -> None:
    s = box.smtp
    table = f"{box.table}.smtp" if box.own_smtp else "smtp"
    try:
        found.ok(tag + asyncio.run(smtp_check_login(s)))
    except (TransportError, SignInProblem) as error:
        found.failed(f"{tag}SMTP: FAILED: {error}", _fix(error, table, s.security))


def _fix(error: Exception, table: str, security: str) -> str | None:
    # An OAuth2 sign-in problem names its own fix ("Fix: Add-MailboxPermission ...").
    return None if isinstance(error, SignInProblem) else likely_fix(error, table, security)


def _unwatched(found: Checklist, settings: Settings) -> None:
    """Open tickets of a mailbox taken out of the config: said, though not a failure (the
    config is as the admin wants it; those tickets' replies are what needs a decision)."""
    db = Database(make_engine(settings.database_url))
    try:
        with db.transaction() as session:
            found.lines.extend(f"tickets: WARNING: {line}" for line in unwatched(session, settings))
    except SQLAlchemyError:
        return  # the database line above already said what is wrong with it
    finally:
        db.close()


def _database(found: Checklist, url: str) -> bool:
    """The database line; True when its schema is up to date (it can be read as is)."""
    parsed = make_url(url)
    shown = parsed.render_as_string(hide_password=True)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        path = Path(parsed.database)
        if not path.exists():
            if os.access(path.parent if str(path.parent) else ".", os.W_OK):
                found.ok(f"database {shown}: ok: not there yet; made at the first start")
            else:
                found.failed(
                    f"database {shown}: FAILED: {path.parent} cannot be written",
                    "the service's user must be able to write that folder (or point "
                    "[database] url elsewhere)",
                )
            return False
    try:
        state = schema_state(url)
    except (SQLAlchemyError, OSError) as error:
        said = str(getattr(error, "orig", None) or error).strip().splitlines()
        found.failed(
            f"database {shown}: FAILED: {said[0] if said else type(error).__name__}",
            "is the database server running, and are [database] url's host, name and user right?",
        )
        return False
    if not state.known:
        found.failed(
            f"database {shown}: FAILED: its schema ({state.current}) is from a newer mailbaton",
            "run the version that migrated it, or upgrade this one",
        )
        return False
    if state.pending:
        found.ok(
            f"database {shown}: ok: schema at {state.current or 'nothing yet'}; the next start "
            f"runs {len(state.pending)} migration(s) ({', '.join(state.pending)})"
        )
        return False
    found.ok(f"database {shown}: ok: schema up to date ({state.current})")
    return True
