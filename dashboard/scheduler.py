"""The collection scheduler: its own process (``odsk scheduler``), never inside the web app.

One job per source (explicit id, max one instance, coalesced, minutes of misfire
grace); jobs run on a thread pool wide enough that a slow source never holds up the
others. Each process is a scheduler instance that owns its runs and renews a lease
(dashboard/ownership.py): a short-lived lock per source (Redis and the store) keeps
several schedulers from running the same source at once, and a frequent housekeeping
job closes the runs of an instance that stopped renewing. On SQLite one scheduler per
store: a second refuses to start. Sources never run successfully are started at once,
which backfills their history.
"""

from __future__ import annotations

import fcntl
import logging
import os
import signal
import sys
from datetime import UTC, datetime, timedelta
from typing import IO

from apscheduler.events import EVENT_SCHEDULER_SHUTDOWN, EVENT_SCHEDULER_STARTED
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from dashboard.brief.weekly import schedule_weekly_brief
from dashboard.catalogue.models import Source
from dashboard.ingest import collect
from dashboard.notify.job import JOB_ID as ALERT_JOB_ID
from dashboard.notify.job import add_alert_job
from dashboard.ownership import LOCK_PREFIX, Owner
from dashboard.retention import load_policy, prune
from dashboard.runtime import Runtime
from dashboard.store import ownership as run_ownership
from dashboard.store.heartbeats import beat
from dashboard.store.schema import CollectionRun

log = logging.getLogger(__name__)

MISFIRE_GRACE_SECONDS = 300
# Every periodic job: one instance at a time, the runs it missed made up by one.
ONE_AT_A_TIME = {
    "replace_existing": True,
    "max_instances": 1,
    "coalesce": True,
    "misfire_grace_time": MISFIRE_GRACE_SECONDS,
}
HOUSEKEEPING_JOB_ID = "housekeeping"
PRUNE_JOB_ID = "retention"
__all__ = ["LOCK_PREFIX", "build_scheduler", "run_forever", "run_source_job"]
DROP_JOB_ID = "drop-folder"
FIRST_RUN_SPACING = 0.5


FOLLOWUP_JOB_ID = "followup:on-target"
# Data arrives monthly at most for the indicators a follow-up is about: hourly is plenty.
FOLLOWUP_CHECK_SECONDS = 3600


def trigger_for(source: Source, tz: str):
    sched = source.schedule
    if sched.interval_seconds:
        return IntervalTrigger(
            seconds=sched.interval_seconds, jitter=sched.jitter_seconds or None, timezone=tz
        )
    return CronTrigger.from_crontab(sched.cron, timezone=tz)


# After a run that may change an alert, evaluate within this many seconds rather than on
# the next tick of the alert job (a few runs finishing together make one evaluation).
EVALUATE_AFTER_SECONDS = 2.0


def evaluate_soon(scheduler, now: datetime | None = None) -> None:
    """Bring the alert job forward to a moment from now (never later than it was due)."""
    job = scheduler.get_job(ALERT_JOB_ID)
    if job is None:
        return
    soon = (now or datetime.now(UTC)) + timedelta(seconds=EVALUATE_AFTER_SECONDS)
    if job.next_run_time is None or job.next_run_time > soon:
        job.modify(next_run_time=soon)


def run_source_job(rt: Runtime, source_id: str, scheduler=None, owner: Owner | None = None) -> None:
    """The job body: take the source's lock, run, never raise.

    With ``scheduler``, a run that stored new values or events, or failed, brings the
    alert evaluation forward: an SKPD's figure crossing a threshold is an alert seconds
    after it arrives, not at the next minute. Without ``owner`` (a one-off call), the
    call is an instance of its own for the length of the run."""
    own = owner is None
    if owner is None:
        owner = new_owner(rt)
        owner.register()
    summary = None
    try:
        held = owner.lock(source_id)
        if held is None:
            log.info("source %s is already running in another scheduler; skipped", source_id)
            if scheduler is not None:
                retry_later(rt, scheduler, source_id, owner)
            return
        try:
            summary = collect(rt, source_id, trigger="schedule", owner=owner)
        except Exception:  # the run records its own failures; this guards the scheduler
            log.exception("source %s: run crashed", source_id)
        finally:
            owner.unlock(held)
    except SQLAlchemyError:  # the store is down: the lock could not be taken; next schedule
        log.warning("source %s: not run (%s)", source_id, sys.exc_info()[1])
        return
    finally:
        if own:
            owner.stop()
    if (
        scheduler is not None
        and summary is not None
        and (summary.changed or summary.events or summary.status == "failed")
    ):
        try:
            evaluate_soon(scheduler)
        except Exception:  # a scheduler shutting down; the alert job's own tick still comes
            log.exception("source %s: could not bring the alert evaluation forward", source_id)


def retry_later(rt: Runtime, scheduler, source_id: str, owner: Owner) -> None:
    """A skipped run is tried again once a dead holder's lease would have run out and been
    cleared (a scheduler restarted on another host must not wait for the next schedule,
    a day for a daily source), unless its next regular run comes sooner."""
    now = datetime.now(UTC)
    at = now + timedelta(seconds=rt.settings.lease_seconds + rt.settings.housekeeping_seconds)
    job = scheduler.get_job(f"source:{source_id}")
    if job is None:
        return
    # (A scheduler not started yet has no next run times: nothing comes sooner then.)
    next_run = getattr(job, "next_run_time", at + timedelta(days=1))
    if next_run is None or next_run <= at:  # paused, or due sooner anyway
        return
    scheduler.add_job(
        retry_source_job,
        DateTrigger(at),
        args=(rt, source_id, scheduler, owner, now),
        id=f"retry:{source_id}",
        name=f"retry {source_id}",
        replace_existing=True,
        misfire_grace_time=MISFIRE_GRACE_SECONDS,
    )


def retry_source_job(
    rt: Runtime, source_id: str, scheduler, owner: Owner, skipped_at: datetime
) -> None:
    """Run the source unless the run that made us skip it finished (or another is live)."""
    with rt.engine.connect() as conn:
        if run_ownership.ran_since(conn, source_id, skipped_at, datetime.now(UTC)):
            return
    run_source_job(rt, source_id, scheduler, owner)


def new_owner(rt: Runtime) -> Owner:
    owner = Owner(rt.engine, rt.settings.redis_url, lease_seconds=rt.settings.lease_seconds)
    if rt.settings.instance_host:
        owner.host = rt.settings.instance_host
    return owner


def housekeeping(owner: Owner) -> None:
    try:
        owner.housekeeping()
    except SQLAlchemyError as exc:  # the store is down: the next pass does it
        log.warning("housekeeping failed: %s", exc)


def never_succeeded(rt: Runtime) -> set[str]:
    with rt.engine.connect() as conn:
        done = {
            r[0]
            for r in conn.execute(
                select(CollectionRun.source_id)
                .where(CollectionRun.status.in_(("ok", "partial")))
                .distinct()
            )
        }
    return {s.id for s in rt.catalogue.sources} - done


def build_scheduler(
    rt: Runtime,
    *,
    blocking: bool = True,
    start_now: set[str] | None = None,
    owner: Owner | None = None,
):
    """The scheduler and its jobs, as the instance ``owner`` (registered here when new;
    its lease is then kept from the scheduler's start to its shutdown)."""
    own = owner is None
    if owner is None:
        owner = new_owner(rt)
        owner.register()
    instance: Owner = owner
    workers = max(4, min(64, len(rt.catalogue.sources) + 2))
    cls = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = cls(
        executors={"default": ThreadPoolExecutor(workers)},
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": MISFIRE_GRACE_SECONDS,
        },
        timezone=rt.settings.timezone,
    )
    if own:
        scheduler.add_listener(lambda _e: instance.start_keeper(), EVENT_SCHEDULER_STARTED)
        scheduler.add_listener(lambda _e: instance.stop(), EVENT_SCHEDULER_SHUTDOWN)
    housekeeping(owner)  # before the first runs: a killed predecessor's locks are freed
    start_now = never_succeeded(rt) if start_now is None else start_now
    now = datetime.now(UTC)
    first_runs = 0
    for source in rt.catalogue.sources:
        if not source.enabled or not source.schedule.fetched:
            continue  # a delivered source's files are read by the drop-folder job
        kwargs = {}
        if source.id in start_now:
            # Backfills spread over a few seconds rather than all at once on a small machine.
            kwargs["next_run_time"] = now + timedelta(seconds=1 + FIRST_RUN_SPACING * first_runs)
            first_runs += 1
        scheduler.add_job(
            run_source_job,
            trigger_for(source, rt.settings.timezone),
            args=(rt, source.id, scheduler, owner),
            id=f"source:{source.id}",
            name=source.name,
            **ONE_AT_A_TIME,
            **kwargs,
        )
    identity = f"scheduler:{owner.host}:{owner.pid}"
    scheduler.add_job(
        housekeeping,
        IntervalTrigger(seconds=rt.settings.housekeeping_seconds),
        args=(owner,),
        id=HOUSEKEEPING_JOB_ID,
        name="housekeeping",
        **ONE_AT_A_TIME,
    )
    scheduler.add_job(
        beat,
        IntervalTrigger(seconds=rt.settings.scheduler_heartbeat_seconds),
        args=(rt.engine, identity, "scheduler", lambda: _job_details(scheduler)),
        id="heartbeat",
        next_run_time=now,
    )
    add_alert_job(scheduler, rt)
    schedule_weekly_brief(scheduler, rt)
    scheduler.add_job(
        prune_job,
        IntervalTrigger(hours=load_policy(rt.settings.config_dir).prune_every_hours),
        args=(rt,),
        id=PRUNE_JOB_ID,
        name="retention",
        **ONE_AT_A_TIME,
    )
    scheduler.add_job(
        check_followups,
        IntervalTrigger(seconds=FOLLOWUP_CHECK_SECONDS),
        args=(rt,),
        id=FOLLOWUP_JOB_ID,
        name="follow-ups back on target",
        **ONE_AT_A_TIME,
    )
    scheduler.add_job(
        scan_drop_folder,
        IntervalTrigger(seconds=rt.settings.drop_scan_seconds),
        args=(rt, scheduler),
        id=DROP_JOB_ID,
        name="drop folder",
        **ONE_AT_A_TIME,
        next_run_time=now + timedelta(seconds=1),
    )
    return scheduler


def prune_job(rt: Runtime) -> None:
    """Retention (dashboard/retention.py). Several schedulers may prune: deletes are idempotent."""
    try:
        prune(rt)
    except (SQLAlchemyError, OSError) as exc:  # the next tick tries again
        log.warning("retention prune failed: %s", exc)


def check_followups(rt: Runtime) -> None:
    """Follow-ups whose indicator is on target again are marked (a person closes them)."""
    from dashboard.scorecard.followups import check_back_on_target

    try:
        marked = check_back_on_target(
            rt.engine, rt.catalogue, rt.catalogue.plans, datetime.now(UTC)
        )
    except Exception:  # the scheduler must live on; the log says why
        log.exception("follow-up check failed")
        return
    if marked:
        log.info("follow-ups back on target: %s", ", ".join(f"#{i}" for i in marked))


def scan_drop_folder(rt: Runtime, scheduler=None) -> None:
    """The drop folder's inbox, read into runs; a run that stored something wakes the alerts."""
    from dashboard.filedrop import scan

    try:
        receipts = scan(rt)
    except Exception:  # a full disk or an unreadable folder must not stop the scheduler
        log.exception("drop folder scan failed")
        return
    if scheduler is not None and any(r.changed or r.status == "failed" for r in receipts):
        try:
            evaluate_soon(scheduler)
        except Exception:  # a scheduler shutting down
            log.debug("could not bring the alert job forward", exc_info=True)


def _job_details(scheduler) -> dict:
    return {
        "jobs": {
            j.id: j.next_run_time.isoformat() if j.next_run_time else None
            for j in scheduler.get_jobs()
        }
    }


class AlreadyRunning(RuntimeError):
    """Another scheduler holds this SQLite store."""


def claim_sqlite_store(database_url: str) -> IO[str] | None:
    """On SQLite, hold an exclusive lock on a file next to the database for the process's
    life (the kernel drops it when the process dies, even by kill -9). None on PostgreSQL."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    path = f"{url.database}.scheduler.lock"
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    try:
        handle = open(path, "a+")  # noqa: SIM115 (held open for the process's life)
    except OSError as exc:
        raise AlreadyRunning(
            f"cannot take the SQLite store's scheduler lock {path}: {exc.strerror} "
            f"(is the data directory writable?) / kunci penjadwal tidak dapat dibuat"
        ) from None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "?"
        handle.close()
        raise AlreadyRunning(
            f"another scheduler (pid {holder}) already runs on this SQLite store "
            f"{url.database}; SQLite allows one per store — stop it, or use PostgreSQL to run "
            f"several / penjadwal lain sudah berjalan pada penyimpanan SQLite ini"
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle


def run_forever(rt: Runtime, claim: IO[str] | None = None) -> None:
    """Run until SIGTERM/SIGINT. ``claim``: the SQLite store's lock, already taken (or None)."""
    claim = claim or claim_sqlite_store(rt.settings.resolved_database_url)
    owner = new_owner(rt)
    owner.register()
    owner.start_keeper()
    scheduler = build_scheduler(rt, blocking=True, owner=owner)

    def stop(signum, _frame):
        log.info("signal %s: stopping scheduler", signum)
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info(
        "scheduler %s started with %d sources (lease %g s)",
        owner.id,
        len(rt.catalogue.sources),
        owner.lease_seconds,
    )
    try:
        scheduler.start()
    finally:
        owner.stop()
        if claim is not None:
            claim.close()
