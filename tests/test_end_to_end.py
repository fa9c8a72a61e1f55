"""The whole slice: the simulator serves a new value over HTTP, ``odsk collect`` stores it,
and the wall in a real headless Chromium shows it without a reload."""

import json
import os
import subprocess
import sys
import threading
from datetime import date

import clock_kit
import httpx
import pytest
from access_kit import start_app, wall_token
from clock_kit import frozen_command

from dashboard.catalogue import load_catalogue
from dashboard.settings import PROJECT_ROOT, Settings
from dashboard.simulator.server import make_server
from dashboard.webapp import create_app

pytestmark = pytest.mark.browser

SOURCE = "dinkes-sik"
INDICATOR = "LIV.STUNTING"
# A bound on waiting for the wall, not a speed target (bench/wall_refresh.py measures that).
LIVE_SECONDS = 60


def last_month(today: date) -> str:
    index = today.year * 12 + today.month - 2
    return f"{index // 12}-{index % 12 + 1:02d}"


@pytest.fixture
def simulator():
    catalogue = load_catalogue(PROJECT_ROOT / "config")
    server = make_server(catalogue, "127.0.0.1", 0, faults=False, seed=7)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


@pytest.fixture
def env(simulator, sqlite_url, tmp_path, monkeypatch):
    values = {
        "ODSK_SIMULATOR_URL": simulator.base_url,
        "ODSK_DATABASE_URL": sqlite_url,
        "ODSK_DATA_DIR": str(tmp_path),
        "ODSK_CONFIG_DIR": str(PROJECT_ROOT / "config"),
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return {**os.environ, **values}


def odsk_collect(env: dict) -> dict:
    """The real command line, in its own process, as an operator or cron would run it."""
    done = subprocess.run(
        frozen_command([sys.executable, "-m", "dashboard.cli", "collect", SOURCE, "--json"]),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def tile_value(dash_duo) -> str:
    return dash_duo.find_element(f'article[data-code="{INDICATOR}"] .value').text


def test_a_value_served_by_an_skpd_reaches_the_wall(simulator, env, dash_duo):
    first = odsk_collect(env)
    assert first["status"] == "ok" and first["accepted"] > 1000  # five years of backfill
    app = create_app(Settings())
    start_app(dash_duo, app)
    device = wall_token(app)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/wall?device={device}")
    dash_duo.wait_for_element(f'article[data-code="{INDICATOR}"] .value', timeout=15)
    before = tile_value(dash_duo)

    period = last_month(clock_kit.today())
    response = httpx.post(
        f"{simulator.base_url}/_control/override",
        json={"indicator": INDICATOR, "region": "71", "period": period, "value": 9.7},
    )
    assert response.status_code == 200, response.text
    second = odsk_collect(env)
    assert second["status"] == "ok" and second["changed"] >= 1

    dash_duo.wait_for_text_to_equal(
        f'article[data-code="{INDICATOR}"] .value', "9,7", timeout=LIVE_SECONDS
    )
    assert before != "9,7"
    assert dash_duo.get_logs() == []
