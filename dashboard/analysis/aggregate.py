"""Bucketing to a coarser grain, completeness, and the province derived from its kab/kota.

Frames here have one row per (region_code, period_start) and the columns of ``COLUMNS``:
``n`` is how many stored periods went into the bucket, ``expected`` how many it holds,
``last_start`` the start of the latest one present, ``derived`` whether the value was
computed from the kab/kota rather than reported.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from dashboard.analysis.rules import SpaceRule
from dashboard.catalogue import periods
from dashboard.catalogue.models import TimeRule

COLUMNS = [
    "region_code",
    "period_start",
    "value",
    "n",
    "expected",
    "last_start",
    "complete",
    "derived",
]


def empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in COLUMNS})


def bucketed(raw: pd.DataFrame, fine: str, coarse: str, rule: TimeRule) -> pd.DataFrame:
    """Stored values (region_code, period_start, value) summed, averaged or last-valued into ``coarse``.

    The reference implementation: ``dashboard.store.analysis_queries`` does the same in SQL.
    """
    if raw.empty:
        return empty()
    frame = raw[["region_code", "period_start", "value"]].copy()
    frame["bucket"] = [periods.bucket(d, coarse) for d in frame["period_start"]]
    frame = frame.sort_values(["region_code", "bucket", "period_start"])
    grouped = frame.groupby(["region_code", "bucket"], sort=True)
    value = grouped["value"].agg(rule)  # the groupby's own sum, mean or last
    out = (
        pd.DataFrame(
            {
                "value": value,
                "n": grouped["value"].count(),
                "last_start": grouped["period_start"].max(),
            }
        )
        .reset_index()
        .rename(columns={"bucket": "period_start"})
    )
    return with_completeness(out, fine, coarse, rule)


def with_completeness(frame: pd.DataFrame, fine: str, coarse: str, rule: TimeRule) -> pd.DataFrame:
    """Add ``expected``, ``complete`` and ``derived`` to a frame with n and last_start.

    A "last" bucket is complete when its final period is present (the year-to-date value
    at the end of the quarter); the others when every period is.
    """
    frame = frame.copy()
    if frame.empty:
        return empty()
    starts = frame["period_start"].tolist()
    # Per distinct period, not per row: seven regions share each period's arithmetic.
    expected = {s: periods.parts_in(s, fine, coarse) for s in set(starts)}
    frame["expected"] = [expected[s] for s in starts]
    if rule == "last":
        ends = {s: periods.last_part(s, fine, coarse) for s in expected}
        frame["complete"] = [ls == ends[s] for s, ls in zip(starts, frame["last_start"].tolist())]
    else:
        frame["complete"] = frame["n"] >= frame["expected"]
    frame["derived"] = False
    return frame[COLUMNS].reset_index(drop=True)


def derive_province(
    frame: pd.DataFrame,
    rule: SpaceRule,
    province: str,
    subregions: Sequence[str],
    population: Mapping[str, int],
) -> pd.DataFrame:
    """Province rows computed by the rule for periods where every kab/kota has a value and
    the province reported none. ``none`` derives nothing."""
    if rule == "none" or frame.empty:
        return empty()
    have = set(frame.loc[frame["region_code"] == province, "period_start"])
    regional = frame[frame["region_code"].isin(subregions) & ~frame["period_start"].isin(have)]
    rows = []
    wanted = set(subregions)
    for start, group in regional.groupby("period_start", sort=True):
        if set(group["region_code"]) != wanted:
            continue  # a province total from part of the province would mislead
        values = group["value"].astype(float)
        if rule == "sum":
            value = values.sum()
        elif rule == "mean":
            value = values.mean()
        else:
            weights = group["region_code"].map(population).astype(float)
            value = (values * weights).sum() / weights.sum()
        rows.append(
            {
                "region_code": province,
                "period_start": start,
                "value": float(value),
                "n": int(group["n"].min()),
                "expected": int(group["expected"].max()),
                "last_start": group["last_start"].min(),
                "complete": bool(group["complete"].all()),
                "derived": True,
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS) if rows else empty()


def with_derived_province(
    frame: pd.DataFrame,
    rule: SpaceRule,
    province: str,
    subregions: Sequence[str],
    population: Mapping[str, int],
) -> pd.DataFrame:
    derived = derive_province(frame, rule, province, subregions, population)
    if derived.empty:
        return frame
    combined = pd.concat([frame, derived], ignore_index=True)
    return combined.sort_values(["region_code", "period_start"]).reset_index(drop=True)
