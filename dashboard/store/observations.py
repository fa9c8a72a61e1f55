"""Idempotent observation upsert that keeps every replaced value as a revision.

Set-based, so a million rows cost a few statements rather than a million round
trips: rows are staged in temporary tables (COPY on PostgreSQL; on SQLite, two numbers
per row, many rows per statement: see ``_sqlite_staging``), then
1. values that differ from the stored one are copied to ``observation_revision``;
2. one INSERT … ON CONFLICT DO UPDATE … WHERE value differs writes the new state.
Re-sending the same payload changes nothing. The counts come from the two statements'
row counts (rows written = new + changed), not from extra joins.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

import numpy as np
import pandas as pd
from sqlalchemy import (
    Column,
    Connection,
    Date,
    Float,
    FromClause,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    column,
    insert,
    literal,
    literal_column,
    select,
    table,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from dashboard.store.schema import Observation, ObservationRevision, UtcDateTime


class ObservationRow(NamedTuple):
    indicator_code: str
    region_code: str
    period_start: date
    grain: str
    value: float


@dataclass
class UpsertStats:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> int:
        return self.inserted + self.updated


def _staging_table() -> Table:
    return Table(
        "odsk_staging_observation",
        MetaData(),
        Column("indicator_code", String(64), nullable=False),
        Column("region_code", String(8), nullable=False),
        Column("period_start", Date, nullable=False),
        Column("grain", String(8), nullable=False),
        Column("value", Float, nullable=False),
        prefixes=["TEMPORARY"],
    )


COLUMNS = list(ObservationRow._fields)
COPY_CHUNK_ROWS = 100_000
SQLITE_ROWS_PER_INSERT = 500  # 1,000 parameters: well under SQLite's limit of 32,766


def _distinct_text(series: pd.Series, render) -> list[str]:
    """``render`` of every value of a column, computed once per distinct value."""
    codes, uniques = pd.factorize(series, use_na_sentinel=False)
    texts = np.array([render(u) for u in uniques], dtype=object)
    return texts[codes].tolist()


def _iso_day(value) -> str:
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def _copy_text(value) -> str:
    # COPY's text format: backslash, tab, newline and carriage return are escaped.
    return (
        str(value)
        .replace("\\", "\\\\")
        .replace("\t", "\\t")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
    )


@contextmanager
def _staged(conn: Connection, frame: pd.DataFrame) -> Iterator[FromClause]:
    """The rows to write, bulk-loaded through the driver itself, as something to SELECT
    indicator_code, region_code, period_start, grain and value from: a temporary table
    filled by COPY on PostgreSQL; on SQLite, see ``_sqlite_staging``. Dropped afterwards."""
    values = frame["value"].astype(float).tolist()
    cursor = conn.connection.cursor()
    created: list[str] = []
    try:
        if conn.dialect.name == "postgresql":
            staging = _staging_table()
            staging.create(conn)
            created.append(staging.name)
            texts = [
                _distinct_text(frame[c], _copy_text)
                for c in ("indicator_code", "region_code", "grain")
            ]
            days = _distinct_text(frame["period_start"], _iso_day)
            # repr is the shortest text that reads back as the same double.
            lines = map("\t".join, zip(texts[0], texts[1], days, texts[2], map(repr, values)))
            with cursor.copy(f"COPY {staging.name} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                while chunk := list(itertools.islice(lines, COPY_CHUNK_ROWS)):
                    copy.write("\n".join(chunk) + "\n")
            yield staging
        else:
            yield _sqlite_staging(conn, cursor, frame, values, created)
    except BaseException:
        try:  # the transaction is usually rolled back anyway; never hide why
            _drop(cursor, created)
        except Exception:  # noqa: BLE001
            pass
        raise
    else:
        _drop(cursor, created)
    finally:
        cursor.close()


def _drop(cursor, names: list[str]) -> None:
    for name in reversed(names):
        cursor.execute(f"DROP TABLE IF EXISTS {name}")


def _sqlite_staging(
    conn: Connection, cursor, frame: pd.DataFrame, values: list[float], created: list[str]
) -> FromClause:
    """A row at a time, executemany's own work per row (and per text parameter) is most of
    a bulk load on SQLite, more than SQLite's writing. So each row goes in as two numbers
    — its key's distinct indicator, region, day and grain numbered into one integer, and
    its value — many rows per statement; the statements read the texts back from four
    small tables of the distinct ones, joined on the parts of that integer."""
    parts = []
    for name, render in (
        ("indicator_code", None),
        ("region_code", None),
        ("period_start", _iso_day),
        ("grain", None),
    ):
        codes, found = pd.factorize(frame[name], use_na_sentinel=False)
        parts.append((codes.astype(np.int64), [render(u) if render else u for u in found]))
    spans = [max(len(uniques), 1) for _, uniques in parts]
    if (
        float(np.prod(spans, dtype=np.float64)) >= 2.0**62
    ):  # too many distinct keys to number in one integer
        staging = _staging_table()
        staging.create(conn)
        created.append(f"temp.{staging.name}")
        records = zip(
            *(np.asarray(uniques, dtype=object)[codes].tolist() for codes, uniques in parts), values
        )
        cursor.executemany(f"INSERT INTO {staging.name} VALUES (?, ?, ?, ?, ?)", records)
        return staging
    key = np.zeros(len(frame), dtype=np.int64)
    for (codes, _), span in zip(parts, spans):
        key = key * span + codes
    names = ("indicator", "region", "day", "grain")
    tables = {}
    for name, (_, uniques) in zip(names, parts):
        cursor.execute(
            f"CREATE TEMPORARY TABLE odsk_staging_{name} (id INTEGER PRIMARY KEY, text TEXT NOT NULL)"
        )
        created.append(f"temp.odsk_staging_{name}")
        cursor.executemany(f"INSERT INTO odsk_staging_{name} VALUES (?, ?)", enumerate(uniques))
        tables[name] = table(
            f"odsk_staging_{name}", column("id", Integer()), column("text", String())
        )
    cursor.execute(
        "CREATE TEMPORARY TABLE odsk_staging_key (key INTEGER NOT NULL, value REAL NOT NULL)"
    )
    created.append("temp.odsk_staging_key")
    _insert_pairs(cursor, "odsk_staging_key", key.tolist(), values)
    k = table("odsk_staging_key", column("key", Integer()), column("value", Float()))
    # key = ((indicator * regions + region) * days + day) * grains + grain
    g, dg, rdg = spans[3], spans[2] * spans[3], spans[1] * spans[2] * spans[3]
    i, r, d, gr = (tables[name] for name in names)
    joined = (
        k.join(i, i.c.id == k.c.key.op("/")(literal_column(str(rdg))))
        .join(
            r,
            r.c.id
            == k.c.key.op("/")(literal_column(str(dg))).op("%")(literal_column(str(spans[1]))),
        )
        .join(
            d,
            d.c.id
            == k.c.key.op("/")(literal_column(str(g))).op("%")(literal_column(str(spans[2]))),
        )
        .join(gr, gr.c.id == k.c.key.op("%")(literal_column(str(g))))
    )
    return (
        select(
            i.c.text.label("indicator_code"),
            r.c.text.label("region_code"),
            d.c.text.label("period_start"),
            gr.c.text.label("grain"),
            k.c.value.label("value"),
        )
        .select_from(joined)
        .subquery("staged")
    )


def _insert_pairs(cursor, table: str, first: list, second: list) -> None:
    """Two columns into ``table``, SQLITE_ROWS_PER_INSERT rows per INSERT statement: the
    per-statement cost of executemany (step, reset, a tuple) is paid once per many rows."""
    flat = [None] * (2 * len(first))
    flat[0::2], flat[1::2] = first, second
    per = SQLITE_ROWS_PER_INSERT
    step, whole = 2 * per, len(first) // per
    sql = f"INSERT INTO {table} VALUES " + ", ".join(["(?, ?)"] * per)
    cursor.executemany(sql, (flat[i : i + step] for i in range(0, whole * step, step)))
    if len(first) > whole * per:
        rest = len(first) - whole * per
        cursor.execute(
            f"INSERT INTO {table} VALUES " + ", ".join(["(?, ?)"] * rest), flat[whole * step :]
        )


def as_frame(rows: Iterable[ObservationRow] | pd.DataFrame) -> pd.DataFrame:
    if isinstance(rows, pd.DataFrame):
        return rows[COLUMNS]
    return pd.DataFrame.from_records(list(rows), columns=COLUMNS)


def upsert_observations(
    conn: Connection,
    rows: Iterable[ObservationRow] | pd.DataFrame,
    *,
    source_id: str,
    run_id: int | None,
    ingested_at: datetime,
) -> UpsertStats:
    """Write rows (ObservationRows or a frame with their columns) in the caller's
    transaction; returns how many were new, changed, the same. Keys must be unique."""
    frame = as_frame(rows)
    stats = UpsertStats()
    if frame.empty:
        return stats
    with _staged(conn, frame) as staging:
        _upsert_from(
            conn, staging, frame, stats, source_id=source_id, run_id=run_id, ingested_at=ingested_at
        )
    return stats


def _upsert_from(
    conn: Connection,
    staging: FromClause,
    frame: pd.DataFrame,
    stats: UpsertStats,
    *,
    source_id: str,
    run_id: int | None,
    ingested_at: datetime,
) -> None:
    sqlite = conn.dialect.name == "sqlite"
    obs = Observation.__table__
    key = and_(
        obs.c.indicator_code == staging.c.indicator_code,
        obs.c.region_code == staging.c.region_code,
        obs.c.period_start == staging.c.period_start,
        obs.c.grain == staging.c.grain,
    )
    changed = (
        select(
            obs.c.id,
            obs.c.revision,
            obs.c.value,
            obs.c.source_id,
            obs.c.run_id,
            obs.c.ingested_at,
            literal(ingested_at, UtcDateTime()),
        )
        .select_from(obs.join(staging, key))
        .where(obs.c.value != staging.c.value)
    )
    # Every stored value this payload changes becomes a revision; how many did is the
    # statement's own row count (both drivers report INSERT … SELECT's exactly). With
    # nothing stored yet for these indicators (a first load), there is nothing to look for.
    codes = pd.unique(frame["indicator_code"]).tolist()
    if (
        len(codes) > 500
        or conn.execute(select(obs.c.id).where(obs.c.indicator_code.in_(codes)).limit(1)).first()
        is not None
    ):
        stats.updated = _written(
            conn,
            insert(ObservationRevision).from_select(
                [
                    "observation_id",
                    "revision",
                    "value",
                    "source_id",
                    "run_id",
                    "ingested_at",
                    "superseded_at",
                ],
                changed,
            ),
        )
    upsert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    source = select(
        staging.c.indicator_code,
        staging.c.region_code,
        staging.c.period_start,
        staging.c.grain,
        staging.c.value,
        literal(source_id, String()),
        literal(run_id, Integer()),
        literal(ingested_at, UtcDateTime()),
        literal(1, Integer()),
    )
    if sqlite:
        # SQLite needs a WHERE on INSERT … SELECT … ON CONFLICT to parse it unambiguously.
        source = source.where(literal(True))
    stmt = upsert(Observation).from_select(
        [
            "indicator_code",
            "region_code",
            "period_start",
            "grain",
            "value",
            "source_id",
            "run_id",
            "ingested_at",
            "revision",
        ],
        source,
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["indicator_code", "region_code", "period_start", "grain"],
        set_={
            "value": stmt.excluded.value,
            "source_id": stmt.excluded.source_id,
            "run_id": stmt.excluded.run_id,
            "ingested_at": stmt.excluded.ingested_at,
            "revision": obs.c.revision + 1,
        },
        where=obs.c.value != stmt.excluded.value,
    )
    # Rows inserted plus rows updated (an unchanged row is neither: the WHERE skips it).
    written = _written(conn, stmt)
    stats.inserted = written - stats.updated
    stats.unchanged = len(frame) - written


def _written(conn: Connection, statement) -> int:
    """Run an INSERT … SELECT and say how many rows it wrote (inserted or updated)."""
    # Typed int by SQLAlchemy, but it is the driver's cursor.rowcount, which PEP 249 lets be None.
    count: int | None = conn.execute(statement.execution_options(preserve_rowcount=True)).rowcount
    if count is None or count < 0:  # psycopg and sqlite3 both report it; another driver must too
        raise RuntimeError(
            f"the {conn.dialect.driver} driver does not report how many rows a statement wrote"
        )
    return int(count)
