"""The digest through the real CLI's `run --once --now` and a real mail server: one mail per
department's managers per period, however many passes run in it."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from subprocess import PIPE, STDOUT

import mails
import pytest
from baton import Baton, make_baton, text_of
from servers import MailServer

from mailbaton.clock import parse_instant

pytestmark = pytest.mark.e2e

DIGEST = '\n[digest]\nevery = "daily"\nat = "08:00"\n'


@pytest.fixture
def baton(mail_server: MailServer, tmp_path: Path) -> Iterator[Baton]:
    made = make_baton(mail_server, tmp_path)
    with made.config_path.open("a") as config:
        config.write(DIGEST)
    made.reload()
    yield made
    made.close()


def digests(baton: Baton, user: str) -> list[str]:
    return [text_of(m) for m in baton.inbox(user) if "handoffs for" in str(m["Subject"])]


def test_a_digest_reaches_each_departments_managers_once_a_day(baton: Baton) -> None:
    baton.server.deliver(mails.handoff(title="Acme contract"))
    # 13 h after 08:00: too late for that day's digest, which waits for the next 08:00.
    opened = baton.cli_inline("run", "--once", "--now", "2026-11-23T21:00:00Z")
    assert opened.returncode == 0, opened.stderr
    assert "digests queued" not in opened.stdout

    dry = baton.cli_inline("run", "--once", "--now", "2026-11-24T08:00:30Z", "--dry-run")
    assert "digest for Sales would be sent to head-of-sales@example.com" in dry.stdout
    assert "digest for every department would be sent to managers@example.com" in dry.stdout
    assert digests(baton, "head-of-sales@example.com") == []

    due = baton.cli_inline("run", "--once", "--now", "2026-11-24T08:00:30Z")
    assert due.returncode == 0, due.stderr
    # sales, ops and finance have managers; escalation.managers get every department's.
    assert "digests queued 4" in due.stdout
    baton.server.wait_for("head-of-sales@example.com", 2)  # the escalation and the digest
    (sales,) = digests(baton, "head-of-sales@example.com")
    (mail,) = [m for m in baton.inbox("head-of-sales@example.com") if "Sales:" in str(m["Subject"])]
    assert mail["Auto-Submitted"] == "auto-generated" and mail["X-Mailbaton-Ticket"] == "digest"
    assert mail.get_body(("html",)) is not None and "Alice" in sales
    assert sales.startswith("Daily handoffs for Sales: 1 waiting, 1 overdue")
    assert "MB-1 Acme contract" in sales and "OVERDUE since" in sales
    assert "Sent by Sales: 1 handoff; 0 accepted" in sales
    (everyone,) = digests(baton, "managers@example.com")
    assert "every department" in everyone

    again = baton.cli_inline("run", "--once", "--now", "2026-11-24T10:00:00Z")
    assert again.returncode == 0 and "digests queued" not in again.stdout
    baton.reload()  # a restart
    baton.run_pass(parse_instant("2026-11-24T19:59:00Z"))
    time.sleep(1)  # anything sent would be in the mailbox by now
    assert len(digests(baton, "head-of-sales@example.com")) == 1

    baton.run_pass(parse_instant("2026-11-25T08:00:00Z"))  # the next day's
    baton.server.wait_for("head-of-sales@example.com", 3)
    assert len(digests(baton, "head-of-sales@example.com")) == 2


def test_three_replicas_on_postgresql_send_one_digest_each(
    mail_server: MailServer, tmp_path: Path, pg_url: str
) -> None:
    baton = make_baton(mail_server, tmp_path, db_url=pg_url)
    try:
        with baton.config_path.open("a") as config:
            config.write(DIGEST)
        baton.reload()
        baton.server.deliver(mails.handoff(title="Acme contract"))
        baton.run_pass(parse_instant("2026-11-23T21:00:00Z"))
        command = [sys.executable, "-m", "mailbaton", "-c", str(baton.config_path)]
        at_eight = [*command, "run", "--once", "--now", "2026-11-24T08:00:30Z"]
        # Three processes at the same moment, all reading "not queued yet" as they start.
        replicas = [subprocess.Popen(at_eight, stdout=PIPE, stderr=STDOUT) for _ in range(3)]
        outputs = [r.communicate(timeout=60)[0].decode() for r in replicas]
        assert [r.returncode for r in replicas] == [0, 0, 0], outputs
        assert "Traceback" not in "".join(outputs), outputs
        baton.server.wait_for("head-of-sales@example.com", 2)
        time.sleep(1)  # a second copy would have arrived with the first
        for manager in ("head-of-sales@example.com", "head-of-ops@example.com"):
            assert len(digests(baton, manager)) == 1, manager
        assert len(digests(baton, "managers@example.com")) == 1

        # report and export read PostgreSQL the same way.
        data = baton.cli_json("report")
        assert data["total"]["handoffs"] == 1 and data["total"]["escalated"] == 1
        assert [t["id"] for t in baton.cli_json("export")] == ["MB-1"]
    finally:
        baton.close()
