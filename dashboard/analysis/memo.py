"""A small memo of prepared analysis results, keyed on the data version.

One per app (hung on the Flask app by the page that needs it, never a module global);
each gunicorn worker has its own, and because every key carries the data version of
the indicator's domain, a worker can never serve a result the data has moved past:
an ingest bumps the version and the next request computes afresh.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar, cast

T = TypeVar("T")


class VersionedMemo:
    def __init__(self, maxsize: int = 256):
        self.maxsize = maxsize
        self._items: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, version: int | None, key: Hashable, compute: Callable[[], T]) -> T:
        """The value for (version, key), computing it once. A version of None is never memoised."""
        if version is None:
            return compute()
        full = (version, key)
        with self._lock:
            if full in self._items:
                self._items.move_to_end(full)
                self.hits += 1
                # A key's value came from the compute the caller passes with that key.
                return cast(T, self._items[full])
        value = compute()  # outside the lock: two threads may both compute; both get a right answer
        with self._lock:
            self.misses += 1
            self._items[full] = value
            self._items.move_to_end(full)
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
