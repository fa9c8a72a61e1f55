"""How a value stands against its target, and whether a change is good news.

Pure functions, no I/O: the wall, the scorecard and alerts all judge the same way.

- ``up``: at or above the target is on track; within ``at_risk_pct`` percent of the
  target below it is at risk; further below is behind.
- ``down``: the mirror image (at or below the target is on track).
- ``band``: inside [low, high] is on track; outside by no more than ``at_risk_pct``
  percent of the bound it crossed is at risk; further out is behind. A band needs no
  yearly target.
"""

from __future__ import annotations

import calendar
from datetime import date
from typing import Literal

from dashboard.catalogue.models import Indicator, Plan

Status = Literal["on_track", "at_risk", "behind", "no_target", "no_data"]
Tone = Literal["good", "bad", "neutral"]
STATUSES: tuple[Status, ...] = ("on_track", "at_risk", "behind", "no_target", "no_data")


def status_of(
    value: float | None,
    *,
    direction: str,
    target: float | None = None,
    at_risk_pct: float = 5.0,
    band_low: float | None = None,
    band_high: float | None = None,
) -> Status:
    """The status of ``value`` for an indicator going ``direction``."""
    if value is None:
        return "no_data"
    if direction == "band":
        if band_low is None or band_high is None:
            return "no_target"
        if band_low <= value <= band_high:
            return "on_track"
        bound = band_low if value < band_low else band_high
        return (
            "at_risk"
            if abs(value - bound) <= _margin(bound, at_risk_pct, band_high - band_low)
            else "behind"
        )
    if target is None:
        return "no_target"
    if direction not in ("up", "down"):
        raise ValueError(f"unknown direction {direction!r}")
    shortfall = target - value if direction == "up" else value - target
    if shortfall <= 0:
        return "on_track"
    return "at_risk" if shortfall <= _margin(target, at_risk_pct) else "behind"


def _margin(reference: float, pct: float, fallback_span: float | None = None) -> float:
    # A percentage of zero is zero: fall back to the band's width so a 0-bound band still has slack.
    base = abs(reference) or (fallback_span or 0.0)
    return base * pct / 100.0


def year_fraction(period_start: date, grain: str) -> float:
    """The share of the year covered at the end of the period (Jun → 0.5, Q3 → 0.75)."""
    if grain == "year":
        return 1.0
    if grain == "quarter":
        return ((period_start.month - 1) // 3 + 1) / 4
    if grain == "month":
        return period_start.month / 12
    if grain == "day":
        days = 366 if calendar.isleap(period_start.year) else 365
        return period_start.timetuple().tm_yday / days
    raise ValueError(f"unknown grain {grain!r}")


def plan_share(plan: Plan | None, period_start: date, grain: str) -> float:
    """The share of the year-end target planned by the end of the period: the plan curve's
    (a day interpolated within its month, a quarter at its last month), else a straight line."""
    if plan is None:
        return year_fraction(period_start, grain)
    curve = plan.curve(period_start.year)
    if grain == "year":
        return 1.0
    if grain == "month":
        return curve[period_start.month - 1]
    if grain == "quarter":
        return curve[((period_start.month - 1) // 3) * 3 + 2]
    if grain == "day":
        before = curve[period_start.month - 2] if period_start.month > 1 else 0.0
        days = calendar.monthrange(period_start.year, period_start.month)[1]
        return before + (curve[period_start.month - 1] - before) * period_start.day / days
    raise ValueError(f"unknown grain {grain!r}")


def target_for_period(
    indicator: Indicator, period_start: date, grain: str, plan: Plan | None = None
) -> float | None:
    """The target a value of this period is held to.

    Cumulative indicators (budget realisation) have year-end targets; mid-year they are
    held to the plan curve's share of it (``plan``, else the indicator's own from
    plans.yaml, else a straight line: June against half). The wall, the pages, alerts and
    the scorecard all judge through here, so they never disagree on a status.
    """
    target = indicator.target_for(period_start.year)
    if target is None or not indicator.cumulative:
        return target
    return target * plan_share(plan or indicator.plan, period_start, grain)


def indicator_status(
    indicator: Indicator, value: float | None, period_start: date | None, grain: str | None
) -> Status:
    """``status_of`` with the indicator's own direction, target, thresholds and band."""
    if value is None or period_start is None or grain is None:
        return "no_data"
    band = indicator.band
    return status_of(
        value,
        direction=indicator.direction,
        target=target_for_period(indicator, period_start, grain),
        at_risk_pct=indicator.thresholds.at_risk_pct,
        band_low=band.low if band else None,
        band_high=band.high if band else None,
    )


def change_tone(
    previous: float | None,
    latest: float | None,
    *,
    direction: str,
    band_low: float | None = None,
    band_high: float | None = None,
) -> Tone:
    """Whether moving from ``previous`` to ``latest`` is good news for this direction.

    For a band, getting closer to the band (or staying inside it) is good.
    """
    if previous is None or latest is None or previous == latest:
        return "neutral"
    if direction == "up":
        return "good" if latest > previous else "bad"
    if direction == "down":
        return "good" if latest < previous else "bad"
    if direction == "band" and band_low is not None and band_high is not None:
        before, after = (
            _outside(previous, band_low, band_high),
            _outside(latest, band_low, band_high),
        )
        if before == after:
            return "neutral"
        return "good" if after < before else "bad"
    return "neutral"


def _outside(value: float, low: float, high: float) -> float:
    """How far a value lies outside [low, high]; zero inside."""
    return max(low - value, value - high, 0.0)
