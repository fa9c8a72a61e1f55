"""Rules on indicator series: catalogue thresholds, comparison, rate of change, anomaly, seasonal.

Each takes the series it needs (ascending ``(period_start, value)`` points per region)
and returns the findings that hold for the latest point; no I/O.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from statistics import median
from typing import Any

from dashboard import i18n
from dashboard.alerts.config import (
    CATALOGUE_THRESHOLD,
    AnomalyRule,
    CatalogueThresholds,
    ComparisonRule,
    RateOfChangeRule,
    SeasonalRule,
    regions_of,
)
from dashboard.alerts.findings import (
    Finding,
    amount,
    both,
    json_number,
    series_label,
    series_subject,
)
from dashboard.alerts.stats import robust_z, year_on_year_changes
from dashboard.catalogue.models import Catalogue, Indicator
from dashboard.status import indicator_status, target_for_period

Points = Sequence[tuple[date, float]]
# What a rule type's check returns when it fires: details for the record and a describer.
Hit = tuple[dict[str, Any], Callable[[str], str]]
# (indicator code, region code) -> ascending points
Series = Mapping[tuple[str, str], Points]

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


def points_needed(rule) -> int:
    """How many latest points per region a custom rule reads."""
    if rule.type == "comparison":
        return 1
    if rule.type == "rate_of_change":
        return 2
    if rule.type == "anomaly":
        return rule.window + 1
    return (rule.years + 1) * 12 + 1


def _period(point_date: date, indicator: Indicator, lang: str) -> str:
    return i18n.period(point_date, indicator.grain, lang)


def catalogue_threshold_findings(
    settings: CatalogueThresholds, catalogue: Catalogue, series: Series
) -> list[Finding]:
    """Indicators behind (or at risk against) their catalogue target or band, per region in scope."""
    severity_of = {"behind": settings.behind, "at_risk": settings.at_risk}
    findings = []
    for indicator in catalogue.indicators:
        for region in regions_of(settings.regions, catalogue):
            points = series.get((indicator.code, region))
            if not points:
                continue
            period, value = points[-1]
            status = indicator_status(indicator, value, period, indicator.grain)
            severity = severity_of.get(status)
            if severity is None:
                continue
            goal = _goal_text(indicator, period)

            def title(
                lang,
                status=status,
                goal=goal,
                value=value,
                period=period,
                region=region,
                indicator=indicator,
            ):
                word = i18n.t(f"status.{status}", lang)
                return (
                    f"{series_label(indicator, region, catalogue, lang)}: {word} — "
                    f"{amount(value, indicator, lang)} ({_period(period, indicator, lang)}; {goal(lang)})"
                )

            findings.append(
                Finding(
                    CATALOGUE_THRESHOLD,
                    series_subject(indicator.code, region),
                    severity,
                    *both(title),
                    {
                        "indicator": indicator.code,
                        "region": region,
                        "period": period.isoformat(),
                        "value": value,
                        "status": status,
                    },
                )
            )
    return findings


def _goal_text(indicator: Indicator, period: date) -> Callable[[str], str]:
    if indicator.band is not None:
        low, high = indicator.band.low, indicator.band.high
        return lambda lang: i18n.t(
            "target.band",
            lang,
            low=i18n.number(low, lang, indicator.decimals),
            high=i18n.number(high, lang, indicator.decimals),
        )
    target = target_for_period(indicator, period, indicator.grain)
    if target is None:  # a value judged behind or at risk was judged against a target
        raise ValueError(f"{indicator.code} has no target for {period}")
    return lambda lang: i18n.t("target", lang, value=i18n.number(target, lang, indicator.decimals))


def custom_rule_findings(rule, catalogue: Catalogue, series: Series) -> list[Finding]:
    indicator = catalogue.indicator(rule.indicator)
    checks: dict[str, Callable[[Any, Indicator, Points], Hit | None]] = {
        "comparison": _comparison,
        "rate_of_change": _rate_of_change,
        "anomaly": _anomaly,
        "seasonal": _seasonal,
    }
    check = checks[rule.type]
    findings = []
    for region in regions_of(rule.regions, catalogue):
        points = series.get((indicator.code, region)) or []
        hit = check(rule, indicator, points) if points else None
        if hit is None:
            continue
        details, describe = hit
        period, value = points[-1]

        def title(lang, region=region, describe=describe, period=period):
            if rule.title is not None:
                return (
                    f"{rule.title.get(lang)} — {series_label(indicator, region, catalogue, lang)}"
                )
            return (
                f"{series_label(indicator, region, catalogue, lang)}, {_period(period, indicator, lang)}: "
                f"{describe(lang)}"
            )

        findings.append(
            Finding(
                rule.id,
                series_subject(indicator.code, region),
                rule.severity,
                *both(title),
                {
                    "indicator": indicator.code,
                    "region": region,
                    "period": period.isoformat(),
                    "value": value,
                    **details,
                },
            )
        )
    return findings


def _comparison(rule: ComparisonRule, indicator: Indicator, points: Points):
    value = points[-1][1]
    if not _OPS[rule.op](value, rule.value):
        return None
    return (
        {"op": rule.op, "limit": rule.value},
        lambda lang: (
            f"{amount(value, indicator, lang)} {_OP_TEXT[lang][rule.op]} {i18n.number(rule.value, lang, indicator.decimals)}"
        ),
    )


def _rate_of_change(rule: RateOfChangeRule, indicator: Indicator, points: Points):
    if len(points) < 2:
        return None
    (before_period, before), (_, latest) = points[-2], points[-1]
    change = latest - before
    if rule.max_change_pct is not None:
        if before == 0:
            return None  # a percentage of nothing says nothing
        size, limit = change / abs(before) * 100, rule.max_change_pct
    elif rule.max_change is not None:
        size, limit = change, rule.max_change
    else:  # not reached: the rule's model requires exactly one of the two limits
        return None
    crossed = {"rise": size > limit, "fall": -size > limit, "any": abs(size) > limit}[rule.towards]
    if not crossed:
        return None
    pct = rule.max_change_pct is not None

    def describe(lang):
        shown = (
            f"{i18n.number(abs(size), lang, 1)} %" if pct else amount(abs(change), indicator, lang)
        )
        rose = {"id": "naik", "en": "rose"} if change > 0 else {"id": "turun", "en": "fell"}
        since = _period(before_period, indicator, lang)
        return (
            f"{rose[lang]} {shown} sejak {since}"
            if lang == "id"
            else f"{rose[lang]} {shown} since {since}"
        )

    return {
        "previous": before,
        "previous_period": before_period.isoformat(),
        "change": round(change, 6),
        "change_pct": round(size, 4) if pct else None,
    }, describe


def _scored(z: float, centre_text) -> tuple[dict, object]:
    def describe(lang):
        z_text = "∞" if math.isinf(z) else i18n.number(z, lang, 1)
        return (
            f"anomali (skor-z robust {z_text}; median {centre_text(lang)})"
            if lang == "id"
            else f"anomaly (robust z-score {z_text}; median {centre_text(lang)})"
        )

    return {"z": json_number(z)}, describe


def _anomaly(rule: AnomalyRule, indicator: Indicator, points: Points):
    history = [v for _, v in points[:-1]][-rule.window :]
    if len(history) < rule.min_history:
        return None
    latest = points[-1][1]
    z = robust_z(latest, history)
    if abs(z) <= rule.z:
        return None
    centre = median(history)
    details, describe = _scored(z, lambda lang: amount(centre, indicator, lang))
    return {**details, "median": centre, "history": len(history)}, describe


def _seasonal(rule: SeasonalRule, indicator: Indicator, points: Points):
    changes = year_on_year_changes(points)
    if not changes or changes[-1][0] != points[-1][0]:
        return None  # no value for the same month a year ago
    history = [c for _, c in changes[:-1]][-rule.years * 12 :]
    if len(history) < rule.min_history:
        return None
    latest_change = changes[-1][1]
    z = robust_z(latest_change, history)
    if abs(z) <= rule.z:
        return None
    usual = median(history)
    details, describe = _scored(
        z,
        lambda lang: (
            f"perubahan tahunan {amount(usual, indicator, lang)}"
            if lang == "id"
            else f"year-on-year change {amount(usual, indicator, lang)}"
        ),
    )
    return {
        **details,
        "year_on_year_change": round(latest_change, 6),
        "usual_change": usual,
        "history": len(history),
    }, describe
