"""Rules on indicator series: the catalogue's thresholds, and the custom rules of alerts.yaml
(whose types, in ``dashboard.alerts.rule_types``, check the points themselves).

Each takes the series it needs (ascending ``(period_start, value)`` points per region)
and returns the findings that hold for the latest point; no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

from dashboard import i18n
from dashboard.alerts.config import CATALOGUE_THRESHOLD, CatalogueThresholds, regions_of
from dashboard.alerts.findings import (
    Finding,
    amount,
    both,
    series_label,
    series_subject,
)
from dashboard.alerts.rule_types.base import Points, SeriesRule, period_text
from dashboard.catalogue.models import Catalogue, Indicator
from dashboard.status import indicator_status, target_for_period

# (indicator code, region code) -> ascending points
Series = Mapping[tuple[str, str], Points]


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
                word = i18n.label(f"status.{status}", lang)
                return (
                    f"{series_label(indicator, region, catalogue, lang)}: {word} — "
                    f"{amount(value, indicator, lang)} ({period_text(period, indicator, lang)}; {goal(lang)})"
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
        return lambda lang: i18n.label(
            "target.band",
            lang,
            low=i18n.number(low, lang, indicator.decimals),
            high=i18n.number(high, lang, indicator.decimals),
        )
    target = target_for_period(indicator, period, indicator.grain)
    if target is None:  # a value judged behind or at risk was judged against a target
        raise ValueError(f"{indicator.code} has no target for {period}")
    return lambda lang: i18n.label(
        "target", lang, value=i18n.number(target, lang, indicator.decimals)
    )


def custom_rule_findings(rule: SeriesRule, catalogue: Catalogue, series: Series) -> list[Finding]:
    """Per region in the rule's scope, a finding when its type's ``check`` holds."""
    indicator = catalogue.indicator(rule.indicator)
    findings = []
    for region in regions_of(rule.regions, catalogue):
        points = series.get((indicator.code, region)) or []
        hit = rule.check(indicator, points) if points else None
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
                f"{series_label(indicator, region, catalogue, lang)}, {period_text(period, indicator, lang)}: "
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
