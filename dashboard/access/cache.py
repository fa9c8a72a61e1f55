"""A short-lived, per-worker memory of accounts and device tokens the guard has looked up.

Every request of a signed-in person or an enrolled screen needs its account or device row;
a dashboard polls every few seconds. Rows are kept ``TTL_SECONDS`` (by the wall clock, which
tests move), so a password change, a disabled account or a revoked token takes effect in
every worker within that time — well inside one wall poll. Bounded: it empties when full.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import flask

TTL_SECONDS = 2.0
MAX_ENTRIES = 2000
_KEY = "odsk_access_cache"


class TtlCache:
    def __init__(self, ttl: float = TTL_SECONDS, size: int = MAX_ENTRIES):
        self.ttl, self.size = ttl, size
        self._items: dict[Any, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: Any, load: Callable[[], Any]) -> Any:
        now = time.time()
        found = self._items.get(key)
        if found is not None and 0 <= now - found[0] < self.ttl:
            return found[1]
        value = load()
        with self._lock:
            if len(self._items) >= self.size:
                self._items.clear()
            self._items[key] = (now, value)
        return value


def lookups() -> TtlCache:
    """The cache of the app serving this request."""
    found = flask.current_app.extensions.get(_KEY)
    if found is None:
        found = flask.current_app.extensions.setdefault(_KEY, TtlCache())
    return found
