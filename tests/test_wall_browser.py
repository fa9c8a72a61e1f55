"""The wall in a real headless Chromium: fills 1920×1080 and 3840×2160, live, bilingual, no console errors."""

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import insert

from dashboard import i18n
from dashboard.settings import PROJECT_ROOT, Settings
from dashboard.store.catalogue_sync import sync_catalogue
from dashboard.store.engine import make_engine
from dashboard.store.observations import ObservationRow, upsert_observations
from dashboard.store.schema import CollectionRun
from dashboard.versions import bump
from dashboard.views.wall import headline_indicators, wall_domains
from dashboard.webapp import create_app

pytestmark = pytest.mark.browser

# Plausible North Sulawesi figures (previous, latest) so the screenshots read like the real thing.
PLAUSIBLE = {
    "LIV.STUNTING": (22.1, 21.3), "LIV.JKN": (93.8, 94.2), "LIV.BOR": (81.0, 78.4),
    "SOC.IPM": (73.88, 74.32), "SOC.ERAPOR": (90.1, 88.5), "SOC.DAPODIK": (95.0, 96.1),
    "BRD.WISMAN": (11950, 12840), "BRD.WISNUS": (498000, 512300), "BRD.TPK": (60.2, 58.7),
    "GOV.REALISASI-APBD": (55.0, 61.4), "GOV.NASKAH-DIGITAL": (80.1, 82.6), "GOV.EKINERJA": (90.4, 91.2),
    "ENV.PM25": (21.0, 18.4), "ENV.GEMPA": (1, 3), "ENV.BENCANA": (9, 7),
    "ECO.INFLASI": (2.65, 2.41), "ECO.TPT": (6.5, 6.12), "ECO.PENEMPATAN": (1250, 1320),
}
SIZES = [(1920, 1080), (3840, 2160), (1366, 768)]
LIVE_UPDATE_SECONDS = 10


def _step(start: date, grain: str, back: int) -> date:
    """The period ``back`` steps before the one starting at ``start``."""
    if grain == "day":
        return start - timedelta(days=back)
    if grain == "year":
        return date(start.year - back, 1, 1)
    months = {"month": 1, "quarter": 3}[grain] * back
    index = start.year * 12 + start.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def _latest_period(today: date, grain: str) -> date:
    """The last complete period before today (what an SKPD would have delivered)."""
    if grain == "day":
        return today - timedelta(days=1)
    if grain == "year":
        return date(today.year - 1, 1, 1)
    if grain == "quarter":
        return _step(date(today.year, (today.month - 1) // 3 * 3 + 1, 1), "quarter", 1)
    return _step(date(today.year, today.month, 1), "month", 1)


def _plausible(ind) -> tuple[float, float]:
    if ind.code in PLAUSIBLE:
        return PLAUSIBLE[ind.code]
    if ind.band:
        mid = (ind.band.low + ind.band.high) / 2
        return mid * 1.02, mid
    target = next(iter(ind.targets.values()), 100.0)
    return target * 0.95, target * 0.98


@pytest.fixture
def wall_app(sqlite_url, tmp_path, catalogue):
    """The app on a SQLite store holding two periods of every headline indicator and fresh runs."""
    engine = make_engine(sqlite_url)
    sync_catalogue(engine, catalogue)
    now = datetime.now(timezone.utc)
    headline = [i for d in wall_domains(catalogue) for i in headline_indicators(catalogue, d)]
    with engine.begin() as conn:
        for ind in headline:
            latest = _latest_period(now.date(), ind.grain)
            previous_value, latest_value = _plausible(ind)
            source = catalogue.sources_feeding(ind.code)[0].id
            upsert_observations(conn, [
                ObservationRow(ind.code, "71", _step(latest, ind.grain, 1), ind.grain, previous_value),
                ObservationRow(ind.code, "71", latest, ind.grain, latest_value),
            ], source_id=source, run_id=None, ingested_at=now - timedelta(minutes=20))
        failing = catalogue.sources[0].id
        for source in catalogue.sources:
            conn.execute(insert(CollectionRun).values(
                source_id=source.id, trigger="schedule", status="ok", rows_accepted=5,
                started_at=now - timedelta(seconds=12), finished_at=now - timedelta(seconds=10)))
        conn.execute(insert(CollectionRun).values(
            source_id=failing, trigger="schedule", status="failed", error_class="timeout",
            started_at=now - timedelta(seconds=6), finished_at=now - timedelta(seconds=1)))
        bump(conn, [f"domain:{d}" for d in wall_domains(catalogue)])
    app = create_app(Settings(database_url=sqlite_url, data_dir=tmp_path, config_dir=PROJECT_ROOT / "config"))
    yield app, engine, catalogue, headline
    engine.dispose()


def _set_viewport(driver, width: int, height: int) -> None:
    """Make the *viewport* (not the window) exactly width × height.

    The window is resized first; headless Chromium clamps windows to its virtual screen
    (and keeps some of the height for its frame), so the exact size comes from DevTools'
    device-metrics override, as a wall browser in kiosk mode would have it.
    """
    driver.set_window_size(width, height)
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": False,
        "screenWidth": width, "screenHeight": height})
    assert driver.execute_script("return [window.innerWidth, window.innerHeight]") == [width, height]


# Everything that must fit: the page in the viewport, each box inside its parent, each
# tile's content inside the tile. Returns a list of what does not fit.
FIT_CHECK = """
const problems = [];
const de = document.documentElement;
if (de.scrollHeight > innerHeight || de.scrollWidth > innerWidth)
    problems.push(`document scrolls: ${de.scrollWidth}x${de.scrollHeight} in ${innerWidth}x${innerHeight}`);
const within = (inner, outer) => inner.left >= outer.left - 1 && inner.top >= outer.top - 1
    && inner.right <= outer.right + 1 && inner.bottom <= outer.bottom + 1;
const view = {left: 0, top: 0, right: innerWidth, bottom: innerHeight};
for (const box of document.querySelectorAll('.wall-header, .wall-panel, .wall-footer')) {
    if (!within(box.getBoundingClientRect(), view)) problems.push(`${box.className} leaves the viewport`);
    for (const el of box.querySelectorAll('*')) {
        const r = el.getBoundingClientRect();
        if ((r.width || r.height) && !within(r, box.getBoundingClientRect()))
            problems.push(`${el.className || el.tagName} sticks out of ${box.dataset.domain || box.className}`);
    }
}
for (const tile of document.querySelectorAll('.wall-tile')) {
    for (const el of tile.querySelectorAll('*')) {
        const r = el.getBoundingClientRect();
        if ((r.width || r.height) && !within(r, tile.getBoundingClientRect()))
            problems.push(`${tile.dataset.code}: ${el.className || el.tagName} is cut off`);
    }
}
return problems;
"""


def _wait_for_wall(dash_duo, tiles: int) -> None:
    dash_duo.wait_for_element(".wall-tile .value", timeout=15)
    dash_duo._wait_for(lambda d: len(d.find_elements("css selector", ".wall-tile")) == tiles, timeout=10,
                       msg=f"expected {tiles} tiles")


def _check_wall_content(driver, headline, lang: str) -> None:
    panels = driver.find_elements("css selector", ".wall-panel")
    assert [p.get_attribute("data-domain") for p in panels] == \
        ["living", "society", "branding", "governance", "environment", "economy"]
    for panel in panels:
        assert panel.find_element("css selector", ".panel-title").text
        assert len(panel.find_elements("css selector", ".wall-tile")) == 3
    for ind in headline:
        tile = driver.find_element("css selector", f'.wall-tile[data-code="{ind.code}"]')
        assert tile.find_element("css selector", ".tile-name").text == ind.name.get(lang)
        assert tile.find_element("css selector", ".value").text not in ("", "—")
        assert tile.find_element("css selector", ".unit").text == ind.unit.get(lang)
        assert tile.find_element("css selector", ".tile-period").text
        age = tile.find_element("css selector", ".tile-age").text
        assert age.startswith("diambil " if lang == "id" else "fetched ")
        assert tile.get_attribute("data-status") in ("on_track", "at_risk", "behind", "no_target")
    body = driver.find_element("css selector", "body").text
    for junk in ("undefined", "None", "NaN", "null"):
        assert junk not in body


def _local_resources_only(driver, server_url: str) -> None:
    names = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert names and all(n.startswith(server_url) for n in names), [n for n in names if not n.startswith(server_url)]


def test_wall_fills_the_screen_updates_live_and_speaks_two_languages(dash_duo, wall_app, artifacts_dir):
    app, engine, catalogue, headline = wall_app
    driver = dash_duo.driver
    logs = []
    dash_duo.start_server(app)
    server = dash_duo.server_url

    # Bahasa Indonesia by default, at both wall resolutions.
    for width, height in SIZES:
        _set_viewport(driver, width, height)
        dash_duo.wait_for_page(f"{server}/wall")
        _wait_for_wall(dash_duo, len(headline))
        assert dash_duo.find_element(".wall-title").text == "Command Centre ODSK — Provinsi Sulawesi Utara"
        assert dash_duo.find_element(".wall-clock .clock-time").text.endswith("WITA")
        health = dash_duo.find_element("#wall-health").text
        assert f"{len(catalogue.sources) - 1} sumber OK" in health and "1 gagal" in health
        _check_wall_content(driver, headline, "id")
        assert driver.execute_script(FIT_CHECK) == []
        value_px = driver.execute_script(
            "return parseFloat(getComputedStyle(document.querySelector('.wall-tile .value')).fontSize)")
        assert value_px >= 0.05 * height  # headline numbers ≥ 5 % of the screen height
        driver.save_screenshot(str(artifacts_dir / f"wall-{width}x{height}.png"))
        logs += dash_duo.get_logs() or []
    _local_resources_only(driver, server)

    # A new value is stored and its domain's version bumped: it shows within 10 s, no reload,
    # and only that domain's panel is rebuilt.
    _set_viewport(driver, 1920, 1080)
    changed = headline_indicators(catalogue, "economy")[0]
    untouched = headline_indicators(catalogue, "living")[0]
    driver.execute_script(
        "window.__odskSamePage = true;"
        "document.querySelector(arguments[0]).dataset.marker = 'kept';"
        "document.querySelector(arguments[1]).dataset.marker = 'old';",
        f'.wall-tile[data-code="{untouched.code}"]', f'.wall-tile[data-code="{changed.code}"]')
    new_period = _step(_latest_period(datetime.now(timezone.utc).date(), changed.grain), changed.grain, -1)
    new_value = _plausible(changed)[1] * 1.5 + 1
    with engine.begin() as conn:
        upsert_observations(conn, [ObservationRow(changed.code, "71", new_period, changed.grain, new_value)],
                            source_id=catalogue.sources_feeding(changed.code)[0].id, run_id=None,
                            ingested_at=datetime.now(timezone.utc))
        bump(conn, [f"domain:{changed.domain}"])
    tile = f'.wall-tile[data-code="{changed.code}"]'
    dash_duo.wait_for_text_to_equal(f"{tile} .value", i18n.number(new_value, "id", changed.decimals),
                                    timeout=LIVE_UPDATE_SECONDS)
    assert dash_duo.find_element(f"{tile} .tile-period").text == i18n.period(new_period, changed.grain, "id")
    assert driver.execute_script("return window.__odskSamePage === true")
    assert driver.execute_script(
        "return document.querySelector(arguments[0]).dataset.marker",
        f'.wall-tile[data-code="{untouched.code}"]') == "kept"
    assert driver.execute_script("return document.querySelector(arguments[0]).dataset.marker", tile) is None
    logs += dash_duo.get_logs() or []

    # English with ?lang=en.
    dash_duo.wait_for_page(f"{server}/wall?lang=en")
    _wait_for_wall(dash_duo, len(headline))
    assert dash_duo.find_element(".wall-title").text == "Command Centre ODSK — North Sulawesi Province"
    assert "sources OK" in dash_duo.find_element("#wall-health").text
    _check_wall_content(driver, headline, "en")
    assert dash_duo.find_element(f"{tile} .value").text == i18n.number(new_value, "en", changed.decimals)
    assert driver.execute_script(FIT_CHECK) == []
    driver.save_screenshot(str(artifacts_dir / "wall-1920x1080-en.png"))
    logs += dash_duo.get_logs() or []

    assert logs == []


def test_an_invalid_catalogue_refuses_to_start(tmp_path):
    from dashboard.catalogue import CatalogueError

    (tmp_path / "config").mkdir()
    with pytest.raises(CatalogueError) as caught:
        create_app(Settings(config_dir=tmp_path / "config", data_dir=tmp_path))
    assert "domains.yaml: file is missing" in str(caught.value)
