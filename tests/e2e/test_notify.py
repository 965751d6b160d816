"""[notify] webhooks against a real local HTTP receiver and a real mail server: an
escalation reaches the channel once; a receiver failing with 500 is retried and still
gets it once; a refusal is given up and shown in `status`; SIGKILL of the real daemon
with a post queued, or in the middle of the POST (docs/notify.md says what is promised)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import mails
import pytest
from baton import Baton, make_baton
from receiver import STALL, Receiver, serving, start, stop
from servers import MailServer

from mailbaton.app.sandbox import free_port
from mailbaton.clock import utcnow
from mailbaton.outbound.outbox import LEASE

pytestmark = pytest.mark.e2e

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
HOUR, MINUTE = timedelta(hours=1), timedelta(minutes=1)
TITLE = "Acme Corp - $50,000 contract ready to countersign"
HEADLINE = f"MB-1 '{TITLE}' from alice@example.com to jane@example.com is not caught after 4 h"
SECRET = "s3cr3t-t0k3n"  # in the receiver's URL path: must never be shown


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    yield from serving()


@pytest.fixture
def baton(sandbox_server: MailServer, tmp_path: Path) -> Iterator[Baton]:
    b = make_baton(sandbox_server, tmp_path)
    yield b
    b.close()


def hook(baton: Baton, monkeypatch: pytest.MonkeyPatch, url: str, kind: str = "slack") -> None:
    """A [notify.managers] table whose URL comes from the environment, as the README says."""
    monkeypatch.setenv("MAILBATON_TEST_HOOK_URL", url)
    text = baton.config_path.read_text()
    baton.config_path.write_text(
        text + f'\n[notify.managers]\nkind = "{kind}"\nurl_env = "MAILBATON_TEST_HOOK_URL"\n'
    )
    baton.reload()


def open_one(baton: Baton, at: datetime = T0) -> None:
    baton.server.deliver(mails.handoff())
    baton.run_pass(at)
    baton.server.wait_for("jane@example.com", 1)


def test_an_escalation_reaches_the_channel_once(
    baton: Baton, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    hook(baton, monkeypatch, receiver.url(), kind="teams")
    open_one(baton)
    baton.run_pass(T0 + 3 * HOUR)
    assert receiver.arrivals == []
    report = baton.run_pass(T0 + 4 * HOUR)
    assert (report.due.escalated, report.posts.sent) == (1, 1)
    for later in (4 * HOUR + MINUTE, 9 * HOUR, 3 * 24 * HOUR):
        assert baton.run_pass(T0 + later).posts.sent == 0
    baton.reload()  # a restart posts nothing again either
    baton.run_pass(T0 + 4 * 24 * HOUR)

    (arrival,) = receiver.arrivals
    assert arrival.path == "/webhook/T0001/B0002/s3cr3t-t0k3n"
    assert arrival.headers["content-type"] == "application/json; charset=utf-8"
    assert arrival.headers["idempotency-key"] == "webhook:managers:MB-1:escalation:1"
    card = arrival.json()["attachments"][0]["content"]
    assert card["type"] == "AdaptiveCard"
    assert card["body"][0]["text"] == HEADLINE
    facts = {f["title"]: f["value"] for f in card["body"][-1]["facts"]}
    assert facts["Thrown by"] == "Alice Smith <alice@example.com>"
    assert facts["To catch"] == "Jane Doe <jane@example.com>"
    # The managers' mail went as before, once.
    assert len(baton.saying("managers@example.com", "Warning: MB-1")) == 1
    events = [(e["kind"], e["detail"]) for e in baton.ticket("MB-1")["events"]]
    assert ("posted", "escalation webhook to managers") in events


def test_a_failing_receiver_is_retried_and_still_gets_it_once(
    baton: Baton, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    hook(baton, monkeypatch, receiver.url())
    open_one(baton)
    receiver.script = [500, 503]
    first = baton.run_pass(T0 + 4 * HOUR)
    assert (first.posts.sent, first.posts.retrying) == (0, 1)

    status = baton.cli_inline("status")
    assert (
        f"Chat posts: 1 to [notify.managers] waiting to retry: 127.0.0.1:{receiver.port}: "
        "HTTP 500 (invalid_token)"
    ) in status.stdout.splitlines()
    assert SECRET not in status.stdout + status.stderr

    # Not due again before its backoff (1 min): nothing is tried.
    assert baton.run_pass(T0 + 4 * HOUR + MINUTE / 2).posts.retrying == 0
    assert len(receiver.arrivals) == 1
    assert baton.run_pass(T0 + 4 * HOUR + MINUTE).posts.retrying == 1  # the 503
    assert baton.run_pass(T0 + 4 * HOUR + 3 * MINUTE).posts.sent == 1  # backoff 2 min
    for later in (5 * HOUR, 24 * HOUR):
        baton.run_pass(T0 + later)

    assert [a.status for a in receiver.arrivals] == [500, 503, 200]
    assert len({a.headers["idempotency-key"] for a in receiver.arrivals}) == 1
    assert len({a.body for a in receiver.arrivals}) == 1
    assert receiver.accepted()[0].json()["text"].splitlines()[0] == f"*{HEADLINE}*"
    assert "Chat posts" not in baton.cli_inline("status").stdout


def test_a_refusing_receiver_is_given_up_and_shown_in_status(
    baton: Baton, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    hook(baton, monkeypatch, receiver.url(), kind="json")
    open_one(baton)
    receiver.script = [404]
    report = baton.run_pass(T0 + 4 * HOUR)
    assert report.posts.parked == 1
    baton.run_pass(T0 + 5 * HOUR)
    assert len(receiver.arrivals) == 1  # never tried again
    status = baton.cli_inline("status")
    assert (
        f"Chat posts: 1 to [notify.managers] given up: 127.0.0.1:{receiver.port}: HTTP 404 "
        "(invalid_token)"
    ) in status.stdout.splitlines()
    show = baton.cli_inline("show", "MB-1").stdout
    assert "post failed: escalation webhook could not be sent: 127.0.0.1" in show
    assert SECRET not in status.stdout + show
    # The generic JSON receiver got the fields.
    sent = receiver.arrivals[0].json()
    assert (sent["event"], sent["ticket"], sent["title"], sent["age"]) == (
        "escalation",
        "MB-1",
        TITLE,
        "4 h",
    )
    assert sent["managers"] == [
        "head-of-sales@example.com",
        "head-of-ops@example.com",
        "managers@example.com",
    ]


def test_check_lists_the_channel_and_notify_test_posts_a_sample(
    baton: Baton, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    hook(baton, monkeypatch, receiver.url(), kind="mattermost")
    done = baton.cli_inline("notify", "test", "managers")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (
        f"posted a sample escalation to [notify.managers] (mattermost): 127.0.0.1:"
        f"{receiver.port}: HTTP 200"
    )
    (arrival,) = receiver.arrivals
    assert arrival.json()["text"].startswith("**Test post from mailbaton: MB-42 ")
    receiver.script = [403]
    refused = baton.cli_inline("notify", "test", "managers")
    assert refused.returncode == 1
    assert refused.stderr.strip() == (
        f"mailbaton: [notify.managers] (mattermost): 127.0.0.1:{receiver.port}: HTTP 403 "
        "(invalid_token)"
    )
    unknown = baton.cli_inline("notify", "test", "manager")
    assert (unknown.returncode, unknown.stderr.strip()) == (
        1,
        "mailbaton: no [notify.manager]; known: managers",
    )
    checked = baton.cli_inline("check")
    assert (
        f"notify.managers: mattermost webhook at 127.0.0.1:{receiver.port} for escalation, "
        "all_clear, health (`mailbaton notify test managers` posts a sample)"
    ) in checked.stdout.splitlines()
    assert SECRET not in checked.stdout + refused.stderr + done.stdout


# -- SIGKILL of the real daemon ---------------------------------------------------------


def daemon(baton: Baton, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "mailbaton", "-c", str(baton.config_path), "-v", "run"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def wait_for_log(log: Path, words: str, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if words in log.read_text():
            return
        assert process.poll() is None, log.read_text()[-3000:]
        time.sleep(0.05)
    raise AssertionError(f"no {words!r} in the daemon's log:\n{log.read_text()[-3000:]}")


def kill(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)


def stop_daemon(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)


@pytest.fixture
def fast(sandbox_server: MailServer, tmp_path: Path) -> Iterator[Baton]:
    """A baton whose handoffs escalate 3 s after opening, in real time, for the daemon."""
    b = make_baton(sandbox_server, tmp_path)
    text = b.config_path.read_text().replace('after = "4h"', 'after = "3s"')
    b.config_path.write_text(text.replace("[smtp]", 'poll_interval = "1s"\n\n[smtp]', 1))
    b.reload()
    yield b
    b.close()


def test_killed_with_the_post_queued_it_is_posted_once_after_restart(
    fast: Baton, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The receiver is down when the escalation fires: the post is queued, tried, refused
    # a connection, and waits for its retry when the daemon is killed.
    port = free_port()
    hook(fast, monkeypatch, f"http://127.0.0.1:{port}/webhook/T0001/B0002/{SECRET}")
    log = tmp_path / "daemon.log"
    fast.server.deliver(mails.handoff())
    first = daemon(fast, log)
    try:
        wait_for_log(log, "will retry escalation webhook", first, timeout=60)
    finally:
        kill(first)
    assert SECRET not in log.read_text()
    receiver = start(Receiver(), port)
    try:
        second = daemon(fast, log)
        try:
            # Its retry is due one minute after the failed try.
            assert receiver.wait_for(1, timeout=90), log.read_text()[-3000:]
            wait_for_log(log, "sent escalation webhook", second, timeout=10)
            time.sleep(3)  # more passes: nothing more
        finally:
            stop_daemon(second)
    finally:
        stop(receiver)
    (arrival,) = receiver.arrivals
    assert arrival.headers["idempotency-key"] == "webhook:managers:MB-1:escalation:1"
    assert arrival.json()["text"].startswith("*MB-1 ")
    assert len(fast.saying("managers@example.com", "Warning: MB-1")) == 1
    assert SECRET not in log.read_text()


def test_killed_in_the_middle_of_the_post_it_is_posted_again_with_the_same_key(
    fast: Baton, receiver: Receiver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The receiver takes the POST and holds it unanswered; the daemon dies waiting. Whether
    # the channel showed it cannot be known, so it is posted again once its claim lapses,
    # with the same Idempotency-Key and body: at least once, never a second alert.
    hook(fast, monkeypatch, receiver.url())
    receiver.script = [STALL]
    log = tmp_path / "daemon.log"
    fast.server.deliver(mails.handoff())
    first = daemon(fast, log)
    try:
        assert receiver.wait_for(1, timeout=60), log.read_text()[-3000:]
    finally:
        kill(first)
    receiver.release()
    later = utcnow() + LEASE + MINUTE
    done = fast.cli("run", "--once", "--now", later.isoformat())
    assert done.returncode == 0, done.stdout + done.stderr
    assert "chat posts sent 1" in done.stdout
    again = fast.cli("run", "--once", "--now", (later + HOUR).isoformat())
    assert "chat posts" not in again.stdout
    first_try, second_try = receiver.arrivals
    assert (first_try.status, second_try.status) == (STALL, 200)
    assert first_try.headers["idempotency-key"] == second_try.headers["idempotency-key"]
    assert first_try.body == second_try.body
    assert "Chat posts" not in fast.cli_inline("status").stdout
    assert SECRET not in log.read_text() + done.stdout + done.stderr
