"""The one grammar of each kind of config value, and business hours read alike by the config
loader and by the escalation clock."""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path

import pytest

from mailbaton.config import ConfigError, from_dict
from mailbaton.config import values as v
from mailbaton.hours import BusinessHours


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4h", timedelta(hours=4)),
        ("90m", timedelta(minutes=90)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("1h 30m", timedelta(hours=1, minutes=30)),
        ("2d", timedelta(days=2)),
        ("45s", timedelta(seconds=45)),
        ("10min", timedelta(minutes=10)),
    ],
)
def test_duration_grammar(text: str, expected: timedelta) -> None:
    assert v.duration(text) == expected


@pytest.mark.parametrize("raw", ["4 hours", "0h", "-1h", "h", "", 4, True])
def test_duration_refusals_say_what_would_be_right(raw: object) -> None:
    with pytest.raises(v.BadValue, match='expected a duration such as "4h"'):
        v.duration(raw)


def test_off_only_where_a_duration_can_be_switched_off() -> None:
    assert v.duration("off", can_be_off=True) is None
    assert v.duration(False, can_be_off=True) is None
    with pytest.raises(v.BadValue, match="cannot be 'off'"):
        v.duration("off")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("25MB", 25 * 1024**2), ("500KB", 500 * 1024), ("1.5GB", int(1.5 * 1024**3)), (1000, 1000)],
)
def test_size_grammar(raw: object, expected: int) -> None:
    assert v.size(raw) == expected


@pytest.mark.parametrize("raw", ["25 parsecs", "0MB", True, "-5MB"])
def test_size_refusals(raw: object) -> None:
    with pytest.raises(v.BadValue, match='expected a size such as "25MB"'):
        v.size(raw)


def test_port_and_choice() -> None:
    assert v.port(993) == 993
    for raw in (0, 65536, "993", True):
        with pytest.raises(v.BadValue, match=r"expected a port number \(1-65535\)"):
            v.port(raw)
    assert v.choice(" STARTTLS ", v.SECURITY_CHOICES) == "starttls"
    with pytest.raises(v.BadValue, match="is 'tls'; expected one of ssl, starttls, none"):
        v.choice("tls", v.SECURITY_CHOICES)


def test_lists_are_trimmed_lower_cased_and_each_bad_item_is_its_own_line() -> None:
    assert v.strings([" Ops@Example.com ", "*-Team@example.com"], v.is_pattern, "x") == (
        "ops@example.com",
        "*-team@example.com",
    )
    assert v.strings("Boss@Example.com", v.is_address, "x") == ("boss@example.com",)
    with pytest.raises(v.BadValue) as caught:
        v.strings(["a@example.com", "bob", "carol"], v.is_address, "an address")
    assert caught.value.lines == ("'bob' is not an address", "'carol' is not an address")
    with pytest.raises(v.BadValue, match="expected a list of strings"):
        v.strings([1, 2], v.is_address, "an address")


@pytest.mark.parametrize(
    ("check", "good", "bad"),
    [
        (v.is_address, "jane@example.com", "jane@localhost"),
        (v.is_pattern, "*@sales.example.com", "sales"),
        (v.is_domain, "example.co.uk", "example"),
        (v.is_local_part, "billing", "billing@example.com"),
        (v.is_date, "2026-12-25", "2026-02-30"),
    ],
)
def test_item_checks(check: object, good: str, bad: str) -> None:
    assert callable(check)
    assert check(good) and not check(bad)


def test_timezone_and_database_url() -> None:
    assert v.timezone("Europe/Berlin") == "Europe/Berlin"
    with pytest.raises(v.BadValue, match="expected an IANA zone"):
        v.timezone("Mars/Olympus")
    assert v.database_url("sqlite:///b.db", Path("/srv")) == "sqlite:////srv/b.db"
    with pytest.raises(v.BadValue) as caught:
        v.database_url("mysql://baton:hunter2@db/baton", Path("/srv"))
    assert "hunter2" not in str(caught.value)
    assert "baton:***@db" in str(caught.value)


# --- business hours: one grammar for the loader and the clock -----------------------------

SPELLINGS = [
    "Mon-Fri 09:00-17:00",
    "Monday-Friday 09:00-17:00",
    "monday-friday 9:00-17:00",
    "MON-FRIDAY 09:00-17:00",
    "Mon - Fri 09:00 - 17:00",
]


def load_hours(spec: str) -> BusinessHours | None:
    settings = from_dict(
        {
            "mailbox": {"username": "baton@example.com", "address": "baton@example.com"},
            "escalation": {"business_hours": spec, "timezone": "Europe/Berlin"},
        },
        base=Path("/"),
        environ={},
    )
    assert settings.escalation.business_hours == spec  # kept as written, for display
    return settings.escalation.schedule


@pytest.mark.parametrize("spec", SPELLINGS)
def test_both_spellings_are_read_alike_by_config_and_clock(spec: str) -> None:
    direct = BusinessHours.parse(spec, "Europe/Berlin")
    assert (direct.days, direct.start, direct.end) == (
        frozenset(range(5)),
        time(9),
        time(17),
    )
    assert load_hours(spec) == direct


@pytest.mark.parametrize(
    "spec",
    ["Mo-Fr 09:00-17:00", "Mon-Fri 9-17", "weekdays 09:00-17:00", "Mon-Fri 17:00-09:00", ""],
)
def test_what_the_clock_refuses_the_config_refuses(spec: str) -> None:
    with pytest.raises(ValueError, match="business hours"):
        BusinessHours.parse(spec)
    with pytest.raises(ConfigError) as caught:
        load_hours(spec)
    (line,) = caught.value.problems
    assert line.startswith(f"escalation.business_hours: is {spec!r}; ")
    assert line.endswith('expected e.g. "Mon-Fri 09:00-17:00"')


def test_refusal_says_which_part_is_wrong() -> None:
    with pytest.raises(ConfigError) as caught:
        load_hours("Mon-Fry 09:00-17:00")
    assert "unknown day 'Fry'" in caught.value.problems[0]
