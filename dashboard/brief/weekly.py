"""The weekly brief job of the scheduler process: Monday 07:00 WITA, into the archive.

``build_scheduler`` adds it with ``schedule_weekly_brief(scheduler, rt)``. The job is
idempotent per ISO week (an existing week is kept), so a missed run caught up later, or
a second scheduler process, does no harm.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from apscheduler.triggers.cron import CronTrigger

from dashboard.brief.archive import archive_dir, produce_brief, week_of
from dashboard.runtime import Runtime

log = logging.getLogger(__name__)

JOB_ID = "brief:weekly"
# A scheduler down on Monday morning still makes the brief when it is back the same day.
MISFIRE_GRACE_SECONDS = 12 * 3600


def run_weekly_brief(rt: Runtime, now: datetime | None = None) -> None:
    """The job body: make this week's brief unless it exists; never raise into the scheduler."""
    now = now or datetime.now(UTC)
    try:
        manifest = produce_brief(
            rt.engine, rt.catalogue, rt.catalogue.plans, rt.settings.data_dir, now
        )
    except Exception:  # the scheduler must live on; the log says why
        log.exception("weekly brief failed")
        return
    if manifest is None:
        log.info("weekly brief for this week exists already")
    else:
        log.info(
            "weekly brief %s made: %s", manifest.week, ", ".join(sorted(manifest.files.values()))
        )
    deliver_weekly_brief(rt, now)


def deliver_weekly_brief(rt: Runtime, now: datetime) -> None:
    """Queue this week's brief for its recipients (once per week and recipient, however
    often the job runs) and send what is due through the notification outbox."""
    from dashboard.alerts.config import load_alerts_config
    from dashboard.notify.brief_mail import enqueue_brief
    from dashboard.notify.outbox import deliver_pending

    week = week_of(now)
    if not (archive_dir(rt.settings.data_dir) / f"brief-{week}.json").exists():
        return
    try:
        config = load_alerts_config(rt.settings.config_dir, rt.catalogue)
        queued = enqueue_brief(rt.engine, config, week, now)
        report = deliver_pending(rt.engine, config, data_dir=rt.settings.data_dir)
    except Exception:  # the scheduler must live on; the alert job retries what is queued
        log.exception("weekly brief delivery failed")
        return
    log.info(
        "weekly brief %s: %d queued, %d sent, %d to retry, %d failed",
        week,
        queued,
        len(report.sent),
        len(report.retry_later),
        len(report.failed),
    )


def schedule_weekly_brief(
    scheduler, rt: Runtime, *, day_of_week: str = "mon", hour: int = 7, minute: int = 0
) -> None:
    """Add the weekly brief job (explicit id, one instance, coalesced) in the scheduler's time zone."""
    scheduler.add_job(
        run_weekly_brief,
        CronTrigger(
            day_of_week=day_of_week, hour=hour, minute=minute, timezone=rt.settings.timezone
        ),
        args=(rt,),
        id=JOB_ID,
        name="weekly exceptions brief",
        replace_existing=True,
        max_instances=1,
        coalesce=True,
        misfire_grace_time=MISFIRE_GRACE_SECONDS,
    )
