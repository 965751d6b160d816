"""Review fixes: a config file that cannot be read is one plain problem, never a traceback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mailbaton.app import cli


def run(capsys: pytest.CaptureFixture[str], config: str) -> tuple[int, str, str]:
    code = cli.main(["-c", config, "status"])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_directory_is_named_as_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, str(tmp_path))
    assert code == cli.EXIT_ERROR
    assert "Traceback" not in out + err and out == ""
    assert err.splitlines()[-1] == (
        f"  {tmp_path}: is a directory, not a file; pass -c PATH naming the config file in it"
    )


def test_an_empty_path_names_no_file(capsys: pytest.CaptureFixture[str]) -> None:
    # Path("") is ".", which opened as a directory with a traceback.
    code, out, err = run(capsys, "")
    assert code == cli.EXIT_ERROR
    assert "Traceback" not in out + err and out == ""
    assert err.splitlines() == [
        "mailbaton: the config cannot be used (''):",
        "  -c '' names no file; pass -c PATH, the config file to use",
    ]


def test_bytes_that_are_not_utf8_are_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "bin.toml"
    config.write_bytes(b"\xff\xfe[mailbox]\n")
    code, out, err = run(capsys, str(config))
    assert code == cli.EXIT_ERROR
    assert "Traceback" not in out + err and out == ""
    line = err.splitlines()[-1]
    assert line.startswith(f"  {config}: not UTF-8 text (byte 0 is 0xff)")
    assert "save it as UTF-8" in line


@pytest.mark.parametrize(
    ("error", "said"),
    [
        (PermissionError(13, "Permission denied"), "cannot be read (permission denied)"),
        (OSError(5, "Input/output error"), "cannot be read: Input/output error"),
    ],
)
def test_a_file_that_cannot_be_opened_is_named(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    error: OSError,
    said: str,
) -> None:
    # Tests run as root here, where chmod 000 does not stop a read: the open fails instead.
    config = tmp_path / "config.toml"
    config.write_text("[mailbox]\n")

    opener = Path.open

    def refuse(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self == config:
            raise error
        return opener(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refuse)
    code, out, err = run(capsys, str(config))
    assert code == cli.EXIT_ERROR
    assert "Traceback" not in out + err and out == ""
    assert err.splitlines()[-1].startswith(f"  {config}: {said}")
