"""The exception lists: behind target, top movers, stale indicators, SKPD data not arrived.

Pure functions over scorecard rows, the catalogue, what the store says arrived and the
sources' last runs; ``dashboard.scorecard.build`` feeds them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from dashboard.catalogue.models import Catalogue, Indicator
from dashboard.catalogue.periods import (
    bucket,
    due_moment,
    local_today,
    period_end,
    periods_between,
    step,
)
from dashboard.scorecard.rows import Change, IndicatorRow
from dashboard.store.queries import SourceRuns, source_stale

TOP_MOVERS = 5
# Data periods an indicator may lag behind what is due before it counts as stale.
STALE_AFTER_PERIODS = {"day": 3, "month": 2, "quarter": 2, "year": 2}
# Operational feeds (daily, events) are not deliveries an SKPD owes by a day of the month.
DELIVERED_FREQUENCIES = ("monthly", "quarterly", "yearly")


def behind_target(rows: Iterable[IndicatorRow]) -> list[IndicatorRow]:
    """Behind first, then at risk; the largest relative gap first within each."""
    out = [r for r in rows if r.status in ("behind", "at_risk")]
    return sorted(out, key=lambda r: (r.status != "behind", -(r.judgement.gap_pct or 0.0), r.code))


def movers(
    rows: Iterable[IndicatorRow], n: int = TOP_MOVERS
) -> tuple[list[IndicatorRow], list[IndicatorRow]]:
    """(good, bad): the ``n`` largest relative moves that are good news, and bad news."""

    def size(change: Change) -> float:
        return abs(change.pct) if change.pct is not None else 0.0

    moved = [
        (r, m)
        for r in rows
        if (m := r.mover) is not None and m.tone != "neutral" and m.pct is not None
    ]
    good = sorted((p for p in moved if p[1].tone == "good"), key=lambda p: (-size(p[1]), p[0].code))
    bad = sorted((p for p in moved if p[1].tone == "bad"), key=lambda p: (-size(p[1]), p[0].code))
    return [r for r, _ in good[:n]], [r for r, _ in bad[:n]]


def due_period(indicator: Indicator, delivery_day: int, until: date, now: datetime) -> date | None:
    """The latest period of the indicator that ends by ``until`` and whose deadline has passed."""
    grain = indicator.grain
    start = bucket(until, grain)
    if period_end(start, grain) > until:
        start = step(start, grain, -1)
    for _ in range(40):
        if due_moment(start, grain, delivery_day) <= now:
            return start
        start = step(start, grain, -1)
    return None


def expected_latest(indicator: Indicator, delivery_day: int, now: datetime) -> date | None:
    """The latest period one should hold by ``now``: yesterday for daily feeds, else the last one due."""
    if indicator.frequency not in DELIVERED_FREQUENCIES:
        return step(local_today(now), "day", -1)
    return due_period(indicator, delivery_day, local_today(now), now)


@dataclass(frozen=True)
class StaleIndicator:
    indicator: Indicator
    latest: date | None  # the latest period held, whatever the scorecard's as-of month
    expected: date | None  # the period that should be there by now
    lag: int | None  # periods behind (None: nothing at all)
    stale_sources: tuple[str, ...]  # feeding sources that stopped succeeding
    last_success: datetime | None  # the latest success among its sources


def stale_indicators(
    indicators: Iterable[Indicator],
    latest: Mapping[str, date],
    catalogue: Catalogue,
    runs: Mapping[str, SourceRuns],
    now: datetime,
) -> list[StaleIndicator]:
    """Indicators whose latest data (``latest``: code → period start) lags what is due by now,
    or all of whose sources no longer succeed. Most periods behind first."""
    days = {s.id: s.delivery_day for s in catalogue.skpd}
    out = []
    for ind in indicators:
        expected = expected_latest(ind, days.get(ind.skpd, 10), now)
        held = latest.get(ind.code)
        lag = None
        if held is not None and expected is not None:
            lag = max(periods_between(held, expected, ind.grain), 0)
        sources = [s for s in catalogue.sources_feeding(ind.code) if s.enabled]
        successes = [
            last.ended_at
            for s in sources
            if s.id in runs and (last := runs[s.id].last_success) is not None
        ]
        dead = tuple(s.id for s in sources if source_stale(catalogue, s.id, runs.get(s.id), now))
        data_late = lag is not None and lag >= STALE_AFTER_PERIODS[ind.grain]
        fetch_dead = bool(sources) and len(dead) == len(sources)
        if data_late or fetch_dead:
            out.append(
                StaleIndicator(
                    ind, held, expected, lag, dead, max(successes) if successes else None
                )
            )
    return sorted(out, key=lambda s: (s.lag is None, -(s.lag or 0), s.indicator.code))


@dataclass(frozen=True)
class MissingItem:
    indicator: Indicator
    period_start: date
    grain: str
    due: datetime


@dataclass(frozen=True)
class MissingSkpd:
    skpd_id: str
    name: str
    short_name: str
    delivery_day: int
    items: tuple[MissingItem, ...]

    @property
    def most_overdue(self) -> datetime:
        return min(i.due for i in self.items)


def expected_deliveries(
    indicators: Iterable[Indicator], catalogue: Catalogue, until: date, now: datetime
) -> list[MissingItem]:
    """Per delivered indicator, its latest period due by ``now`` that ends by ``until``."""
    days = {s.id: s.delivery_day for s in catalogue.skpd}
    out = []
    for ind in indicators:
        if ind.frequency not in DELIVERED_FREQUENCIES:
            continue
        day = days.get(ind.skpd, 10)
        period = due_period(ind, day, until, now)
        if period is not None:
            out.append(MissingItem(ind, period, ind.grain, due_moment(period, ind.grain, day)))
    return out


def missing_skpd(
    expected: Iterable[MissingItem], arrived: set[tuple[str, date, str]], catalogue: Catalogue
) -> list[MissingSkpd]:
    """SKPDs with at least one expected delivery that has not arrived; longest overdue first."""
    missing: dict[str, list[MissingItem]] = {}
    for item in expected:
        if (item.indicator.code, item.period_start, item.grain) not in arrived:
            missing.setdefault(item.indicator.skpd, []).append(item)
    out = []
    for skpd in catalogue.skpd:
        items = missing.get(skpd.id)
        if items:
            items.sort(key=lambda i: (i.due, i.indicator.code))
            out.append(
                MissingSkpd(skpd.id, skpd.name, skpd.short_name, skpd.delivery_day, tuple(items))
            )
    return sorted(out, key=lambda m: (m.most_overdue, -len(m.items), m.short_name))
