"""What a rule reports: a condition that holds now for one subject."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dashboard import i18n
from dashboard.catalogue.models import Catalogue, Indicator


@dataclass(frozen=True)
class Finding:
    rule_id: str
    # The de-duplication key within the rule: "LIV.STUNTING@71", "source:dinkes-sik", "event:42".
    subject: str
    severity: str
    title_id: str
    title_en: str
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str]:
        return self.rule_id, self.subject


def series_subject(indicator_code: str, region_code: str) -> str:
    return f"{indicator_code}@{region_code}"


def series_label(indicator: Indicator, region_code: str, catalogue: Catalogue, lang: str) -> str:
    """ "Prevalensi stunting (Sulawesi Utara)"."""
    region = catalogue.regions_by_code.get(region_code)
    return f"{indicator.name.get(lang)} ({region.short_label(lang) if region else region_code})"


def amount(value: float, indicator: Indicator, lang: str) -> str:
    """A value with the indicator's decimals and unit: "24,1 %"."""
    return f"{i18n.number(value, lang, indicator.decimals)} {indicator.unit.for_count(value, lang)}"


def json_number(value: float) -> float | None:
    """Infinity is not JSON (PostgreSQL refuses it): store None instead."""
    return None if math.isinf(value) or math.isnan(value) else round(value, 4)


def both(make: Callable[[str], str]) -> tuple[str, str]:
    """A title in both languages from ``make(lang)``."""
    return make("id"), make("en")
