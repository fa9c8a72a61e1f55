"""Plan curves of cumulative indicators (budget realisation): how much of the year-end
target is planned by the end of each month.

Spending in Indonesian regional budgets is back-loaded, so a straight line (June = half)
marks a budget that follows its own cash plan (anggaran kas) as behind for most of the
year. ``config/plans.yaml`` gives, per indicator, twelve cumulative shares (Jan … Dec,
the last 1.0), optionally per year; without one the straight line of
``dashboard.status.year_fraction`` applies, as on the wall.

    plans:
      GOV.REALISASI-APBD:
        basis: {id: Anggaran kas APBD, en: APBD cash plan}
        monthly: [0.04, 0.09, …, 1.0]
        years: {2026: [ … ]}
"""

from __future__ import annotations

import calendar
from datetime import date
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from dashboard.catalogue.models import Indicator, Text
from dashboard.status import year_fraction

PLANS_FILE = "plans.yaml"

Curve = tuple[float, ...]


class PlanError(ValueError):
    """The plans file is unreadable or wrong; the message names the entry."""


def _check_curve(values: Curve) -> Curve:
    if len(values) != 12:
        raise ValueError("needs 12 monthly shares (January … December)")
    if any(not 0 <= v <= 1 for v in values):
        raise ValueError("shares are fractions between 0 and 1")
    if any(b < a for a, b in zip(values, values[1:])):
        raise ValueError("a cumulative plan never goes down")
    if values[-1] != 1.0:
        raise ValueError("December's share must be 1.0 (the year-end target)")
    return values


class Plan(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    basis: Text | None = None
    monthly: Curve
    years: dict[int, Curve] = Field(default_factory=dict)

    @field_validator("monthly")
    @classmethod
    def _monthly(cls, v: Curve) -> Curve:
        return _check_curve(v)

    @field_validator("years")
    @classmethod
    def _years(cls, v: dict[int, Curve]) -> dict[int, Curve]:
        for year, curve in v.items():
            try:
                _check_curve(curve)
            except ValueError as exc:
                raise ValueError(f"{year}: {exc}") from None
        return v

    def curve(self, year: int) -> Curve:
        return self.years.get(year, self.monthly)


class Plans(BaseModel):
    """Plan curves by indicator code."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    plans: dict[str, Plan] = Field(default_factory=dict)

    def get(self, code: str) -> Plan | None:
        return self.plans.get(code)


def load_plans(config_dir: Path | str, indicator_codes: set[str] | None = None) -> Plans:
    """The plans of ``config_dir/plans.yaml``; none when the file is absent."""
    path = Path(config_dir) / PLANS_FILE
    if not path.exists():
        return Plans()
    try:
        plans = Plans.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    except (yaml.YAMLError, ValidationError) as exc:
        raise PlanError(f"{path.name}: {exc}") from exc
    unknown = sorted(set(plans.plans) - indicator_codes) if indicator_codes is not None else []
    if unknown:
        raise PlanError(f"{path.name}: unknown indicators {', '.join(unknown)}")
    return plans


def plan_share(plan: Plan | None, period_start: date, grain: str) -> float:
    """The share of the year-end target planned by the end of the period.

    A day is interpolated within its month; a quarter takes its last month.
    """
    if plan is None:
        return year_fraction(period_start, grain)
    curve = plan.curve(period_start.year)
    if grain == "year":
        return 1.0
    if grain == "month":
        return curve[period_start.month - 1]
    if grain == "quarter":
        return curve[((period_start.month - 1) // 3) * 3 + 2]
    if grain == "day":
        before = curve[period_start.month - 2] if period_start.month > 1 else 0.0
        days = calendar.monthrange(period_start.year, period_start.month)[1]
        return before + (curve[period_start.month - 1] - before) * period_start.day / days
    raise ValueError(f"unknown grain {grain!r}")


def planned_target(indicator: Indicator, plans: Plans, period_start: date,
                   grain: str) -> tuple[float | None, float | None]:
    """(year-end target, what the period is held to): equal unless the indicator is cumulative."""
    target = indicator.target_for(period_start.year)
    if target is None or not indicator.cumulative:
        return target, target
    return target, target * plan_share(plans.get(indicator.code), period_start, grain)
