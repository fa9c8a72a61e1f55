"""The tests' own clock: every test runs at a stated instant, never at the machine's date.

conftest.py starts ``time_machine.travel(instant, tick=True)`` around every test: the test,
the Dash app it serves in a thread and everything they call see that instant (time then runs
on at the normal rate, so waits and timeouts still work). The instant is ``DEFAULT_INSTANT``
unless the test says otherwise with ``@pytest.mark.clock("2027-01-01T00:30+08:00")``, or is
parametrised over ``EDGE_INSTANTS`` with ``at_edges``. The ``clock`` fixture is the traveller:
``clock.shift(seconds)`` moves the test's time (and its in-thread app's) forward.

Processes a test starts (gunicorn, the scheduler, the simulator) get the same instant through
``frozen_command``: they run under time-machine too, from the test's current time.
``@pytest.mark.real_clock`` opts out, for a test that talks to a process whose clock we cannot
move (an OpenID provider signing tokens with its own time, say) and asserts nothing that depends
on the date.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import time_machine

WITA = timezone(timedelta(hours=8), "WITA")
# Wednesday 18 November 2026, 10:00 WITA: mid-month, past every SKPD's delivery day (3rd-10th),
# on a working day at office hours, far from a year or week boundary.
# The running test's traveller (set by conftest's ``clock`` fixture); None outside a test's clock.
_traveller: time_machine.Coordinates | None = None


def now() -> datetime:
    """The test's own time (UTC): its stated instant plus what has run since. Tests read the
    time only through here, never ``datetime.now``: outside the ``clock`` fixture's travel
    (a ``real_clock`` test, a session fixture) there is no test time, and this says so."""
    if _traveller is None:
        raise RuntimeError("no test clock here: clock_kit.now() is for tests under `clock`")
    return datetime.now(UTC)  # time-machine's travelled clock


def machine_now() -> datetime:
    """The machine's clock, only for what outlives a test session: naming and ageing the test
    databases that crashed sessions leave behind (conftest). Never for what a test asserts."""
    return datetime.now(UTC)


def today() -> date:
    """The test's date where the tests run (what ``date.today()`` would say under travel)."""
    return now().astimezone().date()


DEFAULT_INSTANT = datetime(2026, 11, 18, 10, 0, tzinfo=WITA)
# The ``delivery_day`` of config/skpd.yaml that the edge instants straddle (Dinkes: 10).
DELIVERY_DAY = 10


@dataclass(frozen=True)
class Edge:
    id: str
    instant: datetime  # aware, WITA
    why: str


EDGE_INSTANTS: tuple[Edge, ...] = (
    Edge(
        "first-of-month-0030",
        datetime(2026, 12, 1, 0, 30, tzinfo=WITA),
        "a new month, still 30 Nov in UTC",
    ),
    Edge(
        "day-before-delivery",
        datetime(2026, 12, DELIVERY_DAY - 1, 15, 0, tzinfo=WITA),
        "last month not due yet",
    ),
    Edge(
        "day-after-delivery",
        datetime(2026, 12, DELIVERY_DAY + 1, 9, 0, tzinfo=WITA),
        "last month due",
    ),
    Edge(
        "new-years-eve-2330",
        datetime(2026, 12, 31, 23, 30, tzinfo=WITA),
        "the year's last half hour",
    ),
    Edge(
        "new-year-0030", datetime(2027, 1, 1, 0, 30, tzinfo=WITA), "a new year, still 2026 in UTC"
    ),
    Edge("leap-day", datetime(2028, 2, 29, 12, 0, tzinfo=WITA), "29 February of a leap year"),
    Edge(
        "monday-0659", datetime(2026, 11, 23, 6, 59, tzinfo=WITA), "a minute before the brief job"
    ),
    Edge("monday-0701", datetime(2026, 11, 23, 7, 1, tzinfo=WITA), "a minute after the brief job"),
)


def at_edges(func=None):
    """Parametrise a test over every edge instant; it receives ``edge`` and runs at its instant."""
    mark = pytest.mark.parametrize(
        "edge",
        [pytest.param(e, id=e.id, marks=pytest.mark.clock(e.instant)) for e in EDGE_INSTANTS],
    )
    return mark(func) if func is not None else mark


def instant_of(item) -> datetime:
    """The instant a test item runs at: its ``clock`` marker, else the default."""
    marker = item.get_closest_marker("clock")
    if marker is None:
        return DEFAULT_INSTANT
    value = marker.args[0]
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    if when.tzinfo is None:
        raise ValueError(f"@pytest.mark.clock needs an aware instant, got {value!r}")
    return when


LAUNCHER = Path(__file__).with_name("clock_launch.py")


def frozen_command(argv: list[str], now: datetime | None = None) -> list[str]:
    """``argv`` (a ``python -m …`` or ``python script …`` command) run at the test's time.

    ``argv[0]`` must be a Python interpreter; what follows is passed through unchanged.
    """

    when = now or datetime.now(UTC)  # under the test's travel: the test's own time
    # With the real time of this call, the launcher moves the instant on by however long the
    # process took to start: processes started one after another share one clock (a cookie
    # signed by one web node is not "from the future" for the next).
    hatch = time_machine.escape_hatch
    real = hatch.time.time() if hatch.is_travelling() else time.time()
    return [argv[0], str(LAUNCHER), f"{when.isoformat()}@{real!r}", *argv[1:]]
