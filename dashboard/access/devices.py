"""Enrolled wall screens: a long random token shown once, stored as its SHA-256, revocable.

A token is 256 random bits, so a plain hash is enough to store it (no brute force to slow
down) and lets the guard find the device with one indexed look-up per request.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import get_args

from sqlalchemy import Connection, Engine, insert, select, text, update

from dashboard.catalogue.models import Classification
from dashboard.store import audit
from dashboard.store.access_tables import WallDevice
from dashboard.store.audit import Actor
from dashboard.store.engine import begin_write
from dashboard.store.schema import UtcDateTime, utcnow
from dashboard.store.screens import valid_screen_id

TOKEN_PREFIX = "odskdev_"
CLASSIFICATIONS: tuple[str, ...] = get_args(Classification)
MAX_TOKEN = 200


class DeviceError(ValueError):
    """A refused enrolment; ``key`` names the problem for a label."""

    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


@dataclass(frozen=True)
class DeviceRow:
    id: int
    name: str
    clearance: str
    created_by: str
    created_at: datetime
    revoked_at: datetime | None
    last_seen_at: datetime | None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def _row(r) -> DeviceRow:
    return DeviceRow(
        r.id, r.name, r.clearance, r.created_by, r.created_at, r.revoked_at, r.last_seen_at
    )


def enrol(
    engine: Engine, name: str, clearance: str = "internal", *, actor: Actor
) -> tuple[DeviceRow, str]:
    """A new screen and its token (returned once, never stored in clear)."""
    screen = valid_screen_id((name or "").strip())
    if screen is None:
        raise DeviceError("name")
    if clearance not in CLASSIFICATIONS:
        raise DeviceError("clearance")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    t = WallDevice.__table__
    with begin_write(engine) as conn:
        if conn.execute(select(t.c.id).where(t.c.name == screen)).first():
            raise DeviceError("exists")
        device_id = conn.execute(
            insert(WallDevice)
            .values(
                name=screen,
                token_hash=token_hash(token),
                clearance=clearance,
                created_by=actor.name,
                created_at=utcnow(),
            )
            .returning(t.c.id)
        ).scalar_one()
        audit.record(conn, "screen.enrol", screen, after={"clearance": clearance}, actor=actor)
        row = conn.execute(select(t).where(t.c.id == device_id)).one()
    return _row(row), token


def revoke(engine: Engine, name: str, *, actor: Actor) -> bool:
    t = WallDevice.__table__
    with begin_write(engine) as conn:
        done = conn.execute(
            update(WallDevice)
            .where(t.c.name == name, t.c.revoked_at.is_(None))
            .values(revoked_at=utcnow(), revoked_by=actor.name)
        ).rowcount
        if done:
            audit.record(conn, "screen.revoke", name, before={"enrolled": True}, actor=actor)
    return bool(done)


def device_for_token(conn: Connection, token: str | None) -> DeviceRow | None:
    """The enrolled, unrevoked device holding ``token``; None for anything else."""
    if not token or len(token) > MAX_TOKEN or not token.startswith(TOKEN_PREFIX):
        return None
    row = conn.execute(_BY_TOKEN, {"hash": token_hash(token)}).first()
    return _row(row) if row is not None else None


# Built once: an enrolled screen's every request looks its token up.
_BY_TOKEN = text(
    "SELECT id, name, clearance, created_by, created_at, revoked_at, last_seen_at"
    " FROM wall_device WHERE token_hash = :hash AND revoked_at IS NULL"
).columns(created_at=UtcDateTime(), revoked_at=UtcDateTime(), last_seen_at=UtcDateTime())


def list_devices(conn: Connection) -> list[DeviceRow]:
    t = WallDevice.__table__
    return [
        _row(r) for r in conn.execute(select(t).order_by(t.c.revoked_at.is_not(None), t.c.name))
    ]
