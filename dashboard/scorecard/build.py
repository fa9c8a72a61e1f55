"""``load_scorecard``: the whole scorecard for an as-of month and a region, in one connection."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection

from dashboard.catalogue.models import DOMAIN_ORDER, Catalogue, Indicator, Plans, Region
from dashboard.catalogue.periods import last_ended, period_end
from dashboard.scorecard.lists import (
    MissingSkpd,
    StaleIndicator,
    behind_target,
    expected_deliveries,
    missing_skpd,
    movers,
    stale_indicators,
)
from dashboard.scorecard.periods import AsOf
from dashboard.scorecard.ranking import Ranking, rank_regions
from dashboard.scorecard.rows import DomainScore, IndicatorRow, domain_score, indicator_row
from dashboard.store.queries import source_runs
from dashboard.store.scorecard_queries import arrived, latest_periods, ranking_values, region_series

HISTORY_YEARS = 2  # the series read: enough for a year-ago comparison and a sparkline


@dataclass(frozen=True)
class Scorecard:
    as_of: AsOf
    region: Region
    scope: str  # "province" or "regency"
    generated_at: datetime
    domains: tuple[DomainScore, ...]
    behind: tuple[IndicatorRow, ...]
    movers_good: tuple[IndicatorRow, ...]
    movers_bad: tuple[IndicatorRow, ...]
    stale: tuple[StaleIndicator, ...]
    missing: tuple[MissingSkpd, ...]
    # Apart from ``behind``: "Di bawah target" lists only what is behind.
    at_risk: tuple[IndicatorRow, ...] = ()

    @property
    def rows(self) -> tuple[IndicatorRow, ...]:
        return tuple(r for d in self.domains for r in d.rows)

    def row(self, code: str) -> IndicatorRow:
        return next(r for r in self.rows if r.code == code)

    @property
    def data_until(self) -> date:
        """The end of the latest period with data (the headline's "data s.d."), within the
        as-of month; the as-of month's start when nothing is held."""
        ends = [period_end(r.latest.period_start, r.latest.grain) for r in self.rows if r.latest]
        return min(max(ends), self.as_of.end) if ends else self.as_of.start

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for d in self.domains:
            for status, n in d.counts.items():
                out[status] = out.get(status, 0) + n
        return out


def scope_of(region: Region) -> str:
    return "province" if region.kind == "province" else "regency"


def scorecard_indicators(catalogue: Catalogue, region: Region) -> list[Indicator]:
    """Every indicator in domain order; a kab/kota view leaves out what only the province reports."""
    out = [i for d in DOMAIN_ORDER for i in catalogue.indicators_of_domain(d)]
    if region.kind != "province":
        out = [i for i in out if i.aggregation.method != "none"]
    return out


def load_scorecard(
    conn: Connection,
    catalogue: Catalogue,
    plans: Plans,
    as_of: AsOf,
    region_code: str,
    now: datetime,
) -> Scorecard:
    region = catalogue.regions_by_code.get(region_code) or catalogue.province
    scope = scope_of(region)
    indicators = scorecard_indicators(catalogue, region)
    grains = {i.code: i.grain for i in indicators}
    since = date(as_of.year - HISTORY_YEARS, 1, 1)
    series = region_series(conn, region.code, grains, since, as_of.end)
    rows = [
        indicator_row(i, series.get(i.code, []), as_of.end, plans, region.code, scope)
        for i in indicators
    ]
    in_catalogue = {d.id for d in catalogue.domains}  # a catalogue may hold fewer than the six
    domains = tuple(
        domain_score(d, [r for r in rows if r.indicator.domain == d])
        for d in DOMAIN_ORDER
        if d in in_catalogue
    )
    good, bad = movers(rows)
    flagged = behind_target(rows)

    runs = source_runs(conn)
    held = latest_periods(conn, region.code, grains)
    stale = stale_indicators(indicators, held, catalogue, runs, now)

    expected = expected_deliveries(indicators, catalogue, as_of.end, now)
    keys = [(e.indicator.code, e.period_start, e.grain) for e in expected]
    present = arrived(conn, keys, None if scope == "province" else region.code)
    missing = missing_skpd(expected, present, catalogue)
    return Scorecard(
        as_of,
        region,
        scope,
        now,
        domains,
        tuple(r for r in flagged if r.status == "behind"),
        tuple(good),
        tuple(bad),
        tuple(stale),
        tuple(missing),
        tuple(r for r in flagged if r.status == "at_risk"),
    )


def load_ranking(
    conn: Connection, catalogue: Catalogue, plans: Plans, indicator_code: str, as_of: AsOf
) -> Ranking:
    indicator = catalogue.indicator(indicator_code)
    regions = [r for r in catalogue.regions if r.kind != "province"]
    period, values, previous = ranking_values(
        conn,
        indicator.code,
        indicator.grain,
        [r.code for r in regions],
        last_ended(as_of.end, indicator.grain),
    )
    return rank_regions(indicator, regions, period, values, previous, plans)
