"""Year-on-year change, period by period, with gaps left as gaps.

A period gets a change only when it and the same period a year before both have a
value (and, for flows that are summed, both are complete: two months of a quarter
against three would fake a fall). Rates in percent change in percentage points;
everything else in percent of last year's value (undefined when that was zero).
"""

from __future__ import annotations

import math

import pandas as pd

from dashboard.catalogue import periods


def year_on_year(frame: pd.DataFrame, *, points: bool, require_complete: bool) -> pd.Series:
    """The change for every row of ``frame`` (region_code, period_start, value, complete); NaN for gaps."""
    if frame.empty:
        return pd.Series(dtype=float)
    regions, starts = frame["region_code"].tolist(), frame["period_start"].tolist()
    values, completes = frame["value"].tolist(), frame["complete"].tolist()
    lookup = {(r, s): (v, c) for r, s, v, c in zip(regions, starts, values, completes)}
    before = {s: periods.year_before(s) for s in set(starts)}
    out = []
    for region, start, value, complete in zip(regions, starts, values, completes):
        prior = lookup.get((region, before[start]))
        if prior is None:
            out.append(math.nan)
            continue
        usable = not require_complete or (bool(complete) and bool(prior[1]))
        out.append(change(value, prior[0], points=points, usable=usable))
    return pd.Series(out, index=frame.index, dtype=float)


def change(
    value: float | None, previous: float | None, *, points: bool, usable: bool = True
) -> float:
    if not usable or value is None or previous is None or _nan(value) or _nan(previous):
        return math.nan
    if points:
        return float(value) - float(previous)
    if previous == 0:
        return math.nan
    return (float(value) - float(previous)) / abs(float(previous)) * 100.0


def _nan(value: object) -> bool:
    return isinstance(value, float) and math.isnan(value)
