"""Silences: an operator quiets one rule — for one subject, or every subject of it — for
a while, with a reason (an SKPD's announced maintenance, a fault already being fixed).

A silenced alert still fires, updates and resolves and stays in the history; it only
notifies no one and does not take over the wall. A silence is never deleted: it
expires, or is lifted early by a named operator, and both its start and its lifting
go into the shift log so the next shift knows what is quiet and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, insert, select, update

from dashboard.access import audit
from dashboard.access.audit import Actor, as_actor
from dashboard.alerts.tables import AlertSilence, ShiftNote
from dashboard.store import limits
from dashboard.store.engine import begin_write
from dashboard.store.schema import utcnow

MAX_HOURS = 7 * 24  # a longer quiet is a configuration change, not a silence
MAX_REASON = limits.SILENCE_REASON


@dataclass(frozen=True)
class Silence:
    id: int
    rule_id: str
    subject: str | None
    reason: str
    created_by: str
    starts_at: datetime
    ends_at: datetime

    def covers(self, rule_id: str, subject: str) -> bool:
        return self.rule_id == rule_id and (self.subject is None or self.subject == subject)


def _scope(rule_id: str, subject: str | None) -> str:
    return f"{rule_id} · {subject}" if subject else rule_id


def add_silence(
    engine: Engine,
    rule_id: str,
    subject: str | None,
    hours: float,
    reason: str,
    who: Actor | str,
    now: datetime | None = None,
) -> int:
    """Silence ``rule_id`` (for ``subject``, or all its subjects when None) from now for ``hours``."""
    actor = as_actor(who)
    rule_id, who = (rule_id or "").strip(), actor.name.strip()
    reason = limits.checked_text(reason, MAX_REASON, "silence_reason")
    subject = (subject or "").strip() or None
    if not rule_id:
        raise ValueError("a silence names the rule it quiets")
    if not who or not reason:
        raise ValueError("a silence needs the operator's name and a reason")
    if not 0 < hours <= MAX_HOURS:
        raise ValueError(f"a silence lasts more than 0 and at most {MAX_HOURS} hours")
    now = now or utcnow()
    ends = now + timedelta(hours=hours)
    table = AlertSilence.__table__
    with begin_write(engine) as conn:
        silence_id = conn.execute(
            insert(AlertSilence)
            .values(
                rule_id=rule_id[:100],
                subject=subject[:200] if subject else None,
                reason=reason,
                created_by=who[:100],
                created_at=now,
                starts_at=now,
                ends_at=ends,
            )
            .returning(table.c.id)
        ).scalar_one()
        conn.execute(
            insert(ShiftNote).values(
                kind="silence",
                author=who[:100],
                created_at=now,
                text=f"#{silence_id} {_scope(rule_id, subject)} — {reason}"[:4000],
            )
        )
        audit.record(
            conn,
            "silence.add",
            f"silence #{silence_id}",
            after={"rule": rule_id, "subject": subject, "hours": hours, "reason": reason},
            actor=actor,
            now=now,
        )
    return silence_id


def lift_silence(
    engine: Engine, silence_id: int, who: Actor | str, now: datetime | None = None
) -> bool:
    """End an active silence now; False when it is unknown, expired or lifted already."""
    actor = as_actor(who)
    who = actor.name.strip()
    if not who:
        raise ValueError("who lifts a silence must be named")
    now = now or utcnow()
    table = AlertSilence.__table__
    with begin_write(engine) as conn:
        done = conn.execute(
            update(AlertSilence)
            .where(
                table.c.id == silence_id,
                table.c.lifted_at.is_(None),
                table.c.ends_at > now,
            )
            .values(lifted_at=now, lifted_by=who[:100])
        ).rowcount
        if done:
            row = conn.execute(
                select(table.c.rule_id, table.c.subject).where(table.c.id == silence_id)
            ).one()
            conn.execute(
                insert(ShiftNote).values(
                    kind="unsilence",
                    author=who[:100],
                    created_at=now,
                    text=f"#{silence_id} {_scope(row.rule_id, row.subject)}",
                )
            )
            audit.record(
                conn,
                "silence.lift",
                f"silence #{silence_id}",
                before={"rule": row.rule_id, "subject": row.subject, "active": True},
                after={"active": False},
                actor=actor,
                now=now,
            )
    return bool(done)


def active_silences(conn: Connection, now: datetime | None = None) -> list[Silence]:
    """Silences in force at ``now``, the soonest to end first."""
    now = now or utcnow()
    t = AlertSilence.__table__
    rows = conn.execute(
        select(t)
        .where(t.c.starts_at <= now, t.c.ends_at > now, t.c.lifted_at.is_(None))
        .order_by(t.c.ends_at, t.c.id)
    )
    return [
        Silence(r.id, r.rule_id, r.subject, r.reason, r.created_by, r.starts_at, r.ends_at)
        for r in rows
    ]


def silence_for(silences: list[Silence], rule_id: str, subject: str) -> Silence | None:
    """The silence covering an alert's (rule, subject), if any (the one ending last)."""
    covering = [s for s in silences if s.covers(rule_id, subject)]
    return max(covering, key=lambda s: s.ends_at) if covering else None
