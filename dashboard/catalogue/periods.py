"""Period arithmetic, written once: grains, buckets, steps, ends, due moments, in WITA.

A period is named by its start date and its grain (day, month, quarter, year), as
observations are stored. It lives beside the catalogue (whose indicators carry a grain)
so that the collectors, the store, the rules and the simulator may all import it.
Deadlines are in WITA (the province's clock), returned as aware UTC datetimes.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WITA = ZoneInfo("Asia/Makassar")
GRAINS = ("day", "month", "quarter", "year")
_MONTHS = {"month": 1, "quarter": 3, "year": 12}


def check(grain: str) -> str:
    if grain not in GRAINS:
        raise ValueError(f"unknown grain {grain!r}")
    return grain


def coarser_or_equal(grain: str, than: str) -> bool:
    return GRAINS.index(check(grain)) >= GRAINS.index(check(than))


def bucket(day: date, grain: str) -> date:
    """The start of the period of ``grain`` that contains ``day``."""
    check(grain)
    if grain == "day":
        return day
    if grain == "month":
        return date(day.year, day.month, 1)
    if grain == "quarter":
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return date(day.year, 1, 1)


def add_months(day: date, months: int) -> date:
    """The first of the month ``months`` after (or before) the month of ``day``."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def step(start: date, grain: str, n: int = 1) -> date:
    """The start of the period ``n`` periods after (negative: before) the one at ``start``."""
    if check(grain) == "day":
        return start + timedelta(days=n)
    return add_months(start, _MONTHS[grain] * n)


def period_end(start: date, grain: str) -> date:
    """The last day of the period (inclusive)."""
    return step(start, grain, 1) - timedelta(days=1)


def periods_between(earlier: date, later: date, grain: str) -> int:
    """How many periods of ``grain`` ``later`` lies after ``earlier`` (both period starts)."""
    if check(grain) == "day":
        return (later - earlier).days
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    return months // _MONTHS[grain]


def last_ended(day: date, grain: str) -> date:
    """The start of the latest period of ``grain`` that has ended by the end of ``day``."""
    return step(bucket(day + timedelta(days=1), grain), grain, -1)


def year_before(start: date) -> date | None:
    """The same period one year earlier; 29 February has none (a year-on-year series skips it)."""
    try:
        return start.replace(year=start.year - 1)
    except ValueError:
        return None


def year_ago(start: date) -> date:
    """The same period one year earlier; 29 February falls back to the 28th (the scorecard
    always compares with something)."""
    return year_before(start) or date(start.year - 1, 2, 28)


def starts(first: date, last: date, grain: str) -> list[date]:
    """Every period start of ``grain`` from the one holding ``first`` to the one holding ``last``."""
    out, current, end = [], bucket(first, grain), bucket(last, grain)
    while current <= end:
        out.append(current)
        current = step(current, grain)
    return out


def parts_in(start: date, fine: str, coarse: str) -> int:
    """How many periods of grain ``fine`` the ``coarse`` period at ``start`` holds."""
    if not coarser_or_equal(coarse, fine):
        raise ValueError(f"{coarse} is finer than {fine}")
    if fine == coarse:
        return 1
    if fine == "day":
        return (step(start, coarse) - start).days
    return _MONTHS[coarse] // _MONTHS[fine]


def last_part(start: date, fine: str, coarse: str) -> date:
    """The start of the last ``fine`` period inside the ``coarse`` period at ``start``."""
    return step(step(start, coarse), fine, -1)


def due_moment(start: date, grain: str, delivery_day: int) -> datetime:
    """When data for the period is late: the end of ``delivery_day`` (at most the month's
    last day) of the month after the period ends, in WITA, as an aware UTC datetime."""
    month_after = add_months(period_end(start, grain), 1)
    last = calendar.monthrange(month_after.year, month_after.month)[1]
    deadline = month_after.replace(day=min(delivery_day, last)) + timedelta(days=1)
    return datetime.combine(deadline, time(0), tzinfo=WITA).astimezone(UTC)


def local_today(now: datetime) -> date:
    """The calendar day in WITA at the aware moment ``now``."""
    if now.tzinfo is None:
        raise ValueError("a moment without a time zone has no WITA day")
    return now.astimezone(WITA).date()
