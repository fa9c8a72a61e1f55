"""Run ownership that survives death: a scheduler instance, its lease, its source locks.

Each scheduler process is an instance (id, host, pid) with a lease in the store that a
keeper thread renews every third of ``lease_seconds``. While a run lives, its source is
locked by a short-lived lock the same thread extends:

* in Redis (when it answers): ``SET key token NX PX`` with an owner token, extended and
  deleted by Lua scripts that compare the token first (redis-py's ``Lock``);
* always in the store as well (``source_lease``), so a scheduler that lost Redis and one
  that still has it can never both run a source: the store is the authority, Redis only
  makes the refusal cheap and shows the owner in ``odsk:lock:source:<id>``.

A process killed with ``kill -9`` stops renewing: its locks expire within ``lease_seconds``
and the housekeeping of any live scheduler closes its runs as ``failed``/``abandoned``.
A dead instance on this host (its pid is gone) is given up at once, so a restarted
scheduler collects again straight away.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import redis
from redis.lock import Lock
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from dashboard import redis_client
from dashboard.store import ownership as store
from dashboard.store.engine import begin_write

log = logging.getLogger(__name__)

LOCK_PREFIX = "odsk:lock:source:"
# Rows of instances dead this long are deleted (their runs are closed long before).
FORGET_AFTER = timedelta(days=1)


def _now() -> datetime:
    return datetime.now(UTC)


def _pid_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return True


@dataclass
class SourceLock:
    """One run's hold on its source: the store lease, and the Redis lock when there is one."""

    source_id: str
    token: str
    redis_lock: Lock | None = None


@dataclass
class Owner:
    """This scheduler process as the owner of its runs."""

    engine: Engine
    redis_url: str | None
    lease_seconds: float = 30.0
    host: str = field(default_factory=socket.gethostname)
    pid: int = field(default_factory=os.getpid)
    id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def __post_init__(self) -> None:
        self._guard = threading.Lock()
        self._in_flight: set[int] = set()
        self._locks: dict[str, SourceLock] = {}
        self._stop = threading.Event()
        self._keeper: threading.Thread | None = None
        self._redis = redis_client.connect(self.redis_url)

    # --- the instance and its lease --------------------------------------------------

    def register(self) -> None:
        with begin_write(self.engine) as conn:
            store.register_instance(conn, self.id, self.host, self.pid, _now(), self.lease_seconds)

    def start_keeper(self) -> None:
        """Renew the lease and every held lock on a thread of its own (never behind jobs)."""
        if self._keeper is not None:
            return
        self._keeper = threading.Thread(target=self._keep, name="lease-keeper", daemon=True)
        self._keeper.start()

    def _keep(self) -> None:
        while not self._stop.wait(self.lease_seconds / 3):
            try:
                self.renew()
            except SQLAlchemyError as exc:  # the store is down: try again at the next tick
                log.warning("could not renew the scheduler's lease: %s", exc)
            except Exception:  # whatever it is, the keeper must keep going
                log.exception("renewing the scheduler's lease failed")

    def renew(self) -> None:
        now = _now()
        # Locks are always taken in one order, the guard before the store (housekeeping,
        # begin): never hold the store's write lock while waiting for the guard.
        with self._guard:
            held = list(self._locks.values())
        with begin_write(self.engine) as conn:
            if not store.renew_instance(conn, self.id, now, self.lease_seconds):
                # Given up as dead (the store was out longer than the lease): come back.
                log.warning("scheduler lease %s had lapsed; registering again", self.id)
                self.id = uuid.uuid4().hex
                store.register_instance(conn, self.id, self.host, self.pid, now, self.lease_seconds)
            for lock in held:
                store.extend_lease(conn, lock.source_id, lock.token, now, self.lease_seconds)
        for lock in held:
            if lock.redis_lock is not None:
                redis_client.safely(None, lock.redis_lock.reacquire)

    def stop(self) -> None:
        self._stop.set()
        try:
            with begin_write(self.engine) as conn:
                store.stop_instance(conn, self.id, _now())
        except SQLAlchemyError as exc:  # stopping with the store down: the lease simply runs out
            log.warning("could not mark the scheduler stopped: %s", exc)

    # --- runs in flight (ingest.RunOwner) ----------------------------------------------

    def begin(self, start: Callable[[], int]) -> int:
        with self._guard:  # housekeeping never sees the run in the store but not in flight
            run_id = start()
            self._in_flight.add(run_id)
            return run_id

    def end(self, run_id: int) -> None:
        with self._guard:
            self._in_flight.discard(run_id)

    # --- source locks --------------------------------------------------------------------

    def lock(self, source_id: str) -> SourceLock | None:
        """Hold the source for one run, or None when another scheduler runs it."""
        token = f"{self.id}:{uuid.uuid4().hex[:12]}"
        held = SourceLock(source_id, token)
        if self._redis is not None:
            redis_lock = self._redis.lock(
                LOCK_PREFIX + source_id,
                timeout=self.lease_seconds,
                blocking=False,
                thread_local=False,  # the keeper thread extends what a job thread took
            )
            got = redis_client.safely(None, redis_lock.acquire, token=token)
            if got is False:
                return None
            if got:
                held.redis_lock = redis_lock
        try:
            with begin_write(self.engine) as conn:
                won = store.acquire_lease(
                    conn, source_id, self.id, token, _now(), self.lease_seconds
                )
        except SQLAlchemyError:  # the store is down: give the Redis lock back at once
            self._release_redis(held)
            raise
        if not won:
            self._release_redis(held)
            return None
        with self._guard:
            self._locks[token] = held
        return held

    def unlock(self, held: SourceLock) -> None:
        with self._guard:
            self._locks.pop(held.token, None)
        try:
            with begin_write(self.engine) as conn:
                store.release_lease(conn, held.source_id, held.token)
        except SQLAlchemyError as exc:  # the lease expires by itself
            log.warning("could not release the lease of %s: %s", held.source_id, exc)
        self._release_redis(held)

    def _release_redis(self, held: SourceLock) -> None:
        if held.redis_lock is not None:
            try:
                held.redis_lock.release()
            except (redis.RedisError, OSError) as exc:  # expired or Redis gone: it lapses
                log.info("redis lock of %s not released: %s", held.source_id, exc)

    # --- housekeeping ----------------------------------------------------------------------

    def housekeeping(self) -> list[store.Abandoned]:
        """Close runs nobody will finish; free what dead instances held. Any live scheduler."""
        now = _now()
        with self._guard:
            in_flight = set(self._in_flight)
            with begin_write(self.engine) as conn:
                gone = [
                    i.id
                    for i in store.live_instances(conn, now)
                    if i.host == self.host and i.id != self.id and not _pid_exists(i.pid)
                ]
                store.expire_instances(conn, gone, now)
                lost = [r for r in store.running_owned_by(conn, self.id) if r not in in_flight]
                closed = store.close_abandoned(conn, now, also_ids=lost)
                dead = sorted({i.id for i in store.instances(conn) if not i.alive(now)} - {self.id})
                store.release_leases_of(conn, dead)
                store.forget_instances(conn, now - FORGET_AFTER)
        self._free_redis_locks({a.source_id for a in closed if a.owner_id != self.id}, set(dead))
        for a in closed:
            log.warning(
                "run %s of %s closed as abandoned (owner %s)", a.run_id, a.source_id, a.owner_id
            )
        return closed

    def _free_redis_locks(self, source_ids: set[str], dead: set[str]) -> None:
        """Delete Redis locks a dead instance held (compare first: only if still its token)."""
        if self._redis is None or not source_ids:
            return
        for source_id in source_ids:
            key = LOCK_PREFIX + source_id
            value = redis_client.safely(None, self._redis.get, key)
            if value and str(value).split(":", 1)[0] in dead:
                redis_client.safely(None, _compare_and_delete, self._redis, key, value)


def _compare_and_delete(client: redis.Redis, key: str, token: str) -> int:
    return int(
        client.eval(
            "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) "
            "else return 0 end",
            1,
            key,
            token,
        )
    )
