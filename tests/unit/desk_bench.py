"""A desk on a temporary SQLite file, no sockets: deliver mail, sweep, read the outbox."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import mails
import testdb

from mailbaton.classify import decide
from mailbaton.config import Settings, from_dict
from mailbaton.mail.parse import parse_message
from mailbaton.outbound.compose import Composer
from mailbaton.outbound.desk import Desk
from mailbaton.store.db import Database, make_engine
from mailbaton.store.models import Outbox, Ticket
from mailbaton.tickets import deadlines
from mailbaton.tickets.dispatch import apply

ROOT = Path(__file__).resolve().parents[2]
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
_MIGRATED: dict[str, Path] = {}
# One composer for the packaged templates: each compiles its templates once.
_DEFAULTS = Composer(None)


def settings(protocol: dict[str, Any] | None = None, **escalation: Any) -> Settings:
    return from_dict(
        {
            "mailbox": {
                "username": "baton@example.com",
                "address": "baton@example.com",
                "plus_addressing": True,
            },
            "protocol": {"allowed_domains": ["example.com"], **(protocol or {})},
            "escalation": {"after": "4h", "managers": ["boss@example.com"], **escalation},
            "departments": {
                "sales": {"members": ["alice@example.com"], "managers": ["sales-head@example.com"]}
            },
            "templates": {"dir": str(ROOT / "mailbaton" / "templates")},
        },
        base=ROOT,
    )


def database(folder: Path) -> Database:
    """A migrated database; migrations run once per test session, then the file is copied
    (on PostgreSQL with MAILBATON_TEST_DATABASE_URL: a database cloned from a template)."""
    url = testdb.fresh_url()
    if url is not None:
        return Database(make_engine(url))
    if "template" not in _MIGRATED:
        template = folder.parent / "migrated-template.db"
        if not template.exists():
            Database.open(f"sqlite:///{template}").close()
        _MIGRATED["template"] = template
    target = folder / "baton.db"
    shutil.copy(_MIGRATED["template"], target)
    return Database(make_engine(f"sqlite:///{target}"))


@dataclass(frozen=True)
class Delivered:
    outcome: str
    reason: str
    ref: str | None


@dataclass(frozen=True)
class Sent:
    """One outbox row as a user would see the mail."""

    kind: str
    to: list[str]
    state: str
    message: EmailMessage
    dedupe_key: str | None

    @property
    def text(self) -> str:
        body = self.message.get_body(("plain",))
        assert body is not None
        return str(body.get_content())


class Bench:
    def __init__(
        self,
        folder: Path,
        templates: Path | None = None,
        protocol: dict[str, Any] | None = None,
        **escalation: Any,
    ) -> None:
        self.settings = settings(protocol, **escalation)
        self.db = database(folder)
        self.desk = Desk(self.settings, Composer(templates) if templates else _DEFAULTS)
        self.now = START

    def deliver(self, raw: bytes, at: datetime | None = None) -> Delivered:
        mail = parse_message(raw)
        with self.db.transaction() as session:
            result = apply(session, self.desk, decide(mail, self.settings), mail, at or self.now)
            ref = result.ticket.ref if result.ticket is not None else None
        return Delivered(result.outcome, result.reason, ref)

    def open_one(self) -> str:
        """A valid handoff (Alice to Jane, a file attached) opened: its ticket's ref."""
        result = self.deliver(mails.handoff())
        assert result.outcome == "processed" and result.ref is not None
        return result.ref

    def sweep(self, after: timedelta) -> deadlines.SweepReport:
        return deadlines.sweep(self.db, self.desk, self.now + after)

    def outbox(self, kind: str | None = None) -> list[Sent]:
        with self.db.transaction() as session:
            rows = session.query(Outbox).order_by(Outbox.id).all()
            found = [
                Sent(
                    row.kind,
                    json.loads(row.rcpt_json),
                    row.state,
                    _message(row.raw),
                    row.dedupe_key,
                )
                for row in rows
            ]
        return [s for s in found if kind is None or s.kind == kind]

    def ticket(self, ref: str) -> dict[str, Any]:
        with self.db.transaction() as session:
            ticket = session.query(Ticket).filter_by(ref=ref).one()
            return {
                "state": ticket.state,
                "catcher": ticket.catcher,
                "escalations": ticket.escalations,
                "refusal_reason": ticket.refusal_reason,
                "accepted_at": ticket.accepted_at,
                "message": ticket.message,
                "cancel_reason": ticket.cancel_reason,
                "thrower_name": ticket.thrower_name,
                "catcher_name": ticket.catcher_name,
                "events": [(e.kind, e.detail) for e in ticket.events],
            }

    def kinds(self, ref: str) -> list[str]:
        return [kind for kind, _ in self.ticket(ref)["events"]]


def _message(raw: bytes) -> EmailMessage:
    message = message_from_bytes(raw, policy=default)
    assert isinstance(message, EmailMessage)
    return message


class Connection:
    """What a fake Sender needs to be used as `async with sender() as connection`."""

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None
