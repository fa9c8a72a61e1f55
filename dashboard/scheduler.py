"""The collection scheduler: its own process (``odsk scheduler``), never inside the web app.

One job per source (explicit id, max one instance, coalesced, minutes of misfire
grace); jobs run on a thread pool wide enough that a slow source never holds up the
others. With Redis configured, a lock per source keeps several scheduler processes
from running the same source at once. Sources never run successfully are started at
once, which backfills their history.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
from datetime import UTC, datetime, timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import select, update

from dashboard import redis_client
from dashboard.alerts.evaluate import JOB_ID as ALERT_JOB_ID
from dashboard.alerts.evaluate import add_alert_job
from dashboard.brief.weekly import schedule_weekly_brief
from dashboard.catalogue.models import Source
from dashboard.ingest import collect
from dashboard.runtime import Runtime
from dashboard.store.engine import begin_write
from dashboard.store.heartbeats import beat
from dashboard.store.schema import CollectionRun

log = logging.getLogger(__name__)

MISFIRE_GRACE_SECONDS = 300
# How long past its timeout a run may stay 'running' before it counts as abandoned.
ABANDON_GRACE_SECONDS = 600
LOCK_PREFIX = "odsk:lock:source:"
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


def run_source_job(rt: Runtime, source_id: str, scheduler=None) -> None:
    """The job body: take the source's lock (if Redis is there), run, never raise.

    With ``scheduler``, a run that stored new values or events, or failed, brings the
    alert evaluation forward: an SKPD's figure crossing a threshold is an alert seconds
    after it arrives, not at the next minute."""
    source = rt.catalogue.source(source_id)
    client = redis_client.connect(rt.settings.redis_url)
    lock = None
    if client is not None:
        lock = client.lock(
            LOCK_PREFIX + source_id, timeout=source.timeout_seconds + 120, blocking=False
        )
        acquired = redis_client.safely(None, lock.acquire)
        if acquired is False:
            log.info("source %s is already running in another scheduler; skipped", source_id)
            return
        if acquired is None:  # Redis is down: run unlocked rather than not at all
            lock = None
    summary = None
    try:
        summary = collect(rt, source_id, trigger="schedule")
    except Exception:  # the run records its own failures; this guards the scheduler
        log.exception("source %s: run crashed", source_id)
    finally:
        if lock is not None:
            redis_client.safely(None, lock.release)
    if (
        scheduler is not None
        and summary is not None
        and (summary.changed or summary.events or summary.status == "failed")
    ):
        try:
            evaluate_soon(scheduler)
        except Exception:  # a scheduler shutting down; the alert job's own tick still comes
            log.exception("source %s: could not bring the alert evaluation forward", source_id)


def abandon_stale_runs(rt: Runtime, now: datetime | None = None) -> int:
    """Runs left 'running' by a process that died (killed scheduler, crashed host) are
    marked failed once well past their source's timeout, so health views do not wait forever."""
    now = now or datetime.now(UTC)
    abandoned = 0
    with begin_write(rt.engine) as conn:
        for source in rt.catalogue.sources:
            cutoff = now - timedelta(seconds=source.timeout_seconds + ABANDON_GRACE_SECONDS)
            abandoned += (
                conn.execute(
                    update(CollectionRun)
                    .where(
                        CollectionRun.source_id == source.id,
                        CollectionRun.status == "running",
                        CollectionRun.started_at < cutoff,
                    )
                    .values(
                        status="failed",
                        finished_at=now,
                        error_class="abandoned",
                        message="the process running this collection stopped before it finished",
                        message_id="proses yang menjalankan pengumpulan ini berhenti sebelum selesai",
                    )
                ).rowcount
                or 0
            )
    return abandoned


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


def build_scheduler(rt: Runtime, *, blocking: bool = True, start_now: set[str] | None = None):
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
    abandon_stale_runs(rt)
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
            args=(rt, source.id, scheduler),
            id=f"source:{source.id}",
            name=source.name,
            replace_existing=True,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=MISFIRE_GRACE_SECONDS,
            **kwargs,
        )
    identity = f"scheduler:{socket.gethostname()}:{os.getpid()}"
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
        check_followups,
        IntervalTrigger(seconds=FOLLOWUP_CHECK_SECONDS),
        args=(rt,),
        id=FOLLOWUP_JOB_ID,
        name="follow-ups back on target",
        replace_existing=True,
        max_instances=1,
        coalesce=True,
        misfire_grace_time=MISFIRE_GRACE_SECONDS,
    )
    scheduler.add_job(
        scan_drop_folder,
        IntervalTrigger(seconds=rt.settings.drop_scan_seconds),
        args=(rt, scheduler),
        id=DROP_JOB_ID,
        name="drop folder",
        replace_existing=True,
        max_instances=1,
        coalesce=True,
        misfire_grace_time=MISFIRE_GRACE_SECONDS,
        next_run_time=now + timedelta(seconds=1),
    )
    return scheduler


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


def run_forever(rt: Runtime) -> None:
    scheduler = build_scheduler(rt, blocking=True)

    def stop(signum, _frame):
        log.info("signal %s: stopping scheduler", signum)
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("scheduler started with %d sources", len(rt.catalogue.sources))
    scheduler.start()
