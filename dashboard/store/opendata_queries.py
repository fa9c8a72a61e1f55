"""Reads of the open-data API and catalogue: one dataset's observations a page at a time
(keyset pagination on the observation key's index) and each dataset's newest value.

A page is ``WHERE indicator_code = :code AND (region, period, grain) > :after ORDER BY
region, period, grain LIMIT n+1``: an index range scan on ``uq_observation_key`` however
deep the page, so a cursor costs the same on the first page and the thousandth.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, func, select, tuple_, union_all

from dashboard.store.schema import Observation

_UNION_CHUNK = 100


@dataclass(frozen=True)
class Record:
    region_code: str
    period_start: date
    grain: str
    value: float
    updated_at: datetime
    revision: int


@dataclass(frozen=True)
class Key:
    """Where a page ends: the last row's (region, period, grain)."""

    region_code: str
    period_start: date
    grain: str


def observations_page(
    conn: Connection,
    code: str,
    *,
    regions: Sequence[str] | None = None,
    start: date | None = None,
    end: date | None = None,
    grain: str | None = None,
    after: Key | None = None,
    limit: int = 1000,
) -> tuple[list[Record], Key | None]:
    """Up to ``limit`` observations of ``code`` after ``after``, and the key of the next page
    (None on the last page)."""
    obs = Observation.__table__
    stmt = select(
        obs.c.region_code,
        obs.c.period_start,
        obs.c.grain,
        obs.c.value,
        obs.c.ingested_at,
        obs.c.revision,
    ).where(obs.c.indicator_code == code)
    if regions is not None:
        stmt = stmt.where(obs.c.region_code.in_(list(regions)))
    if start is not None:
        stmt = stmt.where(obs.c.period_start >= start)
    if end is not None:
        stmt = stmt.where(obs.c.period_start <= end)
    if grain is not None:
        stmt = stmt.where(obs.c.grain == grain)
    if after is not None:
        stmt = stmt.where(
            tuple_(obs.c.region_code, obs.c.period_start, obs.c.grain)
            > tuple_(after.region_code, after.period_start, after.grain)
        )
    stmt = stmt.order_by(obs.c.region_code, obs.c.period_start, obs.c.grain).limit(limit + 1)
    rows = conn.execute(stmt).all()
    records = [
        Record(r.region_code, _as_date(r.period_start), r.grain, r.value, r.ingested_at, r.revision)
        for r in rows[:limit]
    ]
    more = len(rows) > limit and records
    last = records[-1] if more else None
    return records, (Key(last.region_code, last.period_start, last.grain) if last else None)


def _as_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


@dataclass(frozen=True)
class Newest:
    period_start: date
    grain: str
    updated_at: datetime


def newest(conn: Connection, codes: Iterable[str], region_code: str) -> dict[str, Newest]:
    """Each indicator's newest period in one region (one index seek each, one round trip)."""
    obs = Observation.__table__
    codes = list(dict.fromkeys(codes))
    out: dict[str, Newest] = {}
    for begin in range(0, len(codes), _UNION_CHUNK):
        parts = [
            select(
                select(obs.c.indicator_code, obs.c.period_start, obs.c.grain, obs.c.ingested_at)
                .where(obs.c.indicator_code == code, obs.c.region_code == region_code)
                .order_by(obs.c.period_start.desc())
                .limit(1)
                .subquery()
            )
            for code in codes[begin : begin + _UNION_CHUNK]
        ]
        if not parts:
            continue
        statement = parts[0] if len(parts) == 1 else union_all(*parts)
        for r in conn.execute(statement):
            out[r.indicator_code] = Newest(_as_date(r.period_start), r.grain, r.ingested_at)
    return out


def regions_with_data(conn: Connection, code: str) -> list[str]:
    """The regions one indicator has observations for (a skip over the key's index)."""
    obs = Observation.__table__
    rows = conn.execute(
        select(obs.c.region_code)
        .where(obs.c.indicator_code == code)
        .group_by(obs.c.region_code)
        .order_by(obs.c.region_code)
    )
    return [r.region_code for r in rows]


def observations_slice(
    conn: Connection,
    code: str,
    *,
    regions: Sequence[str] | None = None,
    offset: int = 0,
    limit: int = 100,
) -> tuple[list[Record], int]:
    """The CKAN-style page: ``limit`` rows from ``offset`` in key order, and the total.
    (CKAN clients page by offset; our own API's cursor is the cheaper way.)"""
    obs = Observation.__table__
    where = [obs.c.indicator_code == code]
    if regions is not None:
        where.append(obs.c.region_code.in_(list(regions)))
    rows = conn.execute(
        select(
            obs.c.region_code,
            obs.c.period_start,
            obs.c.grain,
            obs.c.value,
            obs.c.ingested_at,
            obs.c.revision,
        )
        .where(*where)
        .order_by(obs.c.region_code, obs.c.period_start, obs.c.grain)
        .offset(offset)
        .limit(limit)
    ).all()
    total = int(conn.execute(select(func.count()).where(*where)).scalar_one())
    records = [
        Record(r.region_code, _as_date(r.period_start), r.grain, r.value, r.ingested_at, r.revision)
        for r in rows
    ]
    return records, total
