"""Regions ranked by an indicator's direction: rank 1 is the best.

Counts that add up to the province (aggregation ``sum``: cases, visitors, events) are
compared per 100,000 residents: by raw counts a ranking mostly orders the regions by
size. The scorecard, the indicator page and the region page all compare this way.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

PER_RESIDENTS = 100_000


@dataclass(frozen=True)
class Ranked:
    region_code: str
    value: float | None
    rank: int | None  # None: no value in this period
    per_100k: float | None = None  # counts: the value per 100,000 residents, which was ranked


def per_capita(direction: str, aggregation: str) -> bool:
    """Whether regions are compared per 100,000 residents: counts that add up to the province."""
    return aggregation == "sum" and direction != "band"


def per_100k(value: float, population: int) -> float:
    return value / population * PER_RESIDENTS


def compared(
    values: Mapping[str, float | None], population: Mapping[str, int], by_rate: bool
) -> dict[str, float | None]:
    """The values regions are compared by: per 100,000 residents when ``by_rate``."""
    if not by_rate:
        return dict(values)
    return {
        c: None if v is None or math.isnan(v) else per_100k(v, population[c])
        for c, v in values.items()
    }


def badness(
    value: float, direction: str, band_low: float | None = None, band_high: float | None = None
) -> tuple[float, ...]:
    """A sort key: smaller is better. A band ranks by distance outside it, then by distance to its middle."""
    if direction == "up":
        return (-value,)
    if direction == "down":
        return (value,)
    if band_low is None or band_high is None:
        return (0.0,)
    outside = max(band_low - value, value - band_high, 0.0)
    return (outside, abs(value - (band_low + band_high) / 2))


def rank_regions(
    values: Mapping[str, float | None],
    direction: str,
    band_low: float | None = None,
    band_high: float | None = None,
) -> list[Ranked]:
    """Competition ranking (1, 2, 2, 4): equal values share a rank; regions without a value come last."""
    present = [(code, v) for code, v in values.items() if v is not None and not math.isnan(v)]
    absent = sorted(code for code, v in values.items() if v is None or math.isnan(v))
    present.sort(key=lambda item: (badness(item[1], direction, band_low, band_high), item[0]))
    out: list[Ranked] = []
    previous: tuple[float, ...] | None = None
    for position, (code, value) in enumerate(present, start=1):
        key = badness(value, direction, band_low, band_high)
        rank = out[-1].rank if out and key == previous else position
        out.append(Ranked(code, value, rank))
        previous = key
    out.extend(Ranked(code, None, None) for code in absent)
    return out
