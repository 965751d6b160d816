"""SPEC section 9's smaller commands: --version and templates send-test, on real servers."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import mails
import pytest
from baton import Baton, make_baton, parse
from servers import MailServer

pytestmark = pytest.mark.e2e


@pytest.fixture
def baton(mail_server: MailServer, tmp_path: Path) -> Iterator[Baton]:
    made = make_baton(mail_server, tmp_path)
    yield made
    made.close()


def test_version_names_the_installed_version() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mailbaton", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("mailbaton 0."), done.stdout


def test_send_test_delivers_one_rendered_mail_and_touches_no_ticket(baton: Baton) -> None:
    done = baton.cli_inline("templates", "send-test", "request", "--to", "jane@example.com")
    assert done.returncode == 0, done.stderr
    assert "sent request to jane@example.com" in done.stdout
    (raw,) = baton.server.wait_for("jane@example.com", 1)
    mail = parse(raw)
    assert str(mail["Subject"]).startswith("[MB-0] ")  # no ticket is ever number 0
    assert mail["Auto-Submitted"] == "auto-generated"
    assert {part.get_content_type() for part in mail.walk()} >= {"text/plain", "text/html"}
    assert baton.cli_json("status", "--all") == []  # a test mail is no ticket


@pytest.mark.parametrize(
    ("args", "says", "code"),
    [
        (["nosuch", "--to", "jane@example.com"], "no template 'nosuch'; the templates are: ", 2),
        (["request", "--to", "jane"], "--to 'jane' is not an address", 1),
    ],
)
def test_send_test_refuses_clearly(baton: Baton, args: list[str], says: str, code: int) -> None:
    done = baton.cli_inline("templates", "send-test", *args)
    assert done.returncode == code and says in done.stderr, done.stderr
    assert baton.server.messages("jane@example.com") == []


def test_dry_run_says_what_would_happen_and_changes_nothing(baton: Baton) -> None:
    baton.server.deliver(mails.handoff())
    baton.server.deliver(mails.handoff(catcher=None, title="No catcher"))
    before = baton.folder_counts()

    done = baton.cli_inline("run", "--once", "--now", "2026-11-23T10:00:00Z", "--dry-run")
    assert done.returncode == 0, done.stderr
    assert "nothing is sent, filed or changed" in done.stdout
    assert "would open a ticket: alice@example.com -> jane@example.com" in done.stdout
    assert "would be rejected (no_catcher)" in done.stdout
    assert baton.folder_counts() == before  # nothing filed, no folder made
    assert baton.cli_json("status", "--all") == []
    assert baton.server.messages("jane@example.com") == []

    baton.run_pass(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
    later = baton.cli_inline("run", "--once", "--now", "2026-11-23T15:00:00Z", "--dry-run")
    assert "MB-1: would escalate (level 1) to head-of-sales@example.com" in later.stdout
    assert "no mail waiting" in later.stdout
    assert [t["escalations"] for t in baton.cli_json("status")] == [0]


def test_dry_run_goes_with_once() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mailbaton", "run", "--dry-run"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2 and "go with --once" in done.stderr
