"""`mailbaton check` as a checklist against real servers: every item ok on mail-devel and
Dovecot, and each kind of failure named with its likely fix."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from baton import Baton, make_baton
from servers import DovecotServer, MailServer

from mailbaton.app.sandbox import free_port
from mailbaton.store.db import MIGRATIONS, make_engine

pytestmark = pytest.mark.e2e

OUTCOME_FOLDERS = "mailbaton/processed, mailbaton/rejected, mailbaton/ignored, mailbaton/failed"
HEAD = sorted(p.name[:4] for p in (MIGRATIONS / "versions").glob("[0-9]*.py"))[-1]


@pytest.fixture
def baton(mail_server: MailServer, tmp_path: Path) -> Iterator[Baton]:
    made = make_baton(mail_server, tmp_path)
    yield made
    made.close()


def _edit(baton: Baton, old: str, new: str) -> None:
    text = baton.config_path.read_text()
    assert old in text, old
    baton.config_path.write_text(text.replace(old, new, 1))


def _check(baton: Baton) -> tuple[int, list[str]]:
    done = baton.cli_inline("check")
    assert "Traceback" not in done.stdout + done.stderr
    return done.returncode, done.stdout.splitlines()


def test_every_item_is_ok_and_the_outcome_folders_are_made(baton: Baton) -> None:
    server = baton.server
    server.deliver(b"From: alice@example.com\r\nSubject: hello\r\n\r\nhi\r\n")
    code, lines = _check(baton)
    assert code == 0, "\n".join(lines)
    assert lines[0] == f"config {baton.config_path}: ok"
    assert f"IMAP {server.host}:{server.imap_port} ok: logged in as baton@example.com (no TLS)" in (
        lines
    )
    assert "IMAP IDLE: ok: new mail is seen at once" in lines
    assert "IMAP folder INBOX: ok: 1 message(s) waiting" in lines
    assert f"IMAP outcome folders: ok: created {OUTCOME_FOLDERS}" in lines
    assert f"SMTP {server.host}:{server.smtp_port} ok (no TLS, no login)" in lines
    assert any(line.endswith(f": ok: schema up to date ({HEAD})") for line in lines), lines
    assert "templates: ok (shipped defaults)" in lines
    assert lines[-1] == "all ok"
    assert set(OUTCOME_FOLDERS.split(", ")) <= set(server.folders("baton@example.com"))

    _, again = _check(baton)
    assert f"IMAP outcome folders: ok: {OUTCOME_FOLDERS} already there" in again


def test_missing_capabilities_are_said_with_what_the_service_does_instead(
    dovecot_factory: Callable[..., DovecotServer], tmp_path: Path
) -> None:
    server = dovecot_factory(extra_conf="imap_capability = IMAP4rev1")
    baton = make_baton(server, tmp_path)
    try:
        code, lines = _check(baton)
    finally:
        baton.close()
    assert code == 0, "\n".join(lines)
    assert "IMAP IDLE: not offered: new mail is found by polling every 60 s" in lines
    assert (
        "IMAP MOVE: not offered: messages are filed by COPY, \\Deleted and UID EXPUNGE instead"
    ) in lines
    uidplus = next(line for line in lines if line.startswith("IMAP UIDPLUS"))
    assert uidplus.startswith("IMAP UIDPLUS: not offered: filed messages stay in the folder")


@pytest.fixture
def dovecot_baton(dovecot_server: DovecotServer, tmp_path: Path) -> Iterator[Baton]:
    made = make_baton(dovecot_server, tmp_path)
    yield made
    made.close()


def test_a_wrong_password_is_named_for_imap_and_smtp(dovecot_baton: Baton) -> None:
    baton = dovecot_baton
    _edit(baton, f'password = "{baton.server.password}"', 'password = "not-the-password"')
    _edit(
        baton,
        "timeout = 10\n\n[database]",
        'timeout = 10\nusername = "baton@example.com"\npassword = "wrong"\n\n[database]',
    )
    code, lines = _check(baton)
    assert code == 1
    imap = lines.index(next(line for line in lines if line.startswith("IMAP: FAILED: ")))
    assert lines[imap + 1].startswith(
        "  likely fix: wrong password? check [mailbox] username and password, or password_env"
    )
    assert lines[imap + 2] == "IMAP capabilities and folders: not checked (no login)"
    smtp = lines.index(next(line for line in lines if line.startswith("SMTP: FAILED: ")))
    assert "535" in lines[smtp]
    assert lines[smtp + 1].startswith("  likely fix: wrong password? check [smtp] username")
    assert lines[-1] == "2 problem(s): see FAILED above"
    assert "not-the-password" not in "\n".join(lines)


def test_a_closed_port_a_missing_folder_and_a_dead_database_are_each_named(
    dovecot_baton: Baton,
) -> None:
    baton = dovecot_baton
    closed = free_port()
    _edit(baton, f"port = {baton.server.smtp_port}", f"port = {closed}")
    _edit(baton, 'address = "baton@example.com"', 'address = "baton@example.com"\nfolder = "Nope"')
    _edit(
        baton,
        'url = "sqlite:',
        f'url = "postgresql+psycopg://mailbaton:pw@127.0.0.1:{free_port()}/x"\n# "sqlite:',
    )
    code, lines = _check(baton)
    assert code == 1
    text = "\n".join(lines)
    assert f"SMTP: FAILED: cannot connect to SMTP 127.0.0.1:{closed}" in text
    assert (
        "  likely fix: connection refused: is [smtp] host/port right, and is the server running?"
    ) in lines
    folder = next(line for line in lines if line.startswith("IMAP folder Nope"))
    assert folder.startswith("IMAP folder Nope: FAILED: cannot open folder 'Nope'")
    assert "  likely fix: does the folder exist for baton@example.com?" in text
    database = next(line for line in lines if line.startswith("database "))
    assert database.startswith("database postgresql+psycopg://mailbaton:***@127.0.0.1:")
    assert ": FAILED: " in database and ":pw@" not in text
    assert "  likely fix: is the database server running" in text
    assert lines[-1] == "3 problem(s): see FAILED above"


def test_a_database_behind_on_migrations_is_told_what_the_next_start_runs(
    dovecot_baton: Baton, tmp_path: Path
) -> None:
    from alembic import command
    from alembic.config import Config

    old = tmp_path / "old.db"
    engine = make_engine(f"sqlite:///{old}")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0003")
    engine.dispose()
    _edit(dovecot_baton, 'url = "sqlite:', f'url = "sqlite:///{old}"\n# "sqlite:')
    code, lines = _check(dovecot_baton)
    assert code == 0, "\n".join(lines)
    database = next(line for line in lines if line.startswith("database "))
    later = [f"{n:04d}" for n in range(4, int(HEAD) + 1)]
    assert database == (
        f"database sqlite:///{old}: ok: schema at 0003; the next start runs "
        f"{len(later)} migration(s) ({', '.join(later)})"
    )

    _edit(dovecot_baton, f"sqlite:///{old}", f"sqlite:///{tmp_path / 'new.db'}")
    _, lines = _check(dovecot_baton)
    assert any(line.endswith(": ok: not there yet; made at the first start") for line in lines)
    assert not (tmp_path / "new.db").exists()  # check creates nothing


def test_broken_templates_are_listed(dovecot_baton: Baton, tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "receipt.txt").write_text("Subject: {{ ticket.nosuch.deeper }}\n\nhi\n")
    _edit(dovecot_baton, 'dir = "', f'dir = "{mine}"\n# dir = "')
    code, lines = _check(dovecot_baton)
    assert code == 1
    at = lines.index("templates: FAILED")
    assert lines[at + 1].startswith("  ") and "receipt" in lines[at + 1]


@pytest.mark.parametrize(
    ("security", "fix"),
    [
        ("ssl", 'TLS did not start: is this port for security = "ssl"? try "starttls"'),
        ("starttls", 'the server offers no STARTTLS on this port: use security = "ssl"'),
    ],
)
def test_tls_that_does_not_fit_the_port_is_named_with_the_other_setting(
    sandbox_server: MailServer, tmp_path: Path, security: str, fix: str
) -> None:
    baton = make_baton(sandbox_server, tmp_path)  # mail-devel: plain ports, no STARTTLS
    try:
        text = baton.config_path.read_text()
        baton.config_path.write_text(text.replace('security = "none"', f'security = "{security}"'))
        code, lines = _check(baton)
    finally:
        baton.close()
    assert code == 1
    for server in ("IMAP", "SMTP"):
        at = lines.index(next(line for line in lines if line.startswith(f"{server}: FAILED: ")))
        assert lines[at + 1].startswith(f"  likely fix: {fix}"), lines[at + 1]
