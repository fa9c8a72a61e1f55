"""Period arithmetic for the simulator: which periods a feed serves, as of 'now'.

A feed serves only periods that have ended (last month, yesterday, last year),
as an SKPD delivers a month once it is over. Dates are in WITA, the province's time.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

from dashboard.catalogue.periods import add_months, last_ended, step

# An old 'since' must not turn one request into a decade of daily rows.
MAX_MONTHS_BACK = 120
# Without history or since, a feed serves just its latest periods.
DEFAULT_PERIODS = 2

_MONTHS_IN = {"month": 1, "quarter": 3, "year": 12}


def month_names(
    lang: str = "id", width: Literal["wide", "abbreviated"] = "wide"
) -> tuple[str, ...]:
    """January to December as Babel's locale data writes them ("Januari", "Agu")."""
    from babel.dates import get_month_names

    return tuple(get_month_names(width, locale=lang).values())


def latest_complete(today: date, grain: str) -> date:
    """Start of the last period that has ended before ``today`` began."""
    return last_ended(today - timedelta(days=1), grain)


def months_in(grain: str) -> float:
    return 1 / 30.4 if grain == "day" else _MONTHS_IN[grain]


def served_periods(
    grain: str, today: date, history_months: int | None = None, since: date | None = None
) -> list[date]:
    """Starts of the periods a request covers, oldest first.

    ``history_months``: periods ending within that many months before this month.
    ``since``: periods ending after that date. A bookmark is the start of the latest
    period seen, so that period is sent again (late corrections reach the store) and a
    yearly period that began before a monthly bookmark is not skipped.
    """
    latest = latest_complete(today, grain)
    if history_months is None and since is None:
        starts = [latest]
        while len(starts) < DEFAULT_PERIODS:
            starts.append(step(starts[-1], grain, -1))
        return sorted(starts)
    bound = add_months(today, -MAX_MONTHS_BACK)
    if history_months is not None:
        bound = max(bound, add_months(today, -history_months))
    if since is not None:
        bound = max(bound, since)
    starts = []
    start = latest
    while step(start, grain) > bound:
        starts.append(start)
        start = step(start, grain, -1)
    return starts[::-1]
