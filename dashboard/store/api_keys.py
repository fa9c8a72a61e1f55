"""API keys of the open-data API (migration 0012): a key is bound to a role, stored hashed.

A key reads ``odskapi_<key id>.<secret>``; the key id finds the row with one indexed
look-up and the argon2 hash of the secret (``dashboard.access.api_keys``) proves it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column

from dashboard.store.schema import Base, UtcDateTime, utcnow


class ApiKey(Base):
    __tablename__ = "api_key"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    key_id: Mapped[str] = mapped_column(String(32), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(32))
    clearance: Mapped[str] = mapped_column(String(16), default="internal")
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    revoked_by: Mapped[str | None] = mapped_column(String(100))


@dataclass(frozen=True)
class ApiKeyRow:
    id: int
    name: str
    key_id: str
    secret_hash: str
    role: str
    clearance: str
    created_by: str
    created_at: datetime
    revoked_at: datetime | None


def _row(r: object) -> ApiKeyRow:
    return ApiKeyRow(
        r.id,  # type: ignore[attr-defined]  # a SQLAlchemy Row of this table
        r.name,  # type: ignore[attr-defined]
        r.key_id,  # type: ignore[attr-defined]
        r.secret_hash,  # type: ignore[attr-defined]
        r.role,  # type: ignore[attr-defined]
        r.clearance,  # type: ignore[attr-defined]
        r.created_by,  # type: ignore[attr-defined]
        r.created_at,  # type: ignore[attr-defined]
        r.revoked_at,  # type: ignore[attr-defined]
    )


def active_key(conn: Connection, key_id: str) -> ApiKeyRow | None:
    t = ApiKey.__table__
    row = conn.execute(select(t).where(t.c.key_id == key_id, t.c.revoked_at.is_(None))).first()
    return _row(row) if row is not None else None


def key_named(conn: Connection, name: str) -> ApiKeyRow | None:
    t = ApiKey.__table__
    row = conn.execute(select(t).where(t.c.name == name)).first()
    return _row(row) if row is not None else None


def list_keys(conn: Connection) -> list[ApiKeyRow]:
    t = ApiKey.__table__
    return [_row(r) for r in conn.execute(select(t).order_by(t.c.name))]
