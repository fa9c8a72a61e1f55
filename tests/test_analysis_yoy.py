"""Year-on-year change with gaps: a missing year is a gap, never a zero, and never a comparison
with some other period."""

import math
from datetime import date

import pandas as pd
import pytest

from dashboard.analysis.yoy import change, year_on_year


def frame(rows):
    return pd.DataFrame(rows, columns=["region_code", "period_start", "value", "complete"])


def yoy_of(rows, **kwargs):
    f = frame(rows)
    out = year_on_year(f, **kwargs)
    return {
        (r, s): (None if math.isnan(v) else round(v, 6))
        for r, s, v in zip(f["region_code"], f["period_start"], out)
    }


def test_monthly_rates_change_in_points_and_gaps_stay_gaps():
    rows = [
        ("71", date(2025, 1, 1), 20.0, True),
        ("71", date(2025, 2, 1), 21.0, True),
        # March 2025 missing
        ("71", date(2026, 1, 1), 19.5, True),
        ("71", date(2026, 2, 1), 21.5, True),
        ("71", date(2026, 3, 1), 22.0, True),
    ]
    got = yoy_of(rows, points=True, require_complete=False)
    assert got[("71", date(2026, 1, 1))] == -0.5
    assert got[("71", date(2026, 2, 1))] == 0.5
    assert got[("71", date(2026, 3, 1))] is None  # nothing a year before
    assert got[("71", date(2025, 1, 1))] is None  # the first year has no year before it


def test_counts_change_in_percent_and_a_zero_base_is_undefined():
    rows = [
        ("71.71", date(2025, 7, 1), 200.0, True),
        ("71.71", date(2026, 7, 1), 250.0, True),
        ("71.72", date(2025, 7, 1), 0.0, True),
        ("71.72", date(2026, 7, 1), 5.0, True),
    ]
    got = yoy_of(rows, points=False, require_complete=False)
    assert got[("71.71", date(2026, 7, 1))] == 25.0
    assert got[("71.72", date(2026, 7, 1))] is None


def test_regions_are_compared_only_with_themselves():
    rows = [("71.71", date(2025, 7, 1), 100.0, True), ("71.72", date(2026, 7, 1), 150.0, True)]
    assert yoy_of(rows, points=False, require_complete=False)[("71.72", date(2026, 7, 1))] is None


def test_summed_buckets_compare_only_when_both_are_complete():
    rows = [
        ("71", date(2025, 4, 1), 300.0, True),
        ("71", date(2026, 4, 1), 200.0, False),  # 2 of 3 months
        ("71", date(2025, 7, 1), 300.0, False),
        ("71", date(2026, 7, 1), 330.0, True),
    ]
    strict = yoy_of(rows, points=False, require_complete=True)
    assert strict[("71", date(2026, 4, 1))] is None and strict[("71", date(2026, 7, 1))] is None
    loose = yoy_of(rows, points=False, require_complete=False)
    assert loose[("71", date(2026, 7, 1))] == 10.0


def test_a_leap_day_has_no_year_before():
    rows = [
        ("71", date(2023, 2, 28), 1.0, True),
        ("71", date(2024, 2, 29), 2.0, True),
        ("71", date(2025, 3, 1), 3.0, True),
        ("71", date(2024, 3, 1), 1.5, True),
    ]
    got = yoy_of(rows, points=False, require_complete=False)
    assert got[("71", date(2024, 2, 29))] is None
    assert got[("71", date(2025, 3, 1))] == 100.0


@pytest.mark.parametrize(
    "value, previous, points, expected",
    [
        (12.0, 10.0, True, 2.0),
        (12.0, 10.0, False, 20.0),
        (-5.0, -10.0, False, 50.0),
        (None, 3.0, True, None),
        (3.0, None, False, None),
        (math.nan, 3.0, False, None),
    ],
)
def test_change(value, previous, points, expected):
    got = change(value, previous, points=points)
    assert (None if math.isnan(got) else got) == expected


def test_an_empty_series_has_no_change():
    assert year_on_year(frame([]), points=True, require_complete=False).empty
