"""Which database a test runs on: SQLite, or PostgreSQL when MAILBATON_TEST_DATABASE_URL
names a server (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test).

On PostgreSQL each test process (pytest-xdist worker) makes its own throwaway databases,
migrated once, and drops them when it exits. A test takes one (or more) and finds it
empty: every table is truncated when it is handed out. Creating and dropping a database
per test would cost ~2 s each on a server that fsyncs (measured: CREATE 0.55 s, DROP
1.5 s); TRUNCATE of the few tables takes ~30 ms."""

from __future__ import annotations

import atexit
import contextlib
import os
import secrets
import weakref
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.pool import Pool

from mailbaton.store.db import Database

ENV = "MAILBATON_TEST_DATABASE_URL"

_admin_engine: list[Engine] = []
_free: list[str] = []
_taken: list[str] = []
_made: list[str] = []
# Every PostgreSQL connection a test opened: closed when the test ends, as many tests
# leave their Database to the garbage collector (harmless with SQLite; with psycopg a
# ResourceWarning, which this suite turns into an error).
_opened: weakref.WeakSet[Any] = weakref.WeakSet()


@event.listens_for(Pool, "connect")
def _remember(dbapi_connection: Any, _record: Any) -> None:
    if type(dbapi_connection).__module__.startswith("psycopg"):
        _opened.add(dbapi_connection)


def server_url() -> str | None:
    """The PostgreSQL server tests put their databases on, or None for SQLite."""
    url = os.environ.get(ENV, "").strip()
    return url or None


def _sibling(base: str, name: str) -> str:
    return base.rsplit("/", 1)[0] + "/" + name


def _admin(base: str) -> Engine:
    if not _admin_engine:
        _admin_engine.append(create_engine(base, isolation_level="AUTOCOMMIT"))
        atexit.register(_drop_all)
    return _admin_engine[0]


def _make(base: str) -> str:
    name = f"mailbaton_t_{os.getpid()}_{secrets.token_hex(3)}"
    with _admin(base).connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    _made.append(name)
    Database.open(_sibling(base, name)).close()
    return name


def _empty(url: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            tables = connection.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                    " AND tablename <> 'alembic_version'"
                )
            ).scalars()
            names = ", ".join(f'"{t}"' for t in tables)
            if names:
                connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    finally:
        engine.dispose()


def fresh_url() -> str | None:
    """An empty PostgreSQL database at the newest schema; None when tests use SQLite."""
    base = server_url()
    if base is None:
        return None
    name = _free.pop() if _free else _make(base)
    _taken.append(name)
    url = _sibling(base, name)
    _empty(url)
    return url


def release() -> None:
    """The test is over: its connections are closed and its databases free again."""
    if not _taken:
        return
    mine = set(_taken)
    for connection in list(_opened):
        with contextlib.suppress(Exception):
            if connection.info.dbname in mine:
                connection.close()
    _free.extend(_taken)
    _taken.clear()


def _drop_all() -> None:
    release()
    for engine in _admin_engine:
        with engine.connect() as connection:
            for name in _made:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()
