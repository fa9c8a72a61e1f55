"""The brief as text, PDF (text extracted again), Excel (read back), archive and weekly job."""

import io
import re
import sys
from datetime import UTC, datetime, timedelta

import pytest
from access_kit import client_as
from openpyxl import load_workbook
from pypdf import PdfReader
from scorecard_kit import SAMPLE_NOW, put_sample

from dashboard import i18n
from dashboard.brief.archive import archived_file, list_briefs, produce_brief, week_of
from dashboard.brief.excel import HEADER_ROW
from dashboard.brief.narrative import build_brief
from dashboard.brief.pdf import brief_pdf
from dashboard.brief.weekly import JOB_ID, run_weekly_brief, schedule_weekly_brief
from dashboard.runtime import Runtime
from dashboard.scorecard.build import load_scorecard
from dashboard.scorecard.periods import AsOf
from dashboard.scorecard.plans import load_plans
from dashboard.settings import PROJECT_ROOT, Settings
from dashboard.store.catalogue_sync import sync_catalogue
from dashboard.store.engine import make_engine
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


def pdf_text(content: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return re.sub(r"\s+", " ", text)


def test_narrative_carries_the_numbers(card, catalogue):
    brief = build_brief(card, catalogue, "id")
    behind = next(s for s in brief.sections if s.key == "behind").items
    assert behind[0] == (
        "Dinkes · Prevalensi stunting balita: 21,3% (Okt 2026), 7,3 poin di atas target 14,0; tertinggal."
    )
    assert (
        "BPKAD · Realisasi belanja APBD: 63,8% (Okt 2026), 6,0 poin di bawah rencana 69,8; "
        "tertinggal." in behind
    )
    good = next(s for s in brief.sections if s.key == "movers_good").items
    assert (
        "Kunjungan wisatawan mancanegara naik 7,5% menjadi 6.449 orang/bulan (vs Sep 2026)." in good
    )
    missing = next(s for s in brief.sections if s.key == "missing").items
    assert any(
        m.startswith("Dinkes (") and "Cakupan kepesertaan JKN — Okt 2026, batas 10 Nov 2026" in m
        for m in missing
    )
    english = build_brief(card, catalogue, "en")
    assert english.sections[0].items[0] == (
        "Dinkes · Stunting prevalence among under-fives: 21.3% (Oct 2026), 7.3 pts above target 14.0; behind."
    )
    assert "of 44 indicators for North Sulawesi Province" in english.intro


@pytest.mark.parametrize(
    "lang, expected",
    [
        (
            "id",
            [
                "Ringkasan Pengecualian",
                "data s.d. Okt 2026",
                "Dinkes · Prevalensi stunting balita: 21,3% (Okt 2026)",
                "7,3 poin di atas target 14,0",
                "6,0 poin di bawah rencana 69,8",
                "6.449 orang/bulan",
                "naik 7,5%",
                "Cakupan kepesertaan JKN — Okt 2026, batas 10 Nov 2026",
                "Smart Living 50",
                "Skor domain",
                "75,62 indeks",
            ],
        ),
        (
            "en",
            [
                "Exceptions brief",
                "data up to Oct 2026",
                "Dinkes · Stunting prevalence among under-fives: 21.3% (Oct 2026)",
                "7.3 pts above target 14.0",
                "6.0 pts below plan 69.8",
                "6,449 people/month",
                "rose 7.5%",
                "JKN health-insurance coverage — Oct 2026, due 10 Nov 2026",
                "75.62 index",
            ],
        ),
    ],
)
def test_pdf_text_carries_the_expected_figures(card, catalogue, lang, expected):
    content = brief_pdf(build_brief(card, catalogue, lang), card, catalogue)
    assert content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(content))
    assert sum(len(page.images) for page in reader.pages) >= 2  # the charts, embedded as images
    text = pdf_text(content)
    for figure in expected:
        assert figure in text, figure


def _walk(component):
    yield component
    children = getattr(component, "children", None)
    if children is None:
        return
    for child in children if isinstance(children, (list, tuple)) else [children]:
        if hasattr(child, "to_plotly_json"):
            yield from _walk(child)


def page_rows(layout) -> dict[str, dict[str, str]]:
    """code → the texts of the value, target and points cells of the scorecard page."""
    out = {}
    for c in _walk(layout):
        code = getattr(c, "data-code", None)
        if code is None or "sc-row" not in (getattr(c, "className", "") or ""):
            continue
        cells = c.children
        value = next(
            x.children for x in _walk(cells[1]) if getattr(x, "className", None) == "sc-value"
        )
        target = next(
            x.children for x in _walk(cells[2]) if getattr(x, "className", None) == "sc-target"
        )
        out[code] = {"value": value, "target": target, "points": cells[7].children}
    return out


@pytest.fixture
def app(sample, sqlite_url, tmp_path, monkeypatch):
    app = create_app(
        Settings(database_url=sqlite_url, data_dir=tmp_path, config_dir=PROJECT_ROOT / "config")
    )
    for name in ("layouts.overview", "layouts.brief"):  # the page modules the app just loaded
        monkeypatch.setattr(sys.modules[name], "utcnow", lambda: NOW)
    return app


@pytest.mark.parametrize("lang", ["id", "en"])
def test_workbook_has_the_numbers_of_the_page(app, catalogue, lang):
    from dashboard.access.principal import Principal, set_principal

    with app.server.test_request_context(f"/?period=2026-10&lang={lang}"):
        # The page as the governor's office sees it (the export below is a viewer's too).
        set_principal(Principal("account", 0, "viewer", "viewer", clearance="restricted"))
        page = page_rows(sys.modules["layouts.overview"].layout(lang=lang, period="2026-10"))
    response = client_as(app, "viewer").get(f"/brief/export.xlsx?period=2026-10&lang={lang}")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    wb = load_workbook(io.BytesIO(response.data))
    ws = wb.worksheets[0]
    heads = [c.value for c in ws[HEADER_ROW]]
    col = {name: heads.index(name) for name in heads}
    value_col = col["Nilai terakhir" if lang == "id" else "Latest value"]
    target_col = col["Target"]
    points_col = col["Poin" if lang == "id" else "Points"]
    code_col = col["Kode" if lang == "id" else "Code"]
    seen = 0
    for row in ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True):
        ind = catalogue.indicator(row[code_col])
        shown = page[ind.code]
        value = row[value_col]
        assert shown["value"] == (
            "—" if value is None else i18n.number(value, lang, ind.decimals)
        ), ind.code
        target = row[target_col]
        if isinstance(target, (int, float)):
            assert shown["target"] == i18n.number(target, lang, ind.decimals), ind.code
        else:
            assert shown["target"] == (target or "—"), ind.code
        assert shown["points"] == ("—" if row[points_col] is None else str(row[points_col])), (
            ind.code
        )
        seen += 1
    assert seen == len(page) == len(catalogue.indicators)
    stunting = next(
        r
        for r in ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True)
        if r[code_col] == "LIV.STUNTING"
    )
    assert (stunting[value_col], stunting[target_col]) == (21.3, 14.0)
    assert page["LIV.STUNTING"]["value"] == ("21,3" if lang == "id" else "21.3")
    assert [ws.title for ws in wb.worksheets][1:3] == (
        ["Skor domain", "Di bawah target"] if lang == "id" else ["Domain scores", "Behind target"]
    )


def test_pdf_export_route(app):
    response = client_as(app, "viewer").get("/brief/export.pdf?period=2026-10&region=71.71&lang=en")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "Kota Manado · data up to Oct 2026" in pdf_text(response.data)


def test_weekly_brief_goes_to_the_archive_once_a_week(
    sample, sqlite_url, tmp_path, catalogue, plans
):
    manifest = produce_brief(sample, catalogue, plans, tmp_path, NOW)
    assert manifest.week == week_of(NOW) == "2026-W48"
    assert set(manifest.files) == {"pdf-id", "pdf-en", "xlsx-id", "xlsx-en"}
    assert (
        produce_brief(sample, catalogue, plans, tmp_path, NOW + timedelta(days=1)) is None
    )  # same week
    listed = list_briefs(tmp_path)
    assert [m.week for m in listed] == ["2026-W48"] and listed[0].counts["behind"] >= 2
    text = pdf_text(archived_file(tmp_path, manifest.files["pdf-id"]).read_bytes())
    assert "Ringkasan Pengecualian Mingguan 2026-W48" in text and "21,3%" in text
    for bad in ("../store.sqlite3", "brief-2026-W48-id.pdf/..", "x.pdf", ""):
        assert archived_file(tmp_path, bad) is None
    rt = Runtime(
        Settings(database_url=sqlite_url, data_dir=tmp_path, config_dir=PROJECT_ROOT / "config"),
        catalogue,
        sample,
    )
    run_weekly_brief(rt, NOW + timedelta(days=7))
    assert [m.week for m in list_briefs(tmp_path)] == ["2026-W49", "2026-W48"]


def test_archive_is_browsable_and_downloadable(app, sample, tmp_path, catalogue, plans):
    manifest = produce_brief(sample, catalogue, plans, tmp_path, NOW)
    client = client_as(app, "viewer")
    response = client.get(f"/brief/archive/{manifest.files['xlsx-en']}")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    assert load_workbook(io.BytesIO(response.data)).worksheets[0].title == "Scorecard"
    assert client.get("/brief/archive/store.sqlite3").status_code == 404
    assert (
        client.get("/brief/archive/brief-2026-W01-id.pdf").status_code == 404
    )  # a name, but no file
    assert not client.get("/brief/archive/..%2Fstore.sqlite3").data.startswith(b"SQLite")
    with app.server.test_request_context("/brief"):
        layout = sys.modules["layouts.brief"].layout(lang="id")
    links = [getattr(c, "href", None) for c in _walk(layout)]
    assert f"/brief/archive/{manifest.files['pdf-id']}" in links


def test_schedule_weekly_brief_adds_one_job(sample, sqlite_url, tmp_path, catalogue):
    from apscheduler.schedulers.background import BackgroundScheduler

    rt = Runtime(
        Settings(database_url=sqlite_url, data_dir=tmp_path, config_dir=PROJECT_ROOT / "config"),
        catalogue,
        sample,
    )
    scheduler = BackgroundScheduler(timezone="Asia/Makassar")
    scheduler.start(paused=True)
    try:
        schedule_weekly_brief(scheduler, rt)
        schedule_weekly_brief(scheduler, rt)  # replaces, never doubles
        jobs = scheduler.get_jobs()
    finally:
        scheduler.shutdown(wait=False)
    assert [j.id for j in jobs] == [JOB_ID]
    job = jobs[0]
    assert job.max_instances == 1 and job.coalesce and job.misfire_grace_time >= 3600
    fire = job.trigger.get_next_fire_time(None, datetime(2026, 11, 28, 4, 0, tzinfo=UTC))
    assert (fire.weekday(), fire.hour, fire.minute, fire.utcoffset()) == (
        0,
        7,
        0,
        timedelta(hours=8),
    )
