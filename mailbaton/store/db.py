"""Engine, schema migrations and the one transaction() helper (SQLite or PostgreSQL)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from sqlalchemy.dialects import postgresql, sqlite

MIGRATIONS = Path(__file__).with_name("migrations")


class NewerSchema(Exception):
    """The database was migrated by a newer mailbaton: this one cannot read it safely."""

    def __init__(self, current: str, head: str) -> None:
        super().__init__(
            f"its schema is at revision {current}, written by a newer mailbaton; this one "
            f"knows revisions up to {head}. Run the newer version (or restore a backup "
            "taken before the upgrade)"
        )


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            # WAL lets status/show read while the daemon writes; foreign keys are off
            # by default in SQLite and we want the same integrity as on PostgreSQL.
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            # In WAL mode NORMAL syncs at checkpoints, not at every commit: a commit that
            # returned survives the process dying (the crash guarantees are about that),
            # only a power cut can lose the last ones. FULL cost ~10 ms per commit, and a
            # handoff makes six or more.
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision: creates it on first start, upgrades later."""
    if at_head(engine):
        # Every start of every command: alembic only to find nothing to do cost ~0.3 s of
        # a `status` typed at a prompt.
        return
    # The connection that looked is pooled, and SQLite's keeps the schema it read then:
    # an inspection through it after the upgrade listed a new database's tables bare.
    engine.dispose()
    from alembic import command
    from alembic.util.exc import CommandError

    config = _alembic_config()
    private = engine.dialect.name == "sqlite"
    if private:
        # pysqlite BEGINs only before INSERT/UPDATE/DELETE, so each CREATE would commit
        # alone and a crash mid-upgrade would leave a schema no later start can finish.
        # One explicit transaction for the whole upgrade, on a private engine: doing this
        # on every connection makes two daemons starting together collide.
        engine = make_engine(engine.url.render_as_string(hide_password=False))

        @event.listens_for(engine, "connect")
        def _we_begin(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin(connection: Any) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except CommandError as error:
        # Alembic's words ("Can't locate revision ...") with a traceback reached the user.
        state = _revision_unknown(engine)
        if state is None:
            raise
        raise NewerSchema(*state) from error
    finally:
        if private:
            engine.dispose()


class Database:
    """The engine plus a session factory; open() migrates before first use."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(cls, url: str) -> Database:
        engine = make_engine(url)
        migrate(engine)
        return cls(engine)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """All or nothing: a state change, its events and its outbox rows commit together."""
        with self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """All or nothing without an ORM session: for plain statements in a hot loop (the
        outbox's claims), where the session's own work was most of the cost."""
        with self.engine.begin() as connection:
            yield connection

    def close(self) -> None:
        self.engine.dispose()


def insert_for(session: Session, table: type[Any]) -> postgresql.Insert | sqlite.Insert:
    """An INSERT of the session's database, which has ON CONFLICT DO NOTHING."""
    # Only the dialect in use is imported: PostgreSQL's cost every SQLite start ~0.1 s.
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table)
    from sqlalchemy.dialects import sqlite

    return sqlite.insert(table)


@dataclass(frozen=True)
class SchemaState:
    """Where a database's schema stands against this version's migrations."""

    current: str | None  # None: no schema yet (a new database)
    head: str
    pending: tuple[str, ...]  # the migrations the next start runs, oldest first
    known: bool  # False: migrated by a newer mailbaton than this one


def schema_state(url: str) -> SchemaState:
    """Read-only: connects and reads the revision, migrates nothing (for `check`)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    config = _alembic_config()
    scripts = ScriptDirectory.from_config(config)
    head = scripts.get_current_head() or ""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()
    revisions = [r.revision for r in reversed(list(scripts.walk_revisions()))]
    if current is not None and current not in revisions:
        return SchemaState(current, head, (), known=False)
    done = revisions.index(current) + 1 if current is not None else 0
    return SchemaState(current, head, tuple(revisions[done:]), known=True)


def newest_revision() -> str | None:
    """The head of the migrations, read from their files without alembic (the chain is
    linear); None if the files do not say one head plainly (alembic decides then)."""
    revisions, parents = set(), set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        named = re.search(r'^revision(?:: str)? = "([^"]+)"$', source, re.MULTILINE)
        parent = re.search(r'^down_revision(?:: [^=]+)? = "([^"]+)"$', source, re.MULTILINE)
        if named:
            revisions.add(named[1])
        if parent:
            parents.add(parent[1])
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def at_head(engine: Engine) -> bool:
    """Whether the database is at the newest revision (read-only; False when unsure)."""
    head = newest_revision()
    if head is None:
        return False
    try:
        with engine.connect() as connection:
            current = connection.exec_driver_sql("SELECT version_num FROM alembic_version")
            return list(current.scalars()) == [head]
    except SQLAlchemyError:
        return False  # a new database (no alembic_version yet); alembic says the rest


def _revision_unknown(engine: Engine) -> tuple[str, str] | None:
    """(the database's revision, our newest) when the database's is not one of ours."""
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(_alembic_config())
    known = {script.revision for script in scripts.walk_revisions()}
    try:
        with engine.connect() as connection:
            found = connection.exec_driver_sql("SELECT version_num FROM alembic_version")
            current = list(found.scalars())
    except SQLAlchemyError:
        return None
    unknown = [revision for revision in current if revision not in known]
    return (unknown[0], scripts.get_current_head() or "") if unknown else None


def _alembic_config() -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config
