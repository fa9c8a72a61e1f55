"""Waiting for a condition, never for a fixed time.

Deadlines run on ``time.monotonic``: the tests' travelling clock (clock_kit) moves
``time.time`` and ``datetime.now``, never the monotonic clock, so a test that shifts its
time forward does not cut its own waits short.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import pytest

T = TypeVar("T")
POLL_SECONDS = 0.1


def wait_until(
    condition: Callable[[], T], *, timeout: float, message: str, interval: float = POLL_SECONDS
) -> T:
    """Call ``condition`` until it returns something truthy and return that; fail after ``timeout``.

    An exception raised by ``condition`` counts as "not yet" (a page still redrawing, a server
    still starting); the last one is quoted when time runs out.
    """
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while True:
        try:
            value = condition()
        except Exception as exc:
            value, last_error = None, exc
        if value:
            return value
        if time.monotonic() >= deadline:
            detail = f" (last error: {last_error!r})" if last_error else ""
            pytest.fail(f"{message} within {timeout:g} s{detail}", pytrace=False)
        time.sleep(interval)


def holds_throughout(condition: Callable[[], object], *, checks: int, message: str) -> None:
    """``condition`` stays truthy over ``checks`` polls (for "nothing happens" assertions that
    wait on a count of events the page reports, not on a number of seconds)."""
    for _ in range(checks):
        if not condition():
            pytest.fail(message, pytrace=False)
        time.sleep(POLL_SECONDS)
