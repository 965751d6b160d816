"""The same baton pass on PostgreSQL, and migrations that upgrade an existing database."""

from __future__ import annotations

from pathlib import Path

import mails
import pytest
from baton import make_baton
from servers import MailServer
from sqlalchemy import inspect, text

from mailbaton.store.db import Database

pytestmark = pytest.mark.e2e


def head_revision() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from mailbaton.store.db import MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


def test_handoff_and_rejection_on_postgres(
    sandbox_server: MailServer, tmp_path: Path, pg_url: str
) -> None:
    baton = make_baton(sandbox_server, tmp_path, db_url=pg_url)
    try:
        sandbox_server.deliver(mails.handoff())
        sandbox_server.deliver(mails.handoff(catcher=None))
        report = baton.run_pass()
        assert [o.outcome for o in report.outcomes] == ["processed", "rejected"]
        assert [t["id"] for t in baton.tickets(include_closed=True)] == ["MB-1", "MB-R1"]
        assert len(baton.server.wait_for("jane@example.com", 1)) == 1
        assert baton.run_pass().outcomes == []
    finally:
        baton.close()


def test_migrations_create_then_find_the_schema_current(pg_url: str, tmp_path: Path) -> None:
    for url in (pg_url, f"sqlite:///{tmp_path / 'm.db'}"):
        first = Database.open(url)
        tables = set(inspect(first.engine).get_table_names())
        first.close()
        assert {"tickets", "events", "inbound", "outbox", "alembic_version"} <= tables
        again = Database.open(url)  # an existing database: upgrade is a no-op, not an error
        with again.engine.connect() as connection:
            version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        again.close()
        assert version == head_revision()


def test_names_are_looked_up_by_address_and_id(pg_url: str, tmp_path: Path) -> None:
    # seen_name reads an address's newest 20 rows: by (address) alone PostgreSQL read all
    # of them and sorted them; by (address, id) it reads 20, newest first.
    wanted = {
        ("inbound", "ix_inbound_sender"): ["sender", "id"],
        ("tickets", "ix_tickets_thrower"): ["thrower", "id"],
        ("tickets", "ix_tickets_catcher"): ["catcher", "id"],
    }
    for url in (pg_url, f"sqlite:///{tmp_path / 'n.db'}"):
        db = Database.open(url)
        try:
            found = {
                (table, index["name"]): index["column_names"]
                for table in ("inbound", "tickets")
                for index in inspect(db.engine).get_indexes(table)
            }
        finally:
            db.close()
        assert {key: found.get(key) for key in wanted} == wanted, url
