"""The weekly brief delivered through the notification outbox: one row per recipient
(e-mail, PDF attached in the recipient's language) and per webhook (a link), queued once
per ISO week (a unique index: a job run again, or a second scheduler, queues nothing new),
then sent, retried and marked like every other notification (``outbox.deliver_pending``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError

from dashboard.alerts.config import AlertsConfig
from dashboard.alerts.tables import AlertNotification
from dashboard.brief.archive import archived_file
from dashboard.notify.email import send_email
from dashboard.notify.errors import permanent
from dashboard.notify.webhook import post_json
from dashboard.scorecard.labels import label
from dashboard.store.engine import begin_write

EVENT = "brief"
PDF = "application/pdf"


def pdf_name(week: str, lang: str) -> str:
    return f"brief-{week}-{lang}.pdf"


def enqueue_brief(engine: Engine, config: AlertsConfig, week: str, now: datetime) -> int:
    """Queue this week's brief for every recipient and webhook not queued yet; how many new."""
    brief = config.notify.brief
    wanted: list[tuple[str, str, str | None]] = []
    if config.notify.email.host.strip():
        wanted += [("email", r.address, r.lang) for r in brief.recipients]
    hooks = {w.id for w in config.notify.webhooks if w.enabled}
    wanted += [("webhook", hook, None) for hook in brief.webhooks if hook in hooks]
    table = AlertNotification.__table__
    added = 0
    for channel, target, lang in wanted:
        with begin_write(engine) as conn:
            exists = conn.execute(
                select(table.c.id).where(
                    table.c.brief_week == week,
                    table.c.channel == channel,
                    table.c.target == target,
                )
            ).first()
            if exists is not None:
                continue
            try:
                conn.execute(
                    insert(AlertNotification).values(
                        alert_id=None,
                        event=EVENT,
                        channel=channel,
                        target=target[:100],
                        status="pending",
                        attempts=0,
                        created_at=now,
                        next_attempt_at=now,
                        brief_week=week,
                        lang=lang,
                    )
                )
            except IntegrityError:  # another process queued it first
                continue
        added += 1
    return added


def link(config: AlertsConfig, week: str, lang: str) -> str:
    return f"{config.notify.brief.base_url.rstrip('/')}/brief/archive/{pdf_name(week, lang)}"


def brief_deliverer(
    row: Any, config: AlertsConfig, env: Mapping[str, str], data_dir: Path
) -> Callable[[], None]:
    """How to send one queued brief row (raises a permanent error when it cannot be sent)."""
    week = str(row.brief_week)
    if row.channel == "email":
        if not config.notify.email.host.strip():
            raise permanent("email is no longer configured")
        lang = row.lang or "id"
        path = archived_file(data_dir, pdf_name(week, lang))
        if path is None:
            raise permanent(f"the brief {pdf_name(week, lang)} is not in the archive")
        content = path.read_bytes()
        subject = label("brief.mail.subject", lang, week=week)
        body = label("brief.mail.body", lang, week=week, link=link(config, week, lang))
        message_id = f"<brief-{week}-{row.id}@odsk-command-centre>"
        return lambda: send_email(
            config.notify.email,
            subject,
            body,
            env,
            to=[row.target],
            attachments=[(pdf_name(week, lang), content, PDF)],
            message_id=message_id,
        )
    if row.channel == "webhook":
        hook = next((w for w in config.notify.webhooks if w.id == row.target and w.enabled), None)
        if hook is None:
            raise permanent(f"webhook '{row.target}' is no longer configured")
        payload = {
            "kind": "brief",
            "week": week,
            "text": label("brief.mail.subject", "id", week=week),
            "text_en": label("brief.mail.subject", "en", week=week),
            "links": {lang: link(config, week, lang) for lang in ("id", "en")},
        }
        return lambda: post_json(hook, payload)
    raise permanent(f"unknown channel '{row.channel}'")
