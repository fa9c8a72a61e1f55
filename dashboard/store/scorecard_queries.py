"""Reads for the scorecard and the brief: series of one region, kab/kota values for a
ranking, which expected deliveries arrived, the latest period held per indicator.

SQLAlchemy Core; every read is bound by the (region_code, indicator_code, period_start)
index or the unique (indicator_code, region_code, period_start, grain) key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, and_, func, or_, select

from dashboard.catalogue.periods import step
from dashboard.store.schema import Observation

_OBS = Observation.__table__
# Keep IN lists and OR chains well inside every driver's parameter limits.
_CHUNK = 200


@dataclass(frozen=True)
class SeriesPoint:
    """One stored value of an indicator's series, as the scorecard and the brief read it."""

    period_start: date
    grain: str
    value: float
    ingested_at: datetime | None = None
    source_id: str | None = None


def region_series(
    conn: Connection, region_code: str, grains: Mapping[str, str], since: date, until: date
) -> dict[str, list[SeriesPoint]]:
    """Per indicator (code → its grain), its observations in one region with
    ``since <= period_start <= until``, oldest first. Indicators without any are absent."""
    out: dict[str, list[SeriesPoint]] = {}
    codes = list(grains)
    for first in range(0, len(codes), _CHUNK):
        chunk = codes[first : first + _CHUNK]
        statement = (
            select(
                _OBS.c.indicator_code,
                _OBS.c.period_start,
                _OBS.c.grain,
                _OBS.c.value,
                _OBS.c.ingested_at,
                _OBS.c.source_id,
            )
            .where(
                _OBS.c.region_code == region_code,
                _OBS.c.indicator_code.in_(chunk),
                _OBS.c.period_start >= since,
                _OBS.c.period_start <= until,
            )
            .order_by(_OBS.c.indicator_code, _OBS.c.period_start)
        )
        for row in conn.execute(statement):
            if row.grain == grains[row.indicator_code]:
                out.setdefault(row.indicator_code, []).append(
                    SeriesPoint(
                        row.period_start, row.grain, row.value, row.ingested_at, row.source_id
                    )
                )
    return out


def latest_periods(
    conn: Connection, region_code: str, grains: Mapping[str, str]
) -> dict[str, date]:
    """The latest period start held per indicator in one region (any as-of)."""
    out: dict[str, date] = {}
    codes = list(grains)
    for first in range(0, len(codes), _CHUNK):
        chunk = codes[first : first + _CHUNK]
        statement = (
            select(_OBS.c.indicator_code, _OBS.c.grain, func.max(_OBS.c.period_start))
            .where(_OBS.c.region_code == region_code, _OBS.c.indicator_code.in_(chunk))
            .group_by(_OBS.c.indicator_code, _OBS.c.grain)
        )
        for code, grain, latest in conn.execute(statement):
            if grain == grains[code] and latest is not None:
                out[code] = latest
    return out


def ranking_values(
    conn: Connection, indicator_code: str, grain: str, region_codes: Iterable[str], until: date
) -> tuple[date | None, dict[str, float], dict[str, float]]:
    """(period, values, previous values) of the kab/kota: the latest period starting by
    ``until`` that holds any of their values, and the period before it."""
    regions = list(region_codes)
    base = and_(
        _OBS.c.indicator_code == indicator_code,
        _OBS.c.grain == grain,
        _OBS.c.region_code.in_(regions),
    )
    period = conn.execute(
        select(func.max(_OBS.c.period_start)).where(base, _OBS.c.period_start <= until)
    ).scalar()
    if period is None:
        return None, {}, {}
    before = step(period, grain, -1)
    values: dict[str, float] = {}
    previous: dict[str, float] = {}
    for region, start, value in conn.execute(
        select(_OBS.c.region_code, _OBS.c.period_start, _OBS.c.value).where(
            base, _OBS.c.period_start.in_([period, before])
        )
    ):
        (values if start == period else previous)[region] = value
    return period, values, previous


def arrived(
    conn: Connection, keys: Iterable[tuple[str, date, str]], region_code: str | None = None
) -> set[tuple[str, date, str]]:
    """Which (indicator, period start, grain) hold at least one observation (in ``region_code``
    when given, else in any region)."""
    wanted = sorted(set(keys))
    found: set[tuple[str, date, str]] = set()
    for first in range(0, len(wanted), _CHUNK):
        chunk = wanted[first : first + _CHUNK]
        match = or_(
            *(
                and_(_OBS.c.indicator_code == c, _OBS.c.period_start == p, _OBS.c.grain == g)
                for c, p, g in chunk
            )
        )
        statement = (
            select(_OBS.c.indicator_code, _OBS.c.period_start, _OBS.c.grain).where(match).distinct()
        )
        if region_code is not None:
            statement = statement.where(_OBS.c.region_code == region_code)
        found.update((c, p, g) for c, p, g in conn.execute(statement))
    return found
