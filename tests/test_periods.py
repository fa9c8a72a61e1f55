"""The one period module (dashboard.catalogue.periods) at the calendar's awkward instants, in WITA.

Expectations are written out per edge of ``clock_kit.EDGE_INSTANTS``, not computed by the
code under test. Collectors, the store, the rules, /ops compliance and the simulator all
import these functions, so these are the only copies to pin.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import clock_kit
import pytest
from clock_kit import DELIVERY_DAY, WITA, Edge, at_edges

from dashboard.catalogue import periods
from dashboard.simulator.periods import latest_complete


@dataclass(frozen=True)
class Expect:
    today: date  # the WITA calendar day
    quarter: date  # the quarter holding today
    ended_month: date  # the latest month ended by the end of today
    ended_year: date  # the latest year ended by the end of today
    due_month: date  # the latest month whose delivery (day DELIVERY_DAY) has passed


EXPECT = {
    "first-of-month-0030": Expect(
        date(2026, 12, 1), date(2026, 10, 1), date(2026, 11, 1), date(2025, 1, 1), date(2026, 10, 1)
    ),
    "day-before-delivery": Expect(
        date(2026, 12, 9), date(2026, 10, 1), date(2026, 11, 1), date(2025, 1, 1), date(2026, 10, 1)
    ),
    "day-after-delivery": Expect(
        date(2026, 12, 11),
        date(2026, 10, 1),
        date(2026, 11, 1),
        date(2025, 1, 1),
        date(2026, 11, 1),
    ),
    "new-years-eve-2330": Expect(
        date(2026, 12, 31),
        date(2026, 10, 1),
        date(2026, 12, 1),
        date(2026, 1, 1),
        date(2026, 11, 1),
    ),
    "new-year-0030": Expect(
        date(2027, 1, 1), date(2027, 1, 1), date(2026, 12, 1), date(2026, 1, 1), date(2026, 11, 1)
    ),
    "leap-day": Expect(
        date(2028, 2, 29), date(2028, 1, 1), date(2028, 2, 1), date(2027, 1, 1), date(2028, 1, 1)
    ),
    "monday-0659": Expect(
        date(2026, 11, 23),
        date(2026, 10, 1),
        date(2026, 10, 1),
        date(2025, 1, 1),
        date(2026, 10, 1),
    ),
    "monday-0701": Expect(
        date(2026, 11, 23),
        date(2026, 10, 1),
        date(2026, 10, 1),
        date(2025, 1, 1),
        date(2026, 10, 1),
    ),
}


def latest_due(now: datetime, delivery_day: int) -> date:
    month = periods.bucket(periods.local_today(now), "month")
    while periods.due_moment(month, "month", delivery_day) > now:
        month = periods.add_months(month, -1)
    return month


@at_edges
def test_periods_at_the_calendar_edges(edge: Edge):
    expect, now = EXPECT[edge.id], clock_kit.now()
    today = periods.local_today(now)
    assert today == expect.today
    assert periods.bucket(today, "day") == today
    assert periods.bucket(today, "month") == today.replace(day=1)
    assert periods.bucket(today, "quarter") == expect.quarter
    assert periods.bucket(today, "year") == date(today.year, 1, 1)
    assert periods.last_ended(today, "month") == expect.ended_month
    assert periods.last_ended(today, "year") == expect.ended_year
    assert latest_due(now, DELIVERY_DAY) == expect.due_month
    # The simulator serves what ended before today began.
    assert latest_complete(today, "month") == periods.add_months(today, -1)


def test_steps_cross_years_and_leap_days():
    assert periods.add_months(date(2026, 12, 31), 1) == date(2027, 1, 1)
    assert periods.add_months(date(2027, 1, 15), -13) == date(2025, 12, 1)
    assert periods.step(date(2026, 11, 1), "quarter") == date(2027, 2, 1)
    assert periods.step(date(2028, 2, 28), "day", 2) == date(2028, 3, 1)
    assert periods.period_end(date(2028, 2, 1), "month") == date(2028, 2, 29)
    assert periods.period_end(date(2026, 10, 1), "quarter") == date(2026, 12, 31)
    assert periods.periods_between(date(2025, 11, 1), date(2027, 2, 1), "quarter") == 5
    assert periods.parts_in(date(2028, 2, 1), "day", "month") == 29
    assert periods.last_part(date(2026, 7, 1), "month", "quarter") == date(2026, 9, 1)
    assert periods.year_before(date(2028, 2, 29)) is None
    assert periods.year_ago(date(2028, 2, 29)) == date(2027, 2, 28)
    assert periods.starts(date(2026, 11, 10), date(2027, 2, 2), "month") == [
        date(2026, 11, 1),
        date(2026, 12, 1),
        date(2027, 1, 1),
        date(2027, 2, 1),
    ]


def test_due_moments_are_the_end_of_the_delivery_day_in_wita():
    def wita(*args):
        return datetime(*args, tzinfo=WITA).astimezone(UTC)

    assert periods.due_moment(date(2026, 11, 1), "month", 10) == wita(2026, 12, 11)
    assert periods.due_moment(date(2026, 10, 1), "quarter", 10) == wita(2027, 1, 11)
    assert periods.due_moment(date(2026, 1, 1), "year", 5) == wita(2027, 1, 6)
    # A delivery day past the month's end is its last day.
    assert periods.due_moment(date(2027, 1, 1), "month", 31) == wita(2027, 3, 1)
    assert periods.due_moment(date(2028, 1, 1), "month", 31) == wita(2028, 3, 1)


def test_unknown_grains_and_naive_moments_are_refused():
    with pytest.raises(ValueError, match="unknown grain 'week'"):
        periods.bucket(date(2026, 1, 1), "week")
    with pytest.raises(ValueError, match="time zone"):
        periods.local_today(datetime(2026, 1, 1, 12))
