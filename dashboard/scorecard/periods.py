"""The scorecard's as-of month; the period arithmetic it rests on is dashboard.catalogue.periods."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from dashboard.catalogue.periods import local_today, period_end

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
