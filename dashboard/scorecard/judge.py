"""The scorecard's verdict on one value: status, the target it is held to, and the gap.

``dashboard.status.status_of`` does the judging; this module decides *what* a value is
held to: the yearly target, or for a cumulative indicator the plan curve's share of it
for the period, or the band. Province targets (RPJMD) also hold a kab/kota's rates and
shares; a count that adds up to the province (aggregation ``sum``) has no kab/kota target.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dashboard.catalogue.models import Indicator, Plans
from dashboard.scorecard.plans import planned_target
from dashboard.status import Status, status_of

# Points an indicator adds to its domain score; the others are not judged.
POINTS: dict[str, int] = {"on_track": 100, "at_risk": 50, "behind": 0}
JUDGED: tuple[Status, ...] = ("on_track", "at_risk", "behind")


@dataclass(frozen=True)
class Judgement:
    status: Status
    target: float | None  # this year's target (year-end value when cumulative)
    reference: float | None  # what the value is held to (the plan for the period when cumulative)
    gap: float | None  # how far on the wrong side of the reference or band; 0 when on it
    gap_pct: float | None  # the gap as a percentage of the reference (or of the crossed bound)

    @property
    def points(self) -> int | None:
        return POINTS.get(self.status)


NO_DATA = Judgement("no_data", None, None, None, None)


def has_regional_target(indicator: Indicator, scope: str) -> bool:
    """Province targets hold kab/kota values unless they are counts that sum to the province."""
    return scope == "province" or indicator.aggregation.method != "sum"


def judge(
    indicator: Indicator,
    value: float | None,
    period_start: date | None,
    grain: str | None,
    plans: Plans,
    scope: str = "province",
) -> Judgement:
    """The status of ``value`` of ``indicator`` for its period, in a province or kab/kota ``scope``."""
    if period_start is None or grain is None:
        target = None
    else:
        target, reference = planned_target(indicator, plans, period_start, grain)
    if value is None or period_start is None or grain is None:
        return Judgement("no_data", target, None, None, None)
    band = indicator.band
    if indicator.direction == "band" and band is not None:
        status = status_of(
            value,
            direction="band",
            at_risk_pct=indicator.thresholds.at_risk_pct,
            band_low=band.low,
            band_high=band.high,
        )
        bound = band.low if value < band.low else band.high
        gap = max(band.low - value, value - band.high, 0.0)
        return Judgement(status, target, None, gap, _pct(gap, bound))
    if not has_regional_target(indicator, scope):
        target = reference = None
    status = status_of(
        value,
        direction=indicator.direction,
        target=reference,
        at_risk_pct=indicator.thresholds.at_risk_pct,
    )
    if reference is None:
        return Judgement(status, target, None, None, None)
    shortfall = reference - value if indicator.direction == "up" else value - reference
    gap = max(shortfall, 0.0)
    return Judgement(status, target, reference, gap, _pct(gap, reference))


def _pct(gap: float, reference: float) -> float | None:
    return gap / abs(reference) * 100.0 if reference else None
