"""Heartbeats of processes (the scheduler) and, later, wall screens."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, insert, update

from dashboard.store.engine import begin_write
from dashboard.store.schema import Heartbeat, utcnow


def beat(
    engine: Engine,
    identity: str,
    kind: str,
    details: Callable[[], dict[str, Any]] | dict[str, Any] | None = None,
) -> None:
    info = details() if callable(details) else (details or {})
    with begin_write(engine) as conn:
        table = Heartbeat.__table__
        updated = conn.execute(
            update(Heartbeat).where(table.c.id == identity).values(seen_at=utcnow(), details=info)
        )
        if not updated.rowcount:
            conn.execute(
                insert(Heartbeat).values(id=identity, kind=kind, seen_at=utcnow(), details=info)
            )
