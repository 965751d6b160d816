"""`run --metrics-port`: a real daemon on mail-devel, scraped over HTTP like Prometheus does.
The figures come from the database, so work done by another process counts too."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import mails
import pytest
from baton import make_baton, parse
from prometheus_client.parser import text_string_to_metric_families
from servers import MailDevelServer

pytestmark = pytest.mark.e2e

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def scrape(port: int) -> Samples:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as answer:
        assert answer.status == 200
        assert answer.headers["Content-Type"].startswith("text/plain")
        text = answer.read().decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _until(port: int, check: Callable[[Samples], bool], what: str, timeout: float = 40) -> Samples:
    started, found = time.monotonic(), {}
    while time.monotonic() - started < timeout:
        try:
            found = scrape(port)
        except OSError:  # not listening yet
            found = {}
        if found and check(found):
            return found
        time.sleep(0.25)
    raise AssertionError(f"not within {timeout:g} s: {what}; last scrape: {found}")


def tickets(state: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    return ("mailbaton_tickets", (("state", state),))


def test_a_running_daemon_serves_metrics_from_the_database(
    sandbox_server: MailDevelServer, tmp_path: Path
) -> None:
    baton = make_baton(sandbox_server, tmp_path)
    baton.close()
    port = free_port()
    sandbox_server.deliver(mails.handoff())
    command = [sys.executable, "-m", "mailbaton", "-c", str(baton.config_path), "run"]
    daemon = subprocess.Popen(
        [*command, "--metrics-port", f"127.0.0.1:{port}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        found = _until(port, lambda f: f.get(tickets("pending")) == 1, "the handoff opened")
        assert found[("mailbaton_messages_total", (("outcome", "processed"),))] == 1
        found = _until(port, lambda f: f[("mailbaton_mails_sent_total", ())] == 2, "2 sent")
        assert found[("mailbaton_mails_waiting", ())] == 0
        assert 0 <= found[("mailbaton_last_poll_age_seconds", ())] < 60
        assert found[("mailbaton_failing", (("component", "mailbox"),))] == 0

        # Another process's work: `ingest` of a second handoff, never seen by the daemon.
        ingested = baton.cli("ingest", stdin=mails.handoff(title="Second contract"))
        assert ingested.returncode == 0, ingested.stderr
        assert scrape(port)[tickets("pending")] == 2

        (request,) = [parse(raw) for raw in sandbox_server.messages("jane@example.com")[:1]]
        sandbox_server.deliver(mails.reply(request, "GOT IT"), to="baton@example.com")
        found = _until(
            port,
            lambda f: f[("mailbaton_time_to_acknowledge_seconds_count", ())] == 1,
            "the GOT IT in the histogram",
        )
        assert found[tickets("accepted")] == 1 and found[tickets("pending")] == 1
        le_15_min = ("mailbaton_time_to_acknowledge_seconds_bucket", (("le", "900.0"),))
        assert found[le_15_min] == 1  # acknowledged within seconds
    finally:
        daemon.send_signal(signal.SIGTERM)
        out, _ = daemon.communicate(timeout=30)
    assert daemon.returncode == 0, out
    assert f"Prometheus metrics on 127.0.0.1:{port}/metrics" in out
    with pytest.raises(OSError):  # stopped with the daemon
        scrape(port)


def test_metrics_port_problems_are_usage_errors(
    sandbox_server: MailDevelServer, tmp_path: Path
) -> None:
    baton = make_baton(sandbox_server, tmp_path)
    try:
        bad = baton.cli_inline("run", "--metrics-port", "http")
        assert bad.returncode == 2 and "is not [HOST:]PORT, e.g. 9108" in bad.stderr
        once = baton.cli_inline("run", "--once", "--metrics-port", "9108")
        assert once.returncode == 2 and "--metrics-port without" in once.stderr
        with socket.create_server(("127.0.0.1", 0)) as taken:
            port = taken.getsockname()[1]
            busy = baton.cli_inline("run", "--metrics-port", f"127.0.0.1:{port}")
        assert busy.returncode == 2, busy.stderr
        assert f"cannot listen on 127.0.0.1:{port}: Address already in use" in busy.stderr
        assert "Traceback" not in busy.stderr
    finally:
        baton.close()
