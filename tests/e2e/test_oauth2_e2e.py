"""OAuth2 sign-in against a local authority: msal, google-auth and a token command for real,
Dovecot checking tokens by introspection, SMTP taking AUTH XOAUTH2."""

from __future__ import annotations

import asyncio
import logging
import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from oauth_servers import MAILBOX, app_certificate
from oauth_setup import SECRET_ENV, OAuthWorld, oauth_baton, oauth_world, secrets_in

from mailbaton.transport.smtp import check_login as smtp_check_login

pytestmark = pytest.mark.e2e

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

GRANTS = {
    "microsoft": "client_credentials",
    "microsoft-certificate": "client_credentials",
    "google": "urn:ietf:params:oauth:grant-type:jwt-bearer",
    "google-user": "refresh_token",
}


@pytest.fixture
def world(tmp_path: Path) -> Iterator[OAuthWorld]:
    with oauth_world(tmp_path) as started:
        yield started


@pytest.fixture(autouse=True)
def _debug_logging(caplog: pytest.LogCaptureFixture) -> None:
    # Everything at DEBUG, imapclient and aiosmtplib too: no secret may show even then.
    caplog.set_level(logging.DEBUG)


@pytest.mark.parametrize(
    "provider", ["microsoft", "microsoft-certificate", "google", "google-user", "command"]
)
def test_check_gets_a_token_and_signs_in_to_imap_and_smtp(
    world: OAuthWorld, provider: str, caplog: pytest.LogCaptureFixture
) -> None:
    baton = oauth_baton(world, provider)
    done = baton.cli_inline("check")
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    name = provider.split("-")[0]
    token_line = next(line for line in lines if line.startswith("OAuth2"))
    assert token_line.startswith(f"OAuth2 ({name}) for {MAILBOX}: token obtained")
    assert any(line.startswith("IMAP 127.0.0.1") and " ok: " in line for line in lines)
    assert any(
        line.startswith("SMTP 127.0.0.1") and f"logged in as {MAILBOX}" in line for line in lines
    )
    assert world.handler.logins == [(MAILBOX, True)]
    if provider in GRANTS:
        assert world.authority.grants == [GRANTS[provider]]  # one token served all three
    assert not secrets_in(world, done.stdout, done.stderr, caplog.text)


def test_a_pass_signs_in_with_a_token_and_no_password(
    world: OAuthWorld, caplog: pytest.LogCaptureFixture
) -> None:
    from mails import handoff

    baton = oauth_baton(world, "microsoft")
    world.dovecot.deliver(handoff())
    report = baton.run_pass()
    assert report.inbox_error is None
    assert [o.outcome for o in report.outcomes] == ["processed"]
    assert report.mail.sent == 2  # the receipt to Alice, the request to Jane
    assert len(world.handler.sent) == 2
    assert not secrets_in(world, caplog.text)


def test_a_revoked_token_is_replaced_once_and_the_login_retried(world: OAuthWorld) -> None:
    baton = oauth_baton(world, "microsoft")
    assert baton.run_pass().inbox_error is None
    first = world.authority.issued()
    world.authority.revoke_all()  # e.g. an admin revoked the app's sessions
    report = baton.run_pass()
    assert report.inbox_error is None
    assert world.authority.issued() == first + 1
    # SMTP alike: its cached token is refused, a fresh one is fetched, the AUTH repeated.
    world.authority.revoke_all()
    assert asyncio.run(smtp_check_login(baton.settings.smtp)).startswith("SMTP 127.0.0.1")
    assert world.handler.logins[-2:] == [(MAILBOX, False), (MAILBOX, True)]
    assert world.authority.issued() == first + 2


def test_an_expired_secret_is_named_in_check_and_the_fix_needs_no_restart(
    world: OAuthWorld, caplog: pytest.LogCaptureFixture
) -> None:
    from mails import handoff

    baton = oauth_baton(world, "microsoft")
    world.authority.revoke_all()
    world.authority.secret_expired = True
    world.dovecot.deliver(handoff())
    done = baton.cli_inline("check")
    assert done.returncode == 1
    assert (
        f"OAuth2 (microsoft) for {MAILBOX}: FAILED: OAuth2 sign-in failed: the client secret "
        "has expired (AADSTS7000222). Fix: create a new secret" in done.stdout
    )
    assert "Traceback" not in done.stdout + done.stderr
    report = baton.run_pass()
    assert report.inbox_error is not None and "client secret has expired" in report.inbox_error
    assert report.outcomes == [] and world.dovecot.messages(MAILBOX)  # nothing taken, nothing lost
    assert "client secret has expired (AADSTS7000222)" in caplog.text
    # The admin makes a new secret and puts it in the variable: the next try uses it.
    world.authority.client_secret = os.environ[SECRET_ENV] = "cs~renewed-" + "x" * 20
    world.authority.secret_expired = False
    report = baton.run_pass()
    assert report.inbox_error is None and [o.outcome for o in report.outcomes] == ["processed"]
    assert report.mail.sent == 2
    assert not secrets_in(world, done.stdout, done.stderr, caplog.text)


def test_withdrawn_mailbox_rights_are_named_with_the_fix(world: OAuthWorld) -> None:
    baton = oauth_baton(world, "microsoft")
    world.authority.app_mailboxes.clear()  # Remove-MailboxPermission
    done = baton.cli_inline("check")
    assert done.returncode == 1
    imap = next(line for line in done.stdout.splitlines() if line.startswith("IMAP"))
    assert imap.startswith(
        f"IMAP: FAILED: OAuth2 sign-in failed: the IMAP server refused a fresh microsoft "
        f"token for {MAILBOX}"
    )
    assert "Add-MailboxPermission" in imap


def test_smtp_auth_switched_off_is_named_and_the_mail_waits_until_it_is_on(
    world: OAuthWorld, caplog: pytest.LogCaptureFixture
) -> None:
    from mails import handoff

    baton = oauth_baton(world, "microsoft")
    world.handler.smtp_auth_disabled = True
    smtp = next(
        line for line in baton.cli_inline("check").stdout.splitlines() if line.startswith("SMTP")
    )
    assert smtp.startswith(
        f"SMTP: FAILED: OAuth2 sign-in failed: SMTP AUTH is disabled for {MAILBOX}"
    )
    assert smtp.endswith(
        "Fix: Set-CASMailbox -Identity <mailbox> -SmtpClientAuthenticationDisabled $false"
    )
    world.dovecot.deliver(handoff())
    report = baton.run_pass(T0)
    assert [o.outcome for o in report.outcomes] == ["processed"]
    assert (report.mail.sent, report.mail.retrying, report.mail.parked) == (0, 1, 0)
    status = baton.cli_inline("status")
    assert "Outbox: 2 mail(s) waiting for the SMTP server" in status.stdout
    assert "SMTP AUTH is disabled" in caplog.text
    world.handler.smtp_auth_disabled = False  # the admin switches it on
    report = baton.run_pass(T0 + timedelta(minutes=2))
    assert report.mail.sent == 2 and len(world.handler.sent) == 2
    assert "Outbox" not in baton.cli_inline("status").stdout
    assert not secrets_in(world, caplog.text, status.stdout)


def test_a_person_signs_in_once_with_auth_login(
    world: OAuthWorld, caplog: pytest.LogCaptureFixture
) -> None:
    baton = oauth_baton(world, "microsoft", delegated=True)
    cache = world.folder / "token-cache.json"
    before = baton.cli_inline("auth", "status")
    assert before.returncode == 1
    assert f"sign-in: none saved in {cache}; run `mailbaton auth login`" in before.stdout
    login = baton.cli_inline("auth", "login")
    assert login.returncode == 0, login.stdout
    assert f"To sign in, open {world.authority.base}/devicelogin and enter the code" in login.stdout
    assert f"signed in as {MAILBOX}" in login.stdout
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    status = baton.cli_inline("auth", "status")
    assert status.returncode == 0, status.stdout
    assert f"sign-in: {MAILBOX} in {cache}" in status.stdout
    assert "last refreshed: " in status.stdout
    assert f"OAuth2 (microsoft) for {MAILBOX}: token obtained" in status.stdout
    assert baton.run_pass().inbox_error is None
    # The person's sessions are revoked: named, with the fix.
    world.authority.revoke_all()
    revoked = baton.cli_inline("auth", "status")
    assert revoked.returncode == 1
    assert "the sign-in was revoked" in revoked.stdout
    assert "run `mailbaton auth login` again" in revoked.stdout
    text = before.stdout + login.stdout + status.stdout + revoked.stdout + caplog.text
    assert not secrets_in(world, text)


def test_a_token_cache_others_can_read_is_refused_at_start(world: OAuthWorld) -> None:
    baton = oauth_baton(world, "microsoft", delegated=True)
    assert baton.cli_inline("auth", "login").returncode == 0
    cache = world.folder / "token-cache.json"
    cache.chmod(0o644)
    done = baton.cli_inline("run", "--once")
    assert done.returncode == 1
    assert (
        f"oauth2.token_cache: {cache} can be read by others (mode 0644); it holds a refresh "
        f"token: chmod 600 {cache}" in done.stderr
    )


def test_a_replaced_certificate_is_read_again_without_a_restart(
    world: OAuthWorld, caplog: pytest.LogCaptureFixture
) -> None:
    baton = oauth_baton(world, "microsoft-certificate")
    assert baton.run_pass().inbox_error is None
    # The admin uploads a new certificate to Entra and removes the old one...
    new_folder = world.folder / "new"
    new_folder.mkdir()
    new_file, new_cert = app_certificate(new_folder)
    world.authority.app_certificate = new_cert
    world.authority.revoke_all()
    report = baton.run_pass()
    assert report.inbox_error is not None
    assert "the certificate was not accepted (AADSTS700027)" in report.inbox_error
    # ...then puts the new key and certificate where oauth2.certificate points.
    assert baton.settings.oauth2.certificate is not None
    baton.settings.oauth2.certificate.write_text(new_file.read_text())
    assert baton.run_pass().inbox_error is None
    assert not secrets_in(world, caplog.text)
