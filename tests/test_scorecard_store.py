"""The scorecard read from a real store (SQLite and PostgreSQL): queries and ``load_scorecard``."""

from datetime import date

import pytest
from scorecard_kit import SAMPLE_NOW, put_sample

from dashboard.scorecard.build import load_ranking, load_scorecard
from dashboard.scorecard.periods import AsOf
from dashboard.scorecard.plans import load_plans
from dashboard.settings import PROJECT_ROOT
from dashboard.store.catalogue_sync import sync_catalogue
from dashboard.store.scorecard_queries import arrived, latest_periods, ranking_values, region_series

NOW = SAMPLE_NOW
OCT, SEP, OCT_LAST_YEAR = date(2026, 10, 1), date(2026, 9, 1), date(2025, 10, 1)


@pytest.fixture
def store(engine, catalogue):
    sync_catalogue(engine, catalogue)
    put_sample(engine, catalogue)
    return engine


@pytest.fixture(scope="module")
def plans(catalogue):
    return load_plans(PROJECT_ROOT / "config", {i.code for i in catalogue.indicators})


def test_queries(store):
    grains = {"LIV.STUNTING": "month", "SOC.IPM": "year", "LIV.DBD": "month"}
    with store.connect() as conn:
        series = region_series(conn, "71", grains, date(2025, 1, 1), date(2026, 10, 31))
        assert [(p.period_start, p.value) for p in series["LIV.STUNTING"]] == [
            (OCT_LAST_YEAR, 23.0),
            (SEP, 22.1),
            (OCT, 21.3),
        ]
        assert [p.value for p in series["SOC.IPM"]] == [75.62] and "LIV.DBD" not in series
        assert latest_periods(conn, "71", grains) == {
            "LIV.STUNTING": OCT,
            "SOC.IPM": date(2025, 1, 1),
        }
        period, values, previous = ranking_values(
            conn, "LIV.STUNTING", "month", ["71.71", "71.72", "71.03"], OCT
        )
        assert (period, values, previous) == (
            OCT,
            {"71.71": 11.9, "71.72": 12.5, "71.03": 16.3},
            {"71.71": 12.0},
        )
        assert ranking_values(conn, "LIV.STUNTING", "month", ["71.71"], date(2026, 8, 1)) == (
            None,
            {},
            {},
        )
        keys = [
            ("LIV.STUNTING", OCT, "month"),
            ("LIV.JKN", OCT, "month"),
            ("LIV.JKN", SEP, "month"),
        ]
        assert arrived(conn, keys) == {("LIV.STUNTING", OCT, "month"), ("LIV.JKN", SEP, "month")}
        assert arrived(conn, keys, "71.72") == {("LIV.STUNTING", OCT, "month")}


def test_load_scorecard(store, catalogue, plans):
    with store.connect() as conn:
        card = load_scorecard(conn, catalogue, plans, AsOf(2026, 10, True), "71", NOW)
    stunting, apbd = card.row("LIV.STUNTING"), card.row("GOV.REALISASI-APBD")
    assert (stunting.latest.value, stunting.status, stunting.judgement.reference) == (
        21.3,
        "behind",
        14.0,
    )
    assert (
        apbd.judgement.reference == pytest.approx(97 * 0.72) and apbd.status == "behind"
    )  # the plan curve
    assert card.row("LIV.JKN").latest.period_start == SEP
    assert card.row("SOC.IPM").latest.value == 75.62 and card.row("SOC.IPM").status == "on_track"
    assert [r.code for r in card.behind][:3] == ["LIV.STUNTING", "BRD.WISMAN", "GOV.REALISASI-APBD"]
    living = next(d for d in card.domains if d.domain_id == "living")
    assert (living.points_total, len(living.judged)) == (
        100,
        2,
    )  # JKN on track (Sep), stunting behind
    missing = {m.skpd_id: [i.indicator.code for i in m.items] for m in card.missing}
    assert "LIV.JKN" in missing["dinkes"] and "LIV.STUNTING" not in missing["dinkes"]
    assert "SOC.IPM" not in missing.get("bps", [])


def test_regency_view_and_ranking(store, catalogue, plans):
    with store.connect() as conn:
        card = load_scorecard(conn, catalogue, plans, AsOf(2026, 10, True), "71.71", NOW)
        ranking = load_ranking(conn, catalogue, plans, "LIV.STUNTING", AsOf(2026, 10, True))
    assert card.scope == "regency" and card.row("LIV.STUNTING").status == "on_track"
    assert "GOV.REALISASI-APBD" not in [r.code for r in card.rows]  # only the province reports it
    assert [(r.rank, r.region.code) for r in ranking.rows[:3]] == [
        (1, "71.71"),
        (2, "71.72"),
        (3, "71.03"),
    ]
    assert ranking.rows[0].vs_previous.tone == "good"
    assert all(r.rank is None for r in ranking.rows[3:])
