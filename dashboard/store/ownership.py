"""Who owns a collection run, and which runs are still alive (the store's side of it).

A scheduler instance renews its lease (``scheduler_instance.expires_at``); a run it
owns is alive while that lease is and the run is not far past its deadline. Runs whose
owner stopped renewing are closed as ``failed``/``abandoned`` by any live scheduler
(``close_abandoned``). Per-source leases (``source_lease``) are the store's lock when no
Redis is there to hold one: taken with a conditional UPDATE, so two schedulers racing for
a source cannot both win, on PostgreSQL as on SQLite.

Times are the processes' own clocks (UTC), compared across hosts: keep them in NTP sync.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, and_, delete, exists, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.elements import ColumnElement

from dashboard.store.schema import CollectionRun, SchedulerInstance, SourceLease

# A run this long past its deadline is over, whoever owns it (its thread is stuck).
DEADLINE_GRACE_SECONDS = 30
# An ownerless run from before deadlines were recorded: over after this long.
LEGACY_RUN_SECONDS = 3600
ABANDONED = "abandoned"

_run = CollectionRun.__table__
_instance = SchedulerInstance.__table__
_lease = SourceLease.__table__


# --- instances ---------------------------------------------------------------------------


def register_instance(
    conn: Connection, instance_id: str, host: str, pid: int, now: datetime, lease: float
) -> None:
    conn.execute(
        insert(SchedulerInstance).values(
            id=instance_id,
            host=host[:255],
            pid=pid,
            started_at=now,
            renewed_at=now,
            expires_at=now + timedelta(seconds=lease),
        )
    )


def renew_instance(conn: Connection, instance_id: str, now: datetime, lease: float) -> bool:
    """Push the lease on; False when the row is gone or was given up as dead (re-register)."""
    return bool(
        conn.execute(
            update(SchedulerInstance)
            .where(_instance.c.id == instance_id, _instance.c.stopped_at.is_(None))
            .values(renewed_at=now, expires_at=now + timedelta(seconds=lease))
        ).rowcount
    )


def stop_instance(conn: Connection, instance_id: str, now: datetime) -> None:
    conn.execute(
        update(SchedulerInstance)
        .where(_instance.c.id == instance_id)
        .values(stopped_at=now, expires_at=now)
    )


def expire_instances(conn: Connection, instance_ids: list[str], now: datetime) -> None:
    """Declare instances dead now (a process on this host that no longer exists)."""
    if instance_ids:
        conn.execute(
            update(SchedulerInstance)
            .where(_instance.c.id.in_(instance_ids), _instance.c.expires_at > now)
            .values(expires_at=now, stopped_at=now)
        )


@dataclass(frozen=True)
class Instance:
    id: str
    host: str
    pid: int
    started_at: datetime
    renewed_at: datetime
    expires_at: datetime
    stopped_at: datetime | None

    def alive(self, now: datetime) -> bool:
        return self.stopped_at is None and self.expires_at > now


def instances(conn: Connection) -> list[Instance]:
    return [
        Instance(**r._mapping)
        for r in conn.execute(select(_instance).order_by(_instance.c.started_at))
    ]


def live_instances(conn: Connection, now: datetime) -> list[Instance]:
    return [i for i in instances(conn) if i.alive(now)]


def forget_instances(conn: Connection, before: datetime) -> int:
    """Rows of instances dead since ``before`` and owning no running run: history kept short."""
    owning = select(_run.c.id).where(_run.c.owner_id == _instance.c.id, _run.c.status == "running")
    return (
        conn.execute(
            delete(SchedulerInstance).where(_instance.c.expires_at < before, ~exists(owning))
        ).rowcount
        or 0
    )


# --- which runs are alive ----------------------------------------------------------------


def _owner_alive(now: datetime) -> ColumnElement[bool]:
    return exists(
        select(_instance.c.id).where(
            _instance.c.id == _run.c.owner_id,
            _instance.c.expires_at > now,
            _instance.c.stopped_at.is_(None),
        )
    )


def _within_deadline(now: datetime) -> ColumnElement[bool]:
    grace = now - timedelta(seconds=DEADLINE_GRACE_SECONDS)
    # Each branch is plainly true or false (never NULL), so NOT of it means "dead".
    return or_(
        and_(_run.c.deadline_at.is_not(None), _run.c.deadline_at > grace),
        and_(
            _run.c.deadline_at.is_(None),
            _run.c.started_at > now - timedelta(seconds=LEGACY_RUN_SECONDS),
        ),
    )


def live_running(now: datetime) -> ColumnElement[bool]:
    """A 'running' run that may still finish: owner alive (or none) and not long past due."""
    return and_(
        _run.c.status == "running",
        _within_deadline(now),
        or_(_run.c.owner_id.is_(None), _owner_alive(now)),
    )


def dead_running(now: datetime) -> ColumnElement[bool]:
    return and_(_run.c.status == "running", ~and_(_within_deadline(now), _owner_or_none(now)))


def _owner_or_none(now: datetime) -> ColumnElement[bool]:
    return or_(_run.c.owner_id.is_(None), _owner_alive(now))


def visible_run(now: datetime) -> ColumnElement[bool]:
    """Runs readers count: finished ones and live running ones (never a dead 'running')."""
    return or_(_run.c.status != "running", live_running(now))


@dataclass(frozen=True)
class Abandoned:
    run_id: int
    source_id: str
    owner_id: str | None


def close_abandoned(
    conn: Connection,
    now: datetime,
    *,
    also_ids: list[int] | None = None,
) -> list[Abandoned]:
    """Close dead runs (and ``also_ids``: runs their live owner knows have ended) as failed.

    The reason says why: the owner stopped renewing, the run is long past its deadline, or
    its owner lost track of it (the store was unreachable when it ended)."""
    cases = [
        (
            dead_running(now),
            "the scheduler running this collection stopped renewing its lease (killed or "
            "cut off) before the run finished",
            "penjadwal yang menjalankan pengumpulan ini berhenti memperbarui sewanya "
            "(dihentikan atau terputus) sebelum proses selesai",
        )
    ]
    if also_ids:
        cases.append(
            (
                and_(_run.c.status == "running", _run.c.id.in_(also_ids)),
                "the run ended without recording its outcome (the store was unreachable)",
                "proses berakhir tanpa mencatat hasilnya (penyimpanan tidak dapat dijangkau)",
            )
        )
    closed: list[Abandoned] = []
    for clause, en, id_ in cases:
        found = conn.execute(select(_run.c.id).where(clause)).scalars().all()
        if not found:
            continue
        # Only what is still running once the row is ours (a run may finish meanwhile).
        rows = conn.execute(
            update(CollectionRun)
            .where(_run.c.id.in_(found), _run.c.status == "running")
            .values(
                status="failed",
                finished_at=now,
                error_class=ABANDONED,
                message=en,
                message_id=id_,
            )
            .returning(_run.c.id, _run.c.source_id, _run.c.owner_id)
        )
        closed.extend(Abandoned(r.id, r.source_id, r.owner_id) for r in rows)
    return closed


def ran_since(conn: Connection, source_id: str, since: datetime, now: datetime) -> bool:
    """Whether the source was collected after ``since`` (a run that finished then, not
    abandoned), or a live run of it is going on now."""
    finished = and_(
        _run.c.finished_at >= since,
        or_(_run.c.error_class.is_(None), _run.c.error_class != ABANDONED),
    )
    return (
        conn.execute(
            select(_run.c.id)
            .where(_run.c.source_id == source_id, or_(finished, live_running(now)))
            .limit(1)
        ).first()
        is not None
    )


def running_owned_by(conn: Connection, owner_id: str) -> list[int]:
    return list(
        conn.execute(
            select(_run.c.id).where(_run.c.owner_id == owner_id, _run.c.status == "running")
        ).scalars()
    )


# --- per-source leases (the store's lock) --------------------------------------------------


def _insert_ignore(conn: Connection):
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(SourceLease)


def acquire_lease(
    conn: Connection, source_id: str, owner_id: str, token: str, now: datetime, ttl: float
) -> bool:
    """Take the source's lease if it is free or expired; True when this caller holds it."""
    expires = now + timedelta(seconds=ttl)
    values = {"owner_id": owner_id, "token": token, "expires_at": expires}
    inserted = conn.execute(
        _insert_ignore(conn)
        .values(source_id=source_id, **values)
        .on_conflict_do_nothing(index_elements=["source_id"])
        .returning(_lease.c.source_id)
    ).first()
    if inserted is not None:
        return True
    # PostgreSQL re-checks the WHERE on the row another writer just updated: one winner.
    return bool(
        conn.execute(
            update(SourceLease)
            .where(
                _lease.c.source_id == source_id,
                or_(_lease.c.expires_at <= now, _lease.c.token == token),
            )
            .values(**values)
        ).rowcount
    )


def extend_lease(conn: Connection, source_id: str, token: str, now: datetime, ttl: float) -> bool:
    return bool(
        conn.execute(
            update(SourceLease)
            .where(_lease.c.source_id == source_id, _lease.c.token == token)
            .values(expires_at=now + timedelta(seconds=ttl))
        ).rowcount
    )


def release_lease(conn: Connection, source_id: str, token: str) -> None:
    conn.execute(
        delete(SourceLease).where(_lease.c.source_id == source_id, _lease.c.token == token)
    )


def release_leases_of(conn: Connection, owner_ids: list[str]) -> int:
    if not owner_ids:
        return 0
    return conn.execute(delete(SourceLease).where(_lease.c.owner_id.in_(owner_ids))).rowcount or 0
