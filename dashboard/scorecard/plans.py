"""Plan curves of cumulative indicators (budget realisation): how much of the year-end
target is planned by the end of each month.

Spending in Indonesian regional budgets is back-loaded, so a straight line (June = half)
marks a budget that follows its own cash plan (anggaran kas) as behind for most of the
year. ``config/plans.yaml`` gives, per indicator, twelve cumulative shares (Jan … Dec,
the last 1.0), optionally per year; without one the straight line of
``dashboard.status.year_fraction`` applies. The catalogue loader reads the same file
into each indicator's ``plan``, so the wall, the pages and alerts judge by it too.

    plans:
      GOV.REALISASI-APBD:
        basis: {id: Anggaran kas APBD, en: APBD cash plan}
        monthly: [0.04, 0.09, …, 1.0]
        years: {2026: [ … ]}
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml
from pydantic import ValidationError

from dashboard.catalogue.loader import PLANS_FILE
from dashboard.catalogue.models import Indicator, Plan, Plans  # noqa: F401 - Plan is part of this API
from dashboard.status import plan_share, target_for_period  # noqa: F401 - plan_share likewise


class PlanError(ValueError):
    """The plans file is unreadable or wrong; the message names the entry."""


def load_plans(config_dir: Path | str, indicator_codes: set[str] | None = None) -> Plans:
    """The plans of ``config_dir/plans.yaml`` on their own; none when the file is absent.

    The app takes them from its catalogue (``catalogue.plans``: the loader already read
    and checked the file); this reads a plans file without a catalogue."""
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


def planned_target(
    indicator: Indicator, plans: Plans, period_start: date, grain: str
) -> tuple[float | None, float | None]:
    """(year-end target, what the period is held to): equal unless the indicator is cumulative."""
    return (
        indicator.target_for(period_start.year),
        target_for_period(indicator, period_start, grain, plans.get(indicator.code)),
    )
