"""deploy/mailbaton.service is a unit systemd accepts, and says what docs/deploy.md says."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "deploy" / "mailbaton.service"
INSTALLED = "/opt/mailbaton/.venv/bin/mailbaton"


def _service() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(UNIT)
    return parser["Service"]


def test_systemd_analyze_verify_finds_nothing_to_say(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze") or "/usr/bin/systemd-analyze"
    if not Path(analyze).exists():
        pytest.skip("systemd-analyze is not installed (it comes with systemd)")
    # verify also checks that ExecStart's program exists: point it at this install's.
    here = Path(sys.executable).parent / "mailbaton"
    if not here.exists():
        pytest.skip(f"no mailbaton script beside {sys.executable}: pip install -e . first")
    text = UNIT.read_text()
    assert INSTALLED in text
    unit = tmp_path / "mailbaton.service"
    unit.write_text(text.replace(INSTALLED, str(here)))
    done = subprocess.run(
        [analyze, "verify", str(unit)], capture_output=True, text=True, check=False, cwd=tmp_path
    )
    # verify exits 0 for unknown keys and bad values too, and only says so: no word at all.
    assert done.returncode == 0 and done.stdout + done.stderr == "", done.stdout + done.stderr


def test_the_unit_runs_the_daemon_as_its_own_user_with_secrets_from_a_file() -> None:
    service = _service()
    assert service["User"] == "mailbaton" and service["WorkingDirectory"] == "/var/lib/mailbaton"
    assert service["EnvironmentFile"] == "/etc/mailbaton/mailbaton.env"
    assert service["ExecStart"] == f"{INSTALLED} -c /etc/mailbaton/config.toml run"
    assert service["Restart"] == "on-failure"
    # Secrets only through the file: an Environment= line would put them in the unit.
    assert not any(line.startswith("Environment=") for line in UNIT.read_text().splitlines())
    deploy = (ROOT / "docs" / "deploy.md").read_text()
    for line in ("User=", "WorkingDirectory=", "EnvironmentFile=", "Restart="):
        assert line in deploy, line
