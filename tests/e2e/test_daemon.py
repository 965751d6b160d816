"""The daemon as deployed: `mailbaton run` wakes on IDLE, and stops cleanly on SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import mails
import pytest
from baton import Baton, make_baton, start_daemon, wait_for_first_passes
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


def _start(baton: Baton) -> tuple[subprocess.Popen[bytes], Path]:
    """The daemon, once its first pass is done (and so its IDLE watcher started)."""
    log = baton.config_path.with_name("daemon.log")
    process = start_daemon(baton.config_path, log)
    wait_for_first_passes([log], [process])
    return process, log


def _stop(
    process: subprocess.Popen[bytes], log: Path, signum: int = signal.SIGTERM
) -> tuple[int, str, float]:
    started = time.monotonic()
    process.send_signal(signum)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise AssertionError(f"daemon ignored the signal; output:\n{log.read_text()}") from None
    return process.returncode, log.read_text(), time.monotonic() - started


def test_daemon_wakes_on_idle_and_stops_on_sigterm(baton: Baton) -> None:
    process, log = _start(baton)
    try:
        delivered = time.monotonic()
        baton.server.deliver(mails.handoff())
        # Only IDLE can wake it before the hour is up (nothing else is due: its news, or on
        # mail-devel its 10 s renewal, baton.IDLE_RENEW); a minute allows
        # for a loaded machine (a fresh daemon's first mail compiles its templates and
        # regexes), and how fast IDLE reacts is measured by the bench, not here.
        try:
            baton.server.wait_for("jane@example.com", 1, timeout=60)
        except AssertionError as error:
            raise AssertionError(f"{error}\ndaemon log:\n{log.read_text()}") from None
        reaction = time.monotonic() - delivered
    finally:
        code, out, took = _stop(process, log)
    assert reaction < 60, f"took {reaction:.1f} s with a 1 h poll interval: IDLE did not wake it"
    assert code == 0, out
    assert took < 10, out
    assert "stopping" in out
    assert baton.folder_counts()["INBOX"] == 0
    assert [t["id"] for t in baton.cli_json("status")] == ["MB-1"]


def test_daemon_stops_on_ctrl_c(baton: Baton) -> None:
    process, log = _start(baton)
    code, out, _ = _stop(process, log, signal.SIGINT)
    assert code == 0, out
    assert "Traceback" not in out
