"""What a notification says: a JSON document for webhooks, a subject and body for email."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dashboard import i18n
from dashboard.alerts.lifecycle import AlertRecord
from dashboard.alerts.wording import EVENT, SEVERITY, STATE, label

PRODUCT = "Command Centre ODSK"


def webhook_payload(alert: AlertRecord, event: str, now: datetime) -> dict[str, Any]:
    def when(moment: datetime | None) -> str | None:
        return moment.isoformat() if moment else None

    return {
        "product": PRODUCT,
        "event": event,
        "sent_at": now.isoformat(),
        "alert": {
            "id": alert.id,
            "rule": alert.rule_id,
            "subject": alert.subject,
            "severity": alert.severity,
            "state": alert.state,
            "title": {"id": alert.title_id, "en": alert.title_en},
            "fired_at": when(alert.fired_at),
            "acknowledged_at": when(alert.acknowledged_at),
            "acknowledged_by": alert.acknowledged_by,
            "resolved_at": when(alert.resolved_at),
            "details": alert.details,
        },
    }


def email_subject(alert: AlertRecord, event: str) -> str:
    return f"[ODSK] {label(EVENT, event, 'id')} · {label(SEVERITY, alert.severity, 'id')}: {alert.title_id}"


def email_body(alert: AlertRecord, event: str) -> str:
    parts = []
    for lang in ("id", "en"):
        lines = [
            f"#{alert.id} · {label(SEVERITY, alert.severity, lang)} · {label(STATE, alert.state, lang)}",
            alert.title(lang),
            ("Aturan" if lang == "id" else "Rule") + f": {alert.rule_id} · {alert.subject}",
            ("Mulai" if lang == "id" else "Fired")
            + f": {i18n.wita_datetime(alert.fired_at, lang)}",
        ]
        if alert.resolved_at:
            lines.append(
                ("Selesai" if lang == "id" else "Resolved")
                + f": {i18n.wita_datetime(alert.resolved_at, lang)}"
            )
        if alert.acknowledged_by:
            lines.append(
                ("Diakui oleh" if lang == "id" else "Acknowledged by")
                + f": {alert.acknowledged_by}"
                + (f" — {alert.ack_note}" if alert.ack_note else "")
            )
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + f"\n\n-- \n{PRODUCT}\n"
