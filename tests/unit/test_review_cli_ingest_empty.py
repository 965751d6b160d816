"""Review fix: `ingest` with nothing to read is an error, and nothing is recorded."""

from __future__ import annotations

import io
import sqlite3
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from small_config import small_config

from mailbaton.app import cli


def recorded(database: Path) -> list[int]:
    with sqlite3.connect(database) as connection:
        return [
            connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("inbound", "tickets", "outbox", "events")
        ]


@pytest.mark.parametrize("given", [b"", b"\r\n \n"])
def test_empty_standard_input_is_an_error(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    given: bytes,
) -> None:
    # It said "ignored: ... From line is empty" and exit 0, as if a message had come.
    database = tmp_path / "baton.db"
    config = tmp_path / "config.toml"
    config.write_text(small_config(database, smtp="port = 1"))
    monkeypatch.setattr(sys, "stdin", SimpleNamespace(buffer=io.BytesIO(given)))
    code = cli.main(["-c", str(config), "ingest"])
    out, err = capsys.readouterr()
    assert code == cli.EXIT_ERROR
    assert out == ""
    assert err == "mailbaton: nothing to read: standard input is empty\n"
    assert recorded(database) == [0, 0, 0, 0]


def test_an_empty_file_is_an_error_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "baton.db"
    config = tmp_path / "config.toml"
    config.write_text(small_config(database, smtp="port = 1"))
    message = tmp_path / "message.eml"
    message.write_bytes(b"")
    code = cli.main(["-c", str(config), "ingest", str(message)])
    out, err = capsys.readouterr()
    assert code == cli.EXIT_ERROR
    assert out == ""
    assert err == f"mailbaton: nothing to read: {message} is empty\n"
    assert recorded(database) == [0, 0, 0, 0]
