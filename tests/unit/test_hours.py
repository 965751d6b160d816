"""hours: escalation deadlines that only count business time, across weekends, holidays, DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailbaton.hours import BusinessHours, deadline, from_settings

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
FOUR_HOURS = timedelta(hours=4)


def berlin(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=BERLIN)


@pytest.fixture
def office() -> BusinessHours:
    return BusinessHours.parse("Mon-Fri 09:00-17:00", "Europe/Berlin")


def local(moment: datetime, zone: ZoneInfo = BERLIN) -> datetime:
    return moment.astimezone(zone)


# --- add: the escalation clock ----------------------------------------------------------


def test_friday_afternoon_escalates_monday_noon(office: BusinessHours) -> None:
    # 2026-06-05 is a Friday: one hour Friday, three hours Monday.
    due = office.add(berlin(2026, 6, 5, 16, 0), FOUR_HOURS)
    assert local(due) == berlin(2026, 6, 8, 12, 0)
    assert due.tzinfo is UTC


def test_saturday_counts_from_monday_opening(office: BusinessHours) -> None:
    due = office.add(berlin(2026, 6, 6, 11, 30), FOUR_HOURS)
    assert local(due) == berlin(2026, 6, 8, 13, 0)


def test_before_opening_counts_from_opening(office: BusinessHours) -> None:
    due = office.add(berlin(2026, 6, 8, 8, 0), FOUR_HOURS)
    assert local(due) == berlin(2026, 6, 8, 13, 0)


def test_exactly_at_closing_counts_from_next_opening(office: BusinessHours) -> None:
    due = office.add(berlin(2026, 6, 8, 17, 0), FOUR_HOURS)
    assert local(due) == berlin(2026, 6, 9, 13, 0)


def test_deadline_landing_on_closing_stays_that_day(office: BusinessHours) -> None:
    # Not pushed to Monday 09:00: the four hours are up at Friday's closing.
    due = office.add(berlin(2026, 6, 5, 13, 0), FOUR_HOURS)
    assert local(due) == berlin(2026, 6, 5, 17, 0)


def test_within_the_day(office: BusinessHours) -> None:
    due = office.add(berlin(2026, 6, 9, 10, 15), FOUR_HOURS)
    assert local(due) == berlin(2026, 6, 9, 14, 15)


def test_holiday_is_skipped() -> None:
    hours = BusinessHours.parse("Mon-Fri 09:00-17:00", "Europe/Berlin", ["2026-12-25"])
    plain = BusinessHours.parse("Mon-Fri 09:00-17:00", "Europe/Berlin")
    thrown = berlin(2026, 12, 24, 16, 0)  # Thursday before Christmas
    assert local(plain.add(thrown, FOUR_HOURS)) == berlin(2026, 12, 25, 12, 0)
    assert local(hours.add(thrown, FOUR_HOURS)) == berlin(2026, 12, 28, 12, 0)


def test_thrown_on_a_holiday_counts_from_next_business_day() -> None:
    hours = BusinessHours.parse("Mon-Fri 09:00-17:00", "Europe/Berlin", ["2026-12-25"])
    due = hours.add(berlin(2026, 12, 25, 10, 0), FOUR_HOURS)
    assert local(due) == berlin(2026, 12, 28, 13, 0)


def test_longer_than_a_business_day_spans_days(office: BusinessHours) -> None:
    # Eight hours Monday, four Tuesday.
    due = office.add(berlin(2026, 6, 8, 9, 0), timedelta(hours=12))
    assert local(due) == berlin(2026, 6, 9, 13, 0)
    # Three full days from Thursday morning: Thu, Fri, Mon.
    due = office.add(berlin(2026, 6, 11, 9, 0), timedelta(hours=24))
    assert local(due) == berlin(2026, 6, 15, 17, 0)


def test_start_in_another_zone_is_the_same_moment(office: BusinessHours) -> None:
    # 14:00 UTC on a June Friday is 16:00 in Berlin (CEST, UTC+2).
    due = office.add(datetime(2026, 6, 5, 14, 0, tzinfo=UTC), FOUR_HOURS)
    assert due == datetime(2026, 6, 8, 10, 0, tzinfo=UTC)


def test_naive_start_is_taken_as_utc(office: BusinessHours) -> None:
    # SQLite hands back naive datetimes stored as UTC.
    assert office.add(datetime(2026, 6, 5, 14, 0), FOUR_HOURS) == datetime(
        2026, 6, 8, 10, 0, tzinfo=UTC
    )


def test_zero_duration(office: BusinessHours) -> None:
    assert local(office.add(berlin(2026, 6, 8, 10, 0), timedelta(0))) == berlin(2026, 6, 8, 10)
    assert local(office.add(berlin(2026, 6, 6, 10, 0), timedelta(0))) == berlin(2026, 6, 8, 9)
    # The closing moment itself is closed, so nothing is due until the next opening.
    assert local(office.add(berlin(2026, 6, 8, 17, 0), timedelta(0))) == berlin(2026, 6, 9, 9)


def test_negative_duration_is_refused(office: BusinessHours) -> None:
    with pytest.raises(ValueError, match="negative"):
        office.add(berlin(2026, 6, 8, 10, 0), timedelta(hours=-1))


# --- DST ----------------------------------------------------------------------------------


def test_across_end_of_dst(office: BusinessHours) -> None:
    # Clocks go back on Sunday 2026-10-25: Friday is CEST (UTC+2), Monday CET (UTC+1).
    thrown = berlin(2026, 10, 23, 16, 0)
    assert thrown.astimezone(UTC) == datetime(2026, 10, 23, 14, 0, tzinfo=UTC)
    due = office.add(thrown, FOUR_HOURS)
    assert local(due) == berlin(2026, 10, 26, 12, 0)
    assert due == datetime(2026, 10, 26, 11, 0, tzinfo=UTC)


def test_across_start_of_dst(office: BusinessHours) -> None:
    # Clocks go forward on Sunday 2026-03-29: Friday is CET (UTC+1), Monday CEST (UTC+2).
    thrown = berlin(2026, 3, 27, 16, 0)
    assert thrown.astimezone(UTC) == datetime(2026, 3, 27, 15, 0, tzinfo=UTC)
    due = office.add(thrown, FOUR_HOURS)
    assert local(due) == berlin(2026, 3, 30, 12, 0)
    assert due == datetime(2026, 3, 30, 10, 0, tzinfo=UTC)


def test_weekend_shift_across_dst_keeps_wall_clock_hours() -> None:
    # Business hours on the DST Sunday itself: 10:00-14:00 is still four wall-clock hours.
    hours = BusinessHours.parse("Sat-Sun 10:00-14:00", "Europe/Berlin")
    due = hours.add(berlin(2026, 10, 24, 13, 0), timedelta(hours=2))
    assert local(due) == berlin(2026, 10, 25, 11, 0)
    assert due == datetime(2026, 10, 25, 10, 0, tzinfo=UTC)
    due = hours.add(berlin(2026, 3, 28, 13, 0), timedelta(hours=2))
    assert local(due) == berlin(2026, 3, 29, 11, 0)
    assert due == datetime(2026, 3, 29, 9, 0, tzinfo=UTC)


def test_a_25_hour_day_counts_real_time() -> None:
    # Sunday 2026-10-25 in Berlin lasts 25 real hours; an all-day window counts them all.
    hours = BusinessHours.parse("Sun 00:00-24:00", "Europe/Berlin")
    midnight = berlin(2026, 10, 25, 0, 0)
    assert local(hours.add(midnight, timedelta(hours=24))) == berlin(2026, 10, 25, 23, 0)
    assert local(hours.add(midnight, timedelta(hours=25))) == berlin(2026, 10, 26, 0, 0)
    # The 26th hour is found a week later.
    assert local(hours.add(midnight, timedelta(hours=26))) == berlin(2026, 11, 1, 1, 0)


def test_a_23_hour_day_counts_real_time() -> None:
    hours = BusinessHours.parse("Sun 00:00-24:00", "Europe/Berlin")
    midnight = berlin(2026, 3, 29, 0, 0)
    assert local(hours.add(midnight, timedelta(hours=23))) == berlin(2026, 3, 30, 0, 0)
    assert local(hours.add(midnight, timedelta(hours=24))) == berlin(2026, 4, 5, 1, 0)


def test_new_york_across_its_own_dst_end() -> None:
    # US clocks go back on Sunday 2026-11-01: Friday is EDT (UTC-4), Monday EST (UTC-5).
    hours = BusinessHours.parse("Mon-Fri 09:00-17:00", "America/New_York")
    thrown = datetime(2026, 10, 30, 15, 0, tzinfo=NEW_YORK)
    due = hours.add(thrown, FOUR_HOURS)
    assert local(due, NEW_YORK) == datetime(2026, 11, 2, 11, 0, tzinfo=NEW_YORK)
    assert due == datetime(2026, 11, 2, 16, 0, tzinfo=UTC)


def test_same_utc_moment_different_zones_differ() -> None:
    # 15:00 UTC on a Friday: Berlin has closed for the week, New York has most of the day.
    moment = datetime(2026, 6, 5, 15, 0, tzinfo=UTC)
    berlin_hours = BusinessHours.parse("Mon-Fri 09:00-17:00", "Europe/Berlin")
    ny_hours = BusinessHours.parse("Mon-Fri 09:00-17:00", "America/New_York")
    assert berlin_hours.add(moment, FOUR_HOURS) == datetime(2026, 6, 8, 11, 0, tzinfo=UTC)
    assert ny_hours.add(moment, FOUR_HOURS) == datetime(2026, 6, 5, 19, 0, tzinfo=UTC)


# --- deadline / from_settings --------------------------------------------------------------


def test_deadline_without_hours_is_plain_utc_addition() -> None:
    # Across the end of DST: four real hours, whatever the local clocks do.
    start = berlin(2026, 10, 25, 1, 30)
    due = deadline(start, FOUR_HOURS, None)
    assert due.tzinfo is UTC
    assert due == start.astimezone(UTC) + FOUR_HOURS
    assert due == datetime(2026, 10, 25, 3, 30, tzinfo=UTC)


def test_deadline_with_hours_uses_them(office: BusinessHours) -> None:
    due = deadline(berlin(2026, 6, 5, 16, 0), FOUR_HOURS, office)
    assert due == datetime(2026, 6, 8, 10, 0, tzinfo=UTC)


def test_from_settings() -> None:
    assert from_settings(None, "UTC", ()) is None
    hours = from_settings("Mon-Fri 09:00-17:00", "Europe/Berlin", ("2026-12-25",))
    assert hours is not None
    assert hours.zone == BERLIN
    assert hours.holidays == frozenset({date(2026, 12, 25)})
    assert hours.days == frozenset(range(5))


def test_from_settings_holidays_alone_stop_the_clock_on_those_days() -> None:
    hours = from_settings(None, "Europe/Berlin", ["2026-12-25"])
    assert hours is not None
    due = hours.add(berlin(2026, 12, 24, 22, 0), FOUR_HOURS)
    assert local(due) == berlin(2026, 12, 26, 2, 0)
    # Elsewhere it is plain addition, also across DST.
    start = berlin(2026, 10, 24, 22, 0)
    assert hours.add(start, timedelta(hours=30)) == deadline(start, timedelta(hours=30), None)


# --- is_open --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (berlin(2026, 6, 8, 9, 0), True),
        (berlin(2026, 6, 8, 16, 59), True),
        (berlin(2026, 6, 8, 17, 0), False),
        (berlin(2026, 6, 8, 8, 59), False),
        (berlin(2026, 6, 6, 12, 0), False),  # Saturday
        (berlin(2026, 12, 25, 12, 0), False),  # holiday
        (datetime(2026, 6, 8, 7, 0, tzinfo=UTC), True),  # 09:00 CEST
        (datetime(2026, 6, 8, 6, 59, tzinfo=UTC), False),
        (datetime(2026, 1, 12, 7, 30, tzinfo=UTC), False),  # 08:30 CET in winter
        (datetime(2026, 1, 12, 8, 0, tzinfo=UTC), True),  # 09:00 CET
    ],
)
def test_is_open(moment: datetime, expected: bool) -> None:
    hours = BusinessHours.parse("Mon-Fri 09:00-17:00", "Europe/Berlin", ["2026-12-25"])
    assert hours.is_open(moment) is expected


def test_is_open_until_midnight() -> None:
    hours = BusinessHours.parse("Fri 18:00-24:00", "Europe/Berlin")
    assert hours.is_open(berlin(2026, 6, 5, 23, 59, 59))
    assert not hours.is_open(berlin(2026, 6, 6, 0, 0))


# --- parse ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "days"),
    [
        ("Mon-Fri 09:00-17:00", {0, 1, 2, 3, 4}),
        ("Mon 08:00-12:00", {0}),
        ("Sat-Sun 10:00-14:00", {5, 6}),
        ("Fri-Mon 10:00-14:00", {4, 5, 6, 0}),
        ("Sun-Sat 10:00-14:00", {0, 1, 2, 3, 4, 5, 6}),
        ("mon-FRI 09:00-17:00", {0, 1, 2, 3, 4}),
        ("  Tue-Thu  9:30-17:15 ", {1, 2, 3}),
        ("Monday-Friday 09:00-17:00", {0, 1, 2, 3, 4}),
        ("SATURDAY-sunday 10:00-14:00", {5, 6}),
        ("Fri-monday 10:00-14:00", {4, 5, 6, 0}),
    ],
)
def test_parse_days(spec: str, days: set[int]) -> None:
    assert BusinessHours.parse(spec).days == frozenset(days)


def test_parse_fields() -> None:
    hours = BusinessHours.parse("Tue-Thu 09:30-17:15", "America/New_York", ["2026-07-03"])
    assert hours.start == time(9, 30)
    assert hours.end == time(17, 15)
    assert hours.zone == NEW_YORK
    assert hours.holidays == frozenset({date(2026, 7, 3)})


def test_parse_24_00_means_end_of_day() -> None:
    hours = BusinessHours.parse("Mon 20:00-24:00", "Europe/Berlin")
    due = hours.add(berlin(2026, 6, 8, 22, 0), timedelta(hours=2))
    assert local(due) == berlin(2026, 6, 9, 0, 0)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("Mon-Fry 09:00-17:00", "unknown day 'Fry'"),
        ("Mo-Fr 09:00-17:00", "unknown day 'Mo'"),
        ("Mondays-Fri 09:00-17:00", "unknown day 'Mondays'"),
        ("Mon-Fri 17:00-09:00", "closing time 09:00 is not after opening time 17:00"),
        ("Mon-Fri 09:00-09:00", "not after"),
        ("Mon-Fri 25:00-26:00", "opening time '25:00' is not a time of day"),
        ("Mon-Fri 09:00-24:30", "closing time '24:30' is not a time of day"),
        ("Mon 24:00-24:00", "opening time '24:00' is not a time of day"),
        ("Mon-Fri 09:60-17:00", "'09:60'"),
        ("garbage", "expected days then opening-closing times"),
        ("", "expected days then"),
        ("Mon-Fri", "expected days then"),
        ("09:00-17:00", "expected days then"),
        ("Mon-Fri 9-17", "expected days then"),
    ],
)
def test_parse_errors_name_the_problem(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        BusinessHours.parse(spec)


def test_parse_bad_timezone() -> None:
    with pytest.raises(ValueError, match="timezone 'Mars/Olympus'"):
        BusinessHours.parse("Mon-Fri 09:00-17:00", "Mars/Olympus")


@pytest.mark.parametrize("holiday", ["2026-02-30", "25.12.2026", "christmas"])
def test_parse_bad_holiday(holiday: str) -> None:
    with pytest.raises(ValueError, match=f"holiday '{holiday}'"):
        BusinessHours.parse("Mon-Fri 09:00-17:00", "UTC", [holiday])


def test_direct_construction_is_checked() -> None:
    with pytest.raises(ValueError, match="not empty"):
        BusinessHours(frozenset(), time(9), time(17), BERLIN)
    with pytest.raises(ValueError, match="not after"):
        BusinessHours(frozenset({0}), time(17), time(9), BERLIN)


def test_schedule_that_never_opens_raises_instead_of_looping() -> None:
    # Only Mondays, and every Monday for eleven years is a holiday.
    first = date(2026, 6, 8)
    mondays = [(first + timedelta(weeks=n)).isoformat() for n in range(52 * 11)]
    hours = BusinessHours.parse("Mon 09:00-17:00", "UTC", mondays)
    with pytest.raises(ValueError, match="no business time found"):
        hours.add(datetime(2026, 6, 8, 9, tzinfo=UTC), FOUR_HOURS)


# --- properties -------------------------------------------------------------------------------

_moments = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)
_durations = st.timedeltas(min_value=timedelta(minutes=1), max_value=timedelta(hours=40))
_SCHEDULES = [
    BusinessHours.parse("Mon-Fri 09:00-17:00", "Europe/Berlin", ["2026-12-25"]),
    BusinessHours.parse("Fri-Mon 00:00-24:00", "America/New_York"),
    BusinessHours.parse("Sun 01:00-04:00", "Europe/Berlin"),  # DST hits inside the window
]


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(_SCHEDULES), _moments, _durations, _durations)
def test_adding_in_two_steps_equals_adding_once(
    hours: BusinessHours, start: datetime, first: timedelta, second: timedelta
) -> None:
    once = hours.add(start, first + second)
    assert hours.add(hours.add(start, first), second) == once
    # The deadline is never earlier than plain addition, and the moment just before it
    # is business time (the clock was running when it ran out).
    assert once >= start + first + second
    assert hours.is_open(once - timedelta(microseconds=1))
