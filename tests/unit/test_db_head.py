"""Database.open skips alembic when the schema is current: the head it reads from the
migration files must be alembic's, and a database behind must still be upgraded."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from mailbaton.store.db import MIGRATIONS, Database, at_head, make_engine, newest_revision


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def test_the_head_read_from_the_files_is_alembics() -> None:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    assert newest_revision() == head


def test_a_database_behind_is_upgraded_and_a_new_one_made(tmp_path: Path) -> None:
    old = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(old)
    with engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "0003")
    assert not at_head(engine)
    engine.dispose()
    new = f"sqlite:///{tmp_path / 'new.db'}"
    for url in (old, new):
        db = Database.open(url)
        try:
            # Seen as it is now by the engine that looked first, indexes and all (before
            # any query, which would make SQLite read its schema again).
            indexes = {index["name"] for index in inspect(db.engine).get_indexes("inbound")}
            assert {"ix_inbound_message_key", "ix_inbound_sender"} <= indexes
            assert at_head(db.engine)
            with db.engine.connect() as connection:
                version = connection.execute(text("SELECT version_num FROM alembic_version"))
                assert version.scalar() == newest_revision()
                # A table of the newest migrations is there, not only the version row.
                connection.execute(text("SELECT name, holder, until FROM leases"))
        finally:
            db.close()
