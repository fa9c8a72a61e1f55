"""How an indicator's values add up: over regions (to the province) and over time (to a coarser grain).

The catalogue names one rule per indicator (``aggregation``: sum, mean, weighted_mean by
population, none). It is written for regions; over time it reads as:

=================  ============================  ===================================
catalogue rule     kab/kota → province           finer → coarser period
=================  ============================  ===================================
sum                sum of all kab/kota           sum (a flow: arrivals per month)
mean               plain mean of all kab/kota    mean of the periods
weighted_mean      mean weighted by population   mean of the periods (a region's
                                                 population does not change in-year)
none               not derived (the province     mean of the periods
                   reports its own value)
=================  ============================  ===================================

A *cumulative* indicator (budget realisation: year to date) takes the value at the end
of the coarser period instead ("last"), whatever its rule.
"""

from __future__ import annotations

from typing import Literal, cast

from dashboard.catalogue.models import Indicator, TimeRule

SpaceRule = Literal["sum", "mean", "weighted_mean", "none"]


def over_time(indicator: Indicator) -> TimeRule:
    explicit = getattr(indicator.aggregation, "over_time", None)  # an optional catalogue override
    if explicit in ("sum", "mean", "last"):
        return cast(TimeRule, explicit)
    if indicator.cumulative:
        return "last"
    return "sum" if indicator.aggregation.method == "sum" else "mean"


def over_regions(indicator: Indicator) -> SpaceRule:
    return indicator.aggregation.method


def default_grain(indicator: Indicator) -> str:
    """The grain a page opens at: the stored one, except days are shown by month."""
    return "month" if indicator.grain == "day" else indicator.grain


def grains_for(indicator: Indicator) -> list[str]:
    """The grains an indicator can be viewed at: its own and every coarser one."""
    from dashboard.catalogue.periods import GRAINS

    return list(GRAINS[GRAINS.index(indicator.grain) :])


def is_percentage(indicator: Indicator) -> bool:
    """Rates in percent change in percentage points, not in percent of themselves."""
    return indicator.unit.id.strip().startswith("%")
