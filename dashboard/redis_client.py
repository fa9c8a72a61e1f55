"""A Redis connection that fails soft: Redis down must never take the dashboard down."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

import redis

log = logging.getLogger(__name__)
T = TypeVar("T")


def connect(url: str | None) -> redis.Redis | None:
    if not url:
        return None
    # Short timeouts: a dead Redis should cost milliseconds, then we use the store.
    return redis.Redis.from_url(
        url,
        socket_timeout=0.5,
        socket_connect_timeout=0.5,
        health_check_interval=30,
        decode_responses=True,
    )


def safely(default: T, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a Redis call; on any Redis error log it and return ``default``."""
    try:
        return func(*args, **kwargs)
    except (redis.RedisError, OSError) as exc:
        log.warning("redis unavailable, falling back: %s", exc)
        return default
