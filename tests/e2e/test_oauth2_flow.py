"""The daemon on 5-second tokens: 50 handoffs and their answers, every message processed
once, every mail sent once, tokens refreshed, nothing failed, no secret in its log (-v).

The SMTP server ends a session whose token has run out (421), as Exchange Online does; a
flush that outlives its token therefore leaves a mail to the outbox's retry (one minute),
which is most of this test's time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from baton import Baton, parse
from mails import handoff, reply
from oauth_servers import MAILBOX
from oauth_setup import OAuthWorld, oauth_baton, oauth_world, secrets_in
from sqlalchemy import select

from mailbaton.store.models import Outbox

pytestmark = pytest.mark.e2e

COUNT = 50
JANE = "jane@example.com"
# Fifty throwers, so no one sender meets the cap on automatic answers.
THROWERS = [f"Thrower {i} <thrower{i}@example.com>" for i in range(COUNT)]


def _wait(what: str, done: Callable[[], bool], daemon: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 240
    while not done():
        if daemon.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"{what}: not reached; daemon log:\n{log.read_text()[-3000:]}")
        time.sleep(0.5)


def _states(baton: Baton) -> Counter[str]:
    return Counter(t["state"] for t in baton.tickets(include_closed=True))


def test_fifty_handoffs_and_answers_on_five_second_tokens(tmp_path: Path) -> None:
    with oauth_world(tmp_path, lifetime=5.0) as world:
        baton = oauth_baton(world, "microsoft", protocol="max_answers_per_sender = 500")
        log = tmp_path / "daemon.log"
        env = dict(os.environ, MAILBATON_MAILBOX__POLL_INTERVAL="3s")
        with log.open("wb") as out:
            daemon = subprocess.Popen(
                [sys.executable, "-m", "mailbaton", "-v", "-c", str(baton.config_path), "run"],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
            )
        try:
            _flow(world, baton, daemon, log)
        finally:
            daemon.send_signal(signal.SIGTERM)
            daemon.wait(30)
        _check(world, baton, log.read_text())


def _flow(world: OAuthWorld, baton: Baton, daemon: subprocess.Popen[bytes], log: Path) -> None:
    for i, thrower in enumerate(THROWERS):
        world.dovecot.deliver(handoff(title=f"Deal {i}", sender=thrower))
    _wait("50 requests reach Jane", lambda: len(world.dovecot.messages(JANE)) >= COUNT, daemon, log)
    for raw in world.dovecot.messages(JANE):
        world.dovecot.deliver(reply(parse(raw), "Got it, thanks"))
    _wait("50 tickets accepted", lambda: _states(baton)["accepted"] == COUNT, daemon, log)
    _wait("every mail sent", lambda: _unsent(baton) == 0, daemon, log)
    # The work may finish inside two token lifetimes now that passes are fast; the daemon
    # keeps polling every 3 s, so it must still replace each token as it runs out.
    grants = world.authority.grants
    _wait("two tokens replaced", lambda: grants.count("client_credentials") >= 3, daemon, log)


def _unsent(baton: Baton) -> int:
    with baton.service.db.transaction() as session:
        return sum(1 for row in session.scalars(select(Outbox)) if row.state != "sent")


def _check(world: OAuthWorld, baton: Baton, log: str) -> None:
    counts = baton.folder_counts()
    assert counts["mailbaton/processed"] == 2 * COUNT
    assert counts["INBOX"] == counts["mailbaton/failed"] == counts["mailbaton/rejected"] == 0
    with baton.service.db.transaction() as session:
        rows = list(session.scalars(select(Outbox)))
        outbox = Counter(row.message_id for row in rows)
    sent = Counter(parse(mail.raw)["Message-ID"].strip("<>") for mail in world.handler.sent)
    assert set(sent) == {m.strip("<>") for m in outbox}  # every queued mail went out...
    assert max(sent.values()) == 1  # ...once
    assert len(rows) >= 3 * COUNT  # receipt, request, accepted notice per handoff at least
    # Tokens ran out and were replaced along the way, each before it was presented expired:
    # no server ever refused one. The daemon logged it without secrets.
    assert world.authority.grants.count("client_credentials") >= 3
    assert world.handler.logins and all(ok for _user, ok in world.handler.logins)
    assert "auth failed" not in (world.dovecot.root / "dovecot.log").read_text()
    assert log.count(f"OAuth2: new microsoft token for {MAILBOX}") >= 3
    assert "Traceback" not in log
    assert not secrets_in(world, log)
