"""The wall in a real headless Chromium: every screen fits 1920×1080, 3840×2160 and 1366×768,
reads from across the room, updates live, speaks two languages, logs no errors.
Screenshots of every screen (and of a takeover) go to test-artifacts/."""

from datetime import timedelta

import clock_kit
import pytest
from access_kit import client_as, start_app, wall_token
from browser_checks import CONTRAST_CHECK
from wall_kit import (
    ACTIVE_SCREEN,
    FIT_CHECK,
    SCREENS,
    SIZES,
    add_alert,
    add_quake,
    config_dir_with,
    headlines,
    latest_period,
    make_app,
    plausible,
    press,
    set_viewport,
    step,
    wait_for_wall,
)

from dashboard import i18n
from dashboard.settings import Settings
from dashboard.store.observations import ObservationRow, upsert_observations
from dashboard.versions import bump
from dashboard.views.wall import headline_indicators
from dashboard.webapp import create_app

pytestmark = pytest.mark.browser

LIVE_UPDATE_SECONDS = 10
# Every screen, long enough that only the arrow keys move it.
STILL = {
    "default_playlist": "alle",
    "schedule": [],
    "monitors": [],
    "playlists": {"alle": {"items": [{"screen": s, "dwell_seconds": 600} for s in SCREENS]}},
}
DOMAINS = ["living", "society", "branding", "governance", "environment", "economy"]
BIG_NUMBERS = {
    "overview": ".wall-tile .value",
    "living": ".wall-tile .value",
    "disaster": ".quake-mag .value",
    "alerts": ".alert-count .value",
}


@pytest.fixture
def wall_app(wall_store, sqlite_url, tmp_path):
    engine, catalogue = wall_store
    add_quake(
        engine,
        magnitude=4.2,
        lat=2.1,
        lon=126.9,
        depth=35,
        ago=timedelta(days=2),
        description="Pusat gempa berada di laut 80 km Timur Laut Talaud",
    )
    add_quake(
        engine,
        magnitude=3.6,
        lat=0.7,
        lon=124.1,
        depth=12,
        ago=timedelta(days=5),
        description="Pusat gempa berada di darat 12 km Barat Daya Kotamobagu",
    )
    add_quake(
        engine,
        magnitude=4.8,
        lat=1.9,
        lon=126.4,
        depth=20,
        ago=timedelta(hours=6),
        description="Pusat gempa berada di laut 115 km Timur Laut Bitung",
    )
    add_alert(
        engine,
        severity="warning",
        title="Prevalensi stunting balita tertinggal dari target (21,3 % vs 14,0 %)",
        ago=timedelta(hours=3),
    )
    add_alert(
        engine,
        severity="info",
        title="Kunjungan wisatawan mancanegara di atas pola musiman",
        ago=timedelta(minutes=40),
    )
    app = make_app(sqlite_url, tmp_path, config_dir_with(tmp_path, **STILL))
    return app, engine, catalogue


def _show(dash_duo, screen: str) -> None:
    """Step with the arrow key until ``screen`` is on (the playlist is every screen in order)."""
    driver = dash_duo.driver
    for _ in range(len(SCREENS)):
        before = driver.execute_script(ACTIVE_SCREEN)
        if before == screen:
            break
        press(driver, "ArrowRight")
        dash_duo._wait_for(
            lambda d, before=before: d.execute_script(ACTIVE_SCREEN) != before,
            timeout=30,
            msg="the arrow key did not step",
        )
    assert driver.execute_script(ACTIVE_SCREEN) == screen


def _font_px(driver, selector: str) -> float:
    return driver.execute_script(
        "const el = document.querySelector(arguments[0]); return el ? parseFloat(getComputedStyle(el).fontSize) : 0",
        f".wall-screen.is-active {selector}",
    )


def _check_overview(driver, catalogue, lang: str) -> None:
    panels = driver.find_elements("css selector", ".wall-screen-overview .wall-panel")
    assert [p.get_attribute("data-domain") for p in panels] == DOMAINS
    for ind in headlines(catalogue):
        tile = driver.find_element(
            "css selector", f'.wall-screen-overview .wall-tile[data-code="{ind.code}"]'
        )
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
    names = driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
    )
    assert names and all(n.startswith((server_url, "data:")) for n in names), names


def test_every_screen_fits_every_size_reads_from_afar_and_updates_live(
    dash_duo, wall_app, artifacts_dir, clock
):
    app, engine, catalogue = wall_app
    seeded_at = clock_kit.now()  # the store was written a moment ago
    driver = dash_duo.driver
    start_app(dash_duo, app)
    device = wall_token(app)
    server = dash_duo.server_url
    logs, low_contrast = [], []

    for width, height in SIZES:
        # Each size is looked at just after the store was written, however long the ones
        # before took on a busy machine (sources would otherwise go stale mid-test).
        clock.move_to(seeded_at)
        set_viewport(driver, width, height)
        dash_duo.wait_for_page(f"{server}/wall?device={device}")
        wait_for_wall(dash_duo)
        assert (
            dash_duo.find_element(".wall-title").text
            == "Command Centre ODSK — Provinsi Sulawesi Utara"
        )
        assert dash_duo.find_element(".wall-clock .clock-time").text.endswith("WITA")
        health = dash_duo.find_element("#wall-health").text
        assert f"{len(catalogue.sources) - 1} sumber OK" in health and "1 gagal" in health
        # Every screen is laid out (stacked) at once: one check covers them all.
        assert driver.execute_script(FIT_CHECK) == []
        for screen in SCREENS:
            _show(dash_duo, screen)
            low_contrast += [
                f"{screen} {width}x{height}: {p}" for p in driver.execute_script(CONTRAST_CHECK)
            ]
            if screen in BIG_NUMBERS:
                assert _font_px(driver, BIG_NUMBERS[screen]) >= 0.05 * height, (
                    screen
                )  # ≥ 5 % of the height
            if width in (1920, 3840) or screen == "overview":
                driver.save_screenshot(str(artifacts_dir / f"wall-{screen}-{width}x{height}.png"))
        _show(dash_duo, "overview")
        _check_overview(driver, catalogue, "id")
        logs += dash_duo.get_logs() or []
    _local_resources_only(driver, server)
    assert low_contrast == []  # WCAG AA, on every screen at every size

    # Each screen says what it is, and every figure how old it is.
    set_viewport(driver, 1920, 1080)
    dash_duo.wait_for_page(f"{server}/wall?device={device}")
    wait_for_wall(dash_duo)
    _show(dash_duo, "living")
    assert dash_duo.find_element("#wall-screen-name").text == "SMART LIVING"
    assert dash_duo.find_element("#wall-position").text == "2/9"
    living = driver.find_elements("css selector", ".wall-screen-living .wall-tile")
    assert len(living) == min(len(catalogue.indicators_of_domain("living")), 9)
    assert all(
        t.find_element("css selector", ".tile-spark img")
        .get_attribute("src")
        .startswith("data:image/svg")
        for t in living
    )
    _show(dash_duo, "disaster")
    latest = dash_duo.find_element(".quake-latest")
    assert latest.find_element("css selector", ".quake-mag .value").text == "4,8"
    assert "km dari Manado" in latest.text and "Tidak berpotensi tsunami" in latest.text
    assert latest.find_element("css selector", ".wall-ago").text == "6 jam lalu"
    assert dash_duo.find_element(".disaster-meta .tile-period").text == "7 hari terakhir"
    assert dash_duo.find_element(".disaster-meta .tile-age").text.startswith("diambil ")
    _show(dash_duo, "alerts")
    assert [e.text for e in driver.find_elements("css selector", ".alert-count .value")] == [
        "0",
        "1",
        "1",
    ]
    assert dash_duo.find_element(".alerts-meta .tile-age").text.startswith("dievaluasi ")

    # A new value is stored and its domain's version bumped: it shows within 10 s, no reload,
    # and only that domain's parts are rebuilt.
    _show(dash_duo, "overview")
    changed = headline_indicators(catalogue, "economy")[0]
    untouched = headline_indicators(catalogue, "living")[0]
    tile = f'.wall-screen-overview .wall-tile[data-code="{changed.code}"]'
    kept = f'.wall-screen-overview .wall-tile[data-code="{untouched.code}"]'
    driver.execute_script(
        "window.__odskSamePage = true;"
        "document.querySelector(arguments[0]).dataset.marker = 'kept';"
        "document.querySelector(arguments[1]).dataset.marker = 'old';",
        kept,
        tile,
    )
    new_period = step(latest_period(clock_kit.now().date(), changed.grain), changed.grain, -1)
    new_value = plausible(changed)[1] * 1.5 + 1
    with engine.begin() as conn:
        upsert_observations(
            conn,
            [ObservationRow(changed.code, "71", new_period, changed.grain, new_value)],
            source_id=catalogue.sources_feeding(changed.code)[0].id,
            run_id=None,
            ingested_at=clock_kit.now(),
        )
        bump(conn, [f"domain:{changed.domain}"])
    dash_duo.wait_for_text_to_equal(
        f"{tile} .value",
        i18n.number(new_value, "id", changed.decimals),
        timeout=LIVE_UPDATE_SECONDS,
    )
    assert dash_duo.find_element(f"{tile} .tile-period").text == i18n.period(
        new_period, changed.grain, "id"
    )
    # The economy screen has it too; the living panel was not redrawn; the page never reloaded.
    assert driver.execute_script(
        "return document.querySelector(arguments[0]).textContent",
        f'.wall-screen-economy .wall-tile[data-code="{changed.code}"] .value',
    ) == i18n.number(new_value, "id", changed.decimals)
    assert driver.execute_script("return window.__odskSamePage === true")
    assert (
        driver.execute_script("return document.querySelector(arguments[0]).dataset.marker", kept)
        == "kept"
    )
    assert (
        driver.execute_script("return document.querySelector(arguments[0]).dataset.marker", tile)
        is None
    )
    logs += dash_duo.get_logs() or []

    # English with ?lang=en.
    dash_duo.wait_for_page(f"{server}/wall?device={device}&lang=en")
    wait_for_wall(dash_duo)
    assert (
        dash_duo.find_element(".wall-title").text == "Command Centre ODSK — North Sulawesi Province"
    )
    assert "sources OK" in dash_duo.find_element("#wall-health").text
    _check_overview(driver, catalogue, "en")
    assert dash_duo.find_element(f"{tile} .value").text == i18n.number(
        new_value, "en", changed.decimals
    )
    assert driver.execute_script(FIT_CHECK) == []
    _show(dash_duo, "disaster")
    assert "No tsunami potential" in dash_duo.find_element(".quake-latest").text
    driver.save_screenshot(str(artifacts_dir / "wall-disaster-1920x1080-en.png"))
    _show(dash_duo, "overview")
    driver.save_screenshot(str(artifacts_dir / "wall-overview-1920x1080-en.png"))
    logs += dash_duo.get_logs() or []

    assert logs == []


def test_a_takeover_fills_the_screen_at_both_sizes(dash_duo, wall_app, artifacts_dir):
    app, engine, _ = wall_app
    add_quake(
        engine,
        magnitude=5.6,
        lat=1.62,
        lon=125.38,
        depth=35,
        description="Pusat gempa berada di laut 58 km Timur Laut Bitung",
    )
    add_alert(
        engine,
        severity="critical",
        title="Rumah sakit hampir penuh: BOR Kota Manado 96,2 %",
        rule="bor-penuh",
    )
    start_app(dash_duo, app)
    device = wall_token(app)
    for width, height in [(1920, 1080), (3840, 2160)]:
        set_viewport(dash_duo.driver, width, height)
        dash_duo.wait_for_page(f"{dash_duo.server_url}/wall?device={device}")
        dash_duo.wait_for_element(".wall-takeover.is-active .takeover-mag", timeout=30)
        dash_duo.wait_for_text_to_equal(".takeover-mag .value", "5,6")
        assert "62 km dari Manado" in dash_duo.find_element(".takeover-facts").text
        assert "Rumah sakit hampir penuh" in dash_duo.find_element(".takeover-alerts").text
        # The countdown starts at 5:00 and ticks down each second.
        dash_duo.wait_for_contains_text(
            "#wall-takeover-countdown", "Kembali ke putaran dalam 4:", timeout=30
        )
        assert dash_duo.find_element("#wall-screen-name").text == "PERINGATAN DARURAT"
        assert dash_duo.driver.execute_script(FIT_CHECK) == []
        assert dash_duo.driver.execute_script(CONTRAST_CHECK) == []
        assert (
            float(
                dash_duo.driver.execute_script(
                    "return parseFloat(getComputedStyle(document.querySelector('.takeover-mag .value')).fontSize)"
                )
            )
            >= 0.15 * height
        )
        dash_duo.driver.save_screenshot(str(artifacts_dir / f"wall-takeover-{width}x{height}.png"))
    assert dash_duo.get_logs() == []


SCRAPE_TOKEN = "wall-test-scrape"
SCRAPER = {"Authorization": f"Bearer {SCRAPE_TOKEN}"}  # /healthz details: operators or the scraper


def test_health_endpoint_reports_the_store(wall_app):
    app, *_ = wall_app
    response = client_as(app, "operator").get("/healthz")  # the details are for operators
    assert response.status_code == 200
    assert response.get_json()["checks"]["store"] == {"ok": True}


def test_health_endpoint_fails_when_the_store_is_not_there(tmp_path):
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'never-migrated.sqlite3'}",
        data_dir=tmp_path,
        metrics_token=SCRAPE_TOKEN,
    )
    response = create_app(settings).server.test_client().get("/healthz", headers=SCRAPER)
    assert response.status_code == 503
    assert response.get_json()["checks"]["store"]["ok"] is False


def test_health_endpoint_checks_redis_when_configured(tmp_path, sqlite_url):
    settings = Settings(
        database_url=sqlite_url,
        data_dir=tmp_path,
        redis_url="redis://127.0.0.1:1/0",
        metrics_token=SCRAPE_TOKEN,
    )
    response = create_app(settings).server.test_client().get("/healthz", headers=SCRAPER)
    assert response.status_code == 503
    assert response.get_json()["checks"]["redis"]["ok"] is False


def test_an_invalid_catalogue_refuses_to_start(tmp_path):
    from dashboard.catalogue import CatalogueError

    (tmp_path / "config").mkdir()
    with pytest.raises(CatalogueError) as caught:
        create_app(Settings(config_dir=tmp_path / "config", data_dir=tmp_path))
    assert "domains.yaml: file is missing" in str(caught.value)


def test_an_invalid_wall_yaml_refuses_to_start(tmp_path, sqlite_url):
    from dashboard.catalogue import CatalogueError

    config = config_dir_with(tmp_path, default_playlist="nowhere")
    with pytest.raises(CatalogueError) as caught:
        make_app(sqlite_url, tmp_path, config)
    assert "wall.yaml: default_playlist: playlist 'nowhere' is not defined" in str(caught.value)
