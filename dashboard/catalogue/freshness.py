"""The one rule for when a source is late, and the one classification of its health.

The limits live in alerts.yaml's ``staleness:`` section; the catalogue loader puts them on
``Catalogue.staleness``, so the wall, the scorecard, /ops, the metrics and the alerts all
judge a source by the same numbers (change ``after_gaps`` and they move together).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Severity = Literal["info", "warning", "critical"]
# ok: on schedule and reliable; unstable: on schedule now, but too many of its runs over the
# uptime window failed; late: no success for too long; failing: its last run failed;
# disabled; unknown: never ran.
Health = Literal["ok", "unstable", "late", "failing", "disabled", "unknown"]
HEALTHS: tuple[Health, ...] = ("ok", "unstable", "late", "failing", "disabled", "unknown")
# Healths that are a problem to look at (ops' "problems only", the wall's attention count).
PROBLEMS: tuple[Health, ...] = ("unstable", "late", "failing", "unknown")
# Uptime is the share of finished runs that succeeded over this many days.
UPTIME_DAYS = 30


class Staleness(BaseModel):
    """A source whose last success (or, never successful, first attempt) is older than
    ``after_gaps`` schedule gaps is late; one whose uptime is below ``min_uptime`` unstable."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True  # the alert; the judgement of the pages holds regardless
    after_gaps: float = Field(default=3, gt=0)
    severity: Severity = "warning"
    critical_after_gaps: float | None = Field(default=None, gt=0)
    min_uptime: float = Field(default=0.9, ge=0, le=1)


def is_late(
    policy: Staleness,
    gap_seconds: float,
    last_success_at: datetime | None,
    first_attempt_at: datetime | None,
    now: datetime,
    after_gaps: float | None = None,
) -> bool:
    """Whether the last success (else the first attempt) is more than ``after_gaps`` gaps old.

    A source that never ran is not late (it is "unknown": the scheduler's to explain)."""
    reference = last_success_at or first_attempt_at
    if reference is None:
        return False
    limit = (after_gaps if after_gaps is not None else policy.after_gaps) * gap_seconds
    return (now - reference).total_seconds() > limit


def uptime_share(counts: tuple[int, int] | None) -> float | None:
    """(finished, succeeded) runs → the share that succeeded; None without finished runs."""
    if not counts or not counts[0]:
        return None
    return counts[1] / counts[0]


def classify(
    policy: Staleness,
    *,
    enabled: bool,
    last_run_succeeded: bool | None,
    last_success_at: datetime | None,
    first_attempt_at: datetime | None,
    gap_seconds: float,
    uptime: float | None,
    now: datetime,
) -> Health:
    """The source's health (``last_run_succeeded``: of its latest finished run; None: none)."""
    if not enabled:
        return "disabled"
    if last_run_succeeded is None:
        return "unknown"
    if not last_run_succeeded:
        return "failing"
    if is_late(policy, gap_seconds, last_success_at, first_attempt_at, now):
        return "late"
    if uptime is not None and uptime < policy.min_uptime:
        return "unstable"
    return "ok"


def stale(
    policy: Staleness,
    gap_seconds: float,
    last_success_at: datetime | None,
    first_attempt_at: datetime | None,
    now: datetime,
) -> bool:
    """Whether an enabled source's figures show as stale: it is late, or never ran at all."""
    never = last_success_at is None and first_attempt_at is None
    return never or is_late(policy, gap_seconds, last_success_at, first_attempt_at, now)
