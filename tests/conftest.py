"""Shared fixtures: real mail servers (mail-devel, Dovecot) and the shared corpus."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import bytecode_cache  # noqa: F401  (first: before anything imports mailbaton)
import ordering
import pytest
import testdb
from servers import DovecotServer, MailDevelServer, MailServer, find_dovecot
from sqlalchemy import create_engine, text

DOVECOT_MISSING = "dovecot not installed: apt-get install dovecot-imapd"
T = TypeVar("T")


def _start(start: Callable[[], T], attempts: int = 3) -> T:
    """Start a server, and again if that fails: under pytest-xdist two workers pick their
    ports at the same moment, and may now and then be handed the same free one."""
    for _ in range(attempts - 1):
        try:
            return start()
        except (RuntimeError, OSError):  # SandboxError is a RuntimeError
            continue
    return start()


def _skip_or_fail(reason: str) -> None:
    # In CI a missing server means the suite did not run what it claims to: fail loudly.
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this is a failure, not a skip)")
    pytest.skip(reason)


# Servers start once per session (mail-devel ~0.7 s, Dovecot ~0.1 s; under pytest-xdist
# once per worker, each on ports of its own) and are emptied before every test by the
# function-scoped fixtures below.


@pytest.fixture(scope="session")
def _mail_devel_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MailDevelServer]:
    log = tmp_path_factory.mktemp("mail-devel") / "mail-devel.log"
    server = _start(lambda: MailDevelServer.start(log_path=log))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def _dovecot_session() -> Iterator[DovecotServer]:
    binary = find_dovecot()
    if binary is None:
        _skip_or_fail(DOVECOT_MISSING)
    server = _start(lambda: DovecotServer.start(binary))
    yield server
    server.stop()


@pytest.fixture
def sandbox_server(_mail_devel_session: MailDevelServer) -> MailDevelServer:
    """mail-devel with empty mailboxes."""
    _mail_devel_session.clear()
    return _mail_devel_session


@pytest.fixture
def dovecot_server(_dovecot_session: DovecotServer) -> DovecotServer:
    """Dovecot (plus its aiosmtpd MTA) with empty mailboxes."""
    _dovecot_session.clear()
    return _dovecot_session


@pytest.fixture
def dovecot_factory() -> Iterator[Callable[..., DovecotServer]]:
    """Starts private Dovecot instances, stopped after the test.

    ``dovecot_factory(extra_conf="imap_capability = IMAP4rev1 IDLE")`` gives a server
    without MOVE and UIDPLUS; a private instance may also be ``kill()``-ed and
    ``restart()``-ed or have its maildir changed behind its back (~0.1 s to start).
    """
    binary = find_dovecot()
    if binary is None:
        _skip_or_fail(DOVECOT_MISSING)
    started: list[DovecotServer] = []

    def start(extra_conf: str = "") -> DovecotServer:
        server = _start(lambda: DovecotServer.start(binary, extra_conf=extra_conf))
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(params=["mail-devel", "dovecot"])
def mail_server(request: pytest.FixtureRequest) -> MailServer:
    """Each real server in turn, with empty mailboxes."""
    fixture = "sandbox_server" if request.param == "mail-devel" else "dovecot_server"
    server: MailServer = request.getfixturevalue(fixture)
    return server


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The shared corpus of real-world mail beside the checkout (../shared/corpus)."""
    path = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
    if not path.is_dir():
        pytest.skip(f"shared corpus not found at {path}")
    return path


POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture(autouse=True)
def _throwaway_databases() -> Iterator[None]:
    """With MAILBATON_TEST_DATABASE_URL set, the PostgreSQL databases a test took (through
    make_baton or desk_bench) are handed back when it ends (and dropped at exit)."""
    yield
    testdb.release()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh database per test on the server from MAILBATON_TEST_POSTGRES or
    MAILBATON_TEST_DATABASE_URL (or local)."""
    base = os.environ.get("MAILBATON_TEST_POSTGRES") or testdb.server_url() or POSTGRES_URL
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    name = f"mailbaton_test_{secrets.token_hex(4)}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # no server, no rights: say so
        admin.dispose()
        if os.environ.get("MAILBATON_TEST_POSTGRES") or testdb.server_url():
            pytest.fail(f"PostgreSQL at {base} unusable: {error}")
        pytest.skip(f"no PostgreSQL at {base} ({type(error).__name__})")
    yield base.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


# -- the quick loop ---------------------------------------------------------------------

E2E_DIR = Path(__file__).resolve().parent / "e2e"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything under tests/e2e is e2e, marked or not (before -m deselects); the
    long tests go first (tests/ordering.py)."""
    for item in items:
        if E2E_DIR in item.path.parents:
            item.add_marker(pytest.mark.e2e)
    ordering.long_first(items)


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """The long tests first, none queued behind another (tests/ordering.py)."""
    if config.getvalue("dist") != "loadgroup":
        return None
    return ordering.LongFirstScheduling(config, log)


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    # `-m "not e2e"` would deselect all of tests/e2e (the hook above): not importing it
    # at all saves each worker ~1.5 s of its collection.
    if collection_path == E2E_DIR and " ".join(config.option.markexpr.split()) == "not e2e":
        return True
    return None


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: two workers a core. The end-to-end tests mostly wait for the servers
    and daemons they start (a whole run on 2 workers kept 2 cores at a load near 1.5),
    so a second worker a core fills those waits."""
    return 2 * (os.cpu_count() or 1)
