"""Period arithmetic for the scorecard: steps, ends, a year back, delivery deadlines, the as-of month.

Periods are identified by their start date and grain (day, month, quarter, year), as
observations are stored. Deadlines are in WITA (the province's clock), returned in UTC.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from collectors.values import align
from dashboard.i18n import WITA

_MONTHS = {"month": 1, "quarter": 3, "year": 12}


def add_months(day: date, months: int) -> date:
    """The first of the month ``months`` after (or before) the month of ``day``."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def step(start: date, grain: str, n: int = 1) -> date:
    """The start of the period ``n`` periods after (negative: before) the one at ``start``."""
    if grain == "day":
        return start + timedelta(days=n)
    return add_months(start, _MONTHS[grain] * n)


def period_end(start: date, grain: str) -> date:
    """The last day of the period (inclusive)."""
    return step(start, grain, 1) - timedelta(days=1)


def year_ago(start: date, grain: str) -> date:
    """The same period one year earlier (29 February falls back to the 28th)."""
    if grain == "day" and start.month == 2 and start.day == 29:
        return date(start.year - 1, 2, 28)
    return start.replace(year=start.year - 1)


def periods_between(earlier: date, later: date, grain: str) -> int:
    """How many periods of ``grain`` ``later`` lies after ``earlier`` (both period starts)."""
    if grain == "day":
        return (later - earlier).days
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    return months // _MONTHS[grain]


def due_moment(start: date, grain: str, delivery_day: int) -> datetime:
    """When data for the period is late: the end of ``delivery_day`` of the month after the
    period ends, in WITA, as an aware UTC datetime."""
    month_after = add_months(period_end(start, grain), 1)
    last = calendar.monthrange(month_after.year, month_after.month)[1]
    deadline = month_after.replace(day=min(delivery_day, last)) + timedelta(days=1)
    return datetime.combine(deadline, time(0), tzinfo=WITA).astimezone(UTC)


def local_today(now: datetime) -> date:
    return now.astimezone(WITA).date()


_AS_OF = re.compile(r"^(\d{4})(?:-(\d{2}))?$")


@dataclass(frozen=True)
class AsOf:
    """The scorecard's reference month: values whose period ends by its last day count.

    ``explicit`` is false when nobody chose a month (the latest data, as of today).
    """

    year: int
    month: int
    explicit: bool = False

    @property
    def start(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def end(self) -> date:
        return period_end(self.start, "month")

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @classmethod
    def today(cls, now: datetime) -> AsOf:
        today = local_today(now)
        return cls(today.year, today.month, explicit=False)

    @classmethod
    def parse(cls, text: str | None, now: datetime) -> AsOf:
        """``2026-10`` (a month) or ``2026`` (that year's December, or this month in the
        current year); anything else, or a month in the future, means today."""
        current = cls.today(now)
        match = _AS_OF.match((text or "").strip())
        if not match:
            return current
        year, month = int(match.group(1)), int(match.group(2) or 12)
        if not 1 <= month <= 12 or year < 2000:
            return current
        chosen = cls(year, month, explicit=True)
        if chosen.start > current.start:
            return current if year > current.year else cls(year, current.month, explicit=True)
        return chosen


def last_ended(day: date, grain: str) -> date:
    """The start of the latest period of ``grain`` that has ended by the end of ``day``."""
    return step(align(day + timedelta(days=1), grain), grain, -1)
