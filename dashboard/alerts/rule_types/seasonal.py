"""``seasonal``: monthly data; the latest change on the same month a year earlier, scored
against the earlier year-on-year changes (so a December peak every year is no anomaly)."""

from __future__ import annotations

from statistics import median
from typing import Literal

from pydantic import Field

from dashboard.alerts.findings import amount
from dashboard.alerts.rule_types.base import Hit, Points, SeriesRule, scored
from dashboard.alerts.stats import robust_z, year_on_year_changes
from dashboard.catalogue.models import Indicator


class SeasonalRule(SeriesRule):
    type: Literal["seasonal"]
    years: int = Field(default=4, ge=1, le=20)
    min_history: int = Field(default=6, ge=3)
    z: float = Field(default=3.5, gt=0)

    def points_needed(self) -> int:
        return (self.years + 1) * 12 + 1

    def indicator_issue(self, indicator: Indicator) -> str | None:
        if indicator.frequency != "monthly":
            return (
                f"seasonal rules need a monthly indicator; "
                f"'{indicator.code}' is {indicator.frequency}"
            )
        return None

    def check(self, indicator: Indicator, points: Points) -> Hit | None:
        changes = year_on_year_changes(points)
        if not changes or changes[-1][0] != points[-1][0]:
            return None  # no value for the same month a year ago
        history = [c for _, c in changes[:-1]][-self.years * 12 :]
        if len(history) < self.min_history:
            return None
        latest_change = changes[-1][1]
        z = robust_z(latest_change, history)
        if abs(z) <= self.z:
            return None
        usual = median(history)

        def usual_text(lang: str) -> str:
            word = "perubahan tahunan" if lang == "id" else "year-on-year change"
            return f"{word} {amount(usual, indicator, lang)}"

        details, describe = scored(z, usual_text)
        return {
            **details,
            "year_on_year_change": round(latest_change, 6),
            "usual_change": usual,
            "history": len(history),
        }, describe
