"""Reading a Due field as people write it, to flag a date that has already passed."""

from __future__ import annotations

import re
from datetime import date, timedelta

__all__ = ["due_dates", "is_past"]

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january", "januar", "janvier"),
            ("feb", "february", "februar", "fevrier", "février"),
            ("mar", "march", "märz", "maerz", "mars"),
            ("apr", "april", "avril"),
            ("may", "mai"),
            ("jun", "june", "juni", "juin"),
            ("jul", "july", "juli", "juillet"),
            ("aug", "august", "aout", "août"),
            ("sep", "sept", "september", "septembre"),
            ("oct", "october", "okt", "oktober", "octobre"),
            ("nov", "november", "novembre"),
            ("dec", "december", "dez", "dezember", "décembre", "decembre"),
        ),
        start=1,
    )
    for name in names
}
_ISO = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_NUMERIC = re.compile(r"\b(\d{1,2})[./](\d{1,2})(?:[./](\d{2,4}))?\b")
_DAY_MONTH = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\.?\s+([a-zäéû]{3,9})\.?(?:,?\s+(\d{4}))?\b")
_MONTH_DAY = re.compile(r"\b([a-zäéû]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?\b")


def _make(year: int | None, month: int, day: int, today: date) -> date | None:
    if year is not None and year < 100:
        year += 2000
    try:
        found = date(year or today.year, month, day)
    except ValueError:
        return None
    # "Jan 5" written in December means next January.
    if year is None and found < today - timedelta(days=183):
        found = found.replace(year=found.year + 1)
    return found


def due_dates(text: str, today: date) -> list[date]:
    """Every date `text` can mean (03/04 may be March or April); empty if none."""
    value = text.strip().lower()
    iso = _ISO.search(value)
    if iso:
        found = _make(int(iso[1]), int(iso[2]), int(iso[3]), today)
        return [found] if found else []
    numeric = _NUMERIC.search(value)
    if numeric:
        first, second = int(numeric[1]), int(numeric[2])
        year = int(numeric[3]) if numeric[3] else None
        candidates = {_make(year, second, first, today), _make(year, first, second, today)}
        return sorted(c for c in candidates if c is not None)
    for pattern, day_group, month_group in ((_DAY_MONTH, 1, 2), (_MONTH_DAY, 2, 1)):
        match = pattern.search(value)
        if match and match[month_group] in _MONTHS:
            year = int(match[3]) if match[3] else None
            found = _make(year, _MONTHS[match[month_group]], int(match[day_group]), today)
            return [found] if found else []
    return []


def is_past(text: str | None, today: date) -> bool:
    """Whether every reading of `text` is a day before `today`; unreadable is not past."""
    candidates = due_dates(text or "", today)
    return bool(candidates) and all(day < today for day in candidates)
