"""Idempotent observation upsert that keeps every replaced value as a revision.

Set-based, so a million rows cost a few statements rather than a million round
trips: rows go into a temporary staging table, then
1. values that differ from the stored one are copied to ``observation_revision``;
2. one INSERT … ON CONFLICT DO UPDATE … WHERE value differs writes the new state.
Re-sending the same payload changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterable, NamedTuple

import pandas as pd
from sqlalchemy import Column, Connection, Date, Float, Integer, MetaData, String, Table, and_, func, literal, select
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


def _load_staging(conn: Connection, frame: pd.DataFrame) -> None:
    """Bulk-load the staging table through the driver itself: COPY on PostgreSQL,
    executemany on SQLite (the same call the raw-driver benchmark baseline makes)."""
    cursor = conn.connection.cursor()
    try:
        if conn.dialect.name == "postgresql":
            with cursor.copy(f"COPY odsk_staging_observation ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for row in frame.itertuples(index=False, name=None):
                    copy.write_row(row)
        else:
            # SQLAlchemy's SQLite Date type stores ISO text; write the same form.
            records = zip(frame["indicator_code"], frame["region_code"],
                          pd.to_datetime(frame["period_start"]).dt.strftime("%Y-%m-%d"), frame["grain"],
                          frame["value"].astype(float))
            cursor.executemany("INSERT INTO odsk_staging_observation VALUES (?, ?, ?, ?, ?)", records)
    finally:
        cursor.close()


def as_frame(rows: Iterable[ObservationRow] | pd.DataFrame) -> pd.DataFrame:
    if isinstance(rows, pd.DataFrame):
        return rows[COLUMNS]
    return pd.DataFrame.from_records(list(rows), columns=COLUMNS)


def upsert_observations(conn: Connection, rows: Iterable[ObservationRow] | pd.DataFrame, *, source_id: str,
                        run_id: int | None, ingested_at: datetime) -> UpsertStats:
    """Write rows (ObservationRows or a frame with their columns) in the caller's
    transaction; returns how many were new, changed, the same. Keys must be unique."""
    frame = as_frame(rows)
    stats = UpsertStats()
    if frame.empty:
        return stats
    staging = _staging_table()
    staging.create(conn)
    try:
        _load_staging(conn, frame)
        obs = Observation.__table__
        key = and_(
            obs.c.indicator_code == staging.c.indicator_code,
            obs.c.region_code == staging.c.region_code,
            obs.c.period_start == staging.c.period_start,
            obs.c.grain == staging.c.grain,
        )
        changed = select(
            obs.c.id, obs.c.revision, obs.c.value, obs.c.source_id, obs.c.run_id, obs.c.ingested_at,
            literal(ingested_at, UtcDateTime()),
        ).select_from(obs.join(staging, key)).where(obs.c.value != staging.c.value)
        rev = ObservationRevision.__table__
        # Counted explicitly: INSERT … SELECT rowcount is not reliable across drivers.
        stats.updated = conn.execute(select(func.count()).select_from(changed.subquery())).scalar_one()
        if stats.updated:
            conn.execute(rev.insert().from_select(
                ["observation_id", "revision", "value", "source_id", "run_id", "ingested_at", "superseded_at"],
                changed,
            ))
        before = conn.execute(select(func.count()).select_from(obs.join(staging, key))).scalar_one()
        insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
        source = select(
            staging.c.indicator_code, staging.c.region_code, staging.c.period_start, staging.c.grain,
            staging.c.value, literal(source_id, String()), literal(run_id, Integer()),
            literal(ingested_at, UtcDateTime()), literal(1, Integer()),
        )
        if conn.dialect.name == "sqlite":
            # SQLite needs a WHERE on INSERT … SELECT … ON CONFLICT to parse it unambiguously.
            source = source.where(literal(True))
        stmt = insert(obs).from_select(
            ["indicator_code", "region_code", "period_start", "grain", "value", "source_id", "run_id",
             "ingested_at", "revision"], source,
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
        conn.execute(stmt)
        stats.inserted = len(frame) - before
        stats.unchanged = before - stats.updated
    finally:
        staging.drop(conn)
    return stats
