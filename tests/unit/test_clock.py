"""clock: reading times and durations the way config.toml and `run --once --now` write them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from mailbaton.clock import as_utc, humanize, iso, parse_duration, parse_instant

# --- parse_instant (what `run --once --now ISO-8601` accepts) ---------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-23T09:30:00Z", datetime(2026, 11, 23, 9, 30, tzinfo=UTC)),
        ("2026-11-23T09:30:00z", datetime(2026, 11, 23, 9, 30, tzinfo=UTC)),
        ("2026-11-23T09:30:00+00:00", datetime(2026, 11, 23, 9, 30, tzinfo=UTC)),
        ("2026-11-23T10:30:00+01:00", datetime(2026, 11, 23, 9, 30, tzinfo=UTC)),
        ("2026-11-23T04:00:00-05:30", datetime(2026, 11, 23, 9, 30, tzinfo=UTC)),
        ("2026-11-23T09:30:00", datetime(2026, 11, 23, 9, 30, tzinfo=UTC)),
        ("2026-11-23 09:30", datetime(2026, 11, 23, 9, 30, tzinfo=UTC)),
        ("  2026-11-23T09:30:00Z  ", datetime(2026, 11, 23, 9, 30, tzinfo=UTC)),
    ],
)
def test_parse_instant_gives_the_same_utc_moment(text: str, expected: datetime) -> None:
    moment = parse_instant(text)
    assert moment == expected
    # Always handed back in UTC, so it prints and compares the same everywhere.
    assert moment.utcoffset() == timedelta(0)
    assert moment.hour == expected.hour


def test_parse_instant_without_zone_is_taken_as_utc_not_local_time() -> None:
    assert parse_instant("2026-07-01T12:00:00").tzinfo is not None
    assert iso(parse_instant("2026-07-01T12:00:00")) == "2026-07-01T12:00:00Z"


@pytest.mark.parametrize("text", ["", "tomorrow", "2026-13-01T00:00:00Z", "23/11/2026"])
def test_parse_instant_refuses_what_is_not_iso_8601(text: str) -> None:
    with pytest.raises(ValueError):
        parse_instant(text)


def test_as_utc_and_iso_agree_on_naive_and_aware_times() -> None:
    berlin_winter = timezone(timedelta(hours=1))
    assert as_utc(datetime(2026, 11, 23, 9, 30)) == datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    assert as_utc(datetime(2026, 11, 23, 10, 30, tzinfo=berlin_winter)).hour == 9
    assert iso(datetime(2026, 11, 23, 9, 30)) == "2026-11-23T09:30:00Z"
    assert iso(datetime(2026, 11, 23, 10, 30, tzinfo=berlin_winter)) == "2026-11-23T09:30:00Z"
    assert iso(None) is None


# --- parse_duration (escalation.after, repeat_every, ...) ------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4h", timedelta(hours=4)),
        ("90m", timedelta(minutes=90)),
        ("90min", timedelta(minutes=90)),
        ("1h 30m", timedelta(hours=1, minutes=30)),
        ("2d", timedelta(days=2)),
        ("30s", timedelta(seconds=30)),
        ("4H", timedelta(hours=4)),
        ("1 h", timedelta(hours=1)),
        ("1.5h", timedelta(minutes=90)),
        (" 2d 4h ", timedelta(days=2, hours=4)),
    ],
)
def test_parse_duration_reads_what_the_config_comments_promise(
    text: str, expected: timedelta
) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "4 hours", "h", "-1h", "4", "four hours", "4h x"])
def test_parse_duration_refuses_anything_else(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


def test_parse_duration_reads_compact_hours_and_minutes() -> None:
    assert parse_duration("1h30m") == timedelta(hours=1, minutes=30)


# --- humanize (ages and deadlines in `status` and mails) ------------------------------


@pytest.mark.parametrize(
    ("delta", "expected"),
    [
        (timedelta(hours=1, minutes=12), "1 h 12 min"),
        (timedelta(days=3, hours=2), "3 d 2 h"),
        (timedelta(seconds=45), "45 s"),
        (timedelta(days=3), "3 d"),
        (timedelta(hours=4), "4 h"),
        (timedelta(minutes=5, seconds=59), "5 min"),
        (timedelta(days=1, minutes=30), "1 d"),
        (timedelta(0), "0 s"),
        (timedelta(seconds=-30), "0 s"),
    ],
)
def test_humanize_says_durations_as_people_do(delta: timedelta, expected: str) -> None:
    assert humanize(delta) == expected
