"""What retention may delete: old quiet runs, old quarantined rows, payloads no run needs.

A run is kept in full for ``full_days``; after that only if it stored or changed something
(``rows_changed``/``events_changed``), still has quarantined rows, is what an observation,
a revision or an event points at, or is its source's latest run or latest success (health
pages read those). A payload is kept while a kept run refers to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, func, select

from dashboard.store.runs import SUCCESS_STATUSES
from dashboard.store.schema import (
    CollectionRun,
    Event,
    Observation,
    ObservationRevision,
    QuarantinedRow,
    RawPayload,
)

_run = CollectionRun.__table__
_q = QuarantinedRow.__table__
_payload = RawPayload.__table__


@dataclass(frozen=True)
class PrunePlan:
    quarantined_rows: int
    runs: list[int]
    payloads: list[tuple[str, str, int]]  # sha256, path under the payload dir, bytes

    @property
    def payload_bytes(self) -> int:
        return sum(size for _, _, size in self.payloads)


def _referenced_runs():
    return (
        select(Observation.__table__.c.run_id)
        .where(Observation.__table__.c.run_id.is_not(None))
        .union(
            select(ObservationRevision.__table__.c.run_id).where(
                ObservationRevision.__table__.c.run_id.is_not(None)
            ),
            select(Event.__table__.c.run_id).where(Event.__table__.c.run_id.is_not(None)),
        )
    )


def _latest_per_source(*where):
    """Each source's latest run (by start) among those matching ``where``."""
    ranked = (
        select(
            _run.c.id,
            func.row_number()
            .over(
                partition_by=_run.c.source_id,
                order_by=(_run.c.started_at.desc(), _run.c.id.desc()),
            )
            .label("rank"),
        )
        .where(*where)
        .subquery()
    )
    return select(ranked.c.id).where(ranked.c.rank == 1)


def _old_quarantine(quarantine_before: datetime):
    old_runs = select(_run.c.id).where(_run.c.started_at < quarantine_before)
    return _q.c.run_id.in_(old_runs)


def prune(conn: Connection, runs_before: datetime, quarantine_before: datetime) -> PrunePlan:
    """Delete what the policy lets go, in the caller's transaction, and say what it was.

    A dry run is the same call rolled back: its figures are exactly what a real run frees.
    Payload files are the caller's to delete, once this has committed."""
    quarantined = (
        conn.execute(delete(QuarantinedRow).where(_old_quarantine(quarantine_before))).rowcount or 0
    )
    runs = (
        conn.execute(
            select(_run.c.id).where(
                _run.c.started_at < runs_before,
                _run.c.status != "running",
                func.coalesce(_run.c.rows_changed, 0) == 0,
                func.coalesce(_run.c.events_changed, 0) == 0,
                _run.c.id.not_in(_referenced_runs()),
                _run.c.id.not_in(select(_q.c.run_id)),
                _run.c.id.not_in(_latest_per_source()),
                _run.c.id.not_in(_latest_per_source(_run.c.status.in_(SUCCESS_STATUSES))),
            )
        )
        .scalars()
        .all()
    )
    for start in range(0, len(runs), 500):
        conn.execute(delete(CollectionRun).where(_run.c.id.in_(runs[start : start + 500])))
    used = select(_run.c.payload_sha256).where(_run.c.payload_sha256.is_not(None))
    payloads = [
        (r.sha256, r.path, int(r.size_bytes))
        for r in conn.execute(
            select(_payload.c.sha256, _payload.c.path, _payload.c.size_bytes).where(
                _payload.c.first_seen_at < runs_before, _payload.c.sha256.not_in(used)
            )
        )
    ]
    shas = [sha for sha, _, _ in payloads]
    for start in range(0, len(shas), 500):
        conn.execute(delete(RawPayload).where(_payload.c.sha256.in_(shas[start : start + 500])))
    return PrunePlan(int(quarantined), list(runs), payloads)
