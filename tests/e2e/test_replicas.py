"""Two daemons on one database: every message processed once, every escalation sent once."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import mails
import pytest
from baton import make_baton, start_daemon, wait_for_first_passes
from servers import MailServer

pytestmark = pytest.mark.e2e

HANDOFFS = 12


def test_two_daemons_send_each_escalation_once(mail_server: MailServer, tmp_path: Path) -> None:
    baton = make_baton(mail_server, tmp_path)
    # Real time this once: deadlines a few seconds out, a slow poll, IDLE for intake.
    config = baton.config_path.read_text()
    config = config.replace('after = "4h"', 'after = "4s"').replace(
        "timeout = 10\n", 'timeout = 10\npoll_interval = "1h"\n', 1
    )
    baton.config_path.write_text(config)
    logs = [tmp_path / f"daemon{i}.log" for i in (1, 2)]
    daemons = [start_daemon(baton.config_path, log) for log in logs]
    try:
        # Both idle on the INBOX before the mail comes, so both race for every message.
        wait_for_first_passes(logs, daemons)
        for i in range(HANDOFFS):
            mail_server.deliver(mails.handoff(title=f"Replica case {i}"))
        mail_server.wait_for("jane@example.com", HANDOFFS, timeout=30)
        warnings = mail_server.wait_for("managers@example.com", HANDOFFS, timeout=40)
        # Both woke at each deadline; a second copy would follow its first within a pass.
        time.sleep(2)
        warnings = mail_server.messages("managers@example.com")
    finally:
        for daemon in daemons:
            daemon.send_signal(signal.SIGTERM)
        codes = [daemon.wait(timeout=20) for daemon in daemons]
    text = "\n".join(log.read_text() for log in logs)
    assert codes == [0, 0], text
    assert "Traceback" not in text, text

    assert len(warnings) == HANDOFFS, f"{len(warnings)} escalations for {HANDOFFS} tickets"
    assert len(mail_server.messages("jane@example.com")) == HANDOFFS  # one request each
    assert len(mail_server.messages("alice@example.com")) == HANDOFFS  # one receipt each
    tickets = baton.tickets(include_closed=True)
    assert len(tickets) == HANDOFFS
    assert {t["escalations"] for t in tickets} == {1}
    assert len(mail_server.messages("baton@example.com", "mailbaton/processed")) == HANDOFFS
    assert mail_server.messages("baton@example.com") == []
    baton.close()
