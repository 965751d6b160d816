"""config.toml (SPEC section 8): the shipped file loads, every key lands in Settings, and a
bad file is refused with one line per problem naming the key, the fault and the fix."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from mailbaton.config import ConfigError, Settings, load

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "mailbaton" / "templates"


def write(folder: Path, text: str, name: str = "config.toml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def minimal(extra: str = "", *, templates: Path = TEMPLATES) -> str:
    """The least a working config needs, plus `extra` tables/keys appended."""
    return (
        "[mailbox]\n"
        'username = "baton@example.com"\n'
        'address = "baton@example.com"\n'
        f"{extra}\n"
        "[templates]\n"
        f"dir = {str(templates)!r}\n"
    )


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load(path)
    error = caught.value
    # The message printed at start is exactly the problem lines, one per line.
    assert str(error) == "\n".join(error.problems)
    return error.problems


# --- the shipped config.toml --------------------------------------------------------


def test_root_config_toml_loads_with_paths_resolved_against_its_folder() -> None:
    settings = load(ROOT / "config.toml", environ={})
    # It names no templates folder: the templates shipped inside the package are used.
    assert settings.templates_dir is None
    assert settings.database_url == f"sqlite:///{ROOT / 'mailbaton.db'}"
    assert settings.mailbox.host == "127.0.0.1"
    assert settings.mailbox.port == 4143
    assert settings.mailbox.security == "none"
    assert settings.mailbox.address == "baton@example.com"
    assert settings.smtp.port == 4025
    assert settings.protocol.ticket_prefix == "MB"
    assert settings.escalation.after == timedelta(hours=4)
    assert [d.name for d in settings.departments] == ["sales", "ops"]
    assert settings.source == ROOT / "config.toml"


def test_root_config_toml_loads_from_another_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load(ROOT / "config.toml", environ={})
    assert settings.database_url == f"sqlite:///{ROOT / 'mailbaton.db'}"
    assert str(tmp_path) not in settings.database_url


# --- every SPEC section 8 key round-trips --------------------------------------------

SPEC_EXAMPLE = """
[mailbox]
host = "imap.example.com"
port = 4143
security = "STARTTLS"
username = "baton@example.com"
password = "secret"
folder = "Handoffs"
address = "Baton@Example.com"
plus_addressing = true

[smtp]
host = "smtp.example.com"
port = 4025
security = "ssl"
username = "sender@example.com"
password = "smtp-secret"

[database]
url = "postgresql+psycopg://baton@db.example.com/baton"

[protocol]
ticket_prefix = "HO"
allowed_domains = ["example.com", "Example.org"]
group_addresses = ["ops@example.com", "*-team@example.com"]

[escalation]
after = "90m"
managers = ["managers@example.com"]
repeat_every = "4h"
remind_after = "1h 30m"
business_hours = "Mon-Fri 09:00-17:00"
timezone = "Europe/Berlin"

[departments.sales]
members = ["*@sales.example.com", "alice@example.com"]
managers = ["head-of-sales@example.com"]

[templates]
dir = "{templates}"
"""


@pytest.fixture
def spec_settings(tmp_path: Path) -> Settings:
    return load(write(tmp_path, SPEC_EXAMPLE.replace("{templates}", str(TEMPLATES))))


def test_spec_mailbox_keys_round_trip(spec_settings: Settings) -> None:
    mailbox = spec_settings.mailbox
    assert mailbox.host == "imap.example.com"
    assert mailbox.port == 4143
    assert mailbox.security == "starttls"
    assert mailbox.username == "baton@example.com"
    assert mailbox.password == "secret"
    assert mailbox.folder == "Handoffs"
    assert mailbox.address == "baton@example.com"
    assert mailbox.plus_addressing is True


def test_spec_smtp_and_database_keys_round_trip(spec_settings: Settings) -> None:
    smtp = spec_settings.smtp
    assert (smtp.host, smtp.port, smtp.security) == ("smtp.example.com", 4025, "ssl")
    assert (smtp.username, smtp.password) == ("sender@example.com", "smtp-secret")
    assert spec_settings.database_url == "postgresql+psycopg://baton@db.example.com/baton"


def test_spec_protocol_and_escalation_keys_round_trip(spec_settings: Settings) -> None:
    protocol = spec_settings.protocol
    assert protocol.ticket_prefix == "HO"
    assert protocol.allowed_domains == ("example.com", "example.org")
    assert protocol.group_addresses == ("ops@example.com", "*-team@example.com")
    escalation = spec_settings.escalation
    assert escalation.after == timedelta(minutes=90)
    assert escalation.managers == ("managers@example.com",)
    assert escalation.repeat_every == timedelta(hours=4)
    assert escalation.remind_after == timedelta(hours=1, minutes=30)
    assert escalation.business_hours == "Mon-Fri 09:00-17:00"
    assert escalation.timezone == "Europe/Berlin"


def test_spec_departments_and_templates_round_trip(spec_settings: Settings) -> None:
    (sales,) = spec_settings.departments
    assert sales.name == "sales"
    assert sales.members == ("*@sales.example.com", "alice@example.com")
    assert sales.managers == ("head-of-sales@example.com",)
    assert spec_settings.templates_dir == TEMPLATES


def test_defaults_when_optional_keys_are_left_out(tmp_path: Path) -> None:
    settings = load(write(tmp_path, minimal()))
    assert settings.mailbox.folder == "INBOX"
    assert settings.mailbox.plus_addressing is False
    assert settings.protocol.ticket_prefix == "MB"
    assert settings.escalation.after == timedelta(hours=4)
    assert settings.escalation.repeat_every is None
    assert settings.escalation.remind_after is None
    assert settings.escalation.business_hours is None
    assert settings.escalation.timezone == "UTC"
    assert settings.departments == ()


def test_templates_dir_is_resolved_against_the_config_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "conf" / "mails").mkdir(parents=True)
    text = minimal().replace(f"dir = {str(TEMPLATES)!r}", 'dir = "mails"')
    path = write(tmp_path / "conf", text)
    monkeypatch.chdir(tmp_path)
    assert load(path).templates_dir == tmp_path / "conf" / "mails"


# --- the database URL ------------------------------------------------------------------


def test_relative_sqlite_url_is_relative_to_the_config_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "etc").mkdir()
    (tmp_path / "elsewhere").mkdir()
    path = write(tmp_path / "etc", minimal('[database]\nurl = "sqlite:///data/baton.db"'))
    monkeypatch.chdir(tmp_path / "elsewhere")
    url = load(path).database_url
    assert url == f"sqlite:///{tmp_path.resolve() / 'etc' / 'data' / 'baton.db'}"


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:////var/lib/mailbaton/baton.db",
        "sqlite:///:memory:",
        "sqlite://",
        "postgresql+psycopg://user@host/dbname",
    ],
)
def test_absolute_memory_and_postgres_urls_are_kept(tmp_path: Path, url: str) -> None:
    path = write(tmp_path, minimal(f'[database]\nurl = "{url}"'))
    assert load(path).database_url == url


def test_unknown_database_kind_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, minimal('[database]\nurl = "mysql://host/db"'))
    (line,) = problems_of(path)
    assert line.startswith("database.url: is 'mysql://host/db'; expected sqlite:///")


# --- a bad file: every problem at once, one line each ----------------------------------

BAD = """
[mailbox]
hots = "imap.example.com"
port = "abc"
security = "tls"
username = "baton@example.com"
password = "x"

[escalation]
after = "4 hours"
timezone = "Mars/Olympus"
business_hours = "weekdays 9-5"
managers = ["managers@example.com", "not-an-email"]

[templates]
dir = "{missing}"
"""


def test_a_bad_file_reports_every_problem_at_once_one_line_each(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-templates"
    problems = problems_of(write(tmp_path, BAD.replace("{missing}", str(missing))))
    assert problems == [
        "mailbox.hots: unknown key; did you mean 'host'?",
        "mailbox.port: is 'abc'; expected a port number (1-65535)",
        "mailbox.security: is 'tls'; expected one of ssl, starttls, none",
        "mailbox.address: is ''; expected the shared address, e.g. \"baton@example.com\"",
        "escalation.timezone: is 'Mars/Olympus'; expected an IANA zone such as \"Europe/Berlin\"",
        "escalation.business_hours: is 'weekdays 9-5'; expected e.g. \"Mon-Fri 09:00-17:00\"",
        'escalation.after: is \'4 hours\'; expected a duration such as "4h", "90m" or "2d"',
        "escalation.managers: 'not-an-email' is not an address; "
        'expected e.g. "head-of-ops@example.com"',
        f"templates.dir: '{missing}' is not a folder; expected the templates folder",
    ]
    assert all("\n" not in line for line in problems)


@pytest.mark.parametrize(
    ("extra", "key", "wrong", "right"),
    [
        ("port = 0", "mailbox.port", "is 0", "1-65535"),
        ("port = 70000", "mailbox.port", "is 70000", "1-65535"),
        ("port = true", "mailbox.port", "is True", "1-65535"),
        ("plus_addressing = 'yes'", "mailbox.plus_addressing", "'yes'", "true or false"),
        ("timeout = 'long'", "mailbox.timeout", "'long'", "seconds"),
        ("poll_interval = '1 minute'", "mailbox.poll_interval", "'1 minute'", '"90m"'),
        ("[smtp]\nsecurity = 'tls'", "smtp.security", "'tls'", "ssl, starttls, none"),
        ("[smtp]\nprt = 25", "smtp.prt", "unknown key", "'port'"),
        ("[protocol]\nticket_prefix = 'MB-'", "protocol.ticket_prefix", "'MB-'", '"MB"'),
        (
            "[protocol]\nallowed_domains = ['example']",
            "protocol.allowed_domains",
            "'example'",
            "example.com",
        ),
        (
            "[protocol]\ngroup_addresses = 'ops'",
            "protocol.group_addresses",
            "'ops'",
            "*-team@example.com",
        ),
        ("[escalation]\nafter = '0h'", "escalation.after", "'0h'", '"4h"'),
        ("[escalation]\nafter = '-1h'", "escalation.after", "'-1h'", '"4h"'),
        ("[escalation]\nafter = 4", "escalation.after", "4", '"4h"'),
        ("[escalation]\nrepeat_every = 'h'", "escalation.repeat_every", "'h'", '"4h"'),
        ("[escalation]\ntimezone = ''", "escalation.timezone", "''", "Europe/Berlin"),
        (
            "[escalation]\ntimezone = 'Europe/berlin'",
            "escalation.timezone",
            "'Europe/berlin'",
            "Europe/Berlin",
        ),
        (
            "[escalation]\nbusiness_hours = 'Mon-Fri 9:00-25:00'",
            "escalation.business_hours",
            "'Mon-Fri 9:00-25:00'",
            "Mon-Fri 09:00-17:00",
        ),
        (
            "[escalation]\nholidays = ['25.12.2026']",
            "escalation.holidays",
            "'25.12.2026'",
            "2026-12-25",
        ),
        ("[escalation]\nmanagers = 'boss'", "escalation.managers", "'boss'", "address"),
        (
            "[departments.sales]\nmembrs = ['a@example.com']",
            "departments.sales.membrs",
            "unknown key",
            "'members'",
        ),
        (
            "[departments.sales]\nmanagers = ['head of sales']",
            "departments.sales.managers",
            "'head of sales'",
            "address",
        ),
        ("[mailbx]\nhost = 'x'", "mailbx", "unknown key", "'mailbox'"),
    ],
)
def test_each_bad_value_gives_one_line_naming_key_fault_and_fix(
    tmp_path: Path, extra: str, key: str, wrong: str, right: str
) -> None:
    (line,) = problems_of(write(tmp_path, minimal(extra)))
    assert line.startswith(f"{key}: ")
    assert wrong in line
    assert right in line


def test_missing_username_and_address_are_both_reported(tmp_path: Path) -> None:
    problems = problems_of(write(tmp_path, f"[templates]\ndir = {str(TEMPLATES)!r}\n"))
    assert [line.split(":")[0] for line in problems] == ["mailbox.username", "mailbox.address"]
    assert "baton@example.com" in problems[0]
    assert "baton@example.com" in problems[1]


def test_poll_interval_cannot_be_switched_off(tmp_path: Path) -> None:
    # "off" once fell back to timedelta(60): sixty DAYS between looks at the mailbox.
    (line,) = problems_of(write(tmp_path, minimal('poll_interval = "off"')))
    assert line.startswith("mailbox.poll_interval:") and "4h" in line


# --- files that cannot be read at all --------------------------------------------------


def test_missing_file_is_one_clear_problem(tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"
    (line,) = problems_of(path)
    assert str(path) in line
    assert "no such file" in line
    assert "-c PATH" in line


def test_invalid_toml_is_one_clear_problem_with_the_position(tmp_path: Path) -> None:
    path = write(tmp_path, '[mailbox]\nhost = "unterminated\n')
    (line,) = problems_of(path)
    assert line.startswith(f"{path}: not valid TOML: ")
    assert "line 2" in line


@pytest.mark.parametrize(
    ("extra", "key"),
    [
        ('[escalation]\nbusiness_hours = "Mon-Fri 17:00-09:00"', "escalation.business_hours"),
        ('[escalation]\nbusiness_hours = "Mon-Fri 09:00-24:30"', "escalation.business_hours"),
        ('[escalation]\nholidays = ["2026-02-30"]', "escalation.holidays"),
    ],
)
def test_business_hours_the_clock_cannot_use_are_refused_at_load(
    tmp_path: Path, extra: str, key: str
) -> None:
    # Otherwise the first deadline computed at run time would raise instead.
    (line,) = problems_of(write(tmp_path, minimal(extra)))
    assert line.startswith(key + ":")
