"""The operators' shift log: notes during a shift and the handover to the next one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, insert, select

from dashboard.access import audit
from dashboard.access.audit import Actor, as_actor
from dashboard.alerts.tables import ShiftNote
from dashboard.store import limits
from dashboard.store.engine import begin_write
from dashboard.store.schema import utcnow

MAX_TEXT = limits.SHIFT_NOTE


@dataclass(frozen=True)
class ShiftEntry:
    id: int
    kind: str
    author: str
    text: str
    alert_id: int | None
    created_at: datetime


def add_note(
    engine: Engine, author: Actor | str, text: str, kind: str = "note", now: datetime | None = None
) -> int:
    actor = as_actor(author)
    author, text = actor.name.strip(), limits.checked_text(text, MAX_TEXT, "shift_note")
    if not author or not text:
        raise ValueError("a shift note needs an author and a text")
    if kind not in ("note", "handover"):
        raise ValueError(f"unknown shift note kind {kind!r}")
    with begin_write(engine) as conn:
        note_id = conn.execute(
            insert(ShiftNote)
            .values(
                kind=kind,
                author=author[:100],
                text=text,
                created_at=now or utcnow(),
            )
            .returning(ShiftNote.__table__.c.id)
        ).scalar_one()
        audit.record(
            conn, "shiftlog.add", f"note #{note_id}", after={"kind": kind}, actor=actor, now=now
        )
        return note_id


def recent_notes(conn: Connection, limit: int = 50) -> list[ShiftEntry]:
    t = ShiftNote.__table__
    rows = conn.execute(select(t).order_by(t.c.created_at.desc(), t.c.id.desc()).limit(limit))
    return [ShiftEntry(r.id, r.kind, r.author, r.text, r.alert_id, r.created_at) for r in rows]
