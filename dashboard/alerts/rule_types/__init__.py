"""The registry of custom alert rule types (alerts.yaml ``rules:``).

A new type is one module here (a ``SeriesRule`` subclass with ``type: Literal["name"]``,
its options, ``points_needed`` and ``check``) and one registration: its class in
``CustomRule`` below. alerts.yaml naming any other type is refused at load, listing these.
"""

from __future__ import annotations

from typing import Annotated, get_args

from pydantic import Field

from dashboard.alerts.rule_types.anomaly import AnomalyRule
from dashboard.alerts.rule_types.base import SeriesRule
from dashboard.alerts.rule_types.comparison import ComparisonRule
from dashboard.alerts.rule_types.rate_of_change import RateOfChangeRule
from dashboard.alerts.rule_types.seasonal import SeasonalRule

CustomRule = Annotated[
    ComparisonRule | RateOfChangeRule | AnomalyRule | SeasonalRule, Field(discriminator="type")
]
RULE_TYPES: tuple[type[SeriesRule], ...] = get_args(get_args(CustomRule)[0])
