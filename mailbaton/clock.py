"""The one place that reads the wall clock; everything else is handed `now`."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta


def utcnow() -> datetime:
    return datetime.now(UTC)


def parse_instant(text: str) -> datetime:
    """ISO-8601 to an aware UTC datetime; a time without zone is taken as UTC."""
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def as_utc(moment: datetime) -> datetime:
    """Databases (SQLite) hand back naive datetimes; they are stored as UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return as_utc(moment).isoformat().replace("+00:00", "Z")


_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(w|d|h|min|m|s)(?![a-z])", re.IGNORECASE)
_UNIT_SECONDS = {"w": 7 * 86400, "d": 86400, "h": 3600, "m": 60, "min": 60, "s": 1}


def parse_duration(text: str) -> timedelta:
    """'4h', '90m', '1h 30m', '2d', '2w' -> timedelta; ValueError on anything else."""
    value = text.strip().lower()
    if not value:
        raise ValueError("empty duration")
    total = 0.0
    position = 0
    for match in _DURATION.finditer(value):
        if value[position : match.start()].strip():
            raise ValueError(f"cannot read {text!r} as a duration")
        total += float(match.group(1)) * _UNIT_SECONDS[match.group(2).lower()]
        position = match.end()
    if position == 0 or value[position:].strip():
        raise ValueError(f"cannot read {text!r} as a duration")
    return timedelta(seconds=total)


def humanize(delta: timedelta) -> str:
    """A duration as people say it: '1 h 12 min', '3 d 2 h', '45 s'."""
    seconds = int(max(delta.total_seconds(), 0))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    if minutes:
        return f"{minutes} min"
    return f"{secs} s"
