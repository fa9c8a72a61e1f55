"""Reads for the pages: latest values, collection runs, collector health, and the wall's
recent earthquakes and alert fingerprint.

SQLAlchemy Core only, written to stay index-bound on an observation table of millions
of rows: the latest values are one ``ORDER BY period_start DESC LIMIT 2`` per indicator
(each an index seek on (indicator_code, region_code, period_start, grain)), glued into a
single UNION ALL so a page pays one round trip; runs are one seek per source on
(source_id, started_at).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, select, union_all

from dashboard.catalogue import freshness
from dashboard.catalogue.models import Catalogue
from dashboard.store.health import uptime_counts
from dashboard.store.runs import FINISHED_STATUSES, SUCCESS_STATUSES, RunRecord
from dashboard.store.schema import Alert, CollectionRun, DataVersion, Event, Observation, Source

PROVINCE_CODE = "71"
# A run that stored data, even with some rows quarantined, counts as a success.
# SQLite caps the terms of one compound SELECT at 500; stay well below it.
_UNION_CHUNK = 100


@dataclass(frozen=True)
class ObservationPoint:
    value: float
    period_start: date
    grain: str
    ingested_at: datetime
    source_id: str
    revision: int


@dataclass(frozen=True)
class LatestPair:
    """An indicator's latest observation in a region and the one before it."""

    indicator_code: str
    region_code: str
    latest: ObservationPoint
    previous: ObservationPoint | None


def latest_points(
    conn: Connection,
    indicator_codes: Iterable[str],
    region_code: str = PROVINCE_CODE,
    grains: Mapping[str, str] | None = None,
    per_indicator: int = 2,
) -> dict[str, list[ObservationPoint]]:
    """The latest ``per_indicator`` observations (newest period first) per indicator in one region.

    ``grains`` (code → grain) restricts an indicator to its own grain; indicators with no
    observation are absent from the result.
    """
    codes = list(dict.fromkeys(indicator_codes))
    obs = Observation.__table__
    rows: list[Row[Any]] = []
    for start in range(0, len(codes), _UNION_CHUNK):
        parts = []
        for code in codes[start : start + _UNION_CHUNK]:
            part = (
                select(
                    obs.c.indicator_code,
                    obs.c.value,
                    obs.c.period_start,
                    obs.c.grain,
                    obs.c.ingested_at,
                    obs.c.source_id,
                    obs.c.revision,
                )
                .where(obs.c.indicator_code == code, obs.c.region_code == region_code)
                .order_by(obs.c.period_start.desc())
                .limit(per_indicator)
            )
            if grains and code in grains:
                part = part.where(obs.c.grain == grains[code])
            # Wrapped as a subquery: SQLite allows no ORDER BY/LIMIT on a bare UNION term.
            parts.append(select(part.subquery()))
        statement = parts[0] if len(parts) == 1 else union_all(*parts)
        rows.extend(conn.execute(statement).all())

    points: dict[str, list[ObservationPoint]] = {}
    for row in rows:
        points.setdefault(row.indicator_code, []).append(
            ObservationPoint(
                value=row.value,
                period_start=row.period_start,
                grain=row.grain,
                ingested_at=row.ingested_at,
                source_id=row.source_id,
                revision=row.revision,
            )
        )
    for found in points.values():
        found.sort(key=lambda p: p.period_start, reverse=True)
    return points


def pair_of(code: str, region_code: str, points: list[ObservationPoint]) -> LatestPair:
    return LatestPair(code, region_code, points[0], points[1] if len(points) > 1 else None)


def latest_with_previous(
    conn: Connection,
    indicator_codes: Iterable[str],
    region_code: str = PROVINCE_CODE,
    grains: Mapping[str, str] | None = None,
) -> dict[str, LatestPair]:
    """Latest and previous observation per indicator (by period) for one region.

    ``grains`` (code → grain) restricts an indicator to its own grain; indicators with no
    observation are absent from the result.
    """
    found = latest_points(conn, indicator_codes, region_code, grains, per_indicator=2)
    return {code: pair_of(code, region_code, points) for code, points in found.items()}


@dataclass(frozen=True)
class SourceRuns:
    """A source and its runs that matter for health and freshness.

    ``last_run`` is the latest *finished* run (a run still going is no verdict yet);
    ``last_success`` the latest run that stored data (ok or partial); ``first_attempt_at``
    when it was first tried (the freshness rule counts from it until a first success).
    """

    source_id: str
    name: str
    enabled: bool
    last_run: RunRecord | None
    last_success: RunRecord | None
    first_attempt_at: datetime | None = None

    @property
    def last_success_at(self) -> datetime | None:
        return self.last_success.ended_at if self.last_success else None


def source_runs(conn: Connection, source_ids: Iterable[str] | None = None) -> dict[str, SourceRuns]:
    """Per source (all sources in the store, or the given ones): its last run and last success."""
    src = Source.__table__
    run = CollectionRun.__table__

    def latest_run_id(statuses: tuple[str, ...]):
        return (
            select(run.c.id)
            .where(run.c.source_id == src.c.id, run.c.status.in_(statuses))
            .order_by(run.c.started_at.desc())
            .limit(1)
            .correlate(src)
            .scalar_subquery()
        )

    first_attempt = (
        select(run.c.started_at)
        .where(run.c.source_id == src.c.id)
        .order_by(run.c.started_at)
        .limit(1)
        .correlate(src)
        .scalar_subquery()
    )
    statement = select(
        src.c.id,
        src.c.name,
        src.c.enabled,
        latest_run_id(FINISHED_STATUSES).label("last_run_id"),
        latest_run_id(SUCCESS_STATUSES).label("last_success_id"),
        first_attempt.label("first_attempt_at"),
    ).order_by(src.c.id)
    if source_ids is not None:
        statement = statement.where(src.c.id.in_(list(source_ids)))
    sources = conn.execute(statement).all()

    wanted = {i for s in sources for i in (s.last_run_id, s.last_success_id) if i is not None}
    runs: dict[int, RunRecord] = {}
    if wanted:
        for r in conn.execute(select(run).where(run.c.id.in_(wanted))):
            runs[r.id] = RunRecord.from_row(r)
    return {
        s.id: SourceRuns(
            s.id,
            s.name,
            bool(s.enabled),
            runs.get(s.last_run_id),
            runs.get(s.last_success_id),
            s.first_attempt_at,
        )
        for s in sources
    }


@dataclass(frozen=True)
class CollectorHealth:
    """Enabled sources of the catalogue by health (``dashboard.catalogue.freshness``)."""

    ok: list[str] = field(default_factory=list)
    attention: list[str] = field(default_factory=list)  # late or unstable
    failing: list[str] = field(default_factory=list)
    never_run: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.ok) + len(self.attention) + len(self.failing) + len(self.never_run)


def source_stale(
    catalogue: Catalogue, source_id: str, entry: SourceRuns | None, now: datetime
) -> bool:
    """Whether figures from this source show as stale (``freshness.stale``)."""
    gap = catalogue.source(source_id).schedule.expected_gap_seconds
    success, first = (entry.last_success_at, entry.first_attempt_at) if entry else (None, None)
    return freshness.stale(catalogue.staleness, gap, success, first, now)


def collector_health(
    conn: Connection,
    catalogue: Catalogue,
    now: datetime,
    runs: Mapping[str, SourceRuns] | None = None,
) -> CollectorHealth:
    """Enabled sources of the catalogue by health (disabled ones are not expected to run)."""
    runs = source_runs(conn) if runs is None else runs
    uptime = uptime_counts(conn, now - timedelta(days=freshness.UPTIME_DAYS))
    health = CollectorHealth()
    buckets = {"ok": health.ok, "failing": health.failing, "unknown": health.never_run}
    for source in sorted(catalogue.sources, key=lambda s: s.id):
        entry = runs.get(source.id)
        last = entry.last_run if entry else None
        verdict = freshness.classify(
            catalogue.staleness,
            enabled=source.enabled,
            last_run_succeeded=None if last is None else last.status in SUCCESS_STATUSES,
            last_success_at=entry.last_success_at if entry else None,
            first_attempt_at=entry.first_attempt_at if entry else None,
            gap_seconds=source.schedule.expected_gap_seconds,
            uptime=freshness.uptime_share(uptime.get(source.id)),
            now=now,
        )
        if verdict != "disabled":
            buckets.get(verdict, health.attention).append(source.id)
    return health


# --- the wall's e-disaster screen and takeover ----------------------------------------


@dataclass(frozen=True)
class QuakeRow:
    id: int
    source_id: str
    occurred_at: datetime
    # When the command centre stored it (end of the run that brought it); None for rows
    # written outside a run.
    stored_at: datetime | None
    lat: float | None
    lon: float | None
    magnitude: float | None
    depth_km: float | None
    description: str
    extra: dict
    external_id: str = ""


def recent_quakes(
    conn: Connection,
    kinds: Iterable[str],
    since: datetime,
    limit: int = 200,
    min_magnitude: float | None = None,
) -> list[QuakeRow]:
    """Events of ``kinds`` that occurred since ``since``, newest first (an index seek on
    occurred_at). The same quake from several feeds (BMKG's autogempa, M5+ list and felt
    list carry the same external id) is one row: the first stored (its id, its time), with
    what each feed adds (Potensi from one, Dirasakan from another)."""
    ev, run = Event.__table__, CollectionRun.__table__
    statement = (
        select(
            ev.c.id,
            ev.c.source_id,
            ev.c.external_id,
            ev.c.occurred_at,
            run.c.finished_at.label("stored_at"),
            ev.c.lat,
            ev.c.lon,
            ev.c.magnitude,
            ev.c.depth_km,
            ev.c.description,
            ev.c.extra,
        )
        .select_from(ev.outerjoin(run, run.c.id == ev.c.run_id))
        .where(ev.c.occurred_at >= since, ev.c.kind.in_(list(kinds)))
        .order_by(ev.c.occurred_at.desc(), ev.c.id.desc())
        .limit(limit * FEEDS_PER_EVENT)
    )
    if min_magnitude is not None:
        statement = statement.where(ev.c.magnitude >= min_magnitude)
    merged: dict[str, QuakeRow] = {}
    for r in conn.execute(statement):
        row = QuakeRow(
            r.id,
            r.source_id,
            r.occurred_at,
            r.stored_at,
            r.lat,
            r.lon,
            r.magnitude,
            r.depth_km,
            r.description or "",
            dict(r.extra or {}),
            r.external_id,
        )
        key = r.external_id or f"id:{r.id}"
        merged[key] = _merge_quake(merged[key], row) if key in merged else row
    return list(merged.values())[:limit]


# One quake may come from this many feeds; the query reads that many rows per quake wanted.
FEEDS_PER_EVENT = 3


def _merge_quake(a: QuakeRow, b: QuakeRow) -> QuakeRow:
    first, other = (a, b) if a.id <= b.id else (b, a)
    stored = [t for t in (a.stored_at, b.stored_at) if t is not None]
    return replace(
        first,
        stored_at=min(stored) if stored else None,
        description=first.description or other.description,
        extra={**other.extra, **{k: v for k, v in first.extra.items() if v not in (None, "")}},
    )


@dataclass(frozen=True)
class AlertHead:
    id: int
    severity: str
    state: str
    fired_at: datetime
    acknowledged_at: datetime | None
    rule_id: str = ""
    subject: str = ""


# The wall's hot path runs these every few seconds per screen: built once (immutable Core
# statements), so each poll only executes them.
_OPEN_ALERT_HEADS = select(
    Alert.__table__.c.id,
    Alert.__table__.c.severity,
    Alert.__table__.c.state,
    Alert.__table__.c.fired_at,
    Alert.__table__.c.acknowledged_at,
    Alert.__table__.c.rule_id,
    Alert.__table__.c.subject,
).where(Alert.__table__.c.state != "resolved")
_DATA_VERSIONS = select(DataVersion.__table__.c.scope, DataVersion.__table__.c.version)


def open_alert_heads(conn: Connection) -> list[AlertHead]:
    """Open alerts, just their heads: served by the partial index on open alerts
    (``state <> 'resolved'``, migration 0002), so its cost does not grow with the history."""
    return sorted((AlertHead(*r) for r in conn.execute(_OPEN_ALERT_HEADS)), key=lambda h: h.id)


def heads_fingerprint(heads: Iterable[AlertHead]) -> str:
    """Changes when an alert fires, escalates, is acknowledged or resolved."""
    return ";".join(f"{h.id}:{h.severity}:{h.state}" for h in heads)


def data_versions(conn: Connection) -> dict[str, int]:
    """Every data-version counter, read on the caller's connection (``versions.read_from_store``'s read)."""
    return {s: int(v) for s, v in conn.execute(_DATA_VERSIONS)}
