"""``comparison``: the latest value against a fixed limit (``op`` ``value``)."""

from __future__ import annotations

import operator
from typing import Literal

from dashboard import i18n
from dashboard.alerts.findings import amount
from dashboard.alerts.rule_types.base import Hit, Points, SeriesRule
from dashboard.catalogue.models import Indicator

_OPS = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}
_OP_TEXT = {
    "id": {
        ">": "di atas",
        ">=": "mencapai atau di atas",
        "<": "di bawah",
        "<=": "mencapai atau di bawah",
    },
    "en": {">": "above", ">=": "at or above", "<": "below", "<=": "at or below"},
}


class ComparisonRule(SeriesRule):
    type: Literal["comparison"]
    op: Literal[">", ">=", "<", "<="]
    value: float

    def points_needed(self) -> int:
        return 1

    def check(self, indicator: Indicator, points: Points) -> Hit | None:
        value = points[-1][1]
        if not _OPS[self.op](value, self.value):
            return None
        limit = self.value

        def describe(lang: str) -> str:
            shown = i18n.number(limit, lang, indicator.decimals)
            return f"{amount(value, indicator, lang)} {_OP_TEXT[lang][self.op]} {shown}"

        return {"op": self.op, "limit": limit}, describe
