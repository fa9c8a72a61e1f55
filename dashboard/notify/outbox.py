"""Deliver the notifications the alert lifecycle queued.

Each pending row is claimed (its next attempt pushed out by a lease, so a second
deliverer skips it), sent with a few quick retries and exponential backoff (tenacity),
then marked sent, left pending for a later round with a longer wait, or failed for good
(a permanent refusal, or ``give_up_after`` tries in all). No transaction is held
while a receiver is being waited for.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Connection, Engine, func, select, update
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from dashboard.alerts.config import AlertsConfig, Delivery
from dashboard.alerts.lifecycle import AlertRecord, alert_by_id
from dashboard.alerts.tables import AlertNotification
from dashboard.notify.brief_mail import brief_deliverer
from dashboard.notify.email import send_email
from dashboard.notify.errors import DeliveryError, permanent
from dashboard.notify.messages import email_body, email_subject, webhook_payload
from dashboard.notify.webhook import post_json
from dashboard.store.engine import begin_write
from dashboard.store.schema import utcnow

log = logging.getLogger(__name__)

BATCH = 200
LEASE = timedelta(minutes=10)
MAX_ROUND_WAIT_SECONDS = 3600


@dataclass
class DeliveryReport:
    sent: list[int] = field(default_factory=list)
    retry_later: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


def deliver_pending(
    engine: Engine,
    config: AlertsConfig,
    *,
    now: datetime | None = None,
    sleep: Callable[[float], None] = time.sleep,
    env: Mapping[str, str] | None = None,
    data_dir: Path | None = None,
) -> DeliveryReport:
    """Send what is due. Rows of the weekly brief need ``data_dir`` (the archive holds the
    PDF); without it they wait for a caller that has it."""
    now = now or utcnow()
    env = os.environ if env is None else env
    table = AlertNotification.__table__
    report = DeliveryReport()
    query = select(table).where(table.c.status == "pending", table.c.next_attempt_at <= now)
    if data_dir is None:
        query = query.where(table.c.brief_week.is_(None))
    with engine.connect() as conn:
        due = conn.execute(query.order_by(table.c.id).limit(BATCH)).all()
    for row in due:
        if not _claim(engine, row.id, now):
            continue
        alert = None
        if row.alert_id is not None:
            with engine.connect() as conn:
                alert = alert_by_id(conn, row.alert_id)
        tries, error = _send(row, alert, config, env, sleep, data_dir)
        _record(engine, row, tries, error, config.notify.delivery, report)
    return report


def _claim(engine: Engine, notification_id: int, now: datetime) -> bool:
    table = AlertNotification.__table__
    with begin_write(engine) as conn:
        return bool(
            conn.execute(
                update(AlertNotification)
                .where(
                    table.c.id == notification_id,
                    table.c.status == "pending",
                    table.c.next_attempt_at <= now,
                )
                .values(next_attempt_at=now + LEASE)
            ).rowcount
        )


def _send(
    row, alert: AlertRecord | None, config: AlertsConfig, env, sleep, data_dir: Path | None = None
) -> tuple[int, DeliveryError | None]:
    """Try the channel with backoff; returns how many tries it took and the last error, if any."""
    try:
        if row.brief_week is not None and data_dir is not None:
            deliver = brief_deliverer(row, config, env, data_dir)
        else:
            deliver = _deliverer(row, alert, config, env)
    except DeliveryError as exc:
        return 0, exc
    policy = config.notify.delivery
    tries = 0

    def attempt() -> None:
        nonlocal tries
        tries += 1
        deliver()

    retrying = Retrying(
        stop=stop_after_attempt(policy.attempts),
        wait=wait_exponential(multiplier=policy.wait_initial_seconds, max=policy.wait_max_seconds),
        retry=retry_if_exception(lambda e: isinstance(e, DeliveryError) and e.transient),
        sleep=sleep,
        reraise=True,
    )
    try:
        retrying(attempt)
    except DeliveryError as exc:
        return tries, exc
    except Exception as exc:  # a bug must not stop the other notifications
        log.exception("notification %s: unexpected error", row.id)
        return tries, permanent(f"internal error: {exc!r}")
    return tries, None


def _deliverer(row, alert: AlertRecord | None, config: AlertsConfig, env) -> Callable[[], None]:
    if alert is None:
        raise permanent(f"alert {row.alert_id} no longer exists")
    now = utcnow()
    if row.channel == "webhook":
        hook = next((w for w in config.notify.webhooks if w.id == row.target and w.enabled), None)
        if hook is None:
            raise permanent(f"webhook '{row.target}' is no longer configured")
        payload = webhook_payload(alert, row.event, now)
        return lambda: post_json(hook, payload)
    if row.channel == "email":
        if not config.notify.email.enabled:
            raise permanent("email is no longer configured")
        subject, body = email_subject(alert, row.event), email_body(alert, row.event)
        return lambda: send_email(config.notify.email, subject, body, env)
    raise permanent(f"unknown channel '{row.channel}'")


def _record(
    engine: Engine,
    row,
    tries: int,
    error: DeliveryError | None,
    policy: Delivery,
    report: DeliveryReport,
) -> None:
    table = AlertNotification.__table__
    now = utcnow()
    attempts = row.attempts + tries
    if error is None:
        values = {"status": "sent", "attempts": attempts, "sent_at": now, "last_error": None}
        report.sent.append(row.id)
    elif error.transient and attempts < policy.give_up_after:
        rounds = max(attempts // max(policy.attempts, 1), 1)
        wait = min(max(policy.wait_max_seconds, 1.0) * 2 ** (rounds - 1), MAX_ROUND_WAIT_SECONDS)
        values = {
            "attempts": attempts,
            "last_error": str(error)[:2000],
            "next_attempt_at": now + timedelta(seconds=wait),
        }
        report.retry_later.append(row.id)
    else:
        values = {"status": "failed", "attempts": attempts, "last_error": str(error)[:2000]}
        report.failed.append(row.id)
    if error is not None:
        log.warning(
            "notification %s (%s %s): %s after %d tries",
            row.id,
            row.channel,
            row.target,
            error,
            tries,
        )
    with begin_write(engine) as conn:
        conn.execute(update(AlertNotification).where(table.c.id == row.id).values(**values))


def notification_counts(conn: Connection) -> dict[tuple[str, str], int]:
    """Notifications by (channel, status)."""
    table = AlertNotification.__table__
    rows = conn.execute(
        select(table.c.channel, table.c.status, func.count()).group_by(
            table.c.channel, table.c.status
        )
    )
    return {(c, s): int(n) for c, s, n in rows}
