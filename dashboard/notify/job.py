"""The scheduler's alert job: evaluate the rules (``dashboard.alerts``), then deliver the
notifications that are due (``dashboard.notify``). It sits above both, so the alerts
never import their delivery."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.triggers.interval import IntervalTrigger

from dashboard import redis_client
from dashboard.alerts.config import AlertsConfig, load_alerts_config
from dashboard.alerts.evaluate import Evaluation, evaluate
from dashboard.catalogue.loader import CatalogueError
from dashboard.notify.outbox import DeliveryReport, deliver_pending
from dashboard.runtime import Runtime

log = logging.getLogger(__name__)

JOB_ID = "alerts"
LOCK_KEY = "odsk:lock:alerts"
MISFIRE_GRACE_SECONDS = 300


@dataclass(frozen=True)
class AlertRound:
    evaluation: Evaluation
    delivery: DeliveryReport


def run_alert_job(rt: Runtime) -> AlertRound | None:
    """The scheduler job: config read afresh (edits apply without a restart), evaluate, deliver.

    With Redis, one scheduler process at a time evaluates; the store's unique index on
    open (rule, subject) backs that up."""
    client = redis_client.connect(rt.settings.redis_url)
    lock = None
    if client is not None:
        lock = client.lock(LOCK_KEY, timeout=600, blocking=False)
        acquired = redis_client.safely(None, lock.acquire)
        if acquired is False:
            log.info("alerts: another scheduler is evaluating; skipped")
            return None
        if acquired is None:
            lock = None
    try:
        config = load_alerts_config(rt.settings.config_dir, rt.catalogue)
        evaluation = evaluate(rt.engine, rt.catalogue, config)
        return AlertRound(
            evaluation, deliver_pending(rt.engine, config, data_dir=rt.settings.data_dir)
        )
    except CatalogueError as exc:
        log.error("alerts.yaml is invalid, alerts not evaluated:\n%s", exc)
    except Exception:
        log.exception("alert evaluation failed")
    finally:
        if lock is not None:
            redis_client.safely(None, lock.release)
    return None


def add_alert_job(scheduler: Any, rt: Runtime) -> None:
    """Add the alert evaluation to a scheduler (``dashboard.scheduler.build_scheduler``)."""
    try:
        interval = load_alerts_config(rt.settings.config_dir).evaluation_interval_seconds
    except CatalogueError:
        interval = AlertsConfig().evaluation_interval_seconds  # the job itself reports the problem
    scheduler.add_job(
        run_alert_job,
        IntervalTrigger(seconds=interval, timezone=rt.settings.timezone),
        args=(rt,),
        id=JOB_ID,
        name="alert evaluation",
        replace_existing=True,
        max_instances=1,
        coalesce=True,
        misfire_grace_time=MISFIRE_GRACE_SECONDS,
        next_run_time=datetime.now(UTC) + timedelta(seconds=10),
    )
