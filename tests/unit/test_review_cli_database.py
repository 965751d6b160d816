"""Review fixes: a database that cannot be opened is one plain line, never a traceback."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import mails
import pytest
from small_config import small_config

from mailbaton.app import cli


@pytest.mark.parametrize("command", [["status"], ["show", "MB-1"], ["ingest", "{message}"]])
def test_a_database_that_cannot_be_opened_is_named_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(small_config(tmp_path / "no-such-folder" / "baton.db"))
    message = tmp_path / "message.eml"
    message.write_bytes(b"From: alice@example.com\r\nSubject: hi\r\n\r\nhello\r\n")
    args = [part.format(message=message) for part in command]
    code = cli.main(["-c", str(config), *args])
    out, err = capsys.readouterr()
    # An MTA piping into `ingest` must keep the mail and retry (EX_TEMPFAIL), not bounce it.
    assert code == (cli.EXIT_TEMPFAIL if command[0] == "ingest" else cli.EXIT_ERROR)
    assert "Traceback" not in out + err
    assert err.splitlines()[-1] == (
        "mailbaton: the database cannot be used: unable to open database file"
    )


@pytest.mark.parametrize("command", [["status"], ["run", "--once"], ["ingest", "{message}"]])
def test_a_database_from_a_newer_version_is_named_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    # An admin who rolls back an upgrade: alembic's "Can't locate revision" came with a
    # traceback, and nothing said which version to run.
    database = tmp_path / "baton.db"
    config = tmp_path / "config.toml"
    config.write_text(small_config(database))
    assert cli.main(["-c", str(config), "status"]) == cli.EXIT_OK
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    capsys.readouterr()
    message = tmp_path / "message.eml"
    message.write_bytes(b"From: alice@example.com\r\nSubject: hi\r\n\r\nhello\r\n")
    code = cli.main(["-c", str(config), *[part.format(message=message) for part in command]])
    out, err = capsys.readouterr()
    assert code == (cli.EXIT_TEMPFAIL if command[0] == "ingest" else cli.EXIT_ERROR)
    assert "Traceback" not in out + err
    line = err.splitlines()[-1]
    assert line.startswith("mailbaton: the database cannot be used: its schema is at ")
    assert "9999_from_the_future" in line and "newer mailbaton" in line


def test_a_message_ingest_cannot_process_is_left_with_the_mta_and_taken_on_retry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A pipe has no mailbaton/failed folder: exiting 1 made the MTA bounce the message,
    # our error text included, and nothing of it stayed for an admin.
    from mailbaton import classify

    config = tmp_path / "config.toml"
    config.write_text(small_config(tmp_path / "baton.db"))
    message = tmp_path / "message.eml"
    message.write_bytes(mails.handoff())

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("a bug")

    with monkeypatch.context() as patch:
        patch.setattr(classify, "decide", broken)
        code = cli.main(["-c", str(config), "ingest", str(message)])
    out, err = capsys.readouterr()
    assert code == cli.EXIT_TEMPFAIL
    assert out.startswith("failed: could not be processed")
    assert "the MTA keeps the message" in err

    assert cli.main(["-c", str(config), "ingest", str(message)]) == cli.EXIT_OK
    assert capsys.readouterr().out.startswith("processed")
    assert cli.main(["-c", str(config), "status", "--json"]) == cli.EXIT_OK
    assert '"id": "MB-1"' in capsys.readouterr().out
