"""Reads for the analyst pages, index-bound on an observation table of millions of rows.

Every query names the indicator and a list of regions, so it is a set of range seeks on
``uq_observation_key`` (indicator_code, region_code, period_start, grain) or
``ix_observation_region_indicator`` (region_code, indicator_code, period_start); none
scans the table. Bucketing to a coarser grain happens in SQL (a daily indicator over
years is tens of thousands of rows: they never cross into Python one by one).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import NamedTuple

import pandas as pd
from sqlalchemy import Connection, bindparam, select, text, union_all

from dashboard.catalogue import periods
from dashboard.catalogue.models import TimeRule
from dashboard.store.schema import Observation

# SQLite caps the terms of one compound SELECT at 500; stay well below it.
_UNION_CHUNK = 100
_SQLITE_BUCKET = {
    "day": "period_start",
    "month": "substr(period_start, 1, 8) || '01'",
    "quarter": (
        "substr(period_start, 1, 5) || CASE WHEN substr(period_start, 6, 2) < '04' THEN '01' "
        "WHEN substr(period_start, 6, 2) < '07' THEN '04' WHEN substr(period_start, 6, 2) < '10' "
        "THEN '07' ELSE '10' END || '-01'"
    ),
    "year": "substr(period_start, 1, 5) || '01-01'",
}
_BUCKET_COLUMNS = ["region_code", "period_start", "value", "n", "last_start"]
# Rows of one VALUES list (4 parameters each; SQLite allows 32,766 per statement).
_VALUES_CHUNK = 2000
_STORED_COLUMNS = ["id", "region_code", "period_start", "value", "revision", "source_id", "run_id"]


def _as_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _day(conn: Connection, value: date):
    # SQLite keeps dates as ISO text (SQLAlchemy's Date); a raw text() query must say so itself.
    return value.isoformat() if conn.dialect.name == "sqlite" else value


def bucket_values(
    conn: Connection,
    code: str,
    fine: str,
    coarse: str,
    rule: TimeRule,
    regions: Sequence[str],
    start: date,
    end: date,
) -> pd.DataFrame:
    """Stored values of grain ``fine`` in [start, end) per region, bucketed into ``coarse`` by ``rule``.

    Columns: region_code, period_start (bucket start), value, n (stored periods in the
    bucket), last_start (the latest of them).
    """
    if not regions:
        return pd.DataFrame(columns=_BUCKET_COLUMNS)
    if conn.dialect.name == "sqlite" and fine == "day":
        return _sqlite_day_buckets(conn, code, coarse, rule, regions, start, end)
    agg = {"sum": "sum(value)", "mean": "avg(value)", "last": None}[rule]
    if conn.dialect.name == "postgresql":
        # Truncate as a timestamp without time zone: a bare date becomes timestamptz, and the
        # time-zone arithmetic on every one of tens of thousands of days costs a fifth of the query.
        bucket = (
            "period_start"
            if coarse == "day"
            else f"date_trunc('{coarse}', period_start::timestamp)::date"
        )
        last_value = "(array_agg(value ORDER BY period_start DESC))[1]"
    else:
        bucket = _SQLITE_BUCKET[coarse]
        # SQLite: with exactly one max() aggregate, a bare column comes from that max row.
        last_value = "value"
    statement = text(
        f"SELECT region_code, {bucket} AS bucket, {agg or last_value} AS agg_value, count(*) AS n, "
        "max(period_start) AS last_start "
        "FROM observation WHERE indicator_code = :code AND region_code IN :regions AND grain = :grain "
        "AND period_start >= :start AND period_start < :end "
        "GROUP BY region_code, bucket ORDER BY region_code, bucket"
    ).bindparams(bindparam("regions", expanding=True))
    rows = conn.execute(
        statement,
        {
            "code": code,
            "regions": list(regions),
            "grain": fine,
            "start": _day(conn, start),
            "end": _day(conn, end),
        },
    ).all()
    return pd.DataFrame(
        [(r[0], _as_date(r[1]), float(r[2]), int(r[3]), _as_date(r[4])) for r in rows],
        columns=_BUCKET_COLUMNS,
    )


def _sqlite_day_buckets(
    conn: Connection,
    code: str,
    coarse: str,
    rule: TimeRule,
    regions: Sequence[str],
    start: date,
    end: date,
) -> pd.DataFrame:
    """Days into buckets on SQLite: one index range scan per (region, bucket) instead of a GROUP BY.

    SQLite sorts a GROUP BY's rows in a temporary B-tree (it cannot tell that the bucket
    grows with the index order); thirty thousand days of six regions cost three times
    more that way than a correlated aggregate per bucket, each an index range scan.
    """
    buckets = periods.starts(start, periods.step(end, "day", -1), coarse)
    bounds = [
        (max(b, start).isoformat(), min(periods.step(b, coarse), end).isoformat(), b.isoformat())
        for b in buckets
    ]
    spans = [(region, *bound) for region in regions for bound in bounds]
    match = (
        "FROM observation o WHERE o.indicator_code = ? AND o.region_code = b.region AND o.grain = 'day' "
        "AND o.period_start >= b.s AND o.period_start < b.e"
    )
    if rule == "last":
        stats = (
            f"(SELECT count(*) {match}), (SELECT json_array(value, period_start) {match} "
            "ORDER BY o.period_start DESC LIMIT 1)"
        )
        uses = 2
    else:
        stats = f"(SELECT json_array({'sum' if rule == 'sum' else 'avg'}(value), count(*), max(period_start)) {match})"
        uses = 1
    out = []
    for first in range(0, len(spans), _VALUES_CHUNK):
        chunk = spans[first : first + _VALUES_CHUNK]
        # The driver's own "?" parameters: SQLAlchemy would parse thousands of named ones in Python.
        sql = (
            f"WITH b(region, s, e, bucket) AS (VALUES {', '.join(['(?, ?, ?, ?)'] * len(chunk))}) "
            f"SELECT b.region, b.bucket, {stats} FROM b"
        )
        params = tuple(v for span in chunk for v in span) + (code,) * uses
        for row in conn.exec_driver_sql(sql, params):
            if rule == "last":
                if row[2]:
                    value, last = json.loads(row[3])
                    out.append(
                        (row[0], _as_date(row[1]), float(value), int(row[2]), _as_date(last))
                    )
            else:
                value, n, last = json.loads(row[2])
                if n:
                    out.append((row[0], _as_date(row[1]), float(value), int(n), _as_date(last)))
    return pd.DataFrame(out, columns=_BUCKET_COLUMNS)


def stored_values(
    conn: Connection, code: str, grain: str, regions: Sequence[str], start: date, end: date
) -> pd.DataFrame:
    """The stored observations in [start, end) with what provenance needs (id, revision, source, run).

    Plain SQL text: a year of days for seven regions is thousands of rows, and per-row type
    processing would cost more than the read (dates are converted once, per distinct day).
    """
    statement = text(
        "SELECT id, region_code, period_start, value, revision, source_id, run_id FROM observation "
        "WHERE indicator_code = :code AND region_code IN :regions AND grain = :grain "
        "AND period_start >= :start AND period_start < :end ORDER BY region_code, period_start"
    ).bindparams(bindparam("regions", expanding=True))
    rows = conn.execute(
        statement,
        {
            "code": code,
            "regions": list(regions),
            "grain": grain,
            "start": _day(conn, start),
            "end": _day(conn, end),
        },
    ).all()
    if not rows:
        return pd.DataFrame(columns=_STORED_COLUMNS)
    # Column-wise: handed Row objects, pandas probes each one (hasattr → SQLAlchemy's key lookup
    # raising and catching an error per row), which cost more than the query on a year of days.
    columns = dict(zip(_STORED_COLUMNS, map(list, zip(*rows))))
    days = {d: _as_date(d) for d in set(columns["period_start"])}
    columns["period_start"] = [days[d] for d in columns["period_start"]]
    return pd.DataFrame(columns)


def data_span(
    conn: Connection, code: str, grain: str, regions: Iterable[str]
) -> tuple[date, date] | None:
    """The first and last period with a value in any of ``regions`` (two index seeks per region)."""
    obs = Observation.__table__
    parts = []
    for region in regions:
        for order in (obs.c.period_start.asc(), obs.c.period_start.desc()):
            parts.append(
                select(
                    select(obs.c.period_start)
                    .where(
                        obs.c.indicator_code == code,
                        obs.c.region_code == region,
                        obs.c.grain == grain,
                    )
                    .order_by(order)
                    .limit(1)
                    .subquery()
                )
            )
    if not parts:
        return None
    found = [r[0] for r in conn.execute(union_all(*parts)).all() if r[0] is not None]
    if not found:
        return None
    days = [_as_date(d) for d in found]
    return min(days), max(days)


class Point(NamedTuple):
    period_start: date
    value: float
    ingested_at: datetime
    id: int


def _as_moment(value: datetime | str) -> datetime:
    """A stored UTC timestamp (never NULL) read through ``text()``: aware on PostgreSQL, ISO
    text on SQLite."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def recent_values(
    conn: Connection, grains: Mapping[str, str], region: str, n: int
) -> dict[str, list[Point]]:
    """The latest ``n`` stored values of each indicator (code → its grain) in one region, newest first.

    One ``ORDER BY period_start DESC LIMIT n`` seek per indicator, glued into UNION ALLs
    (plain SQL text: composing dozens of Core subqueries costs more than running them).
    Indicators without a value are absent.
    """
    out: dict[str, list[Point]] = {}
    codes = list(grains)
    if conn.dialect.name == "postgresql" and codes:
        # One LATERAL seek per indicator: one small plan instead of planning dozens of UNION terms.
        rows = conn.execute(
            text(
                "SELECT k.code, t.period_start, t.value, t.ingested_at, t.id "
                "FROM unnest(CAST(:codes AS text[]), CAST(:grains AS text[])) AS k(code, grain) "
                "CROSS JOIN LATERAL (SELECT period_start, value, ingested_at, id FROM observation "
                "WHERE indicator_code = k.code AND region_code = :region AND grain = k.grain "
                "ORDER BY period_start DESC LIMIT :n) AS t"
            ),
            {"codes": codes, "grains": [grains[c] for c in codes], "region": region, "n": n},
        )
        codes = []  # done
        for row in rows:
            out.setdefault(row[0], []).append(
                Point(_as_date(row[1]), float(row[2]), _as_moment(row[3]), row[4])
            )
    for first in range(0, len(codes), _UNION_CHUNK):
        chunk = codes[first : first + _UNION_CHUNK]
        parts = [
            f"SELECT * FROM (SELECT indicator_code, period_start, value, ingested_at, id FROM observation "
            f"WHERE indicator_code = :c{i} AND region_code = :region AND grain = :g{i} "
            f"ORDER BY period_start DESC LIMIT :n) AS t{i}"
            for i in range(len(chunk))
        ]
        params = {"region": region, "n": n}
        for i, code in enumerate(chunk):
            params[f"c{i}"], params[f"g{i}"] = code, grains[code]
        for row in conn.execute(text(" UNION ALL ".join(parts)), params):
            out.setdefault(row[0], []).append(
                Point(_as_date(row[1]), float(row[2]), _as_moment(row[3]), row[4])
            )
    for points in out.values():
        points.sort(key=lambda p: p.period_start, reverse=True)
    return out


def values_at(
    conn: Connection, periods: Mapping[str, tuple[str, date]], regions: Sequence[str]
) -> dict[str, dict[str, float]]:
    """Every region's stored value of each indicator at one period (code → (grain, period start)).

    ``region_code IN (…)`` makes each indicator a handful of exact seeks on the unique key.
    Returns code → region → value.
    """
    out: dict[str, dict[str, float]] = {}
    codes = list(periods)
    if conn.dialect.name == "postgresql" and codes:
        rows = conn.execute(
            text(
                "SELECT o.indicator_code, o.region_code, o.value "
                "FROM unnest(CAST(:codes AS text[]), CAST(:grains AS text[]), CAST(:starts AS date[])) "
                "AS k(code, grain, start) JOIN observation o ON o.indicator_code = k.code "
                "AND o.region_code = ANY(CAST(:regions AS text[])) AND o.period_start = k.start AND o.grain = k.grain"
            ),
            {
                "codes": codes,
                "grains": [periods[c][0] for c in codes],
                "starts": [periods[c][1] for c in codes],
                "regions": list(regions),
            },
        )
        for code, region, value in rows:
            out.setdefault(code, {})[region] = float(value)
        return out
    region_params = {f"r{j}": region for j, region in enumerate(regions)}
    in_list = ", ".join(f":{name}" for name in region_params)
    for first in range(0, len(codes), _UNION_CHUNK):
        chunk = codes[first : first + _UNION_CHUNK]
        parts = [
            f"SELECT indicator_code, region_code, value FROM observation WHERE indicator_code = :c{i} "
            f"AND region_code IN ({in_list}) AND period_start = :p{i} AND grain = :g{i}"
            for i in range(len(chunk))
        ]
        params = dict(region_params)
        for i, code in enumerate(chunk):
            grain, start = periods[code]
            params[f"c{i}"], params[f"g{i}"], params[f"p{i}"] = code, grain, _day(conn, start)
        if parts:
            for code, region, value in conn.execute(text(" UNION ALL ".join(parts)), params):
                out.setdefault(code, {})[region] = float(value)
    return out
