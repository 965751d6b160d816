"""Structured logs, read from the real process: one line per message handled and per mail
sent, as text by default and as one JSON object per line with `--log-format json`."""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import mails
import pytest
from baton import Baton, make_baton, parse
from servers import MailServer

pytestmark = pytest.mark.e2e

HANDLED = {"mailbox", "folder", "uid", "outcome", "ticket", "reason", "reasons"}
SENT = {"ticket", "kind", "recipients", "message_id"}
EVERY = {"time", "level", "logger", "message"}


@pytest.fixture
def baton(mail_server: MailServer, tmp_path: Path) -> Iterator[Baton]:
    made = make_baton(mail_server, tmp_path)
    yield made
    made.close()


def _json_lines(stderr: str) -> list[dict[str, Any]]:
    """Every line must be one JSON object: a log shipper reads line by line."""
    found = []
    for line in stderr.splitlines():
        parsed = json.loads(line)
        assert isinstance(parsed, dict) and set(parsed) >= EVERY, line
        found.append(parsed)
    return found


def _events(lines: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [line for line in lines if line.get("event") == name]


def test_run_once_logs_each_message_and_each_mail_as_json(baton: Baton) -> None:
    baton.server.deliver(mails.handoff())
    baton.server.deliver(mails.handoff(catcher=None, attached="no", title="Broken"))
    done = baton.cli("-v", "--log-format", "json", "run", "--once")
    assert done.returncode == 0, done.stderr
    lines = _json_lines(done.stderr)  # -v: the libraries' debug lines are JSON too
    assert any(line["level"] == "debug" for line in lines)

    handled = _events(lines, "message_handled")
    assert [set(line) - EVERY for line in handled] == [HANDLED | {"event"}] * 2
    opened, rejected = sorted(handled, key=lambda line: line["outcome"])
    assert opened["outcome"] == "processed" and opened["ticket"] == "MB-1"
    assert opened["reasons"] == [] and opened["reason"] == "opened MB-1 for jane@example.com"
    assert rejected["outcome"] == "rejected" and rejected["ticket"] == "MB-R1"
    assert rejected["reasons"] == ["no_catcher", "attached_no"]
    assert {line["folder"] for line in handled} == {"INBOX"}
    assert all(isinstance(line["uid"], int) for line in handled)
    assert opened["uid"] != rejected["uid"]

    sent = _events(lines, "mail_sent")
    assert [set(line) - EVERY for line in sent] == [SENT | {"event"}] * 3
    by_kind = {line["kind"]: line for line in sent}
    assert set(by_kind) == {"request", "receipt", "rejection"}
    assert by_kind["request"]["ticket"] == "MB-1"
    assert by_kind["request"]["recipients"] == ["jane@example.com"]
    assert by_kind["rejection"]["ticket"] == "MB-R1"
    (request,) = [parse(raw) for raw in baton.server.wait_for("jane@example.com", 1)]
    assert by_kind["request"]["message_id"] == request["Message-ID"].strip("<>")
    assert baton.server.password not in done.stderr


def test_the_text_log_says_the_same_in_words(baton: Baton) -> None:
    baton.server.deliver(mails.handoff())
    done = baton.cli("run", "--once")
    assert done.returncode == 0, done.stderr
    assert not done.stderr.lstrip().startswith("{")
    handled = [line for line in done.stderr.splitlines() if " message INBOX/" in line]
    assert len(handled) == 1
    assert handled[0].endswith(": processed (opened MB-1 for jane@example.com)")
    sent = [line for line in done.stderr.splitlines() if ": sent request for MB-1 to " in line]
    assert len(sent) == 1
    assert re.search(r": sent request for MB-1 to jane@example\.com \([^ ]+@[^ ]+\)$", sent[0])


def test_the_daemon_logs_json_as_it_works_and_stops(baton: Baton) -> None:
    daemon = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mailbaton",
            "-c",
            str(baton.config_path),
            "--log-format",
            "json",
            "run",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        baton.server.deliver(mails.handoff())
        baton.server.wait_for("jane@example.com", 1, timeout=30)
    finally:
        daemon.send_signal(signal.SIGTERM)
        try:
            _, err = daemon.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            daemon.kill()
            _, err = daemon.communicate()
    assert daemon.returncode == 0, err
    lines = _json_lines(err)
    (handled,) = _events(lines, "message_handled")
    assert handled["outcome"] == "processed" and handled["ticket"] == "MB-1"
    assert sorted(line["kind"] for line in _events(lines, "mail_sent")) == ["receipt", "request"]
    assert lines[-1]["message"] == "stopped"


def test_a_bad_log_format_is_a_usage_error() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mailbaton", "--log-format", "xml", "status"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2 and "invalid choice: 'xml'" in done.stderr


def test_the_documented_sqlite_backup_is_whole_while_the_daemon_runs(
    baton: Baton, tmp_path: Path
) -> None:
    sqlite3 = shutil.which("sqlite3")
    if sqlite3 is None:
        pytest.skip("the sqlite3 tool is not installed (docs/deploy.md gives a Python line)")
    daemon = subprocess.Popen(
        [sys.executable, "-m", "mailbaton", "-c", str(baton.config_path), "run"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    copy = tmp_path / "backup" / "mailbaton.db"
    copy.parent.mkdir()
    try:
        baton.server.deliver(mails.handoff())
        baton.server.wait_for("jane@example.com", 1, timeout=30)
        database = tmp_path / "mailbaton.db"
        # docs/deploy.md's line, while the daemon holds the database open.
        backup = subprocess.run(
            [sqlite3, str(database), f".backup '{copy}'"], capture_output=True, text=True
        )
        assert backup.returncode == 0, backup.stderr
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.communicate(timeout=30)
    config = copy.parent / "config.toml"
    config.write_text(
        baton.config_path.read_text().replace(str(tmp_path / "mailbaton.db"), str(copy))
    )
    shown = subprocess.run(
        [sys.executable, "-m", "mailbaton", "-c", str(config), "show", "MB-1", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["catcher"] == "jane@example.com"
