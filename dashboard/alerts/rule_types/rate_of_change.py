"""``rate_of_change``: the latest value against the one before it, in percent or in the
indicator's unit."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from dashboard import i18n
from dashboard.alerts.findings import amount
from dashboard.alerts.rule_types.base import Hit, Points, SeriesRule, period_text
from dashboard.catalogue.models import Indicator


class RateOfChangeRule(SeriesRule):
    type: Literal["rate_of_change"]
    max_change_pct: float | None = Field(default=None, gt=0)
    max_change: float | None = Field(default=None, gt=0)
    towards: Literal["rise", "fall", "any"] = "any"

    @model_validator(mode="after")
    def _one_limit(self) -> RateOfChangeRule:
        if (self.max_change_pct is None) == (self.max_change is None):
            raise ValueError("give exactly one of max_change_pct or max_change")
        return self

    def points_needed(self) -> int:
        return 2

    def check(self, indicator: Indicator, points: Points) -> Hit | None:
        if len(points) < 2:
            return None
        (before_period, before), (_, latest) = points[-2], points[-1]
        change = latest - before
        if self.max_change_pct is not None:
            if before == 0:
                return None  # a percentage of nothing says nothing
            size, limit = change / abs(before) * 100, self.max_change_pct
        elif self.max_change is not None:
            size, limit = change, self.max_change
        else:  # not reached: the model requires exactly one of the two limits
            return None
        crossed = {"rise": size > limit, "fall": -size > limit, "any": abs(size) > limit}
        if not crossed[self.towards]:
            return None
        pct = self.max_change_pct is not None

        def describe(lang: str) -> str:
            shown = (
                f"{i18n.number(abs(size), lang, 1)} %"
                if pct
                else amount(abs(change), indicator, lang)
            )
            rose = {"id": "naik", "en": "rose"} if change > 0 else {"id": "turun", "en": "fell"}
            since = period_text(before_period, indicator, lang)
            word = "sejak" if lang == "id" else "since"
            return f"{rose[lang]} {shown} {word} {since}"

        return {
            "previous": before,
            "previous_period": before_period.isoformat(),
            "change": round(change, 6),
            "change_pct": round(size, 4) if pct else None,
        }, describe
