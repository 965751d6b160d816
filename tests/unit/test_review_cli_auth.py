"""Review fixes: `auth` where every mailbox signs in with a password."""

from __future__ import annotations

from pathlib import Path

import pytest
from small_config import small_config

from mailbaton.app import cli


def run(tmp_path: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    config = tmp_path / "config.toml"
    config.write_text(small_config(tmp_path / "baton.db", smtp='password = "smtp-secret"'))
    code = cli.main(["-c", str(config), "auth", *args])
    out, err = capsys.readouterr()
    assert "secret" not in out + err
    return code, out, err


def test_status_without_oauth2_says_there_is_no_token(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # It printed "[oauth2] names no provider" and exit 1, as if passwords were a fault.
    code, out, err = run(tmp_path, capsys, "status")
    assert code == cli.EXIT_OK
    assert err == ""
    assert out == (
        'no mailbox or SMTP server signs in with OAuth2 (auth = "password" everywhere), '
        "so there is no token\n"
    )


def test_login_without_oauth2_is_an_error_on_stderr_saying_what_to_configure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(tmp_path, capsys, "login")
    assert code == cli.EXIT_ERROR
    assert out == ""
    (line,) = err.splitlines()
    assert line.startswith("mailbaton: no mailbox or SMTP server signs in with OAuth2")
    assert 'auth = "oauth2"' in line and "[oauth2] with a provider" in line


def test_login_without_a_token_cache_is_an_error_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        small_config(tmp_path / "baton.db", smtp='password = "smtp-secret"')
        + '\n[oauth2]\nprovider = "command"\ncommand = "get-token"\n'
    )
    code = cli.main(["-c", str(config), "auth", "login"])
    out, err = capsys.readouterr()
    assert code == cli.EXIT_ERROR
    assert out == ""
    assert err.startswith("mailbaton: [oauth2] has no token_cache")
