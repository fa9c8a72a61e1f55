"""The scorecard's verdict: direction × thresholds × plan curve × scope, missing data included."""

from datetime import date

import pytest

from dashboard.catalogue.models import Indicator
from dashboard.scorecard.judge import judge
from dashboard.scorecard.plans import Plan, PlanError, Plans, load_plans, plan_share, planned_target

BACKLOADED = (0.04, 0.09, 0.16, 0.23, 0.31, 0.40, 0.48, 0.56, 0.64, 0.72, 0.81, 1.0)
PLANS = Plans(
    plans={
        "CUM.PLAN": Plan(
            monthly=BACKLOADED, years={2025: tuple([i / 12 for i in range(1, 12)] + [1.0])}
        )
    }
)


def indicator(
    code="X.UP",
    direction="up",
    pct=5.0,
    targets=None,
    band=None,
    cumulative=False,
    aggregation="mean",
    frequency="monthly",
) -> Indicator:
    spec = {
        "code": code,
        "name": "x",
        "unit": "%",
        "domain": "governance",
        "application": "e-budgeting",
        "skpd": "bpkad",
        "direction": direction,
        "thresholds": {"at_risk_pct": pct},
        "frequency": frequency,
        "aggregation": aggregation,
        "classification": "public",
        "cumulative": cumulative,
        "targets": targets if targets is not None else {2026: 100.0},
    }
    if band:
        spec["band"] = {"low": band[0], "high": band[1]}
        spec["targets"] = targets or {}
    return Indicator(**spec)


UP, DOWN = indicator(), indicator("X.DOWN", "down", 10.0, {2026: 14.0})
BAND = indicator("X.BAND", "band", 5.0, band=(60.0, 85.0))
NO_TARGET = indicator("X.NONE", targets={})
CUM_LINE = indicator(
    "CUM.LINE", pct=5.0, targets={2026: 96.0}, cumulative=True
)  # no plan: straight line
CUM_PLAN = indicator("CUM.PLAN", pct=5.0, targets={2026: 96.0, 2025: 96.0}, cumulative=True)
COUNT = indicator("X.COUNT", targets={2026: 8500.0}, aggregation="sum")
OCT, JUN, DEC = date(2026, 10, 1), date(2026, 6, 1), date(2026, 12, 1)

# indicator, value, period start, grain, scope → status, reference (what it is held to), gap
CASES = [
    # up, 5 % threshold of 100
    (UP, 100.0, OCT, "month", "province", "on_track", 100.0, 0.0),
    (UP, 101.0, OCT, "month", "province", "on_track", 100.0, 0.0),
    (UP, 95.0, OCT, "month", "province", "at_risk", 100.0, 5.0),
    (UP, 94.0, OCT, "month", "province", "behind", 100.0, 6.0),
    # down, 10 % threshold of 14 (1,4)
    (DOWN, 14.0, OCT, "month", "province", "on_track", 14.0, 0.0),
    (DOWN, 15.3, OCT, "month", "province", "at_risk", 14.0, 1.3),
    (DOWN, 21.3, OCT, "month", "province", "behind", 14.0, 7.3),
    # band 60–85, 5 %: of 85 = 4,25 above, of 60 = 3 below
    (BAND, 70.0, OCT, "month", "province", "on_track", None, 0.0),
    (BAND, 88.0, OCT, "month", "province", "at_risk", None, 3.0),
    (BAND, 90.0, OCT, "month", "province", "behind", None, 5.0),
    (BAND, 56.0, OCT, "month", "province", "behind", None, 4.0),
    (BAND, 70.0, OCT, "month", "regency", "on_track", None, 0.0),  # a band holds every region
    # no target for the year, or for another year than the period's
    (NO_TARGET, 50.0, OCT, "month", "province", "no_target", None, None),
    (UP, 50.0, date(2025, 10, 1), "month", "province", "no_target", None, None),
    # cumulative without a plan: the straight line (October = 10/12 of 96 = 80)
    (CUM_LINE, 80.0, OCT, "month", "province", "on_track", 80.0, 0.0),
    (CUM_LINE, 76.0, OCT, "month", "province", "at_risk", 80.0, 4.0),
    (CUM_LINE, 69.0, OCT, "month", "province", "behind", 80.0, 11.0),
    (CUM_LINE, 48.0, JUN, "month", "province", "on_track", 48.0, 0.0),
    # cumulative with the back-loaded plan: October is held to 72 % of 96 = 69,12
    (CUM_PLAN, 69.0, OCT, "month", "province", "at_risk", 69.12, 0.12),
    (CUM_PLAN, 70.0, OCT, "month", "province", "on_track", 69.12, 0.0),
    (CUM_PLAN, 65.0, OCT, "month", "province", "behind", 69.12, 4.12),
    (CUM_PLAN, 38.5, JUN, "month", "province", "on_track", 38.4, 0.0),  # 40 % of 96
    (
        CUM_PLAN,
        96.0,
        DEC,
        "month",
        "province",
        "on_track",
        96.0,
        0.0,
    ),  # December: the year-end target
    (
        CUM_PLAN,
        60.0,
        date(2026, 7, 1),
        "quarter",
        "province",
        "at_risk",
        61.44,
        1.44,
    ),  # Q3 ends in September: 0,64
    (
        CUM_PLAN,
        76.0,
        date(2025, 10, 1),
        "month",
        "province",
        "at_risk",
        80.0,
        4.0,
    ),  # 2025's own straight curve
    # a count that sums to the province has no kab/kota target; a rate keeps the province's
    (COUNT, 900.0, OCT, "month", "regency", "no_target", None, None),
    (COUNT, 8100.0, OCT, "month", "province", "at_risk", 8500.0, 400.0),
    (UP, 90.0, OCT, "month", "regency", "behind", 100.0, 10.0),
    # missing data wins over everything
    (UP, None, OCT, "month", "province", "no_data", None, None),
    (BAND, None, OCT, "month", "province", "no_data", None, None),
    (CUM_PLAN, None, OCT, "month", "province", "no_data", None, None),
    (COUNT, None, OCT, "month", "regency", "no_data", None, None),
    (UP, 100.0, None, None, "province", "no_data", None, None),
]


@pytest.mark.parametrize(
    "ind, value, start, grain, scope, status, reference, gap",
    CASES,
    ids=[f"{c[0].code}-{c[1]}-{c[2]}-{c[4]}" for c in CASES],
)
def test_judge(ind, value, start, grain, scope, status, reference, gap):
    j = judge(ind, value, start, grain, PLANS, scope)
    assert j.status == status
    assert j.reference == pytest.approx(reference) if reference is not None else j.reference is None
    assert j.gap == pytest.approx(gap) if gap is not None else j.gap is None


def test_points_follow_status():
    assert [judge(UP, v, OCT, "month", PLANS).points for v in (100.0, 96.0, 50.0, None)] == [
        100,
        50,
        0,
        None,
    ]
    assert judge(NO_TARGET, 1.0, OCT, "month", PLANS).points is None


@pytest.mark.parametrize(
    "start, grain, share",
    [
        (date(2026, 1, 1), "month", 0.04),
        (date(2026, 12, 1), "month", 1.0),
        (date(2026, 4, 1), "quarter", 0.40),
        (date(2026, 1, 1), "year", 1.0),
        (date(2026, 2, 14), "day", 0.04 + 0.05 * 14 / 28),
        (date(2026, 1, 31), "day", 0.04),
        (date(2025, 6, 1), "month", 0.5),  # the 2025 curve
    ],
)
def test_plan_share(start, grain, share):
    assert plan_share(PLANS.get("CUM.PLAN"), start, grain) == pytest.approx(share)


def test_without_a_plan_the_share_is_the_straight_line():
    assert plan_share(None, date(2026, 6, 1), "month") == 0.5
    assert planned_target(CUM_LINE, PLANS, date(2026, 3, 1), "month") == (96.0, 24.0)
    assert planned_target(UP, PLANS, date(2026, 3, 1), "month") == (100.0, 100.0)


@pytest.mark.parametrize(
    "curve, message",
    [
        ([0.1] * 11, "12 monthly shares"),
        ([0.5, 0.4] + [0.6] * 9 + [1.0], "never goes down"),
        ([0.1] * 11 + [0.9], "must be 1.0"),
        ([1.5] + [1.0] * 11, "between 0 and 1"),
    ],
)
def test_bad_plan_files_say_what_is_wrong(tmp_path, curve, message):
    (tmp_path / "plans.yaml").write_text(f"plans:\n  CUM.PLAN:\n    monthly: {curve}\n")
    with pytest.raises(PlanError, match=message):
        load_plans(tmp_path)


def test_plans_of_the_shipped_config_load(catalogue):
    from dashboard.settings import PROJECT_ROOT

    plans = load_plans(PROJECT_ROOT / "config", {i.code for i in catalogue.indicators})
    cumulative = {i.code for i in catalogue.indicators if i.cumulative}
    assert set(plans.plans) == cumulative
    assert load_plans(PROJECT_ROOT / "tests" / "catalogue_small").plans == {}


def test_a_plan_for_an_unknown_indicator_is_refused(tmp_path):
    (tmp_path / "plans.yaml").write_text(
        "plans:\n  NOPE.X:\n    monthly: " + str(list(BACKLOADED)) + "\n"
    )
    with pytest.raises(PlanError, match=r"unknown indicators NOPE\.X"):
        load_plans(tmp_path, {"CUM.PLAN"})
