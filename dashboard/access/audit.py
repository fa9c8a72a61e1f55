"""The audit trail for the web app: ``record(conn, action, subject, …)`` in the caller's
transaction, the actor defaulting to the request's principal (``trail.py`` holds the rows
and what the store, which knows no requests, writes with an explicit actor).
"""

from __future__ import annotations

from typing import Any

import flask
from sqlalchemy import Connection, Engine

from dashboard.access.principal import Principal, current_principal
from dashboard.store import audit as trail
from dashboard.store.audit import Actor, AuditRow, as_actor, search

__all__ = [
    "Actor",
    "AuditRow",
    "actor_of",
    "as_actor",
    "current_actor",
    "record",
    "record_alone",
    "search",
]


def actor_of(principal: Principal) -> Actor:
    return Actor(principal.kind, principal.label[:100], principal.role, principal.address)


def current_actor() -> Actor:
    """The request's principal; outside a request (a job, a script), the system."""
    if not flask.has_request_context():
        return Actor("system", "system", "system")
    return actor_of(current_principal())


def record(
    conn: Connection,
    action: str,
    subject: str = "",
    *,
    actor: Actor | None = None,
    **fields: Any,
) -> None:
    """One audit row in ``conn``'s transaction (``before``, ``after``, ``detail``, ``outcome``,
    ``now`` as in ``store.audit.record``); ``actor`` defaults to the request's principal."""
    trail.record(conn, action, subject, actor=actor or current_actor(), **fields)


def record_alone(engine: Engine, action: str, subject: str = "", **kwargs) -> None:
    """An audit row of its own (a denial, a download): nothing else changes with it."""
    kwargs["actor"] = kwargs.get("actor") or current_actor()
    trail.record_alone(engine, action, subject, **kwargs)
