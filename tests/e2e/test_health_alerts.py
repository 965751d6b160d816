"""Health on real servers: a mailbox that stays down, a wrong password. The admins get
exactly one alert once it has lasted alerts.after, then exactly one recovery note; the
daemon keeps running and says what is wrong every few minutes, never every pass."""

from __future__ import annotations

import contextlib
import json
import logging
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import mails
import pytest
from baton import Baton, make_baton, parse, start_daemon, wait_until
from servers import DovecotServer, MailDevelServer

from mailbaton.app.service import Service
from mailbaton.clock import utcnow
from mailbaton.config import load
from mailbaton.store.db import Database, make_engine
from mailbaton.watch import health

pytestmark = pytest.mark.e2e

ADMIN = "it-admin@example.com"
WRONG = "wr0ng-Pa55word"
MINUTE = timedelta(minutes=1)


def _wait(condition: Callable[[], bool], timeout: float, what: str) -> None:
    wait_until(what, condition, timeout, every=0.25)


def _subjects(server: object, user: str) -> list[str]:
    return [str(parse(raw)["Subject"]) for raw in server.messages(user)]  # type: ignore[attr-defined]


@contextlib.contextmanager
def daemon(config: Path, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`mailbaton run`, stopped with SIGTERM afterwards; its log goes to `log`."""
    process = start_daemon(config, log)
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _readings(config: Path) -> dict[str, health.Reading]:
    """What `mailbaton health` reads; without migrating (which takes a write lock)."""
    settings = load(config)
    db = Database(make_engine(settings.database_url))
    try:
        with db.transaction() as session:
            return {r.component: r for r in health.read(session, settings, utcnow())}
    finally:
        db.close()


def test_a_daemon_alerts_once_when_the_mailbox_stays_down_then_notes_recovery(
    dovecot_factory: Callable[..., DovecotServer],
    sandbox_server: MailDevelServer,
    tmp_path: Path,
) -> None:
    """The watched mailbox on a private Dovecot that is killed and restarted; SMTP and the
    admins' mailbox on mail-devel, which stays up."""
    imap = dovecot_factory()
    baton = make_baton(sandbox_server, tmp_path)
    baton.close()
    text = baton.config_path.read_text()
    text = text.replace(f"port = {sandbox_server.imap_port}\n", f"port = {imap.imap_port}\n", 1)
    text = text.replace(
        f'password = "{sandbox_server.password}"', f'password = "{imap.password}"', 1
    )
    text = text.replace("timeout = 10\n", 'timeout = 3\npoll_interval = "1s"\n', 1)
    config = baton.config_path
    config.write_text(text + f'\n[alerts]\nadmins = ["{ADMIN}"]\nafter = "6s"\n')
    log = tmp_path / "daemon.log"
    with daemon(config, log) as process:
        _wait(lambda: _readings(config)["mailbox"].state == "ok", 30, "a first good poll")
        imap.kill()
        started = time.monotonic()
        _wait(lambda: len(sandbox_server.messages(ADMIN)) >= 1, 30, "the alert")
        assert time.monotonic() - started >= 6  # not before alerts.after
        reading = _readings(config)["mailbox"]
        assert reading.state == "failing" and reading.alerted_at is not None
        time.sleep(3)  # three more failing passes: no second alert
        (alert,) = _subjects(sandbox_server, ADMIN)
        assert alert.startswith("[mailbaton] ALERT: the mailbox has been failing for ")
        imap.restart()
        _wait(lambda: len(sandbox_server.messages(ADMIN)) >= 2, 30, "the recovery note")
        time.sleep(3)  # more good passes: no second note
        assert process.poll() is None
    subjects = _subjects(sandbox_server, ADMIN)
    assert subjects == [alert, "[mailbaton] Recovered: the mailbox works again"]
    body = parse(sandbox_server.messages(ADMIN)[0]).get_body(("plain",))
    assert body is not None and f"127.0.0.1:{imap.imap_port}" in str(body.get_content())
    said = log.read_text()
    # More failing passes than lines: the clear line once, and once more with the alert.
    failed_passes = [line for line in said.splitlines() if "inbox unavailable" in line]
    warnings = [line for line in said.splitlines() if "cannot use the mailbox" in line]
    assert len(failed_passes) >= 3 and len(warnings) == 2, said
    assert "mailbaton keeps trying" in warnings[0] and "the mailbox works again" in said
    assert _readings(config)["mailbox"].state == "ok"


def test_a_wrong_password_keeps_the_daemon_running_and_says_so(
    dovecot_factory: Callable[..., DovecotServer], tmp_path: Path
) -> None:
    # A private Dovecot: refused logins slow down every later login from the same address.
    dovecot_server = dovecot_factory()
    baton = make_baton(dovecot_server, tmp_path)
    baton.close()
    text = baton.config_path.read_text().replace(
        f'password = "{dovecot_server.password}"', f'password = "{WRONG}"', 1
    )
    baton.config_path.write_text(text.replace("timeout = 10\n", 'poll_interval = "1s"\n', 1))
    log = tmp_path / "daemon.log"
    with daemon(baton.config_path, log) as process:
        _wait(lambda: _readings(baton.config_path)["mailbox"].state == "failing", 60, "a pass")
        time.sleep(4)  # a few more passes, each refused
        assert process.poll() is None, log.read_text()
    assert process.returncode == 0
    said = log.read_text()
    refused = [line for line in said.splitlines() if "cannot sign in to the mailbox" in line]
    assert len(refused) == 1, said  # not one per pass, and not silence
    assert "refused the sign-in as baton@example.com" in refused[0]
    assert "no [alerts] admins to mail" in refused[0]
    # The pass lines (one a second here) say "inbox unavailable", not the error again.
    passes = [line for line in said.splitlines() if "inbox unavailable" in line]
    assert len(passes) >= 2 and not any("refused" in line for line in passes), said
    assert WRONG not in said
    reading = _readings(baton.config_path)["mailbox"]
    assert reading.sign_in_failed and WRONG not in (reading.last_error or "")


def test_wrong_password_passes_alert_once_then_recover_and_status_shows_it(
    dovecot_factory: Callable[..., DovecotServer],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """`run --once --now` passes with a controlled clock: the alert comes after exactly
    alerts.after, through Dovecot's own MTA; `status` and `health` show the failure."""
    caplog.set_level(logging.INFO)
    dovecot_server = dovecot_factory()
    baton = make_baton(dovecot_server, tmp_path)
    baton.close()
    config = baton.config_path
    config.write_text(config.read_text() + f'\n[alerts]\nadmins = ["{ADMIN}"]\n')
    good = load(config)
    wrong = replace(good, mailbox=replace(good.mailbox, password=WRONG))
    healthy = Baton(dovecot_server, config, good, Service.open(good))
    broken = Baton(dovecot_server, config, wrong, Service.open(wrong))
    t0 = utcnow()
    try:
        healthy.run_pass(t0)
        dovecot_server.deliver(mails.handoff())
        # Failing from minute 1: 14 minutes by minute 15. (Few passes: Dovecot answers a
        # wrong password only after a 2-second delay.)
        for minute in (1, 8, 15):
            assert broken.run_pass(t0 + minute * MINUTE).inbox_error
        assert dovecot_server.messages(ADMIN) == []
        status = broken.cli_inline("status")
        assert "mailbox  FAILING  sign-in refused for " in status.stdout
        checked = broken.cli_inline("health", "--json")
        assert checked.returncode == 1
        (mailbox, smtp) = json.loads(checked.stdout)["health"]
        assert mailbox["state"] == "failing" and mailbox["sign_in_failed"] is True
        assert mailbox["alerted_at"] is None and smtp["component"] == "smtp"

        broken.run_pass(t0 + 16 * MINUTE)
        _wait(lambda: len(dovecot_server.messages(ADMIN)) >= 1, 10, "the alert")
        for minute in (20, 29):
            broken.run_pass(t0 + minute * MINUTE)
        (alert,) = dovecot_server.messages(ADMIN)
        assert "ALERT: the mailbox has been failing for 15 min" in str(parse(alert)["Subject"])
        assert b"refuses to let mailbaton sign in" in alert and WRONG.encode() not in alert
        assert "admins alerted" in broken.cli_inline("status").stdout

        report = healthy.run_pass(t0 + 31 * MINUTE)  # the password is fixed
        assert [o.outcome for o in report.outcomes] == ["processed"]  # nothing was lost
        healthy.run_pass(t0 + 32 * MINUTE)
        _wait(lambda: len(dovecot_server.messages(ADMIN)) >= 2, 10, "the recovery note")
        healthy.run_pass(t0 + 33 * MINUTE)
        subjects = _subjects(dovecot_server, ADMIN)
        assert subjects[1] == "[mailbaton] Recovered: the mailbox works again"
        assert len(subjects) == 2
        assert healthy.cli_inline("health").returncode == 0
        assert WRONG not in caplog.text
    finally:
        healthy.close()
        broken.close()
