"""MAILBATON_<TABLE>__<KEY> overrides, secrets from the environment, the optional templates
folder, the OAuth2 keys, and docs/config.md kept in step with the schema."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from mailbaton.config import ConfigError, Settings, from_dict, load, reference

ROOT = Path(__file__).resolve().parents[2]
BASE = {"mailbox": {"username": "baton@example.com", "address": "baton@example.com"}}


def read(environ: dict[str, str], **tables: dict[str, object]) -> Settings:
    return from_dict({**BASE, **tables}, base=ROOT, environ=environ)


def problems(environ: dict[str, str], **tables: dict[str, object]) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        read(environ, **tables)
    return caught.value.problems


# --- environment overrides -------------------------------------------------------------


def test_environment_wins_over_the_file_and_is_read_with_the_file_grammar() -> None:
    settings = read(
        {
            "MAILBATON_MAILBOX__HOST": "imap.example.com",
            "MAILBATON_MAILBOX__PLUS_ADDRESSING": "true",
            "MAILBATON_MAILBOX__FOLDERS__FAILED": "Admin/Failed",
            "MAILBATON_SMTP__PORT": "465",
            "MAILBATON_SMTP__SECURITY": "SSL",
            "MAILBATON_SMTP__TIMEOUT": "12.5",
            "MAILBATON_DATABASE__URL": "postgresql+psycopg://baton@db/baton",
            "MAILBATON_ESCALATION__AFTER": "1h30m",
            "MAILBATON_ESCALATION__REPEAT_EVERY": "off",
            "MAILBATON_ESCALATION__MANAGERS": "Boss@Example.com, deputy@example.com",
            "MAILBATON_PROTOCOL__MAX_MESSAGE_SIZE": "10MB",
        },
        smtp={"port": 25, "security": "none"},
        escalation={"after": "4h", "repeat_every": "2h"},
    )
    assert settings.mailbox.host == "imap.example.com"
    assert settings.mailbox.plus_addressing is True
    assert settings.mailbox.folders.failed == "Admin/Failed"
    assert (settings.smtp.port, settings.smtp.security, settings.smtp.timeout) == (
        465,
        "ssl",
        12.5,
    )
    assert settings.database_url == "postgresql+psycopg://baton@db/baton"
    assert settings.escalation.after == timedelta(hours=1, minutes=30)
    assert settings.escalation.repeat_every is None
    assert settings.escalation.managers == ("boss@example.com", "deputy@example.com")
    assert settings.protocol.max_message_size == 10 * 1024**2


def test_a_bad_environment_value_names_the_variable() -> None:
    lines = problems({"MAILBATON_SMTP__PORT": "smtp", "MAILBATON_ESCALATION__AFTER": "soon"})
    assert lines == [
        "smtp.port (from MAILBATON_SMTP__PORT): is 'smtp'; expected a port number (1-65535)",
        "escalation.after (from MAILBATON_ESCALATION__AFTER): is 'soon'; "
        'expected a duration such as "4h", "90m" or "2d"',
    ]


def test_an_unknown_variable_gets_the_closest_name_and_departments_are_file_only() -> None:
    lines = problems(
        {
            "MAILBATON_MAILBOX__HOTS": "x",
            "MAILBATON_DEPARTMENTS__SALES__MEMBERS": "a@example.com",
            "MAILBATON_IMAP_PASSWORD": "not ours: a password_env target",
        }
    )
    assert lines == [
        "MAILBATON_DEPARTMENTS__SALES__MEMBERS: [departments] cannot be set from the "
        "environment; use config.toml",
        "MAILBATON_MAILBOX__HOTS: no such setting; did you mean MAILBATON_MAILBOX__HOST?",
    ]


def test_password_from_the_environment_replaces_file_password_and_password_env() -> None:
    settings = read(
        {"MAILBATON_SMTP__PASSWORD": " s3cret with spaces ", "MAILBATON_MAILBOX__PASSWORD": "i"},
        smtp={"password_env": "MB_TEST_NEVER_SET"},
        mailbox={**BASE["mailbox"], "password": "from-file"},
    )
    assert settings.smtp.password == " s3cret with spaces "
    assert settings.mailbox.password == "i"


def test_a_secret_from_the_environment_is_never_echoed() -> None:
    secret = "hunter2-Very-Secret"
    lines = problems(
        {
            "MAILBATON_SMTP__PASSWORD": secret,
            "MAILBATON_DATABASE__URL": f"mysql://baton:{secret}@db/baton",
            "MAILBATON_SMTP__HOST": "",
            "MAILBATON_SMTP__PORT": "0",
        }
    )
    assert (
        lines[0] == "smtp.port (from MAILBATON_SMTP__PORT): is 0; expected a port number (1-65535)"
    )
    assert lines[1].startswith("database.url (from MAILBATON_DATABASE__URL): is ")
    assert "baton:***@db" in lines[1]
    assert all(secret not in line for line in lines)


def test_password_env_reads_the_environment_variable() -> None:
    settings = read(
        {"MB_TEST_IMAP_PW": "from-env", "MB_TEST_SMTP_PW": "smtp-from-env"},
        mailbox={**BASE["mailbox"], "password_env": "MB_TEST_IMAP_PW"},
        smtp={"password_env": "MB_TEST_SMTP_PW"},
    )
    assert settings.mailbox.password == "from-env"
    assert settings.smtp.password == "smtp-from-env"


def test_password_env_that_is_not_set_is_reported() -> None:
    lines = problems({}, mailbox={**BASE["mailbox"], "password_env": "MB_TEST_UNSET_PW"})
    assert lines == [
        "mailbox.password_env: environment variable MB_TEST_UNSET_PW is not set; set it, "
        'or use password = "..." instead'
    ]


def test_load_reads_os_environ_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[mailbox]\nusername = "baton@example.com"\naddress = "baton@example.com"\n')
    monkeypatch.setenv("MAILBATON_MAILBOX__PORT", "1993")
    assert load(path).mailbox.port == 1993


# --- the templates folder is optional ----------------------------------------------------


def test_templates_folder_is_optional_and_checked_when_given(tmp_path: Path) -> None:
    assert read({}).templates_dir is None
    (tmp_path / "mails").mkdir()
    given = from_dict({**BASE, "templates": {"dir": "mails"}}, base=tmp_path, environ={})
    assert given.templates_dir == tmp_path / "mails"
    (line,) = problems({}, templates={"dir": str(tmp_path / "nope")})
    assert line.startswith("templates.dir: ") and "is not a folder" in line


# --- OAuth2 keys (sign-in itself comes later) and the SPEC's protocol keys ----------------


def test_oauth2_without_a_provider_is_a_problem_for_each_table_that_uses_it() -> None:
    lines = problems({}, mailbox={**BASE["mailbox"], "auth": "oauth2"}, smtp={"auth": "OAuth2"})
    assert [line.split(":")[0] for line in lines] == ["mailbox.auth", "smtp.auth"]
    assert 'provider = "microsoft", "google" or "command"' in lines[0]


def test_oauth2_keys_are_checked() -> None:
    lines = problems(
        {},
        mailbox={**BASE["mailbox"], "auth": "kerberos"},
        oauth2={"provider": "yahoo", "certificate": "missing.pem", "tenant": "t", "clientid": ""},
    )
    assert lines[0] == "mailbox.auth: is 'kerberos'; expected one of password, oauth2"
    assert lines[1] == "oauth2.clientid: unknown key; did you mean 'client_id'?"
    assert lines[2].startswith("oauth2.provider: is 'yahoo'; expected one of microsoft,")
    assert lines[3].startswith("oauth2.certificate: ") and "is not a file" in lines[3]


def test_a_usable_oauth2_table_loads(tmp_path: Path) -> None:
    (tmp_path / "cert.pem").write_text("-----BEGIN CERTIFICATE-----\n")
    settings = from_dict(
        {
            **BASE,
            "smtp": {"auth": "oauth2"},
            "oauth2": {
                "provider": "microsoft",
                "tenant": "contoso.onmicrosoft.com",
                "client_id": "0000",
                "certificate": "cert.pem",
                "token_cache": "oauth2-token.json",
            },
        },
        base=tmp_path,
        environ={},
    )
    assert settings.smtp.auth == "oauth2" and settings.mailbox.auth == "password"
    assert settings.oauth2.provider == "microsoft"
    assert settings.oauth2.certificate == tmp_path / "cert.pem"
    assert settings.oauth2.token_cache == tmp_path / "oauth2-token.json"


def test_command_provider_needs_its_command_and_a_named_secret_must_be_set() -> None:
    lines = problems(
        {},
        smtp={"auth": "oauth2"},
        oauth2={"provider": "command", "client_secret_env": "MB_TEST_UNSET_SECRET"},
    )
    assert [line.split(":")[0] for line in lines] == ["oauth2.command", "oauth2.client_secret_env"]


def test_protocol_keys_from_the_spec_have_their_defaults() -> None:
    assert read({}).protocol.max_answers_per_sender == 20
    assert read({}).protocol.strict_verdicts is False
    custom = read({}, protocol={"max_answers_per_sender": 5, "strict_verdicts": True})
    assert (custom.protocol.max_answers_per_sender, custom.protocol.strict_verdicts) == (5, True)


# --- docs/config.md ----------------------------------------------------------------------


def test_docs_config_md_is_generated_from_the_schema() -> None:
    written = (ROOT / "docs" / "config.md").read_text(encoding="utf-8")
    assert written == reference(), (
        "docs/config.md differs from the schema; regenerate it with "
        "`python -m mailbaton.config > docs/config.md`"
    )


def test_reference_names_every_key_with_its_variable() -> None:
    text = reference()
    for needle in (
        "| `password_env` |",
        "`MAILBATON_SMTP__PASSWORD`",
        "`MAILBATON_MAILBOX__FOLDERS__FAILED`",
        "## [departments.NAME]",
        "| `business_hours` |",
        "| `client_secret_env` |",
        "| `max_answers_per_sender` | whole number | `20` |",
    ):
        assert needle in text
