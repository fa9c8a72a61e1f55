"""Reads for source health, SKPD compliance and the run metrics.

Per-source reads are one index seek each on (source_id, started_at), glued into a
UNION ALL so a page pays one round trip; aggregates are single GROUP BY scans.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Connection, and_, case, extract, func, literal, select, union_all

from dashboard.store.ownership import visible_run
from dashboard.store.runs import FINISHED_STATUSES, SUCCESS_STATUSES, RunRecord
from dashboard.store.schema import (
    CollectionRun,
    Heartbeat,
    Observation,
    ObservationRevision,
    QuarantinedRow,
    utcnow,
)

_UNION_CHUNK = 100


def recent_runs(
    conn: Connection, source_ids: Iterable[str], limit: int = 30, now: datetime | None = None
) -> dict[str, list[RunRecord]]:
    """Each source's latest ``limit`` runs (any status, a live running one included; one
    whose owner died is not shown as running), newest first."""
    run = CollectionRun.__table__
    visible = visible_run(now or utcnow())
    ids = list(dict.fromkeys(source_ids))
    out: dict[str, list[RunRecord]] = {s: [] for s in ids}
    for start in range(0, len(ids), _UNION_CHUNK):
        parts = [
            select(
                select(run)
                .where(run.c.source_id == s, visible)
                .order_by(run.c.started_at.desc(), run.c.id.desc())
                .limit(limit)
                .subquery()
            )
            for s in ids[start : start + _UNION_CHUNK]
        ]
        if not parts:
            continue
        for r in conn.execute(parts[0] if len(parts) == 1 else union_all(*parts)):
            out[r.source_id].append(RunRecord.from_row(r))
    for runs in out.values():
        runs.sort(key=lambda r: (r.started_at, r.id), reverse=True)
    return out


def consecutive_failures(runs: Iterable[RunRecord]) -> int:
    """Failed finished runs since the last success (runs newest first; running ones skipped)."""
    count = 0
    for run in runs:
        if not run.finished:
            continue
        if run.succeeded:
            break
        count += 1
    return count


def last_successes(conn: Connection) -> dict[str, datetime]:
    """When each source last stored data (end of its latest ok/partial run)."""
    run = CollectionRun.__table__
    rows = conn.execute(
        select(run.c.source_id, func.max(run.c.finished_at))
        .where(run.c.status.in_(SUCCESS_STATUSES))
        .group_by(run.c.source_id)
    )
    return {s: at for s, at in rows if at is not None}


def first_attempts(conn: Connection) -> dict[str, datetime]:
    run = CollectionRun.__table__
    return dict(
        conn.execute(
            select(run.c.source_id, func.min(run.c.started_at)).group_by(run.c.source_id)
        ).all()
    )


def uptime_counts(conn: Connection, since: datetime) -> dict[str, tuple[int, int]]:
    """Per source, finished runs and successful ones started since ``since``."""
    run = CollectionRun.__table__
    rows = conn.execute(
        select(
            run.c.source_id,
            func.count(),
            func.sum(case((run.c.status.in_(SUCCESS_STATUSES), 1), else_=0)),
        )
        .where(run.c.started_at >= since, run.c.status.in_(FINISHED_STATUSES))
        .group_by(run.c.source_id)
    )
    return {s: (int(n), int(ok or 0)) for s, n, ok in rows}


def scheduler_next_runs(conn: Connection) -> tuple[datetime | None, dict[str, datetime]]:
    """The freshest scheduler heartbeat: when it was seen, and each job's next run time."""
    hb = Heartbeat.__table__
    row = conn.execute(
        select(hb.c.seen_at, hb.c.details)
        .where(hb.c.kind == "scheduler")
        .order_by(hb.c.seen_at.desc())
        .limit(1)
    ).first()
    if row is None:
        return None, {}
    jobs = (row.details or {}).get("jobs") or {}
    out = {}
    for job_id, when in jobs.items():
        if when:
            try:
                out[job_id] = datetime.fromisoformat(when)
            except ValueError:
                continue
    return row.seen_at, out


def run_by_id(conn: Connection, run_id: int) -> RunRecord | None:
    run = CollectionRun.__table__
    row = conn.execute(select(run).where(run.c.id == run_id)).first()
    return RunRecord.from_row(row) if row is not None else None


@dataclass(frozen=True)
class QuarantineEntry:
    row_number: int
    raw: dict
    reasons: list


def quarantined_rows(conn: Connection, run_id: int, limit: int = 500) -> list[QuarantineEntry]:
    q = QuarantinedRow.__table__
    rows = conn.execute(
        select(q.c.row_number, q.c.raw, q.c.reasons)
        .where(q.c.run_id == run_id)
        .order_by(q.c.row_number)
        .limit(limit)
    )
    return [QuarantineEntry(r.row_number, r.raw or {}, r.reasons or []) for r in rows]


# --- compliance ---------------------------------------------------------------------


def first_deliveries(
    conn: Connection, codes: Iterable[str], periods: Iterable[date]
) -> dict[tuple[str, date, str], datetime]:
    """When each (indicator, period start, grain) first reached the store, in any region.

    A revised value carries its own ingestion time; the first one lives on in
    observation_revision, so the earliest of both is the first delivery.
    """
    codes, periods = sorted(set(codes)), sorted(set(periods))
    if not codes or not periods:
        return {}
    obs, rev = Observation.__table__, ObservationRevision.__table__
    where = and_(obs.c.indicator_code.in_(codes), obs.c.period_start.in_(periods))
    key = (obs.c.indicator_code, obs.c.period_start, obs.c.grain)
    current = select(*key, func.min(obs.c.ingested_at).label("at")).where(where).group_by(*key)
    earlier = (
        select(*key, func.min(rev.c.ingested_at).label("at"))
        .select_from(rev.join(obs, obs.c.id == rev.c.observation_id))
        .where(where)
        .group_by(*key)
    )
    out: dict[tuple[str, date, str], datetime] = {}
    for statement in (current, earlier):
        for code, period, grain, at in conn.execute(statement):
            k = (code, period, grain)
            if at is not None and (k not in out or at < out[k]):
                out[k] = at
    return out


# --- metrics aggregates ----------------------------------------------------------------


@dataclass(frozen=True)
class RunTotals:
    source_id: str
    status: str
    runs: int
    rows_accepted: int
    rows_rejected: int


def run_totals(conn: Connection, now: datetime | None = None) -> list[RunTotals]:
    """Runs per source and status; 'running' counts only live runs (owner renewing its lease)."""
    run = CollectionRun.__table__
    rows = conn.execute(
        select(
            run.c.source_id,
            run.c.status,
            func.count(),
            func.coalesce(func.sum(run.c.rows_accepted), 0),
            func.coalesce(func.sum(run.c.rows_rejected), 0),
        )
        .where(visible_run(now or utcnow()))
        .group_by(run.c.source_id, run.c.status)
    )
    return [RunTotals(s, st, int(n), int(a), int(r)) for s, st, n, a, r in rows]


def _duration_expr(dialect: str):
    run = CollectionRun.__table__
    if dialect == "sqlite":
        return (func.julianday(run.c.finished_at) - func.julianday(run.c.started_at)) * literal(
            86400.0
        )
    return extract("epoch", run.c.finished_at - run.c.started_at)


def duration_histogram(
    conn: Connection, buckets: tuple[float, ...]
) -> dict[str, tuple[list[int], int, float]]:
    """Per source, over all finished runs: cumulative counts per upper bound, count, sum of seconds."""
    run = CollectionRun.__table__
    seconds = _duration_expr(conn.dialect.name)
    columns = [func.sum(case((seconds <= b, 1), else_=0)) for b in buckets]
    rows = conn.execute(
        select(run.c.source_id, func.count(), func.coalesce(func.sum(seconds), 0.0), *columns)
        .where(run.c.finished_at.is_not(None), run.c.status.in_(FINISHED_STATUSES))
        .group_by(run.c.source_id)
    )
    return {r[0]: ([int(c or 0) for c in r[3:]], int(r[1]), float(r[2])) for r in rows}


def window_start(now: datetime, days: int) -> datetime:
    return now - timedelta(days=days)
