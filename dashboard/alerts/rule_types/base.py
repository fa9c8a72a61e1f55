"""What every custom alert rule type is: a config model that says how many points it reads
and checks them. A type is a subclass of ``SeriesRule`` with ``type: Literal["name"]``,
registered in ``dashboard.alerts.rule_types``."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, field_validator

from dashboard import i18n
from dashboard.alerts.findings import json_number
from dashboard.catalogue.freshness import Severity
from dashboard.catalogue.models import Indicator, Text

_RULE_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
# "province" (the default: one alert per indicator), "all" regions, or a list of codes.
RegionScope = Literal["province", "all"] | list[str]
# Ascending (period start, value) points of one indicator in one region.
Points = Sequence[tuple[date, float]]
# A describer: the finding's measured part in a language ("di atas 95").
Describe = Callable[[str], str]
# What a check returns when the rule fires: details for the record, and a describer.
Hit = tuple[dict[str, Any], Describe]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SeriesRule(Strict):
    """A rule on one indicator's series, per region in scope (alerts.yaml ``rules:``)."""

    id: str
    indicator: str
    regions: RegionScope = "province"
    severity: Severity = "warning"
    # Optional own wording; the default title says what was measured.
    title: Text | None = None

    @field_validator("id")
    @classmethod
    def _id_shape(cls, v: str) -> str:
        if not _RULE_ID.match(v):
            raise ValueError("must be lower-case letters, digits, '-', '_' or '.'")
        return v

    def points_needed(self) -> int:
        """How many latest points per region ``check`` reads."""
        raise NotImplementedError

    def check(self, indicator: Indicator, points: Points) -> Hit | None:
        """The hit when the rule holds for the latest point; None when it does not."""
        raise NotImplementedError

    def indicator_issue(self, indicator: Indicator) -> str | None:
        """Why this rule cannot apply to ``indicator`` (reported at config load), if it cannot."""
        return None


def period_text(point_date: date, indicator: Indicator, lang: str) -> str:
    return i18n.period(point_date, indicator.grain, lang)


def scored(z: float, centre_text: Describe) -> Hit:
    """The hit of a rule that scores the latest value with a robust z-score around a median."""

    def describe(lang: str) -> str:
        z_text = "∞" if math.isinf(z) else i18n.number(z, lang, 1)
        if lang == "id":
            return f"anomali (skor-z robust {z_text}; median {centre_text(lang)})"
        return f"anomaly (robust z-score {z_text}; median {centre_text(lang)})"

    return {"z": json_number(z)}, describe
