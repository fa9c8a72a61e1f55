"""Prepared data for ``/domain/<id>``: each application's indicators as small multiples.

One read for the whole page: the latest stretch of every indicator of the domain for
the province (one ``ORDER BY period_start DESC LIMIT n`` seek per indicator).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from dashboard import i18n
from dashboard.analysis import text as fmt
from dashboard.analysis.sparkline import sparkline_uri
from dashboard.catalogue.models import Indicator
from dashboard.scorecard.owners import short_name
from dashboard.status import Status, Tone, change_tone, indicator_status, target_for_period
from dashboard.store import analysis_queries as q
from dashboard.views.indicator import Env

HISTORY = {"day": 90, "month": 24, "quarter": 12, "year": 10}
STATUS_COLOR = {
    "on_track": "#3ddbb3",
    "at_risk": "#ffc53d",
    "behind": "#ff7a66",
    "no_target": "#aab7c9",
    "no_data": "#6c757d",
}


@dataclass(frozen=True)
class Card:
    code: str
    name: str
    unit: str
    value: str | None
    period: str | None
    status: Status
    target: str | None
    change: str | None
    tone: Tone
    fetched: str | None
    sparkline: str
    classification: str
    owner: str | None = None  # the responsible SKPD's short name


@dataclass(frozen=True)
class AppGroup:
    id: str
    name: str
    cards: tuple[Card, ...]


@dataclass(frozen=True)
class DomainView:
    id: str
    name: str
    tagline: str
    groups: tuple[AppGroup, ...]
    counts: dict[str, int]


def _target_text(indicator: Indicator, start, grain: str, lang: str) -> str | None:
    if indicator.band:
        return i18n.label(
            "target.band",
            lang,
            low=fmt.number(indicator.band.low, lang, indicator.decimals),
            high=fmt.number(indicator.band.high, lang, indicator.decimals),
        )
    target = target_for_period(indicator, start, grain) if start else None
    return (
        None
        if target is None
        else i18n.label("target", lang, value=fmt.number(target, lang, indicator.decimals))
    )


def build_card(indicator: Indicator, history: list[q.Point], lang: str, now: datetime) -> Card:
    """``history``: this indicator's recent province values, newest first."""
    grain = indicator.grain
    values = [p.value for p in reversed(history)]
    if not values:
        return Card(
            indicator.code,
            indicator.name.get(lang),
            indicator.unit.get(lang),
            None,
            None,
            "no_data",
            None,
            None,
            "neutral",
            None,
            sparkline_uri([], color=STATUS_COLOR["no_data"]),
            indicator.classification,
        )
    latest = history[0]
    start = latest.period_start
    status = indicator_status(indicator, latest.value, start, grain)
    band = (indicator.band.low, indicator.band.high) if indicator.band else None
    change: str | None = None
    tone: Tone = "neutral"
    if len(history) > 1:
        previous = history[1]
        tone = change_tone(
            previous.value,
            latest.value,
            direction=indicator.direction,
            band_low=band[0] if band else None,
            band_high=band[1] if band else None,
        )
        delta = latest.value - previous.value
        sign = "+" if delta > 0 else ""
        change = f"{sign}{fmt.number(delta, lang, indicator.decimals)} " + i18n.label(
            "change.vs", lang, period=fmt.period(previous.period_start, grain, lang)
        )
    target = target_for_period(indicator, start, grain) if not band else None
    return Card(
        code=indicator.code,
        name=indicator.name.get(lang),
        unit=indicator.unit.for_count(latest.value, lang),
        value=fmt.number(latest.value, lang, indicator.decimals),
        period=fmt.period(start, grain, lang),
        status=status,
        target=_target_text(indicator, start, grain, lang),
        change=change,
        tone=tone,
        # An aware UTC moment: the store reads ingested_at (NOT NULL) as one.
        fetched=i18n.label("age.fetched", lang, age=i18n.age(latest.ingested_at, now, lang)),
        sparkline=sparkline_uri(values, color=STATUS_COLOR[status], target=target, band=band),
        classification=indicator.classification,
    )


def load_domain(env: Env, domain_id: str, lang: str, now: datetime) -> DomainView:
    catalogue = env.catalogue
    domain = catalogue.domain(domain_id)
    indicators = catalogue.indicators_of_domain(domain_id)
    grains = {i.code: i.grain for i in indicators}
    depth = max((HISTORY[i.grain] for i in indicators), default=24)

    def read():
        with env.engine.connect() as conn:
            return q.recent_values(conn, grains, catalogue.province.code, depth)

    recent = env.memo.get(env.version, ("domain", domain_id, depth), read)
    groups: list[AppGroup] = []
    counts: dict[str, int] = {}
    for app in domain.applications:
        cards = []
        for indicator in (i for i in indicators if i.application == app.id):
            history = recent.get(indicator.code, [])[: HISTORY[indicator.grain]]
            card = replace(
                build_card(indicator, history, lang, now),
                owner=short_name(indicator.skpd, catalogue),
            )
            counts[card.status] = counts.get(card.status, 0) + 1
            cards.append(card)
        if cards:
            groups.append(AppGroup(app.id, app.name.get(lang), tuple(cards)))
    return DomainView(
        domain.id, domain.name.get(lang), domain.tagline.get(lang), tuple(groups), counts
    )
