"""SQLAlchemy models of the nouns in DESIGN.md. Times are stored in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite's INTEGER PRIMARY KEY autoincrements; PostgreSQL wants BIGINT for big tables.
BigId = BigInteger().with_variant(Integer, "sqlite")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator):
    """Aware UTC datetimes in and out, on SQLite (which drops the zone) as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


# --- catalogue mirror (synced from config/ so queries can join on it) ---------


class Domain(Base):
    __tablename__ = "domain"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_id: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer)


class Application(Base):
    __tablename__ = "application"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    domain_id: Mapped[str] = mapped_column(ForeignKey("domain.id"))
    name_id: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))


class Skpd(Base):
    __tablename__ = "skpd"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    short_name: Mapped[str] = mapped_column(String(100))


class Region(Base):
    __tablename__ = "region"
    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    bps_code: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    population: Mapped[int] = mapped_column(BigInteger)


class Indicator(Base):
    __tablename__ = "indicator"
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    domain_id: Mapped[str] = mapped_column(ForeignKey("domain.id"))
    application_id: Mapped[str] = mapped_column(ForeignKey("application.id"))
    skpd_id: Mapped[str] = mapped_column(ForeignKey("skpd.id"))
    name_id: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    unit: Mapped[str] = mapped_column(String(64))
    direction: Mapped[str] = mapped_column(String(8))
    frequency: Mapped[str] = mapped_column(String(16))
    aggregation: Mapped[str] = mapped_column(String(16))
    classification: Mapped[str] = mapped_column(String(16), index=True)
    # The whole catalogue entry, for views that need targets, thresholds, band …
    spec: Mapped[dict] = mapped_column(JSON)


class Source(Base):
    __tablename__ = "source"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    skpd_id: Mapped[str] = mapped_column(ForeignKey("skpd.id"))
    name: Mapped[str] = mapped_column(String(300))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    spec: Mapped[dict] = mapped_column(JSON)
    # Replication bookmark; only ever written in the transaction that stores the data.
    bookmark: Mapped[str | None] = mapped_column(String(200))


# --- data --------------------------------------------------------------------


class RawPayload(Base):
    __tablename__ = "raw_payload"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    path: Mapped[str] = mapped_column(String(500))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(200))
    first_seen_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class CollectionRun(Base):
    __tablename__ = "collection_run"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("source.id"), index=True)
    # schedule, manual, backfill, upload, drop, replay
    trigger: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # running, ok, partial, failed
    status: Mapped[str] = mapped_column(String(16), default="running")
    rows_accepted: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)
    rows_changed: Mapped[int] = mapped_column(Integer, default=0)
    # Events (earthquakes …) the payload held, and how many of them were new or changed.
    events_accepted: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    events_changed: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The file a drop or upload run read (its name as delivered).
    file_name: Mapped[str | None] = mapped_column(Text)
    error_class: Mapped[str | None] = mapped_column(String(32))
    message: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str | None] = mapped_column(Text)
    payload_sha256: Mapped[str | None] = mapped_column(ForeignKey("raw_payload.sha256"))
    replay_of: Mapped[int | None] = mapped_column(BigId)
    # The scheduler instance running it (None: a command, an upload); when it must be over.
    owner_id: Mapped[str | None] = mapped_column(String(40))
    deadline_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    __table_args__ = (
        Index("ix_collection_run_source_started", "source_id", "started_at"),
        Index("ix_collection_run_status", "status"),
    )


class SchedulerInstance(Base):
    """A scheduler process that owns runs while it keeps renewing its lease."""

    __tablename__ = "scheduler_instance"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    renewed_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    stopped_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class SourceLease(Base):
    """Who may run a source right now (the store's lock, held while renewed)."""

    __tablename__ = "source_lease"
    source_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    owner_id: Mapped[str] = mapped_column(String(40))
    token: Mapped[str] = mapped_column(String(80))
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Observation(Base):
    __tablename__ = "observation"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    indicator_code: Mapped[str] = mapped_column(String(64))
    region_code: Mapped[str] = mapped_column(String(8))
    period_start: Mapped[date] = mapped_column(Date)
    grain: Mapped[str] = mapped_column(String(8))
    value: Mapped[float] = mapped_column(Float)
    source_id: Mapped[str] = mapped_column(String(64))
    run_id: Mapped[int | None] = mapped_column(BigId)
    ingested_at: Mapped[datetime] = mapped_column(UtcDateTime())
    revision: Mapped[int] = mapped_column(Integer, default=1)

    __table_args__ = (
        UniqueConstraint(
            "indicator_code", "region_code", "period_start", "grain", name="uq_observation_key"
        ),
        Index("ix_observation_region_indicator", "region_code", "indicator_code", "period_start"),
    )


class ObservationRevision(Base):
    """A value that was later replaced, kept for provenance."""

    __tablename__ = "observation_revision"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    observation_id: Mapped[int] = mapped_column(BigId, index=True)
    revision: Mapped[int] = mapped_column(Integer)
    value: Mapped[float] = mapped_column(Float)
    source_id: Mapped[str] = mapped_column(String(64))
    run_id: Mapped[int | None] = mapped_column(BigId)
    ingested_at: Mapped[datetime] = mapped_column(UtcDateTime())
    superseded_at: Mapped[datetime] = mapped_column(UtcDateTime())


class QuarantinedRow(Base):
    __tablename__ = "quarantined_row"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("collection_run.id"), index=True)
    source_id: Mapped[str] = mapped_column(String(64), index=True)
    row_number: Mapped[int] = mapped_column(Integer)
    raw: Mapped[dict] = mapped_column(JSON)
    # [{column, value, reason_id, reason_en}]
    reasons: Mapped[list] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Event(Base):
    __tablename__ = "event"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32))
    source_id: Mapped[str] = mapped_column(String(64))
    external_id: Mapped[str] = mapped_column(String(200))
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    magnitude: Mapped[float | None] = mapped_column(Float)
    depth_km: Mapped[float | None] = mapped_column(Float)
    region_code: Mapped[str | None] = mapped_column(String(8))
    description: Mapped[str] = mapped_column(Text, default="")
    extra: Mapped[dict] = mapped_column(JSON, default=dict)
    run_id: Mapped[int | None] = mapped_column(BigId)

    __table_args__ = (
        UniqueConstraint("source_id", "external_id", name="uq_event_source_external"),
    )


class Alert(Base):
    __tablename__ = "alert"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    rule_id: Mapped[str] = mapped_column(String(100))
    # What the rule fired on (indicator/region, source id, event id): the de-duplication key.
    subject: Mapped[str] = mapped_column(String(200))
    severity: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), default="firing")
    title_id: Mapped[str] = mapped_column(Text)
    title_en: Mapped[str] = mapped_column(Text)
    fired_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    acknowledged_by: Mapped[str | None] = mapped_column(String(100))
    ack_note: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    # Since when its rule no longer finds it, while it waits out alerts.yaml's resolve_after
    # (migration 0005); None while it holds.
    clear_since: Mapped[datetime | None] = mapped_column(UtcDateTime())

    __table_args__ = (Index("ix_alert_rule_subject_state", "rule_id", "subject", "state"),)


class Annotation(Base):
    __tablename__ = "annotation"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    indicator_code: Mapped[str | None] = mapped_column(String(64), index=True)
    region_code: Mapped[str | None] = mapped_column(String(8))
    on_date: Mapped[date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


# --- change signal and process heartbeats --------------------------------------


class DataVersion(Base):
    """Monotonic counters per scope ('all', 'domain:<id>'); bumped in the ingest transaction."""

    __tablename__ = "data_version"
    scope: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Heartbeat(Base):
    """Last sign of life of a process (scheduler) or a wall screen."""

    __tablename__ = "heartbeat"
    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    seen_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
