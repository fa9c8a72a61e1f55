"""One scorecard row per indicator and the domain score built from the rows.

Pure: an indicator's series (as read by ``dashboard.store.scorecard_queries``) and the
as-of day in, a row out. The domain score is the mean of its judged indicators' points
(on track 100, at risk 50, behind 0); indicators without data or target are listed but
not counted, so a reader can redo the sum from the rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from dashboard.catalogue.models import Indicator, Plans
from dashboard.catalogue.periods import step, year_ago
from dashboard.scorecard.judge import JUDGED, NO_DATA, Judgement, judge
from dashboard.status import STATUSES, Tone, change_tone
from dashboard.store.scorecard_queries import SeriesPoint

SPARK_POINTS = {"day": 30, "month": 13, "quarter": 8, "year": 6}


@dataclass(frozen=True)
class Change:
    """A change from an earlier period to the latest one."""

    against: SeriesPoint
    delta: float
    # Relative to the earlier value (None when zero): it ranks the movers; a percentage's
    # change is *shown* in points (``format.change_amount``).
    pct: float | None
    tone: Tone


@dataclass(frozen=True)
class IndicatorRow:
    indicator: Indicator
    region_code: str
    latest: SeriesPoint | None
    judgement: Judgement
    vs_previous: Change | None
    vs_year_ago: Change | None
    spark: tuple[SeriesPoint, ...] = ()

    @property
    def code(self) -> str:
        return self.indicator.code

    @property
    def status(self) -> str:
        return self.judgement.status

    @property
    def points(self) -> int | None:
        return self.judgement.points

    @property
    def held(self) -> SeriesPoint:
        """``latest`` where a value must be there: a row of the behind or movers lists."""
        if self.latest is None:
            raise ValueError(f"{self.code}: no value held")
        return self.latest

    @property
    def move(self) -> tuple[Change, float]:
        """``mover`` and its percentage, for a row of the movers lists (they keep only those)."""
        change = self.mover
        if change is None or change.pct is None:
            raise ValueError(f"{self.code}: no relative move")
        return change, change.pct

    @property
    def mover(self) -> Change | None:
        """The change that says whether this indicator moved: a cumulative one climbs every
        month by construction, so it is compared with the same month a year ago."""
        return self.vs_year_ago if self.indicator.cumulative else self.vs_previous


@dataclass(frozen=True)
class DomainScore:
    domain_id: str
    rows: tuple[IndicatorRow, ...]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def judged(self) -> tuple[IndicatorRow, ...]:
        return tuple(r for r in self.rows if r.status in JUDGED)

    @property
    def points_total(self) -> int:
        return sum(r.points or 0 for r in self.judged)

    @property
    def score(self) -> float | None:
        """0–100: the mean points of the judged indicators; None when none is judged."""
        judged = self.judged
        return self.points_total / len(judged) if judged else None


def change(earlier: SeriesPoint | None, latest: SeriesPoint, indicator: Indicator) -> Change | None:
    if earlier is None:
        return None
    delta = latest.value - earlier.value
    pct = delta / abs(earlier.value) * 100.0 if earlier.value else None
    band = indicator.band
    tone = change_tone(
        earlier.value,
        latest.value,
        direction=indicator.direction,
        band_low=band.low if band else None,
        band_high=band.high if band else None,
    )
    if indicator.from_events is not None:
        tone = "neutral"  # fewer earthquakes this month is luck, not an improvement
    return Change(earlier, delta, pct, tone)


def indicator_row(
    indicator: Indicator,
    series: Sequence[SeriesPoint],
    as_of_end: date,
    plans: Plans,
    region_code: str,
    scope: str = "province",
) -> IndicatorRow:
    """The row of ``indicator`` from its ``series`` (any order, its own grain), as of ``as_of_end``."""
    points = sorted(
        (p for p in series if p.grain == indicator.grain and p.period_start <= as_of_end),
        key=lambda p: p.period_start,
    )
    # A period counts once it has ended by the as-of day.
    points = [p for p in points if step(p.period_start, p.grain, 1) <= _next_day(as_of_end)]
    if not points:
        return IndicatorRow(
            indicator, region_code, None, _no_data(indicator, as_of_end, plans, scope), None, None
        )
    latest = points[-1]
    by_start = {p.period_start: p for p in points}
    previous = by_start.get(step(latest.period_start, latest.grain, -1))
    if (
        indicator.cumulative
        and previous is not None
        and previous.period_start.year != latest.period_start.year
    ):
        previous = None  # January starts from zero: December is no comparison
    judgement = judge(indicator, latest.value, latest.period_start, latest.grain, plans, scope)
    spark = tuple(points[-SPARK_POINTS[indicator.grain] :])
    return IndicatorRow(
        indicator,
        region_code,
        latest,
        judgement,
        change(previous, latest, indicator),
        change(by_start.get(year_ago(latest.period_start)), latest, indicator),
        spark,
    )


def _next_day(day: date) -> date:
    return date.fromordinal(day.toordinal() + 1)


def _no_data(indicator: Indicator, as_of_end: date, plans: Plans, scope: str) -> Judgement:
    # Still say what the target would be, so an empty row reads "target 14,0 — no data".
    j = judge(indicator, None, as_of_end.replace(month=12, day=1), "month", plans, scope)
    return Judgement("no_data", j.target, None, None, None) if j.target is not None else NO_DATA


def domain_score(domain_id: str, rows: Iterable[IndicatorRow]) -> DomainScore:
    rows = tuple(rows)
    counts: dict[str, int] = {s: sum(r.status == s for r in rows) for s in STATUSES}
    return DomainScore(domain_id, rows, counts)
