"""Wording a governor's office trusts: a percentage changes in points, an event count is
never "improving", the headline names the latest period with data, and "Di bawah target"
lists only what is behind (at risk apart) — on the page and in the brief, both languages."""

from datetime import date

import pytest
from scorecard_kit import SAMPLE_NOW, put, put_sample

from dashboard.brief.narrative import build_brief, mover_sentence
from dashboard.scorecard.build import load_scorecard
from dashboard.scorecard.lists import movers
from dashboard.scorecard.periods import AsOf
from dashboard.scorecard.plans import Plans, load_plans
from dashboard.scorecard.ranking import rank_regions
from dashboard.scorecard.rows import SeriesPoint, indicator_row
from dashboard.settings import PROJECT_ROOT
from dashboard.store.catalogue_sync import sync_catalogue
from dashboard.views.overview import change_view, mover_item, overview_page

NO_PLANS = Plans()


def _tpt(catalogue):
    ind = catalogue.indicator("ECO.TPT")  # %, down, two decimals, yearly
    series = [
        SeriesPoint(date(2025, 1, 1), "year", 6.45),
        SeriesPoint(date(2026, 1, 1), "year", 6.12),
    ]
    return indicator_row(ind, series, date(2026, 12, 31), NO_PLANS, "71")


@pytest.mark.parametrize(
    "lang, sentence, detail, cell",
    [
        (
            "id",
            "Tingkat pengangguran terbuka turun 0,33 poin menjadi 6,12% (vs 2025).",
            "−0,33 poin → 6,12% (vs 2025)",
            "−0,33 poin",
        ),
        (
            "en",
            "Open unemployment rate fell 0.33 pts to 6.12% (vs 2025).",
            "−0.33 pts → 6.12% (vs 2025)",
            "−0.33 pts",
        ),
    ],
)
def test_a_percentage_changes_in_points(catalogue, lang, sentence, detail, cell):
    row = _tpt(catalogue)
    good, _bad = movers([row])
    assert good == [row]  # still a mover (ranked by its relative size)
    assert mover_sentence(row, lang) == sentence
    assert mover_item(row, lang).detail == detail
    view = change_view(row.vs_previous, row.indicator, lang)
    assert (view.amount, view.pct) == (cell, None)  # no "−5,1%" beside it
    # A count still moves in relative percent.
    wisman = catalogue.indicator("BRD.WISMAN")
    count = indicator_row(
        wisman,
        [
            SeriesPoint(date(2026, 9, 1), "month", 6000),
            SeriesPoint(date(2026, 10, 1), "month", 6449),
        ],
        date(2026, 10, 31),
        NO_PLANS,
        "71",
    )
    assert "7,5%" in mover_sentence(count, "id") and "poin" not in mover_sentence(count, "id")


def test_fewer_earthquakes_is_not_improving(catalogue):
    quakes = catalogue.indicator("ENV.GEMPA")
    row = indicator_row(
        quakes,
        [SeriesPoint(date(2026, 9, 1), "month", 4), SeriesPoint(date(2026, 10, 1), "month", 1)],
        date(2026, 10, 31),
        NO_PLANS,
        "71",
    )
    assert row.vs_previous.tone == "neutral"
    assert movers([row]) == ([], [])


@pytest.fixture
def store(engine, catalogue):
    sync_catalogue(engine, catalogue)
    put_sample(engine, catalogue)
    return engine


@pytest.fixture(scope="module")
def plans(catalogue):
    return load_plans(PROJECT_ROOT / "config", {i.code for i in catalogue.indicators})


@pytest.mark.parametrize(
    "lang, headline", [("id", "data s.d. Okt 2026"), ("en", "data up to Oct 2026")]
)
def test_headline_is_the_latest_period_with_data(store, catalogue, plans, lang, headline):
    # The filter says November; the latest data held is October's.
    with store.connect() as conn:
        card = load_scorecard(conn, catalogue, plans, AsOf(2026, 11, True), "71", SAMPLE_NOW)
    assert card.data_until == date(2026, 10, 31)
    ranking = rank_regions(catalogue.indicator("LIV.STUNTING"), [], None, {}, {}, plans)
    assert headline in overview_page(card, ranking, catalogue, SAMPLE_NOW, lang).subtitle
    assert headline in build_brief(card, catalogue, lang).subtitle


def test_behind_lists_only_behind_and_at_risk_apart(store, catalogue, plans):
    # JKN at 96,5 against 98,0 (at risk within 5 %); stunting and APBD behind.
    put(store, catalogue, "LIV.JKN", {date(2026, 10, 1): 96.5})
    with store.connect() as conn:
        card = load_scorecard(conn, catalogue, plans, AsOf(2026, 10, True), "71", SAMPLE_NOW)
    assert {r.status for r in card.behind} == {"behind"}
    assert [r.code for r in card.at_risk] == ["LIV.JKN"]
    ranking = rank_regions(catalogue.indicator("LIV.STUNTING"), [], None, {}, {}, plans)
    page = overview_page(card, ranking, catalogue, SAMPLE_NOW, "id")
    assert "LIV.JKN" not in {i.code for i in page.behind}
    assert [i.code for i in page.at_risk] == ["LIV.JKN"]
    brief = build_brief(card, catalogue, "id")
    sections = {s.key: s for s in brief.sections}
    assert not any("Cakupan kepesertaan JKN" in i for i in sections["behind"].items)
    assert any("Cakupan kepesertaan JKN" in i for i in sections["at_risk"].items)
