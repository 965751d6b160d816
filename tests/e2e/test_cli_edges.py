"""The CLI's edges as a new admin meets them: ticket names typed loosely, escalated tickets in
`status`, readable times in `show`, the rejection line, output piped into `head`."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import mails
import pytest
from baton import Baton, make_baton
from servers import MailServer

from mailbaton.clock import utcnow
from mailbaton.store.models import Ticket

pytestmark = pytest.mark.e2e

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@pytest.fixture
def baton(sandbox_server: MailServer, tmp_path: Path) -> Iterator[Baton]:
    b = make_baton(sandbox_server, tmp_path, escalation='timezone = "Europe/Berlin"')
    yield b
    b.close()


def test_show_takes_a_bare_number_or_lower_case_and_suggests_the_name(baton: Baton) -> None:
    baton.server.deliver(mails.handoff())
    baton.server.deliver(mails.handoff(catcher=None, title="No catcher"))
    baton.run_pass(T0)

    for typed in ("1", "mb-1", " MB-1 "):
        done = baton.cli_inline("show", typed)
        assert done.returncode == 0, (typed, done.stderr)
        assert done.stdout.startswith("MB-1  Acme Corp"), typed
    assert baton.cli_inline("show", "r1").stdout.startswith("MB-R1  No catcher")
    assert baton.cli_json("show", "1")["id"] == "MB-1"

    done = baton.cli_inline("show", "MB1")
    assert done.returncode == 1
    assert done.stderr.strip() == "mailbaton: no ticket MB1; did you mean MB-1 or MB-R1?"
    done = baton.cli_inline("show", "MB-99")
    assert done.returncode == 1 and done.stderr.strip() == "mailbaton: no ticket MB-99"


def test_status_and_show_say_escalated_instead_of_a_deadline_still_ahead(baton: Baton) -> None:
    # Escalated by a pass acting 5 h ahead (run --once --now): by the wall clock the
    # deadline is still 4 h away, and "in 3 h 59 min" would read as time left.
    start = utcnow()
    baton.server.deliver(mails.handoff())
    baton.run_pass(start)
    assert _deadline_cell(baton.cli_inline("status").stdout).startswith("in 3 h")
    baton.run_pass(start + timedelta(hours=5))

    assert baton.cli_json("status")[0]["escalations"] == 1
    assert _deadline_cell(baton.cli_inline("status").stdout) == "escalated"
    deadline = next(
        line for line in baton.cli_inline("show", "MB-1").stdout.splitlines() if "deadline:" in line
    )
    assert deadline.endswith("(escalated)"), deadline


def _deadline_cell(table: str) -> str:
    # The ticket table follows whatever `status` says first (the service's health).
    lines = table.splitlines()
    at = next(n for n, line in enumerate(lines) if line.startswith("ID "))
    header, row = lines[at], lines[at + 1]
    start, end = header.index("DEADLINE"), header.index("ESC")
    return row[start:end].strip()


def test_show_prints_office_times_to_the_minute_and_json_keeps_utc(baton: Baton) -> None:
    baton.server.deliver(mails.handoff())
    baton.run_pass(T0)

    text = baton.cli_inline("show", "MB-1").stdout
    assert "created:   2026-11-23 11:00 CET (" in text  # 10:00 UTC in Berlin
    assert "deadline:  2026-11-23 15:00 CET (" in text
    assert "timeline (Europe/Berlin):" in text
    assert "    2026-11-23 11:00:00  received: handoff from alice@example.com" in text
    assert not re.search(r"\d{2}:\d{2}:\d{2}\.\d{6}", text)  # no microseconds
    assert "T10:00" not in text and "+00:00" not in text

    shown = baton.cli_json("show", "MB-1")
    assert shown["created_at"] == "2026-11-23T10:00:00Z"
    assert shown["deadline"] == "2026-11-23T14:00:00Z"
    assert all(event["at"].endswith("Z") for event in shown["events"])


def test_a_rejection_is_said_once_in_run_once_output(baton: Baton) -> None:
    baton.server.deliver(mails.handoff(catcher=None, attached="no"))
    done = baton.cli_inline("run", "--once", "--now", "2026-11-23T10:00:00Z")
    assert done.returncode == 0, done.stderr
    assert "  rejected: no_catcher, attached_no" in done.stdout.splitlines()
    assert "rejected: rejected" not in done.stdout


def test_run_help_says_now_acts_for_real_and_dry_run_only_looks(baton: Baton) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mailbaton", "run", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0
    text = " ".join(done.stdout.split())
    assert "for real" in text and "--dry-run" in text


def test_status_piped_into_head_ends_quietly(baton: Baton) -> None:
    # Enough rows that the output outgrows the pipe's buffer: the write after `head`
    # has left is what raises BrokenPipeError.
    with baton.service.db.transaction() as session:
        session.add_all(
            Ticket(
                ref=f"MB-{n}",
                state="pending",
                title=f"Ticket number {n} with a long enough title to fill the table",
                thrower="alice@example.com",
                catcher="jane@example.com",
                created_at=T0,
                deadline=T0 + timedelta(hours=4),
            )
            for n in range(1, 3001)
        )
    command = [sys.executable, "-m", "mailbaton", "-c", str(baton.config_path)]
    for args in (["status"], ["status", "--json"]):
        producer = subprocess.Popen(
            [*command, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        assert producer.stdout is not None
        head = subprocess.run(
            ["head", "-1"], stdin=producer.stdout, capture_output=True, check=False
        )
        producer.stdout.close()
        _, err = producer.communicate(timeout=60)
        assert head.stdout.strip(), "head read nothing"
        assert producer.returncode == 0, err.decode()
        assert err.decode() == "", err.decode()
