"""OAuth2 pieces without a network: the token source's refresh rules, problems named from
Microsoft's and Google's answers, the token command, the cache file's mode, the config."""

from __future__ import annotations

import logging
import stat
import sys
from pathlib import Path

import pytest

from mailbaton.config import ConfigError, OAuth2Settings, Settings, from_dict
from mailbaton.transport.auth import TokenSource, server_refused, source_for, xoauth2
from mailbaton.transport.oauth2 import google, microsoft
from mailbaton.transport.oauth2.command import Command
from mailbaton.transport.oauth2.token import (
    SignInProblem,
    Token,
    check_private,
    scrub,
    write_private,
)

USER = "baton@example.com"
BASE = {"mailbox": {"username": USER, "address": USER, "auth": "oauth2"}}


class Issuer:
    """A provider that hands out numbered tokens of a given lifetime (or a problem)."""

    name = "microsoft"

    def __init__(self, lifetime: float) -> None:
        self.lifetime = lifetime
        self.fetched = 0
        self.forgotten = 0
        self.problem: SignInProblem | None = None

    def fetch(self, user: str) -> Token:
        if self.problem is not None:
            raise self.problem
        self.fetched += 1
        return Token(f"token-{self.fetched}-for-{user}", self.lifetime, self.name)

    def forget(self) -> None:
        self.forgotten += 1


def test_a_token_is_reused_while_it_has_time_left() -> None:
    issuer = Issuer(lifetime=3600)
    source = TokenSource(issuer, USER)
    assert source.token() is source.token()
    assert issuer.fetched == 1 and source.refreshes == 1 and source.refreshed_at is not None
    # `check` asks for a fresh one, past any cache of the library's own.
    assert source.token(fresh=True).value == "token-2-for-baton@example.com"
    assert issuer.forgotten == 1


def test_a_short_lived_token_is_renewed_before_it_runs_out() -> None:
    # Lifetime 0: already inside the refresh margin, so every login gets a new one.
    issuer = Issuer(lifetime=0)
    source = TokenSource(issuer, USER)
    assert source.token().value != source.token().value
    assert issuer.fetched == 2


def test_a_refused_token_is_dropped_once_and_a_stale_refusal_changes_nothing() -> None:
    issuer = Issuer(lifetime=3600)
    source = TokenSource(issuer, USER)
    first = source.token()
    source.refused(first)
    second = source.token()
    assert second.value != first.value and issuer.forgotten == 1
    source.refused(first)  # another connection still held the old one
    assert source.token() is second and issuer.forgotten == 1


def test_a_problem_is_logged_by_name_and_raised_again_next_time(
    caplog: pytest.LogCaptureFixture,
) -> None:
    issuer = Issuer(lifetime=3600)
    issuer.problem = SignInProblem("the client secret has expired (AADSTS7000222)", "renew it")
    source = TokenSource(issuer, USER)
    for _ in range(2):
        with pytest.raises(SignInProblem, match="client secret has expired"):
            source.token()
    assert caplog.text.count("OAuth2 sign-in failed: the client secret has expired") == 2
    issuer.problem = None
    assert source.token().value == "token-1-for-baton@example.com"


def test_the_xoauth2_string_is_the_sasl_format() -> None:
    assert xoauth2(USER, "abc") == b"user=baton@example.com\x01auth=Bearer abc\x01\x01"


def test_microsoft_answers_become_named_problems_with_their_fix() -> None:
    expired = microsoft.problem_from(
        {"error": "invalid_client", "error_codes": [7000222], "error_description": "AADSTS..."},
        [],
    )
    assert expired.problem == "the client secret has expired (AADSTS7000222)"
    assert "Certificates & secrets" in expired.fix
    consent = microsoft.problem_from(
        {"error": "invalid_grant", "error_description": "AADSTS65001: consent not granted"}, []
    )
    assert consent.problem == "admin consent is missing (AADSTS65001)"
    unknown = microsoft.problem_from(
        {"error": "invalid_request", "error_description": "AADSTS1: echo cs~SECRET-VALUE\nx"},
        ["cs~SECRET-VALUE"],
    )
    assert "cs~SECRET-VALUE" not in str(unknown)
    assert "AADSTS1: echo [hidden]" in str(unknown)


def test_google_answers_become_named_problems_with_their_fix() -> None:
    no_delegation = google.problem_from("unauthorized_client: Client is unauthorized", [])
    assert "Domain-wide delegation" in no_delegation.fix
    revoked = google.problem_from("invalid_grant: Token has been expired or revoked.", [])
    assert revoked.problem == "the saved sign-in was revoked or has expired"


def test_a_server_refusal_names_the_likely_fix_and_never_the_token() -> None:
    token = Token("at.very-secret-token", 3600, "microsoft")
    said = "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled"
    smtp = server_refused("SMTP", USER, said + " at.very-secret-token", token)
    assert smtp.problem.startswith(f"SMTP AUTH is disabled for {USER}")
    assert "Set-CASMailbox" in smtp.fix and "very-secret" not in str(smtp)
    imap = server_refused("IMAP", USER, "AUTHENTICATE failed.", token)
    assert "Add-MailboxPermission" in imap.fix


def _command(tmp_path: Path, body: str) -> Command:
    script = tmp_path / "token.py"
    script.write_text(body)
    return Command(OAuth2Settings(provider="command", command=f"{sys.executable} {script}"))


def test_the_token_command_gives_its_first_line(tmp_path: Path) -> None:
    token = _command(tmp_path, "print('ya29.token-from-command')\nprint('extra')").fetch(USER)
    assert token.value == "ya29.token-from-command" and token.provider == "command"


def test_a_failing_token_command_is_named_without_what_it_printed(tmp_path: Path) -> None:
    body = "import sys\nprint('tok-123456')\nsys.stderr.write('refresh failed for tok-123456')\n"
    body += "sys.exit(3)"
    with pytest.raises(SignInProblem) as caught:
        _command(tmp_path, body).fetch(USER)
    assert caught.value.problem == "the token command exited with 3: refresh failed for [hidden]"
    missing = Command(OAuth2Settings(provider="command", command="/nonexistent/get-token"))
    with pytest.raises(SignInProblem, match="cannot run the token command: No such file"):
        missing.fetch(USER)


def test_the_token_cache_is_written_for_its_owner_only_and_refused_otherwise(
    tmp_path: Path,
) -> None:
    cache = tmp_path / "cache" / "token.json"
    write_private(cache, "{}")
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    check_private(cache)
    cache.chmod(0o640)
    with pytest.raises(SignInProblem, match=r"can be read by others \(mode 0640\)"):
        check_private(cache)


def test_scrub_hides_every_secret() -> None:
    assert scrub("a s3cret b s3cret", ["s3cret", ""]) == "a [hidden] b [hidden]"


# -- the [oauth2] table at start ----------------------------------------------------------


def _read(tmp_path: Path, oauth2: dict[str, object], **env: str) -> Settings:
    data = {**BASE, "smtp": {"auth": "oauth2"}, "oauth2": oauth2}
    return from_dict(data, base=tmp_path, environ=env)


def _problems(tmp_path: Path, oauth2: dict[str, object]) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        _read(tmp_path, oauth2)
    return caught.value.problems


def test_microsoft_without_tenant_or_credential_is_refused(tmp_path: Path) -> None:
    assert _problems(tmp_path, {"provider": "microsoft", "client_id": "c"}) == [
        'oauth2.tenant: is missing; expected e.g. "contoso.onmicrosoft.com"',
        "oauth2.client_secret_env: is missing; the app signs in with a secret "
        "(client_secret_env) or a certificate, or set token_cache for a person's sign-in "
        "(auth login)",
    ]


def test_google_without_a_key_is_refused(tmp_path: Path) -> None:
    assert _problems(tmp_path, {"provider": "google"}) == [
        "oauth2.service_account_file: is missing; expected the service account's key (JSON), "
        "or token_cache"
    ]


def test_a_token_cache_others_can_read_stops_the_start(tmp_path: Path) -> None:
    cache = tmp_path / "token.json"
    cache.write_text("{}")
    cache.chmod(0o644)
    table = {"provider": "microsoft", "client_id": "c", "token_cache": "token.json"}
    assert _problems(tmp_path, table) == [
        f"oauth2.token_cache: {cache} can be read by others (mode 0644); it holds a refresh "
        f"token: chmod 600 {cache}"
    ]
    cache.chmod(0o600)
    assert _read(tmp_path, table).oauth2.token_cache == cache


def test_every_connection_gets_the_oauth2_table_and_smtp_signs_in_as_the_mailbox(
    tmp_path: Path,
) -> None:
    table = {"provider": "command", "command": "get-token"}
    settings = _read(tmp_path, table)
    assert settings.mailbox.oauth2 == settings.smtp.oauth2 == settings.oauth2
    assert settings.smtp.username == USER
    assert "get-token" not in repr(settings.mailbox)


def test_no_secret_reaches_the_log_of_a_sign_in(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    issuer = Issuer(lifetime=3600)
    token = TokenSource(issuer, USER).token()
    assert token.value not in caplog.text and token.value not in repr(token)


def test_oauth2_settings_without_the_table_never_fall_back_to_a_password() -> None:
    with pytest.raises(SignInProblem, match="no \\[oauth2\\] table came with the settings"):
        source_for(None, USER)


def test_a_library_surprise_is_a_named_problem_without_its_text() -> None:
    issuer = Issuer(lifetime=3600)
    source = TokenSource(issuer, USER)

    def broken(user: str) -> Token:
        raise KeyError("secret-in-the-message")

    issuer.fetch = broken  # type: ignore[method-assign]
    with pytest.raises(SignInProblem) as caught:
        source.token()
    assert caught.value.problem == "the microsoft sign-in failed unexpectedly (KeyError)"
    assert "secret-in-the-message" not in str(caught.value)
