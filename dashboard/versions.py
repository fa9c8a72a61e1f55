"""Data versions: the change signal the wall polls.

Counters live in the store (bumped inside the ingest transaction, so they never run
ahead of the data) and are mirrored to Redis after commit for a cheaper check.
Scopes: ``all`` and ``domain:<id>``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Connection, Engine, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from dashboard import redis_client
from dashboard.store.schema import DataVersion, utcnow

REDIS_KEY = "odsk:data-version"
CHANNEL = "odsk:data-changed"
# A mirror missed while Redis was away heals itself within this time.
MIRROR_TTL_SECONDS = 30


def bump(conn: Connection, scopes: Iterable[str]) -> None:
    """Increment each scope's counter (and ``all``) in the caller's transaction."""
    now = utcnow()
    for scope in sorted({"all", *scopes}):
        insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
        stmt = insert(DataVersion).values(scope=scope, version=1, updated_at=now)
        stmt = stmt.on_conflict_do_update(
            index_elements=["scope"],
            set_={"version": DataVersion.version + 1, "updated_at": now},
        )
        conn.execute(stmt)


def read_from_store(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {s: int(v) for s, v in conn.execute(select(DataVersion.scope, DataVersion.version))}


class ChangeSignal:
    """Read the current versions: Redis first when configured, the store otherwise."""

    def __init__(self, engine: Engine, redis_url: str | None = None):
        self.engine = engine
        self.redis = redis_client.connect(redis_url)

    def current(self) -> dict[str, int]:
        if self.redis is not None:
            cached = redis_client.safely(None, self.redis.hgetall, REDIS_KEY)
            if cached:
                return {str(k): int(v) for k, v in cached.items()}  # decode_responses: str already
        versions = read_from_store(self.engine)
        if self.redis is not None and versions:

            def refill():
                pipe = self.redis.pipeline()
                pipe.hset(REDIS_KEY, mapping=versions)
                pipe.expire(REDIS_KEY, MIRROR_TTL_SECONDS)
                pipe.execute()

            redis_client.safely(None, refill)
        return versions

    def publish(self) -> dict[str, int]:
        """After a commit: copy the store's counters to Redis and notify listeners."""
        versions = read_from_store(self.engine)
        if self.redis is not None and versions:

            def push():
                pipe = self.redis.pipeline()
                pipe.hset(REDIS_KEY, mapping=versions)
                pipe.expire(REDIS_KEY, MIRROR_TTL_SECONDS)
                pipe.publish(CHANNEL, versions.get("all", 0))
                pipe.execute()

            redis_client.safely(None, push)
        return versions


def stamp(engine: Engine) -> tuple[int, datetime | None]:
    """The ``all`` counter and when it last moved: one primary-key read, the validator the
    open-data API answers conditional requests from (a 304 reads nothing else)."""
    with engine.connect() as conn:
        row = conn.execute(
            select(DataVersion.version, DataVersion.updated_at).where(DataVersion.scope == "all")
        ).first()
    return (int(row.version), row.updated_at) if row is not None else (0, None)
