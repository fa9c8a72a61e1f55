"""Status against target, band and thresholds; whether a change is good news."""

from datetime import date

import pytest

from dashboard.catalogue.models import Indicator
from dashboard.status import (
    change_tone,
    indicator_status,
    status_of,
    target_for_period,
    year_fraction,
)

# value, direction, target, at_risk_pct, band (low, high) → status
STATUS_TABLE = [
    # up: at/above target on track, within the margin below at risk, further below behind
    (100.0, "up", 100.0, 5.0, None, "on_track"),
    (120.0, "up", 100.0, 5.0, None, "on_track"),
    (95.0, "up", 100.0, 5.0, None, "at_risk"),  # exactly on the margin
    (94.9, "up", 100.0, 5.0, None, "behind"),
    (99.0, "up", 100.0, 0.0, None, "behind"),  # no margin: anything short is behind
    (60.0, "up", 100.0, 50.0, None, "at_risk"),  # a wide margin
    # down: at/below target on track, within the margin above at risk
    (18.0, "down", 18.0, 5.0, None, "on_track"),
    (12.0, "down", 18.0, 5.0, None, "on_track"),
    (18.9, "down", 18.0, 5.0, None, "at_risk"),
    (19.0, "down", 18.0, 5.0, None, "behind"),
    (0.0, "down", 0.0, 5.0, None, "on_track"),  # zero target: only zero is on track …
    (1.0, "down", 0.0, 5.0, None, "behind"),  # … and zero has no margin
    # negative targets keep a positive margin
    (-5.2, "up", -5.0, 5.0, None, "at_risk"),
    (-4.0, "down", -5.0, 5.0, None, "behind"),
    # no target for the year
    (50.0, "up", None, 5.0, None, "no_target"),
    (50.0, "down", None, 5.0, None, "no_target"),
    # band: inside on track (edges included), just outside at risk, far outside behind
    (70.0, "band", None, 5.0, (60.0, 85.0), "on_track"),
    (60.0, "band", None, 5.0, (60.0, 85.0), "on_track"),
    (85.0, "band", None, 5.0, (60.0, 85.0), "on_track"),
    (88.0, "band", None, 5.0, (60.0, 85.0), "at_risk"),  # 5 % of 85 = 4.25
    (90.0, "band", None, 5.0, (60.0, 85.0), "behind"),
    (57.0, "band", None, 5.0, (60.0, 85.0), "at_risk"),  # 5 % of 60 = 3
    (56.9, "band", None, 5.0, (60.0, 85.0), "behind"),
    (3.6, "band", None, 5.0, (1.5, 3.5), "at_risk"),  # inflation just over the band
    (1.0, "band", None, 5.0, (1.5, 3.5), "behind"),
    (-0.1, "band", None, 5.0, (0.0, 2.0), "at_risk"),  # zero bound: margin from the band width
    (-0.2, "band", None, 5.0, (0.0, 2.0), "behind"),
    (70.0, "band", 100.0, 5.0, (60.0, 85.0), "on_track"),  # a band ignores yearly targets
    (70.0, "band", None, 5.0, None, "no_target"),  # a band without bounds cannot be judged
    # missing data wins over everything
    (None, "up", 100.0, 5.0, None, "no_data"),
    (None, "down", None, 5.0, None, "no_data"),
    (None, "band", None, 5.0, (60.0, 85.0), "no_data"),
]


@pytest.mark.parametrize("value, direction, target, pct, band, expected", STATUS_TABLE)
def test_status_of(value, direction, target, pct, band, expected):
    low, high = band if band else (None, None)
    assert (
        status_of(
            value, direction=direction, target=target, at_risk_pct=pct, band_low=low, band_high=high
        )
        == expected
    )


def test_unknown_direction_is_an_error():
    with pytest.raises(ValueError):
        status_of(1.0, direction="sideways", target=2.0)


# previous, latest, direction, band → tone
TONE_TABLE = [
    (10.0, 12.0, "up", None, "good"),
    (12.0, 10.0, "up", None, "bad"),
    (10.0, 12.0, "down", None, "bad"),
    (12.0, 10.0, "down", None, "good"),
    (10.0, 10.0, "up", None, "neutral"),
    (None, 10.0, "up", None, "neutral"),
    (10.0, None, "down", None, "neutral"),
    (90.0, 86.0, "band", (60.0, 85.0), "good"),  # closer to the band
    (86.0, 90.0, "band", (60.0, 85.0), "bad"),  # further out
    (55.0, 58.0, "band", (60.0, 85.0), "good"),
    (70.0, 80.0, "band", (60.0, 85.0), "neutral"),  # moving inside the band
    (80.0, 88.0, "band", (60.0, 85.0), "bad"),  # leaving the band
    (50.0, 70.0, "band", (60.0, 85.0), "good"),  # entering it
    (50.0, 70.0, "band", None, "neutral"),
]


@pytest.mark.parametrize("previous, latest, direction, band, expected", TONE_TABLE)
def test_change_tone(previous, latest, direction, band, expected):
    low, high = band if band else (None, None)
    assert (
        change_tone(previous, latest, direction=direction, band_low=low, band_high=high) == expected
    )


@pytest.mark.parametrize(
    "start, grain, expected",
    [
        (date(2026, 6, 1), "month", 0.5),
        (date(2026, 12, 1), "month", 1.0),
        (date(2026, 7, 1), "quarter", 0.75),
        (date(2026, 1, 1), "year", 1.0),
        (date(2026, 12, 31), "day", 1.0),
        (date(2024, 12, 31), "day", 1.0),  # leap year
    ],
)
def test_year_fraction(start, grain, expected):
    assert year_fraction(start, grain) == pytest.approx(expected)


def _indicator(**overrides) -> Indicator:
    spec = {
        "code": "GOV.TEST",
        "name": "Uji",
        "unit": "%",
        "domain": "governance",
        "application": "e-budgeting",
        "skpd": "bpkad",
        "direction": "up",
        "targets": {2026: 96.0},
        "frequency": "monthly",
        "aggregation": "mean",
        "classification": "public",
    }
    return Indicator.model_validate({**spec, **overrides})


def test_cumulative_targets_follow_the_plan_curve():
    budget = _indicator(cumulative=True)
    # June is held to half of the year-end target, not to all of it.
    assert target_for_period(budget, date(2026, 6, 1), "month") == pytest.approx(48.0)
    assert indicator_status(budget, 47.0, date(2026, 6, 1), "month") == "at_risk"
    assert indicator_status(budget, 50.0, date(2026, 6, 1), "month") == "on_track"
    assert indicator_status(budget, 80.0, date(2026, 12, 1), "month") == "behind"


def test_indicator_status_uses_its_own_target_year_thresholds_and_band():
    plain = _indicator(thresholds={"at_risk_pct": 10.0})
    assert target_for_period(plain, date(2026, 6, 1), "month") == 96.0
    assert indicator_status(plain, 87.0, date(2026, 6, 1), "month") == "at_risk"
    assert indicator_status(plain, 87.0, date(2025, 6, 1), "month") == "no_target"  # no 2025 target
    assert indicator_status(plain, None, None, None) == "no_data"
    occupancy = _indicator(direction="band", band={"low": 60, "high": 85}, targets={})
    assert indicator_status(occupancy, 78.4, date(2026, 6, 1), "month") == "on_track"
    assert indicator_status(occupancy, 95.0, date(2026, 6, 1), "month") == "behind"


def test_the_wall_and_pages_judge_a_cumulative_indicator_by_its_plan_as_the_scorecard_does(
    catalogue,
):
    """APBD spending is back-loaded: config/plans.yaml plans 40 % by the end of June, so
    a June realisation at 42 % of the year's target is on track. A straight line (half
    by June) would call it behind on the wall while the scorecard says on track."""
    from dashboard.scorecard.judge import judge
    from dashboard.scorecard.plans import load_plans
    from dashboard.settings import PROJECT_ROOT

    apbd = catalogue.indicator("GOV.REALISASI-APBD")
    assert apbd.cumulative and apbd.plan is not None
    june = date(2026, 6, 1)
    target = apbd.target_for(2026)
    planned = target * apbd.plan.curve(2026)[5]
    value = round(planned * 1.01, 2)
    assert value < target * year_fraction(june, "month") * 0.95  # behind on a straight line
    assert target_for_period(apbd, june, "month") == pytest.approx(planned)
    assert indicator_status(apbd, value, june, "month") == "on_track"
    plans = load_plans(PROJECT_ROOT / "config", {i.code for i in catalogue.indicators})
    assert judge(apbd, value, june, "month", plans).status == "on_track"
