"""A Redis connection that fails soft and fast: Redis down must never take the dashboard down.

Killed, Redis refuses connections at once. Hung (SIGSTOP, a full network buffer), it accepts
and never answers: every call would wait for its timeout, and redis-py would retry. So:
- connect and socket timeouts of half a second, no retries, a health check on idle
  connections;
- a circuit breaker per client (``Breaker``): after a timeout or connection error Redis is
  taken as absent for ``OPEN_SECONDS``: every call fails at once (``CircuitOpen``) and the
  callers fall back to the store. Then one call tries again; success closes the circuit.
A hung Redis costs one call half a second, then nothing, instead of seconds per request.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

log = logging.getLogger(__name__)
T = TypeVar("T")

TIMEOUT_SECONDS = 0.5
HEALTH_CHECK_SECONDS = 30
OPEN_SECONDS = 5.0


class CircuitOpen(redis.ConnectionError):
    """Redis failed a moment ago; not asked again until the circuit half-opens."""


class Breaker:
    """Opens on a connection or timeout error, for ``open_seconds``; monotonic time."""

    def __init__(self, open_seconds: float = OPEN_SECONDS):
        self.open_seconds = open_seconds
        self._open_until = 0.0
        self._lock = threading.Lock()

    @property
    def is_open(self) -> bool:
        return time.monotonic() < self._open_until

    def call(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        if self.is_open:
            raise CircuitOpen(f"Redis failed within the last {self.open_seconds:g} s")
        try:
            result = func(*args, **kwargs)
        except (redis.ConnectionError, redis.TimeoutError, OSError):
            with self._lock:
                self._open_until = time.monotonic() + self.open_seconds
            raise
        if self._open_until:
            with self._lock:
                self._open_until = 0.0
        return result


class SoftRedis(redis.Redis):
    """``redis.Redis`` whose commands and pipelines go through one ``Breaker``."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.breaker = Breaker()

    def execute_command(self, *args: Any, **options: Any) -> Any:
        return self.breaker.call(super().execute_command, *args, **options)

    def pipeline(self, transaction: bool = True, shard_hint: Any = None) -> Any:
        pipe = super().pipeline(transaction, shard_hint)
        execute, breaker = pipe.execute, self.breaker
        pipe.execute = lambda raise_on_error=True: breaker.call(execute, raise_on_error)  # type: ignore[method-assign]
        return pipe


def connect(url: str | None) -> SoftRedis | None:
    if not url:
        return None
    client = SoftRedis.from_url(
        url,
        socket_timeout=TIMEOUT_SECONDS,
        socket_connect_timeout=TIMEOUT_SECONDS,
        health_check_interval=HEALTH_CHECK_SECONDS,
        retry=Retry(NoBackoff(), 0),  # a retry doubles the wait on a hung Redis; we fall back
        decode_responses=True,
    )
    assert isinstance(client, SoftRedis)  # from_url builds cls
    return client


def safely(default: T, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a Redis call; on any Redis error log it and return ``default``."""
    try:
        return func(*args, **kwargs)
    except CircuitOpen:
        return default  # told once, when the circuit opened
    except (redis.RedisError, OSError) as exc:
        log.warning("redis unavailable, falling back: %s", exc)
        return default
