"""Robust statistics for anomaly rules: median and MAD rather than mean and standard
deviation, so the outliers being looked for do not hide themselves by widening the spread."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from statistics import median

# 0.6745 is the 75th percentile of the standard normal: it scales the MAD so that the
# score reads like a z-score on normal data (Iglewicz and Hoaglin's modified z-score).
MAD_SCALE = 0.6745
# When more than half the history is identical the MAD is 0; the mean absolute
# deviation times sqrt(pi/2) estimates the same spread.
MEAN_AD_SCALE = 1.253314


def robust_z(value: float, history: Sequence[float]) -> float:
    """How unusual ``value`` is against ``history``; ±inf when the history never varied."""
    if not history:
        raise ValueError("robust_z needs a history")
    centre = median(history)
    deviations = [abs(x - centre) for x in history]
    mad = median(deviations)
    if mad > 0:
        return MAD_SCALE * (value - centre) / mad
    mean_ad = sum(deviations) / len(deviations)
    if mean_ad > 0:
        return (value - centre) / (MEAN_AD_SCALE * mean_ad)
    if value == centre:
        return 0.0
    return math.copysign(math.inf, value - centre)


def year_on_year_changes(points: Sequence[tuple[date, float]]) -> list[tuple[date, float]]:
    """For monthly points (ascending), the change on the same month a year before, where it exists."""
    by_period = dict(points)
    out = []
    for period, value in points:
        before = by_period.get(period.replace(year=period.year - 1))
        if before is not None:
            out.append((period, value - before))
    return out
