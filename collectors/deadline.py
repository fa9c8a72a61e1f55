"""A run's total deadline (connect + read + parse + store), seen by the code doing the work.

The run sets it (``within``); HTTP fetching caps every timeout at what is left and checks
between chunks, so a source that drips its body a few bytes at a time stops at the
deadline instead of passing every per-read timeout. A context variable carries it, so
each run (each thread) has its own.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from collectors.base import CollectorError

_DEADLINE: ContextVar[tuple[float, float] | None] = ContextVar("odsk_run_deadline", default=None)


class DeadlineExceeded(CollectorError):
    error_class = "deadline"


def exceeded(total: float) -> DeadlineExceeded:
    return DeadlineExceeded(
        f"deadline exceeded: the run took longer than its source's {total:g} s "
        f"(connect + read + parse + store)",
        f"batas waktu terlampaui: proses melebihi {total:g} dtk milik sumbernya "
        f"(sambung + baca + urai + simpan)",
    )


@contextmanager
def within(seconds: float, *, at: float | None = None) -> Iterator[None]:
    """Work inside this block has ``seconds`` in total (from ``at``, a monotonic time)."""
    token = _DEADLINE.set(((at if at is not None else time.monotonic()) + seconds, seconds))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def remaining(default: float) -> float:
    """Seconds left (at most ``default``); raises once none are left."""
    current = _DEADLINE.get()
    if current is None:
        return default
    end, total = current
    left = end - time.monotonic()
    if left <= 0:
        raise exceeded(total)
    return min(default, left)


def check() -> None:
    remaining(float("inf"))
