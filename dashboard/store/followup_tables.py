"""Tables of follow-ups (tindak lanjut, migration 0011): an item opened from an exception
and every step taken on it (opened, answered, closed, reopened, back on target)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dashboard.store.schema import Base, BigId, UtcDateTime, utcnow


class Followup(Base):
    """What the governor's office asked an SKPD to do about one exception."""

    __tablename__ = "followup"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # behind, at_risk, stale, missing, alert
    kind: Mapped[str] = mapped_column(String(16))
    # indicator, source
    subject_kind: Mapped[str] = mapped_column(String(16))
    # an indicator code or a source id
    subject: Mapped[str] = mapped_column(String(100), index=True)
    region_code: Mapped[str | None] = mapped_column(String(20))
    alert_id: Mapped[int | None] = mapped_column(BigId)
    skpd_id: Mapped[str] = mapped_column(String(50), index=True)
    request: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date] = mapped_column(Date)
    # high, normal, low
    priority: Mapped[str] = mapped_column(String(8), default="normal")
    # open, in_progress, done, declined, closed
    status: Mapped[str] = mapped_column(String(16), default="open")
    opened_by: Mapped[str] = mapped_column(String(100))
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # Set by the scheduler when the indicator is on target again; a person still closes it.
    back_on_target_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    __table_args__ = (Index("ix_followup_status_due", "status", "due_on"),)


class FollowupStep(Base):
    """One step of a follow-up, with who took it and when (kept, never changed)."""

    __tablename__ = "followup_step"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    followup_id: Mapped[int] = mapped_column(ForeignKey("followup.id"), index=True)
    # open, answer, close, reopen, back_on_target
    action: Mapped[str] = mapped_column(String(16))
    # the item's status after the step
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    attachment_name: Mapped[str | None] = mapped_column(String(200))
    attachment_sha256: Mapped[str | None] = mapped_column(String(64))
    attachment_size: Mapped[int | None] = mapped_column(Integer)
