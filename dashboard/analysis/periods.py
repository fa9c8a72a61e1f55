"""Grain arithmetic: a period is named by its start date and its grain."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

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
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def step(start: date, grain: str, n: int = 1) -> date:
    """The start of the period ``n`` periods after (negative: before) the one at ``start``."""
    if check(grain) == "day":
        return start + timedelta(days=n)
    return add_months(start, _MONTHS[grain] * n)


def year_before(start: date) -> date | None:
    """The same period one year earlier (29 February has none)."""
    try:
        return start.replace(year=start.year - 1)
    except ValueError:
        return None


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
        end = step(start, coarse)
        return (end - start).days
    return _MONTHS[coarse] // _MONTHS[fine]


def last_part(start: date, fine: str, coarse: str) -> date:
    """The start of the last ``fine`` period inside the ``coarse`` period at ``start``."""
    return step(step(start, coarse), fine, -1)


def days_in_month(day: date) -> int:
    return calendar.monthrange(day.year, day.month)[1]
