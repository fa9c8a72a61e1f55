"""Rows, domain score, movers, stale, SKPD deliveries, ranking and period arithmetic (pure)."""

from datetime import UTC, date, datetime

import pytest

from dashboard.catalogue.models import Region
from dashboard.catalogue.periods import due_moment, last_ended, year_ago
from dashboard.scorecard.judge import judge
from dashboard.scorecard.lists import (
    behind_target,
    due_period,
    expected_deliveries,
    missing_skpd,
    movers,
    stale_indicators,
)
from dashboard.scorecard.periods import AsOf
from dashboard.scorecard.plans import Plans
from dashboard.scorecard.ranking import rank_regions
from dashboard.scorecard.rows import SeriesPoint, domain_score, indicator_row
from dashboard.store.queries import SourceRuns
from dashboard.store.runs import RunRecord
from dashboard.views.overview import ranking_view

NO_PLANS = Plans()
NOW = datetime(2026, 11, 28, 4, 0, tzinfo=UTC)  # Saturday 12:00 WITA


def monthly(values: dict[tuple[int, int], float]) -> list[SeriesPoint]:
    return [SeriesPoint(date(y, m, 1), "month", v) for (y, m), v in values.items()]


def test_row_takes_the_latest_ended_period_and_compares_it(catalogue):
    ind = catalogue.indicator("LIV.STUNTING")  # down, target 2026 14,0, 10 %
    series = monthly({(2025, 10): 23.0, (2026, 9): 22.1, (2026, 10): 21.3, (2026, 11): 20.0})
    row = indicator_row(ind, series, date(2026, 10, 31), NO_PLANS, "71")
    assert (row.latest.period_start, row.latest.value, row.status) == (
        date(2026, 10, 1),
        21.3,
        "behind",
    )
    assert row.vs_previous.delta == pytest.approx(-0.8) and row.vs_previous.tone == "good"
    assert row.vs_year_ago.delta == pytest.approx(-1.7) and row.vs_year_ago.pct == pytest.approx(
        -7.391, abs=1e-3
    )
    assert [p.value for p in row.spark] == [23.0, 22.1, 21.3]
    assert row.points == 0


def test_a_gap_in_the_series_means_no_previous_period(catalogue):
    ind = catalogue.indicator("LIV.JKN")
    row = indicator_row(
        ind, monthly({(2026, 8): 97.0, (2026, 10): 98.5}), date(2026, 10, 31), NO_PLANS, "71"
    )
    assert row.vs_previous is None and row.status == "on_track"


def test_cumulative_january_is_not_compared_with_december_and_moves_year_on_year(catalogue):
    ind = catalogue.indicator("GOV.REALISASI-APBD")
    row = indicator_row(
        ind,
        monthly({(2025, 1): 2.0, (2025, 12): 95.0, (2026, 1): 3.5}),
        date(2026, 1, 31),
        NO_PLANS,
        "71",
    )
    assert row.vs_previous is None
    assert row.mover is row.vs_year_ago and row.mover.delta == pytest.approx(1.5)


def test_no_data_row_still_knows_its_target(catalogue):
    row = indicator_row(catalogue.indicator("LIV.STUNTING"), [], date(2026, 10, 31), NO_PLANS, "71")
    assert row.status == "no_data" and row.judgement.target == 14.0 and row.points is None


def test_domain_score_is_the_mean_of_judged_points(catalogue):
    rows = [
        indicator_row(
            catalogue.indicator(code), monthly({(2026, 10): v}), date(2026, 10, 31), NO_PLANS, "71"
        )
        for code, v in (("LIV.STUNTING", 13.0), ("LIV.JKN", 97.0), ("LIV.IMUNISASI", 80.0))
    ]
    rows.append(
        indicator_row(catalogue.indicator("LIV.DBD"), [], date(2026, 10, 31), NO_PLANS, "71")
    )
    score = domain_score("living", rows)
    assert [r.status for r in rows] == ["on_track", "at_risk", "behind", "no_data"]
    assert (score.points_total, len(score.judged), score.score) == (150, 3, 50.0)
    assert score.counts["no_data"] == 1
    assert domain_score("living", rows[3:]).score is None


def test_behind_list_and_movers(catalogue):
    def row(code, before, after):
        return indicator_row(
            catalogue.indicator(code),
            monthly({(2026, 9): before, (2026, 10): after}),
            date(2026, 10, 31),
            NO_PLANS,
            "71",
        )

    rows = [
        row("LIV.STUNTING", 22.0, 21.0),
        row("LIV.JKN", 97.0, 96.5),
        row("BRD.WISMAN", 6000, 8000),
        row("LIV.DBD", 40, 60),
        row("BRD.TPK", 61.0, 61.0),
    ]
    assert [r.code for r in behind_target(rows)] == ["LIV.STUNTING", "BRD.WISMAN", "LIV.JKN"]
    good, bad = movers(rows)
    assert [r.code for r in good] == ["BRD.WISMAN", "LIV.STUNTING"]
    assert [r.code for r in bad] == ["LIV.DBD", "LIV.JKN"]


@pytest.mark.parametrize(
    "start, grain, day, due_wita",
    [
        (date(2026, 10, 1), "month", 10, datetime(2026, 11, 11)),
        (date(2026, 7, 1), "quarter", 5, datetime(2026, 10, 6)),
        (date(2025, 1, 1), "year", 15, datetime(2026, 1, 16)),
        (date(2026, 1, 1), "month", 28, datetime(2026, 3, 1)),  # 28 February, then midnight
    ],
)
def test_due_moment_is_the_end_of_the_delivery_day_in_wita(start, grain, day, due_wita):
    from dashboard.catalogue.periods import WITA

    assert due_moment(start, grain, day) == due_wita.replace(tzinfo=WITA).astimezone(UTC)


def test_due_period_follows_the_delivery_day(catalogue):
    stunting = catalogue.indicator("LIV.STUNTING")
    before = datetime(2026, 11, 10, 15, 0, tzinfo=UTC)  # 10 Nov 23:00 WITA: October not yet due
    after = datetime(2026, 11, 10, 16, 0, tzinfo=UTC)  # 11 Nov 00:00 WITA
    assert due_period(stunting, 10, date(2026, 11, 30), before) == date(2026, 9, 1)
    assert due_period(stunting, 10, date(2026, 11, 30), after) == date(2026, 10, 1)
    assert due_period(stunting, 10, date(2026, 6, 30), after) == date(2026, 6, 1)  # as of June


def test_missing_skpd_groups_what_has_not_arrived(catalogue):
    codes = ("LIV.STUNTING", "LIV.JKN", "BRD.WISMAN", "ENV.PM25", "SOC.IPM")
    expected = expected_deliveries(
        [catalogue.indicator(c) for c in codes], catalogue, date(2026, 11, 30), NOW
    )
    assert {(e.indicator.code, e.period_start) for e in expected} == {
        ("LIV.STUNTING", date(2026, 10, 1)),
        ("LIV.JKN", date(2026, 10, 1)),
        ("BRD.WISMAN", date(2026, 10, 1)),
        ("SOC.IPM", date(2025, 1, 1)),
    }  # PM2.5 is a daily feed, not a delivery
    arrived = {("LIV.STUNTING", date(2026, 10, 1), "month"), ("SOC.IPM", date(2025, 1, 1), "year")}
    missing = missing_skpd(expected, arrived, catalogue)
    assert [(m.skpd_id, [i.indicator.code for i in m.items]) for m in missing] == [
        ("dispar", ["BRD.WISMAN"]),
        ("dinkes", ["LIV.JKN"]),
    ]  # Dispar's deadline (7th) came first


def _runs(source_id, ended):
    run = RunRecord(
        id=1,
        source_id=source_id,
        trigger="schedule",
        status="ok",
        started_at=ended,
        finished_at=ended,
        rows_accepted=1,
        rows_rejected=0,
        rows_changed=0,
        error_class=None,
        message=None,
        message_id=None,
        replay_of=None,
        payload_sha256=None,
        events_accepted=0,
        events_changed=0,
        file_name=None,
    )
    return SourceRuns(source_id, source_id, True, run, run)


def test_stale_when_data_lags_or_every_source_stopped(catalogue):
    inds = [catalogue.indicator(c) for c in ("LIV.STUNTING", "BRD.EVENT", "ENV.PM25", "LIV.JKN")]
    fresh = {s.id: _runs(s.id, NOW) for s in catalogue.sources}
    latest = {
        "LIV.STUNTING": date(2026, 10, 1),
        "BRD.EVENT": date(2026, 7, 1),
        "ENV.PM25": date(2026, 11, 26),
        "LIV.JKN": date(2026, 9, 1),
    }
    stale = stale_indicators(inds, latest, catalogue, fresh, NOW)
    assert [(s.indicator.code, s.lag) for s in stale] == [
        ("BRD.EVENT", 3)
    ]  # one period late is not stale yet
    pm25_source = catalogue.sources_feeding("ENV.PM25")[0].id
    runs = dict(fresh)
    del runs[pm25_source]
    stale = stale_indicators(inds, latest, catalogue, runs, NOW)
    assert ("ENV.PM25", (pm25_source,)) in [(s.indicator.code, s.stale_sources) for s in stale]


def _regions(n):
    return [
        Region(
            code=f"71.{i:02d}",
            bps_code=f"71{i:02d}",
            name=f"R{i:02d}",
            short_name=f"R{i}",
            kind="regency",
            lat=1,
            lon=124,
            population=1000,
        )
        for i in range(1, n + 1)
    ]


@pytest.mark.parametrize(
    "code, values, order",
    [
        (
            "LIV.JKN",
            [95.0, 99.0, 97.0, 99.0],
            ["R02", "R04", "R03", "R01"],
        ),  # up: highest first, ties share
        (
            "LIV.STUNTING",
            [20.0, 12.0, 15.0, 30.0],
            ["R02", "R03", "R01", "R04"],
        ),  # down: lowest first
        (
            "LIV.BOR",
            [90.0, 72.0, 61.0, 55.0],
            ["R02", "R03", "R01", "R04"],
        ),  # band: inside, nearer the middle
    ],
)
def test_ranking_takes_direction_into_account(catalogue, code, values, order):
    regions = _regions(5)
    data = {r.code: v for r, v in zip(regions, values)}
    ranking = rank_regions(
        catalogue.indicator(code), regions, date(2026, 10, 1), data, {}, NO_PLANS
    )
    assert [r.region.name for r in ranking.rows] == order + ["R05"]
    assert ranking.rows[-1].rank is None and ranking.rows[-1].judgement.status == "no_data"
    if code == "LIV.JKN":
        assert [r.rank for r in ranking.rows[:4]] == [1, 1, 3, 4]


def test_counts_are_ranked_per_100000_residents_and_keep_their_count(catalogue):
    """Dengue cases: a city of 450,000 with 90 cases does worse than a regency of 60,000
    with 15 (20 vs 25 per 100,000 is the other way round: lower is better)."""
    big, small, smallest = (
        Region(
            code=f"71.{i:02d}",
            bps_code=f"71{i:02d}",
            name=name,
            short_name=name,
            kind="regency",
            lat=1,
            lon=124,
            population=pop,
        )
        for i, (name, pop) in enumerate((("Kota", 450_000), ("Kab", 60_000), ("Pulau", 20_000)), 1)
    )
    dbd = catalogue.indicator("LIV.DBD")
    assert dbd.aggregation.method == "sum" and dbd.direction == "down"
    ranking = rank_regions(
        dbd,
        [big, small, smallest],
        date(2026, 10, 1),
        {big.code: 90.0, small.code: 15.0, smallest.code: 2.0},
        {},
        NO_PLANS,
    )
    assert ranking.per_capita
    assert [(r.region.name, r.value, round(r.per_100k, 1)) for r in ranking.rows] == [
        ("Pulau", 2.0, 10.0),
        ("Kota", 90.0, 20.0),
        ("Kab", 15.0, 25.0),
    ]  # by raw counts: Pulau, Kab, Kota

    view = ranking_view(ranking, AsOf(2026, 10), "id")
    assert view.per_capita and [r.per_100k for r in view.rows] == ["10,0", "20,0", "25,0"]
    assert [r.value for r in view.rows] == ["2", "90", "15"]
    assert "per 100.000 penduduk" in view.rule
    # a rate is never divided again
    stunting = rank_regions(
        catalogue.indicator("LIV.STUNTING"),
        [big, small],
        date(2026, 10, 1),
        {big.code: 20.0, small.code: 25.0},
        {},
        NO_PLANS,
    )
    assert not stunting.per_capita and all(r.per_100k is None for r in stunting.rows)


def test_regency_counts_have_no_target_but_bands_do(catalogue):
    wisman, beras = catalogue.indicator("BRD.WISMAN"), catalogue.indicator("ECO.HARGA-BERAS")
    assert judge(wisman, 500, date(2026, 10, 1), "month", NO_PLANS, "regency").status == "no_target"
    assert judge(beras, 15000, date(2026, 10, 1), "month", NO_PLANS, "regency").status == "behind"


@pytest.mark.parametrize(
    "text, expected",
    [
        (None, AsOf(2026, 11)),
        ("", AsOf(2026, 11)),
        ("2026-10", AsOf(2026, 10, True)),
        ("2025", AsOf(2025, 12, True)),
        ("2026", AsOf(2026, 11, True)),
        ("2027-01", AsOf(2026, 11)),
        ("2026-13", AsOf(2026, 11)),
        ("oops", AsOf(2026, 11)),
    ],
)
def test_as_of_from_the_url(text, expected):
    assert AsOf.parse(text, NOW) == expected


def test_period_helpers():
    assert last_ended(date(2026, 10, 31), "year") == date(2025, 1, 1)
    assert last_ended(date(2026, 10, 31), "quarter") == date(2026, 7, 1)
    assert last_ended(date(2026, 10, 31), "month") == date(2026, 10, 1)
    assert year_ago(date(2028, 2, 29)) == date(2027, 2, 28)
