"""Prepared data for ``/region/<code>``: every indicator of one kab/kota against the province
and the other kab/kota, at that region's latest period.

Two reads for the whole page: the region's latest value of each indicator (one seek per
indicator on ``ix_observation_region_indicator``), then every region's value at those
periods (exact seeks on the unique key).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from statistics import median

from dashboard.analysis import aggregate
from dashboard.analysis import text as fmt
from dashboard.analysis.ranking import compared, per_capita, rank_regions
from dashboard.analysis.rules import over_regions
from dashboard.analysis.sparkline import strip_uri
from dashboard.catalogue.models import DOMAIN_ORDER, Indicator
from dashboard.store import analysis_queries as q
from dashboard.views.indicator import Env


@dataclass(frozen=True)
class Dot:
    region_code: str
    position: float  # 0 … 100, left is worse, right is better


@dataclass(frozen=True)
class Line:
    code: str
    region_code: str
    name: str
    unit: str
    period: str
    value: str
    province: str | None
    rank: int | None
    of: int
    spread: str  # "min – median – max"
    dots: tuple[Dot, ...]
    here: float | None
    better: str  # "better" / "worse" / "same" / "" (not comparable)
    strip: str  # the position strip as an SVG data URI


@dataclass(frozen=True)
class DomainBlock:
    id: str
    name: str
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class RegionView:
    code: str
    name: str
    kind: str
    population: str
    blocks: tuple[DomainBlock, ...]
    missing: int  # indicators with no value for this region


def score(value: float, indicator: Indicator) -> float:
    """Smaller is better: the value itself (down), its negative (up), distance to the band's middle."""
    if indicator.direction == "up":
        return -value
    if indicator.direction == "down" or not indicator.band:
        return value
    return abs(value - (indicator.band.low + indicator.band.high) / 2)


def _position(value: float, scores: list[float], indicator: Indicator) -> float:
    """Where ``value`` sits between the worst and the best region: 0 worst, 100 best (clamped)."""
    worst, best = max(scores), min(scores)
    if worst == best:
        return 50.0
    return round(max(0.0, min(100.0, (worst - score(value, indicator)) / (worst - best) * 100)), 1)


def build_line(
    indicator: Indicator,
    region: str,
    start: date,
    values: dict[str, float],
    province_value,
    subregions: list[str],
    lang: str,
    population: Mapping[str, int] | None = None,
) -> Line:
    """One indicator's row. Rank and position strip compare counts per 100,000 residents when
    ``population`` is given (as every ranking does); the values and their spread stay as stored."""
    dec = indicator.decimals
    regional = {c: values.get(c) for c in subregions}
    present = {c: v for c, v in regional.items() if v is not None}
    by_rate = population is not None and per_capita(
        indicator.direction, indicator.aggregation.method
    )
    judged = compared(regional, population or {}, by_rate)
    ranked = rank_regions(
        judged,
        indicator.direction,
        *((indicator.band.low, indicator.band.high) if indicator.band else (None, None)),
    )
    rank = next((r.rank for r in ranked if r.region_code == region), None)
    ordered = sorted(present.values())
    scores = sorted(score(v, indicator) for v in judged.values() if v is not None) or [0.0]
    dots = tuple(
        Dot(c, _position(v, scores, indicator)) for c in present if (v := judged[c]) is not None
    )
    here = values.get(region)
    better = ""
    # A summed indicator's province value is a total: no kab/kota is "better" than it.
    comparable = over_regions(indicator) != "sum"
    if here is not None and province_value is not None and comparable:
        mine, theirs = score(here, indicator), score(province_value, indicator)
        better = "same" if mine == theirs else ("better" if mine < theirs else "worse")
    here_judged = None if here is None else judged[region]
    here_at = None if here_judged is None else _position(here_judged, scores, indicator)
    province_at = (
        None
        if province_value is None or not ordered or not comparable
        else _position(province_value, scores, indicator)
    )
    others = [d.position for d in dots if d.region_code != region]
    spread = (
        " – ".join(fmt.number(v, lang, dec) for v in (ordered[0], median(ordered), ordered[-1]))
        if ordered
        else ""
    )
    return Line(
        code=indicator.code,
        region_code=region,
        name=indicator.name.get(lang),
        unit=indicator.unit.get(lang),
        period=fmt.period(start, indicator.grain, lang),
        value="—" if here is None else fmt.number(here, lang, dec),
        province=None if province_value is None else fmt.number(province_value, lang, dec),
        rank=rank,
        of=len(present),
        spread=spread,
        dots=dots,
        here=here_at,
        better=better,
        strip=strip_uri(others, here_at, province_at),
    )


def load_region(env: Env, region_code: str, lang: str) -> RegionView:
    """The page's data (memoised whole: it depends on nothing but the data and the language)."""
    return env.memo.get(
        env.version,
        ("region-view", region_code, lang),
        lambda: _build_region(env, region_code, lang),
    )


def _build_region(env: Env, region_code: str, lang: str) -> RegionView:
    catalogue = env.catalogue
    region = catalogue.regions_by_code[region_code]
    province = catalogue.province.code
    subregions = [r.code for r in catalogue.regions if r.kind != "province"]
    everyone = [province, *subregions]
    grains = {i.code: i.grain for i in catalogue.indicators}

    def read():
        with env.engine.connect() as conn:
            latest = q.recent_values(conn, grains, region_code, 1)
            at = {code: (grains[code], points[0].period_start) for code, points in latest.items()}
            return at, q.values_at(conn, at, everyone)

    at, by_indicator = read()
    population = {r.code: r.population for r in catalogue.regions}
    blocks, missing = [], 0
    for domain_id in DOMAIN_ORDER:
        lines = []
        for indicator in catalogue.indicators_of_domain(domain_id):
            if indicator.code not in at:
                missing += 1
                continue
            by_region = by_indicator.get(indicator.code, {})
            province_value = by_region.get(province)
            if province_value is None:
                province_value = _derived(indicator, by_region, province, subregions, population)
            lines.append(
                build_line(
                    indicator,
                    region_code,
                    at[indicator.code][1],
                    by_region,
                    province_value,
                    subregions,
                    lang,
                    population,
                )
            )
        if lines:
            blocks.append(
                DomainBlock(domain_id, catalogue.domain(domain_id).name.get(lang), tuple(lines))
            )
    return RegionView(
        region.code,
        region.label(lang),
        region.kind,
        fmt.number(region.population, lang, 0),
        tuple(blocks),
        missing,
    )


def _derived(
    indicator: Indicator,
    by_region: dict[str, float],
    province: str,
    subregions: list[str],
    population,
) -> float | None:
    import pandas as pd

    frame = pd.DataFrame(
        [
            {
                "region_code": c,
                "period_start": date.min,
                "value": v,
                "n": 1,
                "expected": 1,
                "last_start": date.min,
                "complete": True,
                "derived": False,
            }
            for c, v in by_region.items()
        ],
        columns=aggregate.COLUMNS,
    )
    derived = aggregate.derive_province(
        frame, over_regions(indicator), province, subregions, population
    )
    return None if derived.empty else float(derived["value"].iloc[0])
