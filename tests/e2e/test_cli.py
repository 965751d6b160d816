"""The command line as an admin uses it, against real servers: run, ingest, check, status."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import mails
import pytest
from baton import ROOT, Baton, make_baton
from servers import MailServer

pytestmark = pytest.mark.e2e


@pytest.fixture
def baton(sandbox_server: MailServer, tmp_path: Path) -> Iterator[Baton]:
    b = make_baton(sandbox_server, tmp_path)
    yield b
    b.close()


def test_run_once_with_now_opens_the_ticket_at_that_time(baton: Baton) -> None:
    baton.server.deliver(mails.handoff())
    done = baton.cli("run", "--once", "--now", "2026-11-23T10:00:00Z")

    assert done.returncode == 0, done.stderr
    assert "1 processed" in done.stdout and "opened MB-1" in done.stdout
    ticket = baton.cli_json("show", "MB-1")
    assert ticket["created_at"] == "2026-11-23T10:00:00Z"
    assert ticket["deadline"] == "2026-11-23T14:00:00Z"
    for key in (
        "id",
        "state",
        "title",
        "thrower",
        "catcher",
        "owner",
        "created_at",
        "deadline",
        "accepted_at",
        "refusal_reason",
        "escalations",
        "events",
    ):
        assert key in ticket
    assert all(set(e) == {"at", "kind", "detail"} for e in ticket["events"])

    (listed,) = baton.cli_json("status")
    assert "events" not in listed and listed["id"] == "MB-1"
    table = baton.cli_inline("status").stdout
    assert "MB-1" in table and "alice@example.com -> jane@example.com" in table


def test_ingest_reads_stdin_or_a_file_and_sends_at_once(baton: Baton, tmp_path: Path) -> None:
    done = baton.cli("ingest", stdin=mails.handoff())
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("processed: opened MB-1 for jane@example.com")
    assert len(baton.server.wait_for("jane@example.com", 1)) == 1

    bad = tmp_path / "bad.eml"
    bad.write_bytes(mails.handoff(catcher=None))
    done = baton.cli_inline("ingest", str(bad))
    assert done.returncode == 0 and done.stdout.startswith("rejected:")
    assert len(baton.server.wait_for("alice@example.com", 2)) == 2  # receipt + rejection

    missing = baton.cli_inline("ingest", str(tmp_path / "nope.eml"))
    assert missing.returncode == 1 and "cannot read" in missing.stderr


def test_check_logs_in_and_reports_each_failure(baton: Baton, tmp_path: Path) -> None:
    done = baton.cli("check")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "IMAP" in done.stdout and "SMTP" in done.stdout and "templates: ok" in done.stdout

    broken = tmp_path / "broken.toml"
    broken.write_text(
        baton.config_path.read_text().replace(f"port = {baton.server.imap_port}", "port = 1", 1)
    )
    done = subprocess.run(
        [sys.executable, "-m", "mailbaton", "-c", str(broken), "check"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert "IMAP: FAILED" in done.stdout and "SMTP 127.0.0.1" in done.stdout


def test_a_bad_config_is_refused_with_one_line_per_problem(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[mailbox]\nhots = "x"\nport = "imap"\n[smtp]\nsecurity = "tls"\n')
    done = subprocess.run(
        [sys.executable, "-m", "mailbaton", "-c", str(config), "status"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert any("mailbox.hots" in line and "did you mean 'host'" in line for line in lines)
    assert any(line.strip().startswith("mailbox.port:") for line in lines)
    assert any(line.strip().startswith("smtp.security:") for line in lines)
    assert any(line.strip().startswith("mailbox.username:") for line in lines)


def test_usage_errors_exit_2_and_unknown_tickets_exit_1(baton: Baton) -> None:
    assert baton.cli("frobnicate").returncode == 2
    assert baton.cli_inline("run", "--now", "2026-11-23T10:00:00Z").returncode == 2
    done = baton.cli_inline("show", "MB-99")
    assert done.returncode == 1 and "no ticket MB-99" in done.stderr


def test_templates_commands(baton: Baton, tmp_path: Path) -> None:
    listed = baton.cli_inline("templates", "list").stdout.split()
    assert {"rejection", "receipt", "request"} <= set(listed)
    assert baton.cli_inline("templates", "check").returncode == 0
    preview = baton.cli_inline("templates", "preview", "request")
    assert preview.returncode == 0 and preview.stdout.startswith("Subject: [MB-42]")

    broken_dir = tmp_path / "templates"
    broken_dir.mkdir()
    for path in (ROOT / "mailbaton" / "templates").glob("*.txt"):
        (broken_dir / path.name).write_text(path.read_text())
    (broken_dir / "receipt.txt").write_text("Subject: {{ ticket.nope }}\n\nbody\n")
    config = tmp_path / "config.toml"
    config.write_text(
        baton.config_path.read_text().replace(
            (ROOT / "mailbaton" / "templates").as_posix(), broken_dir.as_posix()
        )
    )
    done = subprocess.run(
        [sys.executable, "-m", "mailbaton", "-c", str(config), "templates", "check"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1 and "receipt.txt" in done.stdout and "nope" in done.stdout


def test_demo_walkthrough_runs_from_nothing(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mailbaton", "demo", "--no-wait", "--dir", str(tmp_path / "d")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "rejected: catcher_role, no_attachment" in out
    assert "opened MB-1 for jane@example.com" in out
    assert "Files:   acme-contract.pdf" in out
    assert "waiting for Jane Doe to reply GOT IT. Until then it is still yours." in out
    assert "MB-1 accepted by jane@example.com" in out
    assert "accepted MB-1 after" in out
    assert "escalated 1" in out
    assert "Warning: MB-2 Globex renewal - signed order form is stuck in limbo between Sales" in out
