"""``anomaly``: robust z-score (median and MAD) of the latest value against the ``window``
before it."""

from __future__ import annotations

from statistics import median
from typing import Literal

from pydantic import Field

from dashboard.alerts.findings import amount
from dashboard.alerts.rule_types.base import Hit, Points, SeriesRule, scored
from dashboard.alerts.stats import robust_z
from dashboard.catalogue.models import Indicator


class AnomalyRule(SeriesRule):
    type: Literal["anomaly"]
    window: int = Field(default=24, ge=4, le=400)
    min_history: int = Field(default=8, ge=3)
    z: float = Field(default=3.5, gt=0)

    def points_needed(self) -> int:
        return self.window + 1

    def check(self, indicator: Indicator, points: Points) -> Hit | None:
        history = [v for _, v in points[:-1]][-self.window :]
        if len(history) < self.min_history:
            return None
        z = robust_z(points[-1][1], history)
        if abs(z) <= self.z:
            return None
        centre = median(history)
        details, describe = scored(z, lambda lang: amount(centre, indicator, lang))
        return {**details, "median": centre, "history": len(history)}, describe
