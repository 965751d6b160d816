"""Business-hours deadlines: the escalation clock only runs while the office is open."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mailbaton.clock import as_utc

# Ten years of calendar days. A deadline further out than that means the schedule
# (days minus holidays) never opens, and looping on would hang the scheduler.
MAX_DAYS = 3700

_DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_EXAMPLE = '"Mon-Fri 09:00-17:00"'
_SPEC = re.compile(
    r"^(?P<first>[A-Za-z]+)(?:\s*-\s*(?P<last>[A-Za-z]+))?"
    r"\s+(?P<start>\d{1,2}:\d{2})\s*-\s*(?P<end>\d{1,2}:\d{2})$"
)
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# `time` cannot hold 24:00, so a closing at midnight is stored as the last
# representable instant of the day and turned back into "next midnight" when used.
END_OF_DAY = time.max


class ScheduleError(ValueError):
    """A business-hours text that cannot be read; `detail` is empty when its shape is wrong."""

    def __init__(self, spec: str, detail: str = "") -> None:
        shape = f'expected days then opening-closing times, e.g. {_EXAMPLE} or "Mon 08:00-12:00"'
        super().__init__(f"business hours {spec!r}: {detail or shape}")
        self.spec = spec
        self.detail = detail


@dataclass(frozen=True)
class Week:
    """The weekly part of business hours: which weekdays (0 = Monday), from when to when."""

    days: frozenset[int]
    start: time
    end: time


def _weekday(name: str, spec: str) -> int:
    key = name.lower()
    if key in _FULL_DAY_NAMES:
        return _FULL_DAY_NAMES.index(key)
    if key in _DAY_NAMES:
        return _DAY_NAMES.index(key)
    raise ScheduleError(
        spec, f"unknown day {name!r}; expected one of Mon, Tue, Wed, Thu, Fri, Sat, Sun"
    )


def _clock_time(text: str, spec: str, *, closing: bool) -> time:
    match = _TIME.match(text)
    if match is None:  # pragma: no cover - _SPEC already guarantees the shape
        raise ScheduleError(spec, f"{text!r} is not a time like 09:00")
    hour, minute = int(match.group(1)), int(match.group(2))
    if closing and hour == 24 and minute == 0:
        return END_OF_DAY
    if hour > 23 or minute > 59:
        allowed = "00:00-23:59, or 24:00 for midnight" if closing else "00:00-23:59"
        what = "closing" if closing else "opening"
        raise ScheduleError(spec, f"{what} time {text!r} is not a time of day ({allowed})")
    return time(hour, minute)


def parse_week(spec: str) -> Week:
    """The one grammar for business hours, used by the config loader and by BusinessHours.

    "Mon-Fri 09:00-17:00", "Monday-Friday 9:00-17:00", "sat 10:00-14:00", case-insensitive;
    a day range may wrap ("Fri-Mon"); 24:00 closes at midnight. Raises ScheduleError.
    """
    match = _SPEC.match(spec.strip())
    if match is None:
        raise ScheduleError(spec)
    first = _weekday(match["first"], spec)
    last = _weekday(match["last"], spec) if match["last"] else first
    days = {first}
    day = first
    while day != last:  # at most six steps: walks forward through the week, wrapping
        day = (day + 1) % 7
        days.add(day)
    start = _clock_time(match["start"], spec, closing=False)
    end = _clock_time(match["end"], spec, closing=True)
    if end <= start:
        raise ScheduleError(
            spec,
            f"closing time {_show(end)} is not after opening time {_show(start)}; "
            "overnight hours are not supported",
        )
    return Week(frozenset(days), start, end)


def parse_zone(name: str) -> ZoneInfo:
    """An IANA zone name ("Europe/Berlin") -> ZoneInfo; ValueError naming it otherwise."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f'timezone {name!r} is not an IANA time zone such as "Europe/Berlin"'
        ) from None


def parse_holiday(text: str) -> date:
    """A holiday written like "2026-12-25" -> date; ValueError naming the text otherwise."""
    value = text.strip()
    try:
        if not _DATE.match(value):
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f'holiday {text!r} is not a date such as "2026-12-25"') from None


def _show(moment: time) -> str:
    return "24:00" if moment == END_OF_DAY else moment.strftime("%H:%M")


@dataclass(frozen=True)
class BusinessHours:
    """Open on `days` from `start` to `end` local wall-clock time, closed on `holidays`."""

    days: frozenset[int]
    start: time
    end: time
    zone: ZoneInfo
    holidays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        # Direct construction bypasses parse(); an empty or inverted schedule would
        # otherwise only surface later as a deadline that can never be reached.
        if not self.days or not self.days <= frozenset(range(7)):
            raise ValueError(f"business days {sorted(self.days)} must be weekdays 0-6, not empty")
        if self.end <= self.start:
            raise ValueError(
                f"business hours close at {_show(self.end)}, "
                f"which is not after the opening at {_show(self.start)}"
            )

    @classmethod
    def parse(cls, spec: str, timezone: str = "UTC", holidays: Iterable[str] = ()) -> BusinessHours:
        """'Mon-Fri 09:00-17:00' (see parse_week) in `timezone`, closed on `holidays`."""
        week = parse_week(spec)
        return cls(
            days=week.days,
            start=week.start,
            end=week.end,
            zone=parse_zone(timezone),
            holidays=frozenset(parse_holiday(text) for text in holidays),
        )

    def _window(self, day: date) -> tuple[datetime, datetime] | None:
        """That local day's opening and closing as UTC moments, or None if closed all day.

        Each end is converted on its own, so a day on which the clocks change keeps its
        wall-clock hours (09:00-17:00) while its real length is whatever the zone says.
        fold=0 picks the first of a repeated wall time and, for a skipped one, the
        moment the clock would have shown had it not jumped; both are what people mean.
        """
        if day.weekday() not in self.days or day in self.holidays:
            return None
        opening = datetime.combine(day, self.start, tzinfo=self.zone)
        if self.end == END_OF_DAY:
            closing = datetime.combine(day + timedelta(days=1), time(0), tzinfo=self.zone)
        else:
            closing = datetime.combine(day, self.end, tzinfo=self.zone)
        return opening.astimezone(UTC), closing.astimezone(UTC)

    def _windows_from(self, moment: datetime) -> Iterator[tuple[datetime, datetime]]:
        first = moment.astimezone(self.zone).date()
        # Start a day early: a wall time that DST maps oddly could put part of the
        # previous local day's window after `moment`; one extra day is cheap insurance.
        for offset in range(-1, MAX_DAYS):
            window = self._window(first + timedelta(days=offset))
            if window is not None:
                yield window
        raise ValueError(
            f"no business time found within {MAX_DAYS} days after {moment.isoformat()}; "
            "check the business days and holidays"
        )

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The UTC moment when `duration` of business time has passed after `start`.

        Counting begins at `start` if open, else at the next opening. A deadline that
        falls exactly on a closing is that closing, not the next day's opening. A naive
        `start` is taken as UTC, as the database hands them back.
        """
        if duration < timedelta(0):
            raise ValueError(f"duration {duration} is negative")
        cursor = as_utc(start)
        remaining = duration
        for opening, closing in self._windows_from(cursor):
            if closing <= cursor:
                continue
            cursor = max(cursor, opening)
            available = closing - cursor
            # `<=` so a deadline landing on the closing stays on that day.
            if remaining <= available:
                return cursor + remaining
            remaining -= available
            cursor = closing
        # _windows_from raises once it runs out of days, so the loop always returns.
        raise AssertionError("unreachable")  # pragma: no cover

    def is_open(self, moment: datetime) -> bool:
        """Open from the opening (inclusive) to the closing (exclusive)."""
        instant = as_utc(moment)
        day = instant.astimezone(self.zone).date()
        # The previous local day is checked too, for the same DST reason as above.
        for candidate in (day - timedelta(days=1), day):
            window = self._window(candidate)
            if window is not None and window[0] <= instant < window[1]:
                return True
        return False


def deadline(start: datetime, duration: timedelta, hours: BusinessHours | None) -> datetime:
    """start + duration (wall time) when hours is None, else hours.add(...); always aware UTC."""
    if hours is None:
        # Adding in UTC counts real elapsed time, so a DST change cannot shift it.
        return as_utc(start) + duration
    return hours.add(start, duration)


def from_settings(
    business_hours: str | None, timezone: str, holidays: Iterable[str]
) -> BusinessHours | None:
    """EscalationSettings fields -> BusinessHours, or None for a clock that always runs.

    Holidays without business hours still stop the clock on those days: the office
    counts as open around the clock on every other day.
    """
    holiday_list = tuple(holidays)
    if business_hours is None:
        if not holiday_list:
            return None
        return BusinessHours.parse("Mon-Sun 00:00-24:00", timezone, holiday_list)
    return BusinessHours.parse(business_hours, timezone, holiday_list)
