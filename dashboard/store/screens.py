"""Wall screens as managed devices: their heartbeats and the commands an admin sends them.

A screen's heartbeat is a row of the shared ``heartbeat`` table (kind ``wall-screen``,
id ``wall:<screen id>``); commands (only ``reload`` so far) wait in ``wall_command``
(migration 0003) until the screen's next heartbeat collects them, exactly once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, Index, String, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from dashboard.store import audit
from dashboard.store.access_tables import WallDevice
from dashboard.store.audit import Actor, as_actor
from dashboard.store.engine import begin_write
from dashboard.store.schema import Base, BigId, Heartbeat, UtcDateTime, utcnow

KIND = "wall-screen"
PREFIX = "wall:"
COMMANDS = ("reload",)
# A command nobody collected within this time is dropped (the screen is gone or was replaced).
COMMAND_TTL = timedelta(hours=1)
_SCREEN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$")


class WallCommand(Base):
    __tablename__ = "wall_command"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    screen_id: Mapped[str] = mapped_column(String(100))
    command: Mapped[str] = mapped_column(String(16))
    requested_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    __table_args__ = (Index("ix_wall_command_screen_delivered", "screen_id", "delivered_at"),)


def valid_screen_id(value: object) -> str | None:
    """The screen id if it is one we store (it ends up in URLs and the ops view), else None."""
    return value if isinstance(value, str) and _SCREEN_ID.match(value) else None


@dataclass(frozen=True)
class ScreenRow:
    screen_id: str
    seen_at: datetime
    details: dict
    pending: tuple[str, ...]  # commands not yet collected

    def online(self, now: datetime, limit_seconds: float) -> bool:
        return (now - self.seen_at).total_seconds() <= limit_seconds


def record_beat(
    engine: Engine,
    screen_id: str,
    details: dict,
    now: datetime | None = None,
    device_id: int | None = None,
) -> list[str]:
    """Store a heartbeat (and the enrolled device's last-seen time) and hand over (once)
    the commands waiting for this screen."""
    now = now or utcnow()
    hb, cmd = Heartbeat.__table__, WallCommand.__table__
    key = PREFIX + screen_id
    with begin_write(engine) as conn:
        if device_id is not None:
            conn.execute(
                update(WallDevice).where(WallDevice.id == device_id).values(last_seen_at=now)
            )
        updated = conn.execute(
            update(Heartbeat).where(hb.c.id == key).values(seen_at=now, details=details)
        ).rowcount
        if not updated:
            try:
                with conn.begin_nested():
                    conn.execute(
                        insert(Heartbeat).values(id=key, kind=KIND, seen_at=now, details=details)
                    )
            except IntegrityError:  # a second tab with the same id won the race
                conn.execute(
                    update(Heartbeat).where(hb.c.id == key).values(seen_at=now, details=details)
                )
        pending = conn.execute(
            select(cmd.c.id, cmd.c.command)
            .where(
                cmd.c.screen_id == screen_id,
                cmd.c.delivered_at.is_(None),
                cmd.c.created_at >= now - COMMAND_TTL,
            )
            .order_by(cmd.c.id)
        ).all()
        if pending:
            conn.execute(
                update(WallCommand)
                .where(cmd.c.id.in_([p.id for p in pending]))
                .values(delivered_at=now)
            )
    return list(dict.fromkeys(p.command for p in pending))


def request_command(
    engine: Engine,
    screen_id: str,
    command: str = "reload",
    who: Actor | str | None = None,
    now: datetime | None = None,
) -> int:
    if command not in COMMANDS:
        raise ValueError(f"unknown command {command!r}")
    if valid_screen_id(screen_id) is None:
        raise ValueError(f"not a screen id: {screen_id!r}")
    actor = as_actor(who or "cli")
    with begin_write(engine) as conn:
        command_id = conn.execute(
            insert(WallCommand)
            .values(
                screen_id=screen_id,
                command=command,
                requested_by=actor.name[:100],
                created_at=now or utcnow(),
            )
            .returning(WallCommand.id)
        ).scalar_one()
        audit.record(conn, f"screen.{command}", screen_id, actor=actor, now=now)
        return command_id


def list_screens(engine: Engine, now: datetime | None = None) -> list[ScreenRow]:
    """Every wall screen that ever reported, most recently seen first."""
    now = now or utcnow()
    hb, cmd = Heartbeat.__table__, WallCommand.__table__
    with engine.connect() as conn:
        rows = conn.execute(
            select(hb.c.id, hb.c.seen_at, hb.c.details)
            .where(hb.c.kind == KIND)
            .order_by(hb.c.seen_at.desc())
        ).all()
        waiting = conn.execute(
            select(cmd.c.screen_id, cmd.c.command).where(
                cmd.c.delivered_at.is_(None), cmd.c.created_at >= now - COMMAND_TTL
            )
        ).all()
    pending: dict[str, list[str]] = {}
    for screen_id, command in waiting:
        pending.setdefault(screen_id, []).append(command)
    out = []
    for r in rows:
        screen_id = r.id[len(PREFIX) :] if r.id.startswith(PREFIX) else r.id
        out.append(
            ScreenRow(
                screen_id, r.seen_at, dict(r.details or {}), tuple(pending.get(screen_id, ()))
            )
        )
    return out


def forget_screen(engine: Engine, screen_id: str, who: Actor | str | None = None) -> bool:
    """Remove a screen that is gone for good from the list (it reappears if it beats again)."""
    hb = Heartbeat.__table__
    with begin_write(engine) as conn:
        done = bool(
            conn.execute(
                delete(Heartbeat).where(hb.c.id == PREFIX + screen_id, hb.c.kind == KIND)
            ).rowcount
        )
        if done:
            audit.record(conn, "screen.forget", screen_id, actor=as_actor(who or "cli"))
        return done
