"""The audit trail's rows (migration 0006): who did what, written in the caller's
transaction. The store writes its rows with an explicit ``Actor``;
``dashboard.access.audit`` adds the request's principal as the default actor for the web app.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, insert, select

from dashboard.store.access_tables import AuditEntry
from dashboard.store.engine import begin_write
from dashboard.store.schema import utcnow

MAX_JSON = 4000


@dataclass(frozen=True)
class Actor:
    """Who did it, as stored: a principal, or the command line / a background job."""

    kind: str
    name: str
    role: str
    address: str | None = None

    @classmethod
    def cli(cls, name: str = "cli") -> Actor:
        return cls("cli", name[:100], "admin")


def as_actor(who: Actor | str) -> Actor:
    """An actor; a plain name (the command line, a test) stands for a CLI actor."""
    return who if isinstance(who, Actor) else Actor.cli(who or "")


def _small(value: dict | None) -> dict | None:
    if value is None:
        return None
    text = json.dumps(value, default=str, ensure_ascii=False)
    return value if len(text) <= MAX_JSON else {"truncated": text[:MAX_JSON]}


def record(
    conn: Connection,
    action: str,
    subject: str = "",
    *,
    before: dict | None = None,
    after: dict | None = None,
    detail: str | None = None,
    outcome: str = "ok",
    actor: Actor,
    now: datetime | None = None,
) -> None:
    conn.execute(
        insert(AuditEntry).values(
            at=now or utcnow(),
            actor_kind=actor.kind,
            actor=actor.name,
            role=actor.role,
            action=action[:64],
            subject=str(subject)[:300],
            outcome=outcome,
            before=_small(before),
            after=_small(after),
            detail=(detail or None) and detail[:2000],
            address=(actor.address or None) and actor.address[:64],
        )
    )


def record_alone(engine: Engine, action: str, subject: str = "", **kwargs) -> None:
    """An audit row of its own (a denial, a download): nothing else changes with it."""
    with begin_write(engine) as conn:
        record(conn, action, subject, **kwargs)


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    actor_kind: str
    actor: str
    role: str
    action: str
    subject: str
    outcome: str
    before: dict | None
    after: dict | None
    detail: str | None
    address: str | None


def search(
    conn: Connection,
    *,
    actor: str | None = None,
    action: str | None = None,
    outcome: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 500,
) -> list[AuditRow]:
    """Newest first; ``actor`` and ``action`` match a prefix (``alert.`` = every alert action)."""
    t = AuditEntry.__table__
    statement = select(t).order_by(t.c.at.desc(), t.c.id.desc()).limit(limit)
    if actor:
        statement = statement.where(t.c.actor.startswith(actor, autoescape=True))
    if action:
        statement = statement.where(t.c.action.startswith(action, autoescape=True))
    if outcome:
        statement = statement.where(t.c.outcome == outcome)
    if since is not None:
        statement = statement.where(t.c.at >= since)
    if until is not None:
        statement = statement.where(t.c.at < until)
    return [
        AuditRow(
            r.id,
            r.at,
            r.actor_kind,
            r.actor,
            r.role,
            r.action,
            r.subject,
            r.outcome,
            r.before,
            r.after,
            r.detail,
            r.address,
        )
        for r in conn.execute(statement)
    ]
