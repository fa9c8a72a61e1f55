"""Where a value came from: its source, the run that wrote it, the archived raw payload, its revisions.

Every read is by primary key or an indexed key: the observation by id, its revisions by
``observation_id``, runs by id, payloads by sha256.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, select

from dashboard.store.runs import RunRecord
from dashboard.store.schema import (
    CollectionRun,
    Observation,
    ObservationRevision,
    RawPayload,
    Source,
)


@dataclass(frozen=True)
class RunInfo(RunRecord):
    """A run with the archived payload it parsed, for the provenance panel."""

    payload_size: int | None
    payload_type: str | None


@dataclass(frozen=True)
class Version:
    """One value an observation has had: the current one or a replaced (superseded) one."""

    revision: int
    value: float
    source_id: str
    ingested_at: datetime
    superseded_at: datetime | None
    run: RunInfo | None


@dataclass(frozen=True)
class Provenance:
    observation_id: int
    indicator_code: str
    region_code: str
    period_start: date
    grain: str
    source_id: str
    source_name: str | None
    source_kind: str | None
    current: Version
    history: tuple[Version, ...]  # older revisions, newest first

    @property
    def versions(self) -> tuple[Version, ...]:
        return (self.current, *self.history)


@dataclass(frozen=True)
class Brief:
    """A line of the provenance panel: one stored value behind a shown figure."""

    id: int
    region_code: str
    period_start: date
    value: float
    revision: int
    source_id: str
    run_id: int | None
    ingested_at: datetime


def _runs(conn: Connection, run_ids: Sequence[int | None]) -> dict[int, RunInfo]:
    ids = sorted({r for r in run_ids if r is not None})
    if not ids:
        return {}
    run, raw = CollectionRun.__table__, RawPayload.__table__
    rows = conn.execute(
        select(run, raw.c.size_bytes, raw.c.content_type)
        .select_from(run.outerjoin(raw, raw.c.sha256 == run.c.payload_sha256))
        .where(run.c.id.in_(ids))
    ).all()
    return {
        r.id: RunInfo.from_row(r, payload_size=r.size_bytes, payload_type=r.content_type)
        for r in rows
    }


def provenance(conn: Connection, observation_id: int) -> Provenance | None:
    obs, rev, src = Observation.__table__, ObservationRevision.__table__, Source.__table__
    row = conn.execute(select(obs).where(obs.c.id == observation_id)).first()
    if row is None:
        return None
    older = conn.execute(
        select(rev)
        .where(rev.c.observation_id == observation_id)
        .order_by(rev.c.revision.desc(), rev.c.id.desc())
    ).all()
    runs = _runs(conn, [row.run_id, *(o.run_id for o in older)])
    source = conn.execute(select(src.c.name, src.c.kind).where(src.c.id == row.source_id)).first()
    current = Version(
        row.revision, row.value, row.source_id, row.ingested_at, None, runs.get(row.run_id)
    )
    history = tuple(
        Version(
            o.revision, o.value, o.source_id, o.ingested_at, o.superseded_at, runs.get(o.run_id)
        )
        for o in older
    )
    return Provenance(
        row.id,
        row.indicator_code,
        row.region_code,
        row.period_start,
        row.grain,
        row.source_id,
        source.name if source else None,
        source.kind if source else None,
        current,
        history,
    )


def values_behind(
    conn: Connection,
    code: str,
    regions: Sequence[str],
    grain: str,
    start: date,
    end: date,
    limit: int = 40,
) -> list[Brief]:
    """The stored values of ``code`` in [start, end) for ``regions``: what a shown figure is made of."""
    obs = Observation.__table__
    rows = conn.execute(
        select(
            obs.c.id,
            obs.c.region_code,
            obs.c.period_start,
            obs.c.value,
            obs.c.revision,
            obs.c.source_id,
            obs.c.run_id,
            obs.c.ingested_at,
        )
        .where(
            obs.c.indicator_code == code,
            obs.c.region_code.in_(list(regions)),
            obs.c.grain == grain,
            obs.c.period_start >= start,
            obs.c.period_start < end,
        )
        .order_by(obs.c.region_code, obs.c.period_start)
        .limit(limit)
    ).all()
    return [Brief(*r) for r in rows]


def payload_record(conn: Connection, sha256: str) -> tuple[str, int, str] | None:
    """(relative path, size, content type) of an archived payload, or None."""
    raw = RawPayload.__table__
    row = conn.execute(
        select(raw.c.path, raw.c.size_bytes, raw.c.content_type).where(raw.c.sha256 == sha256)
    ).first()
    return (row.path, row.size_bytes, row.content_type) if row else None


def payload_sources(conn: Connection, sha256: str) -> list[str]:
    """The sources whose runs parsed this payload (who may download it depends on them)."""
    run = CollectionRun.__table__
    return sorted(
        conn.execute(select(run.c.source_id).where(run.c.payload_sha256 == sha256).distinct())
        .scalars()
        .all()
    )
