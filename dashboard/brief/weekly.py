"""The weekly brief job of the scheduler process: Monday 07:00 WITA, into the archive.

``build_scheduler`` adds it with ``schedule_weekly_brief(scheduler, rt)``. The job is
idempotent per ISO week (an existing week is kept), so a missed run caught up later, or
a second scheduler process, does no harm.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from apscheduler.triggers.cron import CronTrigger

from dashboard.brief.archive import produce_brief
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
