"""Regions ranked by an indicator's direction: rank 1 is the best."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Ranked:
    region_code: str
    value: float | None
    rank: int | None  # None: no value in this period


def badness(value: float, direction: str, band_low: float | None = None, band_high: float | None = None) -> tuple:
    """A sort key: smaller is better. A band ranks by distance outside it, then by distance to its middle."""
    if direction == "up":
        return (-value,)
    if direction == "down":
        return (value,)
    if band_low is None or band_high is None:
        return (0.0,)
    outside = max(band_low - value, value - band_high, 0.0)
    return (outside, abs(value - (band_low + band_high) / 2))


def rank_regions(values: Mapping[str, float | None], direction: str, band_low: float | None = None,
                 band_high: float | None = None) -> list[Ranked]:
    """Competition ranking (1, 2, 2, 4): equal values share a rank; regions without a value come last."""
    present = [(code, v) for code, v in values.items() if v is not None and not math.isnan(v)]
    absent = sorted(code for code, v in values.items() if v is None or math.isnan(v))
    present.sort(key=lambda item: (badness(item[1], direction, band_low, band_high), item[0]))
    out: list[Ranked] = []
    for position, (code, value) in enumerate(present, start=1):
        if out and badness(value, direction, band_low, band_high) == badness(out[-1].value, direction, band_low,
                                                                             band_high):
            rank = out[-1].rank
        else:
            rank = position
        out.append(Ranked(code, value, rank))
    out.extend(Ranked(code, None, None) for code in absent)
    return out
