"""Faults the simulator injects so the demo shows its error paths: bad rows, outages, slow
answers, and now and then a proxy's HTML maintenance page where data was expected.

Every decision is a hash of (seed, feed path, request number): the same seed
and the same order of requests give the same faults, with no shared random state.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace

from dashboard.catalogue.models import Indicator
from dashboard.simulator.shapes import Cell, value_label

# What a careless spreadsheet puts where a number belongs.
NOT_NUMBERS = ("#REF!", "#DIV/0!", "belum diisi", "?")
# Names of no region of North Sulawesi, in each region system.
UNKNOWN_REGION = {"kemendagri": "71.99", "bps": "7199", "name": "Kab. Minahasa Barat"}
BAD_ROW_KINDS = ("not_a_number", "unknown_region", "out_of_range")


@dataclass(frozen=True)
class FaultPlan:
    """How often each fault happens, per request to a feed."""

    bad_row_rate: float = 0.15
    outage_rate: float = 0.02
    slow_rate: float = 0.04
    # A proxy in front of the SKPD answers with its own HTML page (status 200).
    proxy_rate: float = 0.01
    # The first requests of a feed are clean, so a fresh demo fills its wall at once.
    clean_requests: int = 3
    # An outage lasts long enough to outlast the collector's retries.
    outage_seconds: tuple[float, float] = (60.0, 180.0)
    # Some slow answers exceed the sources' 10 s timeout, some do not.
    slow_seconds: tuple[float, float] = (2.0, 14.0)


@dataclass(frozen=True)
class Decision:
    outage_seconds: float = 0.0
    delay_seconds: float = 0.0
    bad_row: str | None = None
    proxy_page: bool = False


def plan_from(faults: bool | FaultPlan | None) -> FaultPlan | None:
    if isinstance(faults, FaultPlan):
        return faults
    return FaultPlan() if faults else None


def _u(seed: int, *parts: object) -> float:
    text = "|".join(str(x) for x in (seed, *parts)).encode()
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big") / 2**64


def _between(bounds: tuple[float, float], u: float) -> float:
    return bounds[0] + (bounds[1] - bounds[0]) * u


def decide(plan: FaultPlan | None, seed: int, path: str, request_number: int) -> Decision:
    """The faults of one request (none when faults are off)."""
    if plan is None or request_number <= plan.clean_requests:
        return Decision()
    key = (path, request_number)
    if _u(seed, *key, "outage") < plan.outage_rate:
        return Decision(
            outage_seconds=_between(plan.outage_seconds, _u(seed, *key, "outage-length"))
        )
    if _u(seed, *key, "proxy") < plan.proxy_rate:
        return Decision(proxy_page=True)
    delay = 0.0
    if _u(seed, *key, "slow") < plan.slow_rate:
        delay = _between(plan.slow_seconds, _u(seed, *key, "delay"))
    bad = None
    if _u(seed, *key, "bad") < plan.bad_row_rate:
        bad = BAD_ROW_KINDS[int(_u(seed, *key, "bad-kind") * len(BAD_ROW_KINDS))]
    return Decision(delay_seconds=delay, bad_row=bad)


def spoil(
    cells: list[Cell],
    kind: str,
    indicators: dict[str, Indicator],
    region_system: str,
    locale: str,
    seed: int,
    salt: object,
) -> list[Cell]:
    """The cells with one bad row of the given kind, in the latest period served."""
    if not cells:
        return cells
    latest = [i for i, c in enumerate(cells) if c.period == cells[-1].period]
    index = latest[int(_u(seed, salt, "row") * len(latest))]
    victim = cells[index]
    out = list(cells)
    if kind == "unknown_region":
        out.append(replace(victim, region=UNKNOWN_REGION[region_system]))
        return out
    indicator = indicators[victim.indicator]
    bad_value = _out_of_range(indicator) if kind == "out_of_range" else None
    if bad_value is None:  # not_a_number, or no range to break
        value = NOT_NUMBERS[int(_u(seed, salt, "text") * len(NOT_NUMBERS))]
    else:
        value = value_label(bad_value, indicator.decimals, locale)
    out[index] = replace(victim, value=value)
    return out


def _out_of_range(indicator: Indicator) -> float | None:
    low, high = indicator.valid_range.min, indicator.valid_range.max
    if high is not None:
        return high * 10 if high > 0 else high + 100
    if low is not None:
        return low - 10
    return None
