"""Run a Python module or script with the clock moved to a given instant (for the tests).

    python tests/clock_launch.py 2026-11-18T10:00:00+08:00 -m gunicorn ...
    python tests/clock_launch.py 2026-11-18T10:00:00+08:00 path/to/script.py ...
    python tests/clock_launch.py 2026-11-18T10:00:00+08:00@1796400000.25 ...  (with the real
        time at which it was that instant: the clock starts as if it had run on since)

The process (and processes it forks, such as gunicorn's workers) sees that instant and time
runs on from it, as in the test that started it (tests/clock_kit.py).
"""

from __future__ import annotations

import runpy
import sys
import time
from datetime import datetime, timedelta

import time_machine


def main() -> None:
    if len(sys.argv) < 3:
        sys.exit("usage: clock_launch.py INSTANT (-m MODULE | SCRIPT) [ARGS...]")
    when, _, real = sys.argv[1].partition("@")
    instant = datetime.fromisoformat(when)
    if real:  # the real time at which the instant was the test's: add what passed since
        instant += timedelta(seconds=max(0.0, time.time() - float(real)))
    rest = sys.argv[2:]
    time_machine.travel(instant, tick=True).start()
    if rest[0] == "-m":
        sys.argv = [rest[1], *rest[2:]]
        runpy.run_module(rest[1], run_name="__main__", alter_sys=True)
    else:
        sys.argv = rest
        runpy.run_path(rest[0], run_name="__main__")


if __name__ == "__main__":
    main()
