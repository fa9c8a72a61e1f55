"""The earthquake takeover, end to end: an M ≥ 5 within 300 km of Manado is made through the
simulator's control API, the BMKG source's scheduled job reads it, and the wall in Chromium
takes the screen over within its poll interval; when the takeover's time is up, the
playlist resumes and rotates again."""

from __future__ import annotations

import threading

import httpx
import pytest
from access_kit import start_app, wall_token
from wall_kit import ACTIVE_SCREEN, config_dir_with, make_app, wait_for_wall

from dashboard.catalogue import load_catalogue
from dashboard.runtime import Runtime
from dashboard.scheduler import run_source_job
from dashboard.settings import PROJECT_ROOT, Settings
from dashboard.simulator.server import make_server
from dashboard.store.catalogue_sync import sync_catalogue

pytestmark = pytest.mark.browser

TAKEOVER_SECONDS = 12
POLL_SECONDS = 2.0
PLAYLIST = {
    "default_playlist": "uji",
    "playlists": {
        "uji": {
            "items": [
                {"screen": "overview", "dwell_seconds": 4},
                {"screen": "disaster", "dwell_seconds": 4},
            ]
        }
    },
    "schedule": [],
    "monitors": [],
}


@pytest.fixture
def simulator():
    # Quiet: no strong quake of its own, so the one made here is the only one.
    server = make_server(
        load_catalogue(PROJECT_ROOT / "config"), "127.0.0.1", 0, seed=7, strong_quakes_per_day=0
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def rt(simulator, sqlite_url, tmp_path, monkeypatch):
    monkeypatch.setenv("ODSK_SIMULATOR_URL", simulator.base_url)
    config = config_dir_with(
        tmp_path,
        **PLAYLIST,
        takeover={
            "duration_seconds": TAKEOVER_SECONDS,
            "critical_alerts": False,
            "origin": {"name": "Manado", "lat": 1.4748, "lon": 124.8421},
            "earthquake": {"min_magnitude": 5.0, "max_distance_km": 300, "max_age_minutes": 60},
        },
    )
    runtime = Runtime.from_settings(
        Settings(database_url=sqlite_url, config_dir=config, data_dir=tmp_path)
    )
    sync_catalogue(runtime.engine, runtime.catalogue)
    yield runtime
    runtime.close()


def test_a_quake_made_in_the_simulator_takes_the_wall_over_then_the_playlist_resumes(
    dash_duo, simulator, rt
):
    run_source_job(rt, "bmkg-autogempa")  # the feed as it is: felt quakes, none strong
    app = make_app(
        rt.settings.resolved_database_url,
        rt.settings.data_dir,
        rt.settings.config_dir,
        wall_poll_seconds=POLL_SECONDS,
    )
    start_app(dash_duo, app)
    device = wall_token(app)  # an enrolled screen: no person signed in
    dash_duo.wait_for_page(f"{dash_duo.server_url}/wall?device={device}")
    wait_for_wall(dash_duo)
    assert not dash_duo.find_elements(".wall-takeover.is-active")

    made = httpx.post(
        f"{simulator.base_url}/_control/quake",
        json={"magnitude": 5.8, "lat": 2.05, "lon": 125.6, "depth_km": 18},
        timeout=10,
    )
    assert made.status_code == 200, made.text
    run_source_job(rt, "bmkg-autogempa")  # the scheduler's job for the 15-second feed

    # Within the wall's poll interval (and the redraw after it): the whole screen is taken.
    dash_duo.wait_for_element(".wall-takeover.is-active .takeover-mag", timeout=POLL_SECONDS + 6)
    dash_duo.wait_for_text_to_equal(".takeover-mag .value", "5,8")
    text = dash_duo.find_element(".wall-takeover.is-active").text
    assert "dari Manado" in text and "Tidak berpotensi tsunami" in text
    assert "Dirasakan (MMI)" in text  # felt on Sitaro and in Bitung
    assert dash_duo.find_element("#wall-screen-name").text == "PERINGATAN DARURAT"

    # Its time up, the takeover clears by itself and the playlist turns again.
    dash_duo._wait_for(
        lambda d: not d.find_elements("css selector", ".wall-takeover.is-active"),
        timeout=TAKEOVER_SECONDS + 10,
        msg="the takeover did not clear",
    )
    first = dash_duo.driver.execute_script(ACTIVE_SCREEN)
    assert first in ("overview", "disaster")
    dash_duo._wait_for(
        lambda d: d.execute_script(ACTIVE_SCREEN) not in (None, first),
        timeout=10,
        msg="the playlist did not resume rotating",
    )
    # And it stays on the e-disaster screen as the newest quake, in full.
    newest = '.wall-screen[data-screen="disaster"] .quake-latest .quake-mag .value'
    assert (
        dash_duo.driver.execute_script(f"return document.querySelector('{newest}').textContent")
        == "5,8"
    )
    assert dash_duo.get_logs() == []
