"""Run a Python module or script with the clock moved to a given instant (for the tests).

    python tests/clock_launch.py 2026-11-18T10:00:00+08:00 -m gunicorn ...
    python tests/clock_launch.py 2026-11-18T10:00:00+08:00 path/to/script.py ...
    python tests/clock_launch.py 2026-11-18T10:00:00+08:00@1795000000.25 -m ...  (read at
        that real epoch time: the process's clock then starts at the instant plus its start-up)

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
    given, _, real = sys.argv[1].partition("@")
    instant = datetime.fromisoformat(given)
    if real:  # the instant was read at that real time: add the time this start-up took
        instant += timedelta(seconds=max(0.0, time.time() - float(real)))
    rest = sys.argv[2:]
    time_machine.travel(instant, tick=True).start()
    # time-machine starts ticking at the first read of the clock, not at start(): read it
    # now, or the process's time would lag by whatever its start-up does before its first
    # read (imports, waiting for a lock: seconds), and processes would disagree.
    time.time()
    if rest[0] == "-m":
        sys.argv = [rest[1], *rest[2:]]
        runpy.run_module(rest[1], run_name="__main__", alter_sys=True)
    else:
        sys.argv = rest
        runpy.run_path(rest[0], run_name="__main__")


if __name__ == "__main__":
    main()
