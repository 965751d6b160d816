"""intake.drain behind the Mailbox seam: decided once, filed only after the commit."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Self

import mails
import pytest
import testdb
from sqlalchemy import func, select

from mailbaton.app import intake
from mailbaton.app.service import desk_for
from mailbaton.clock import parse_instant
from mailbaton.config import Settings, load
from mailbaton.outbound.desk import Desk
from mailbaton.store import ledger
from mailbaton.store.db import Database
from mailbaton.store.models import Outbox, Outcome, Ticket
from mailbaton.transport.base import Incoming, Source, Transient, head_size
from mailbaton.transport.pipe import Pipe

ROOT = Path(__file__).resolve().parents[2]
NOW = parse_instant("2026-11-23T10:00:00Z")


class FakeMailbox:
    """An IMAP folder in memory: messages by UID, and where each one was filed."""

    key = "fake"

    def __init__(self, db: Database, *raws: bytes) -> None:
        self.db = db
        self.messages = dict(enumerate(raws, start=1))
        self.filed: dict[int, Outcome] = {}
        self.read_whole: list[int] = []
        self.connection_lost = False
        self.reading_fails_after: int | None = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        pass

    def waiting(self) -> list[Source]:
        return [Source(self.key, "INBOX", 7, uid) for uid in sorted(self.messages)]

    def read(self, sources: list[Source], cap: int) -> Iterator[Incoming]:
        for number, source in enumerate(sources):
            assert source.uid is not None
            if number == self.reading_fails_after:
                raise Transient("connection lost while fetching")
            raw = self.messages[source.uid]
            if len(raw) > cap:
                yield Incoming(source, raw[: head_size(cap)], oversized=len(raw))
            else:
                self.read_whole.append(source.uid)
                yield Incoming(source, raw)

    def file(self, source: Source, outcome: Outcome) -> bool:
        assert source.uid is not None
        if self.connection_lost:
            raise Transient("connection lost")
        # Filing must never run ahead of the decision: it is in the ledger already.
        assert ledger.recorded(self.db, source) is not None, "filed before the commit"
        self.filed[source.uid] = outcome
        del self.messages[source.uid]
        return True

    def file_all(self, filing: list[tuple[Source, Outcome]]) -> list[Source]:
        return [source for source, outcome in filing if self.file(source, outcome)]


@pytest.fixture
def settings() -> Settings:
    return load(ROOT / "config.toml")


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    url = testdb.fresh_url() or f"sqlite:///{(tmp_path / 'mailbaton.db').as_posix()}"
    database = Database.open(url)
    yield database
    database.close()


def count(db: Database, table: type[Ticket] | type[Outbox]) -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(table)) or 0


def outbox_to(db: Database, address: str) -> list[bytes]:
    with db.transaction() as session:
        rows = session.scalars(select(Outbox).where(Outbox.rcpt_json.contains(address)))
        return [row.raw for row in rows]


def drain(db: Database, desk: Desk, mailbox: FakeMailbox | Pipe) -> intake.Drained:
    drained = intake.Drained()
    with mailbox:
        intake.drain(db, desk, mailbox, NOW, drained)
    return drained


def test_a_handoff_is_decided_once_and_filed_after_its_commit(
    settings: Settings, db: Database
) -> None:
    desk = desk_for(settings)
    mailbox = FakeMailbox(db, mails.handoff())

    first = drain(db, desk, mailbox)
    again = drain(db, desk, mailbox)

    assert [(o.outcome, o.ticket_ref) for o in first.outcomes] == [("processed", "MB-1")]
    assert mailbox.filed == {1: Outcome.PROCESSED}
    assert (again.outcomes, again.refiled) == ([], 0)
    assert count(db, Ticket) == 1
    assert len(outbox_to(db, "jane@example.com")) == 1  # the request, once
    assert len(outbox_to(db, "alice@example.com")) == 1  # the receipt, once


def test_a_message_decided_but_not_filed_is_filed_by_the_next_drain_not_decided_again(
    settings: Settings, db: Database
) -> None:
    desk = desk_for(settings)
    mailbox = FakeMailbox(db, mails.handoff(), mails.handoff(title="Globex order form"))
    mailbox.connection_lost = True

    cut = intake.Drained()
    with pytest.raises(Transient), mailbox:
        intake.drain(db, desk, mailbox, NOW, cut)
    # Both decisions committed before the batch was filed, and the filing failed.
    assert [o.outcome for o in cut.outcomes] == ["processed", "processed"]
    assert sorted(mailbox.messages) == [1, 2]

    mailbox.connection_lost = False
    later = drain(db, desk, mailbox)

    assert later.refiled == 2
    assert later.outcomes == []
    assert mailbox.filed == {1: Outcome.PROCESSED, 2: Outcome.PROCESSED}
    assert mailbox.messages == {}
    assert count(db, Ticket) == 2
    assert len(outbox_to(db, "jane@example.com")) == 2  # one request per ticket, no double


def test_decided_messages_are_filed_together_when_reading_fails_halfway(
    settings: Settings, db: Database
) -> None:
    desk = desk_for(settings)
    mailbox = FakeMailbox(
        db,
        mails.handoff(),
        mails.handoff(title="Globex order form"),
        mails.handoff(title="Initech"),
    )
    mailbox.reading_fails_after = 2

    cut = intake.Drained()
    with pytest.raises(Transient), mailbox:
        intake.drain(db, desk, mailbox, NOW, cut)
    # The two read before the fetch failed were decided and still filed; the third waits.
    assert mailbox.filed == {1: Outcome.PROCESSED, 2: Outcome.PROCESSED}
    assert ledger.recorded(db, Source("fake", "INBOX", 7, 3)) is None

    mailbox.reading_fails_after = None
    later = drain(db, desk, mailbox)
    assert (later.refiled, [o.ticket_ref for o in later.outcomes]) == (0, ["MB-3"])
    assert count(db, Ticket) == 3


def test_an_oversized_handoff_is_rejected_from_its_header_alone(
    settings: Settings, db: Database
) -> None:
    small_cap = replace(settings.protocol, max_message_size=100_000)
    desk = desk_for(replace(settings, protocol=small_cap))
    big = mails.handoff(files={"scan.pdf": b"%PDF" + b"x" * 300_000}, title="Huge")
    mailbox = FakeMailbox(db, big, mails.handoff(title="Small"))

    drained = drain(db, desk, mailbox)

    assert [o.outcome for o in drained.outcomes] == ["rejected", "processed"]
    assert "too_large" in drained.outcomes[0].reason
    assert mailbox.read_whole == [2]  # the big body was never read
    assert mailbox.filed == {1: Outcome.REJECTED, 2: Outcome.PROCESSED}
    (rejection,) = [raw for raw in outbox_to(db, "alice@example.com") if b".rejection." in raw]
    assert b"larger than the 0.1 MB" in rejection


def test_the_pipe_cuts_an_oversized_message_to_its_header_and_never_files(
    settings: Settings, db: Database
) -> None:
    small_cap = replace(settings.protocol, max_message_size=100_000)
    desk = desk_for(replace(settings, protocol=small_cap))
    big = mails.handoff(files={"scan.pdf": b"%PDF" + b"x" * 300_000}, title="Huge")

    first = drain(db, desk, Pipe(io.BytesIO(big)))
    again = drain(db, desk, Pipe(io.BytesIO(big)))

    assert [o.outcome for o in first.outcomes] == ["rejected"]
    assert "too_large" in first.outcomes[0].reason
    assert [(o.outcome, o.already_done) for o in again.outcomes] == [("rejected", True)]
    assert "already processed" in again.outcomes[0].reason
    assert len(outbox_to(db, "alice@example.com")) == 1  # one rejection, not two
