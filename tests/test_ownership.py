"""Who must act: the SKPD on every exception of the scorecard, the brief's workbook and the
alerts; the scorecard grouped and filtered by SKPD (``?skpd=``)."""

import io
import sys
from datetime import timedelta

import pytest
from access_kit import client_as
from openpyxl import load_workbook
from scorecard_kit import SAMPLE_NOW, put_sample

from dashboard.access.principal import Principal, set_principal
from dashboard.alerts.lifecycle import AlertRecord
from dashboard.brief.excel import HEADER_ROW
from dashboard.scorecard.build import load_scorecard
from dashboard.scorecard.owners import exceptions_by_skpd, only_skpd, subject_owner
from dashboard.scorecard.periods import AsOf
from dashboard.scorecard.plans import load_plans
from dashboard.settings import PROJECT_ROOT, Settings
from dashboard.store.catalogue_sync import sync_catalogue
from dashboard.store.engine import make_engine
from dashboard.views.alerts import alert_row
from dashboard.views.overview import overview_page
from dashboard.webapp import create_app

NOW = SAMPLE_NOW


@pytest.fixture
def sample(sqlite_url, catalogue):
    engine = make_engine(sqlite_url)
    sync_catalogue(engine, catalogue)
    put_sample(engine, catalogue)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def plans(catalogue):
    return load_plans(PROJECT_ROOT / "config", {i.code for i in catalogue.indicators})


@pytest.fixture
def card(sample, catalogue, plans):
    with sample.connect() as conn:
        return load_scorecard(conn, catalogue, plans, AsOf(2026, 10, True), "71", NOW)


def test_exceptions_are_counted_per_skpd(card, catalogue):
    groups = {g.skpd_id: g for g in exceptions_by_skpd(card, catalogue)}
    # Dinkes: stunting behind (21,3 against 14,0); JKN's October not delivered by 10 Nov.
    dinkes = groups["dinkes"]
    assert dinkes.short_name == "Dinkes"
    assert "LIV.STUNTING" in dinkes.codes and "LIV.JKN" in dinkes.codes
    assert dinkes.behind == sum(
        1 for r in card.behind if r.status == "behind" and r.indicator.skpd == "dinkes"
    )
    assert groups["bpkad"].behind >= 1  # APBD spending behind its plan curve
    # Every exception of the card is counted once, under its indicator's SKPD.
    assert sum(g.behind + g.at_risk for g in groups.values()) == len(card.behind)
    assert sum(g.stale for g in groups.values()) == len(card.stale)
    assert sum(g.missing for g in groups.values()) == sum(len(m.items) for m in card.missing)


def test_scorecard_cut_to_one_skpd(card, catalogue):
    cut = only_skpd(card, "dinkes")
    assert cut.rows and {r.indicator.skpd for r in cut.rows} == {"dinkes"}
    assert [r.code for r in cut.behind] == [
        r.code for r in card.behind if r.indicator.skpd == "dinkes"
    ]
    assert "GOV.REALISASI-APBD" not in {r.code for r in cut.behind}
    assert {m.skpd_id for m in cut.missing} <= {"dinkes"}


@pytest.mark.parametrize("lang", ["id", "en"])
def test_page_shows_owner_and_groups(card, catalogue, lang):
    ranking = _ranking(card, catalogue)
    page = overview_page(card, ranking, catalogue, NOW, lang)
    stunting = next(i for i in page.behind if i.code == "LIV.STUNTING")
    assert (stunting.owner, stunting.skpd) == ("Dinkes", "dinkes")
    rows = {r.code: r for d in page.domains for r in d.rows}
    assert rows["GOV.REALISASI-APBD"].owner == "BPKAD"
    dinkes = next(g for g in page.by_skpd if g.skpd == "dinkes")
    word = "di bawah target" if lang == "id" else "behind"
    assert f"1 {word}" in dinkes.summary or f"2 {word}" in dinkes.summary
    assert ("belum dikirim" if lang == "id" else "not delivered") in dinkes.summary

    only = overview_page(card, ranking, catalogue, NOW, lang, skpd="dinkes")
    assert only.query["skpd"] == "dinkes" and only.filters.skpd == "dinkes"
    assert {i.owner for i in only.behind} == {"Dinkes"}
    assert all(r.owner == "Dinkes" for d in only.domains for r in d.rows)
    # The grouping still lists every SKPD, so the reader can switch.
    assert {g.skpd for g in only.by_skpd} == {g.skpd for g in page.by_skpd}
    assert next(g for g in only.by_skpd if g.skpd == "dinkes").selected
    # An unknown SKPD in the URL is no filter.
    assert overview_page(card, ranking, catalogue, NOW, lang, skpd="nope").query["skpd"] is None


def _ranking(card, catalogue):
    from dashboard.scorecard.ranking import rank_regions

    ind = catalogue.indicator("LIV.STUNTING")
    regions = [r for r in catalogue.regions if r.kind != "province"]
    return rank_regions(ind, regions, None, {}, {}, catalogue.plans)


@pytest.fixture
def app(sample, sqlite_url, tmp_path, monkeypatch):
    app = create_app(
        Settings(database_url=sqlite_url, data_dir=tmp_path, config_dir=PROJECT_ROOT / "config")
    )
    for name in ("layouts.overview", "layouts.brief"):
        monkeypatch.setattr(sys.modules[name], "utcnow", lambda: NOW)
    return app


@pytest.mark.parametrize("lang", ["id", "en"])
def test_workbook_names_the_skpd_of_each_exception(app, lang):
    response = client_as(app, "viewer").get(f"/brief/export.xlsx?period=2026-10&lang={lang}")
    wb = load_workbook(io.BytesIO(response.data))
    for title in (
        ("Di bawah target", "Data usang") if lang == "id" else ("Behind target", "Stale data")
    ):
        ws = wb[title]
        heads = [c.value for c in ws[HEADER_ROW]]
        assert heads[0] == "SKPD"
    ws = wb["Di bawah target" if lang == "id" else "Behind target"]
    owners = {r[1]: r[0] for r in ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True)}
    assert owners["LIV.STUNTING"] == "Dinkes" and owners["GOV.REALISASI-APBD"] == "BPKAD"


def test_scorecard_page_filtered_by_skpd_in_the_url(app):
    with app.server.test_request_context("/?period=2026-10&skpd=dinkes"):
        set_principal(Principal("account", 0, "viewer", "viewer", clearance="restricted"))
        layout = sys.modules["layouts.overview"].layout(lang="id", period="2026-10", skpd="dinkes")
    text = str(layout)
    assert "skpd=dinkes" in text  # the URL the page shows keeps the filter
    assert "GOV.REALISASI-APBD" not in text and "LIV.STUNTING" in text
    assert "sc-by-skpd" in text and "sc-owner" in text


def _alert(subject: str, details: dict | None = None) -> AlertRecord:
    return AlertRecord(
        1,
        "rule",
        subject,
        "warning",
        "firing",
        "judul",
        "title",
        NOW - timedelta(minutes=5),
        None,
        None,
        None,
        None,
        details or {},
    )


@pytest.mark.parametrize(
    "subject, owner",
    [("LIV.STUNTING@71", "Dinkes"), ("source:bpkad-sipd", "BPKAD"), ("scheduler", None)],
)
def test_alerts_name_the_responsible_skpd(catalogue, subject, owner):
    assert subject_owner(subject, catalogue) == owner
    assert alert_row(_alert(subject), NOW, "id", catalogue=catalogue).owner == owner


def test_a_quake_alert_is_owned_by_the_skpd_of_the_feed_that_reported_it(catalogue):
    quake = _alert("event:42", {"event": 42, "source": "bmkg-autogempa", "magnitude": 5.4})
    assert alert_row(quake, NOW, "id", catalogue=catalogue).owner == "BPBD"
    assert alert_row(_alert("event:43"), NOW, "id", catalogue=catalogue).owner is None
