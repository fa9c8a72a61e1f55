"""The 15 kab/kota ordered by how well they do on one indicator, direction taken into account.

``up``: highest first. ``down``: lowest first. ``band``: inside the band first, then by
how far outside; within the band, closest to its middle first. Regions without a value
come last, unranked; equal values share a rank.

Counts (indicators that add up to the province: aggregation ``sum``) are ranked per
100,000 residents (regions.yaml's population), as on the analyst pages
(``dashboard.analysis.ranking``). The count itself stays on every row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from dashboard.analysis.ranking import badness, compared, per_capita
from dashboard.catalogue.models import Indicator, Plans, Region
from dashboard.catalogue.periods import step
from dashboard.scorecard.judge import Judgement, judge
from dashboard.scorecard.rows import Change, change
from dashboard.store.scorecard_queries import SeriesPoint


@dataclass(frozen=True)
class RankedRegion:
    rank: int | None
    region: Region
    value: float | None
    judgement: Judgement
    vs_previous: Change | None
    per_100k: float | None = None  # the count per 100,000 residents, for counts


@dataclass(frozen=True)
class Ranking:
    indicator: Indicator
    period_start: date | None  # the period ranked (the latest with kab/kota data by the as-of day)
    grain: str
    rows: tuple[RankedRegion, ...]
    per_capita: bool = False


def performance_key(indicator: Indicator, value: float) -> tuple[float, ...]:
    """Smaller is better: the analyst pages' ordering, with the indicator's own direction and band."""
    band = indicator.band
    return badness(
        value, indicator.direction, band.low if band else None, band.high if band else None
    )


def rank_regions(
    indicator: Indicator,
    regions: Sequence[Region],
    period_start: date | None,
    values: Mapping[str, float],
    previous: Mapping[str, float],
    plans: Plans,
) -> Ranking:
    grain = indicator.grain
    by_rate = per_capita(indicator.direction, indicator.aggregation.method)
    present = [r for r in regions if r.code in values]
    judged = compared(
        {r.code: values[r.code] for r in present}, {r.code: r.population for r in present}, by_rate
    )
    # None only for NaN, which the store never holds.
    scored = {code: v for code, v in judged.items() if v is not None}
    with_value = sorted(present, key=lambda r: (performance_key(indicator, scored[r.code]), r.name))
    rows, last_key, rank = [], None, 0
    for position, region in enumerate(with_value, start=1):
        key = performance_key(indicator, scored[region.code])
        rank = rank if key == last_key else position
        last_key = key
        value = values[region.code]
        before = previous.get(region.code)
        moved = None
        if before is not None and period_start is not None:
            moved = change(
                SeriesPoint(step(period_start, grain, -1), grain, before),
                SeriesPoint(period_start, grain, value),
                indicator,
            )
        rows.append(
            RankedRegion(
                rank,
                region,
                value,
                judge(indicator, value, period_start, grain, plans, scope="regency"),
                moved,
                judged[region.code] if by_rate else None,
            )
        )
    for region in sorted((r for r in regions if r.code not in values), key=lambda r: r.name):
        rows.append(
            RankedRegion(
                None, region, None, judge(indicator, None, None, None, plans, "regency"), None
            )
        )
    return Ranking(indicator, period_start, grain, tuple(rows), by_rate)
