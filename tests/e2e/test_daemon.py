"""The daemon as deployed: `mailbaton run` wakes on IDLE, and stops cleanly on SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import mails
import pytest
from baton import Baton, make_baton
from servers import MailServer

pytestmark = pytest.mark.e2e


@pytest.fixture
def baton(mail_server: MailServer, tmp_path: Path) -> Iterator[Baton]:
    b = make_baton(mail_server, tmp_path)
    # A long poll interval: only IDLE can explain a quick reaction.
    b.config_path.write_text(
        b.config_path.read_text().replace(
            "timeout = 10\n", 'timeout = 10\npoll_interval = "1h"\n', 1
        )
    )
    yield b
    b.close()


def _start(baton: Baton) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "mailbaton", "-c", str(baton.config_path), "run"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _stop(process: subprocess.Popen[str], signum: int = signal.SIGTERM) -> tuple[int, str, float]:
    started = time.monotonic()
    process.send_signal(signum)
    try:
        out, _ = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        out, _ = process.communicate()
        raise AssertionError(f"daemon ignored the signal; output:\n{out}") from None
    return process.returncode, out, time.monotonic() - started


def test_daemon_wakes_on_idle_and_stops_on_sigterm(baton: Baton) -> None:
    process = _start(baton)
    try:
        time.sleep(2.5)  # first pass done, IDLE established
        delivered = time.monotonic()
        baton.server.deliver(mails.handoff())
        baton.server.wait_for("jane@example.com", 1, timeout=15)
        reaction = time.monotonic() - delivered
    finally:
        code, out, took = _stop(process)
    assert reaction < 10, f"took {reaction:.1f} s with a 1 h poll interval: IDLE did not wake it"
    assert code == 0, out
    assert took < 10, out
    assert "stopping" in out
    assert baton.folder_counts()["INBOX"] == 0
    assert [t["id"] for t in baton.cli_json("status")] == ["MB-1"]


def test_daemon_stops_on_ctrl_c(baton: Baton) -> None:
    process = _start(baton)
    time.sleep(2)
    code, out, _ = _stop(process, signal.SIGINT)
    assert code == 0, out
    assert "Traceback" not in out
