"""Tables the alert workflow adds to the store: the notification outbox and the
operators' shift log (migration 0002), silences (0004). The ``alert`` table itself is
in ``store/schema.py``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from dashboard.store.schema import Alert, Base, BigId, UtcDateTime, utcnow

# One open alert per (rule, subject), enforced by the store so two evaluators racing
# cannot both open it. Declared here so the metadata matches migration 0002.
OPEN_ALERT_UNIQUE = Index(
    "uq_alert_open_rule_subject",
    Alert.rule_id,
    Alert.subject,
    unique=True,
    sqlite_where=text("state <> 'resolved'"),
    postgresql_where=text("state <> 'resolved'"),
)


class AlertNotification(Base):
    """One message to one channel about one alert transition, written in the same
    transaction as the transition (an outbox), then delivered and retried from here."""

    __tablename__ = "alert_notification"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # None: not about an alert (the weekly brief, ``brief_week``)
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alert.id"), index=True)
    # fired, escalated, resolved; "brief" for the weekly brief
    event: Mapped[str] = mapped_column(String(16))
    # webhook, email
    channel: Mapped[str] = mapped_column(String(16))
    # the webhook's id, or "email"
    target: Mapped[str] = mapped_column(String(100))
    # pending, sent, failed
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # The weekly brief's ISO week ("2026-W48") and the recipient's language (migration 0011).
    brief_week: Mapped[str | None] = mapped_column(String(10))
    lang: Mapped[str | None] = mapped_column(String(2))

    __table_args__ = (
        Index("ix_alert_notification_status_next", "status", "next_attempt_at"),
        # One message per week, channel and recipient: a job run twice queues nothing new.
        Index("uq_alert_notification_brief", "brief_week", "channel", "target", unique=True),
    )


class ShiftNote(Base):
    """A note in the operators' shift log (an observation, or a handover to the next shift)."""

    __tablename__ = "shift_note"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # note, handover
    kind: Mapped[str] = mapped_column(String(16), default="note")
    author: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    alert_id: Mapped[int | None] = mapped_column(BigId)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)


class AlertSilence(Base):
    """An operator's silence of one rule (for one subject, or all of them) for a while:
    a maintenance window at an SKPD, a known fault being fixed. The alerts still open and
    resolve and stay in the history; a silenced one notifies no one and does not take
    over the wall. Lifted early or expired, never deleted."""

    __tablename__ = "alert_silence"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    rule_id: Mapped[str] = mapped_column(String(100))
    # None: every subject of the rule
    subject: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime())
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime())
    lifted_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    lifted_by: Mapped[str | None] = mapped_column(String(100))

    __table_args__ = (Index("ix_alert_silence_ends", "ends_at"),)
