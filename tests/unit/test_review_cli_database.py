"""Review fixes: a database that cannot be opened is one plain line, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailbaton.app import cli

CONFIG = """
[mailbox]
username = "baton@example.com"
password = "secret"
address = "baton@example.com"

[database]
url = "sqlite:///{path}"
"""


@pytest.mark.parametrize("command", [["status"], ["show", "MB-1"], ["ingest", "{message}"]])
def test_a_database_that_cannot_be_opened_is_named_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(CONFIG.format(path=tmp_path / "no-such-folder" / "baton.db"))
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
