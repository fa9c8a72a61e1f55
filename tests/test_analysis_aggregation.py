"""Aggregation by the indicator's own rule: sum vs mean vs weighted mean, over time and over regions,
with missing periods; the SQL bucketing agrees with the reference implementation on both stores."""

from datetime import date, timedelta

import clock_kit
import pandas as pd
import pytest

from dashboard.analysis import aggregate
from dashboard.analysis.rules import default_grain, grains_for, over_time
from dashboard.catalogue import periods
from dashboard.store import analysis_queries as q
from dashboard.store.catalogue_sync import sync_catalogue
from dashboard.store.engine import begin_write
from dashboard.store.observations import ObservationRow, upsert_observations

M = date  # readability: M(2026, 1, 1) is the month of January 2026


def raw(rows):
    return pd.DataFrame(rows, columns=["region_code", "period_start", "value"])


def by_start(frame, region="71"):
    part = frame[frame["region_code"] == region]
    return {
        s: (v, n, e, c)
        for s, v, n, e, c in zip(
            part["period_start"], part["value"], part["n"], part["expected"], part["complete"]
        )
    }


# --- over time -----------------------------------------------------------------------


def test_a_flow_is_summed_and_a_rate_averaged_into_quarters():
    months = raw(
        [("71", M(2026, 1, 1), 10.0), ("71", M(2026, 2, 1), 20.0), ("71", M(2026, 3, 1), 30.0)]
    )
    assert by_start(aggregate.bucketed(months, "month", "quarter", "sum")) == {
        M(2026, 1, 1): (60.0, 3, 3, True)
    }
    assert by_start(aggregate.bucketed(months, "month", "quarter", "mean")) == {
        M(2026, 1, 1): (20.0, 3, 3, True)
    }


def test_a_missing_month_makes_the_quarter_incomplete_not_smaller_silently():
    months = raw([("71", M(2026, 4, 1), 10.0), ("71", M(2026, 6, 1), 30.0)])  # May missing
    summed = by_start(aggregate.bucketed(months, "month", "quarter", "sum"))
    averaged = by_start(aggregate.bucketed(months, "month", "quarter", "mean"))
    assert summed == {M(2026, 4, 1): (40.0, 2, 3, False)}
    assert averaged == {M(2026, 4, 1): (20.0, 2, 3, False)}


def test_a_cumulative_indicator_takes_the_value_at_the_end_of_the_period():
    # Budget realisation, year to date: Q1 is March's value; a year without December is incomplete.
    months = raw([("71", M(2026, m, 1), 5.0 * m) for m in (1, 2, 3, 4, 5)])
    quarters = by_start(aggregate.bucketed(months, "month", "quarter", "last"))
    assert quarters[M(2026, 1, 1)] == (15.0, 3, 3, True)
    assert quarters[M(2026, 4, 1)] == (25.0, 2, 3, False)
    assert by_start(aggregate.bucketed(months, "month", "year", "last")) == {
        M(2026, 1, 1): (25.0, 5, 12, False)
    }


def test_days_into_months_expect_the_days_of_that_month():
    days = raw(
        [("71", date(2024, 2, 1) + timedelta(days=i), 1.0) for i in range(29)]
    )  # leap February
    assert by_start(aggregate.bucketed(days, "day", "month", "sum")) == {
        M(2024, 2, 1): (29.0, 29, 29, True)
    }


def test_time_rules_follow_the_catalogue(catalogue):
    rule = {i.code: over_time(i) for i in catalogue.indicators}
    assert rule["BRD.WISMAN"] == "sum"  # arrivals per month add up
    assert rule["LIV.STUNTING"] == "mean"  # weighted over regions, averaged over months
    assert rule["LIV.BOR"] == "mean"
    assert rule["GOV.REALISASI-APBD"] == "last"  # cumulative
    pm25 = catalogue.indicator("ENV.PM25")
    assert default_grain(pm25) == "month" and grains_for(pm25) == [
        "day",
        "month",
        "quarter",
        "year",
    ]
    assert grains_for(catalogue.indicator("SOC.IPM")) == ["year"]


# --- over regions ------------------------------------------------------------------


SUBS = ["71.01", "71.02", "71.71"]
POP = {"71.01": 100, "71.02": 300, "71.71": 600}


def regional(values, start=M(2026, 1, 1), complete=True):
    return pd.DataFrame(
        [
            {
                "region_code": r,
                "period_start": start,
                "value": v,
                "n": 1,
                "expected": 1,
                "last_start": start,
                "complete": complete,
                "derived": False,
            }
            for r, v in values.items()
        ],
        columns=aggregate.COLUMNS,
    )


@pytest.mark.parametrize(
    "rule, expected",
    [
        ("sum", 10 + 20 + 40),
        ("mean", (10 + 20 + 40) / 3),
        ("weighted_mean", (10 * 100 + 20 * 300 + 40 * 600) / 1000),
    ],
)
def test_the_province_is_derived_by_the_rule(rule, expected):
    derived = aggregate.derive_province(
        regional({"71.01": 10, "71.02": 20, "71.71": 40}), rule, "71", SUBS, POP
    )
    assert len(derived) == 1 and bool(derived["derived"].iloc[0])
    assert derived["value"].iloc[0] == pytest.approx(expected)


def test_no_province_from_part_of_the_province_nor_under_rule_none():
    partial = regional({"71.01": 10, "71.71": 40})  # 71.02 missing
    assert aggregate.derive_province(partial, "sum", "71", SUBS, POP).empty
    assert aggregate.derive_province(partial, "weighted_mean", "71", SUBS, POP).empty
    full = regional({"71.01": 10, "71.02": 20, "71.71": 40})
    assert aggregate.derive_province(full, "none", "71", SUBS, POP).empty


def test_a_reported_province_value_is_never_overridden():
    frame = pd.concat([regional({"71.01": 10, "71.02": 20, "71.71": 40}), regional({"71": 99.0})])
    combined = aggregate.with_derived_province(frame, "sum", "71", SUBS, POP)
    assert combined.loc[combined["region_code"] == "71", "value"].tolist() == [99.0]


def test_a_derived_bucket_is_as_complete_as_its_least_complete_region():
    frame = pd.concat(
        [regional({"71.01": 10, "71.02": 20}), regional({"71.71": 40}, complete=False)]
    )
    derived = aggregate.derive_province(frame, "sum", "71", SUBS, POP)
    assert not bool(derived["complete"].iloc[0])


# --- the SQL bucketing equals the reference, on SQLite and PostgreSQL ---------------


@pytest.fixture
def gappy(engine, catalogue):
    """Two regions with months missing here and there, and a daily series over a leap February."""
    sync_catalogue(engine, catalogue)
    rows = []
    for region, skip in (("71.71", {M(2025, 2, 1), M(2025, 11, 1)}), ("71.72", {M(2025, 6, 1)})):
        for m in range(1, 13):
            start = M(2025, m, 1)
            if start not in skip:
                rows.append(
                    ObservationRow(
                        "BRD.WISMAN", region, start, "month", float(m * 100 + len(region))
                    )
                )
    rows += [
        ObservationRow("ENV.PM25", "71", date(2024, 1, 20) + timedelta(days=i), "day", 10.0 + i % 7)
        for i in range(60)
    ]
    with begin_write(engine) as conn:
        upsert_observations(
            conn,
            rows,
            source_id="dispar-statistik",
            run_id=None,
            ingested_at=clock_kit.now(),
        )
    return rows


@pytest.mark.parametrize(
    "fine, coarse, rule, code",
    [
        ("month", "quarter", "sum", "BRD.WISMAN"),
        ("month", "quarter", "mean", "BRD.WISMAN"),
        ("month", "quarter", "last", "BRD.WISMAN"),
        ("month", "year", "sum", "BRD.WISMAN"),
        ("day", "month", "mean", "ENV.PM25"),
        ("day", "month", "sum", "ENV.PM25"),
        ("day", "year", "last", "ENV.PM25"),
    ],
)
def test_sql_bucketing_matches_the_reference(engine, gappy, fine, coarse, rule, code):
    regions = ["71", "71.71", "71.72"]
    stored = raw(
        [(r.region_code, r.period_start, r.value) for r in gappy if r.indicator_code == code]
    )
    expected = aggregate.bucketed(stored, fine, coarse, rule)
    with engine.connect() as conn:
        got = q.bucket_values(
            conn, code, fine, coarse, rule, regions, date(2020, 1, 1), date(2030, 1, 1)
        )
    got = aggregate.with_completeness(got, fine, coarse, rule)
    assert got["region_code"].tolist() == expected["region_code"].tolist()
    assert got["period_start"].tolist() == expected["period_start"].tolist()
    assert got["value"].tolist() == pytest.approx(expected["value"].tolist())
    assert got["n"].tolist() == expected["n"].tolist()
    assert got["complete"].tolist() == expected["complete"].tolist()


def test_sql_bucketing_respects_the_range_and_regions(engine, gappy):
    with engine.connect() as conn:
        got = q.bucket_values(
            conn, "BRD.WISMAN", "month", "quarter", "sum", ["71.72"], M(2025, 4, 1), M(2025, 7, 1)
        )
    # Q2 of 71.72 without June: April + May only.
    assert got.to_dict("records") == [
        {
            "region_code": "71.72",
            "period_start": M(2025, 4, 1),
            "value": 405.0 + 505.0,
            "n": 2,
            "last_start": M(2025, 5, 1),
        }
    ]


def test_periods_arithmetic():
    assert periods.bucket(date(2026, 8, 17), "quarter") == M(2026, 7, 1)
    assert periods.step(M(2026, 11, 1), "quarter") == M(2027, 2, 1)
    assert periods.parts_in(M(2026, 1, 1), "month", "year") == 12
    assert periods.parts_in(M(2026, 2, 1), "day", "month") == 28
    assert periods.last_part(M(2026, 7, 1), "month", "quarter") == M(2026, 9, 1)
    assert periods.year_before(date(2024, 2, 29)) is None
    assert periods.starts(date(2026, 2, 10), date(2026, 4, 2), "month") == [
        M(2026, 2, 1),
        M(2026, 3, 1),
        M(2026, 4, 1),
    ]
