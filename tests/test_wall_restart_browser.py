"""The wall survives a server restart: it says it is reconnecting, carries on rotating, and
recovers by itself (live data again, no reload, never an error page). The server is a real
gunicorn process (``app:server``) that the test stops and starts again on the same port."""

import os
import signal
import socket
import subprocess
import sys

import clock_kit
import httpx
import pytest
from clock_kit import frozen_command
from wait_kit import wait_until
from wall_kit import (
    ACTIVE_SCREEN,
    advance_clock,
    config_dir_with,
    freeze_clock,
    latest_period,
    plausible,
    step,
    wait_for_wall,
)

from dashboard import i18n
from dashboard.settings import PROJECT_ROOT
from dashboard.store.engine import begin_write
from dashboard.store.observations import ObservationRow, upsert_observations
from dashboard.versions import bump
from dashboard.views.wall import headline_indicators

pytestmark = pytest.mark.browser

OUTAGE_ERRORS = (
    "ERR_CONNECTION_REFUSED",
    "Callback failed: the server did not respond",
    "Failed to fetch",
    "ERR_EMPTY_RESPONSE",
    "ERR_CONNECTION_RESET",
)
OFFLINE = "return document.documentElement.classList.contains('wall-offline')"
WALL = {
    "heartbeat_seconds": 3,
    "default_playlist": "cepat",
    "schedule": [],
    "monitors": [],
    "playlists": {
        "cepat": {
            "items": [
                {"screen": "overview", "dwell_seconds": 4},
                {"screen": "economy", "dwell_seconds": 4},
            ]
        }
    },
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    def __init__(self, env: dict[str, str], port: int, log_path):
        self.env, self.port, self.log_path = env, port, log_path
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 90) -> None:
        # One worker: until create_app sets Dash up before the first request (plotly/dash#3971),
        # a second worker's first requests can race its set-up; the health probe below sets
        # this one up before the browser arrives.
        log = open(self.log_path, "ab")
        # Started at the test's own time (clock_kit), as the data it serves was written.
        self.proc = subprocess.Popen(
            frozen_command(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "-b",
                    f"127.0.0.1:{self.port}",
                    "-w",
                    "1",
                    "-k",
                    "gthread",
                    "--threads",
                    "4",
                    "--graceful-timeout",
                    "3",
                    "app:server",
                ]
            ),
            cwd=PROJECT_ROOT,
            env=self.env,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        log.close()

        def healthy() -> bool:
            if self.proc.poll() is not None:
                pytest.fail(f"gunicorn exited: {self.log_path.read_text()[-2000:]}")
            return httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200

        wait_until(
            healthy,
            timeout=timeout,
            message=f"gunicorn did not come up: {self.log_path.read_text()[-2000:]}",
        )

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)


@pytest.fixture
def gunicorn(wall_store, sqlite_url, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ODSK_")}
    env.update(
        ODSK_DATABASE_URL=sqlite_url,
        ODSK_DATA_DIR=str(tmp_path),
        ODSK_CONFIG_DIR=str(config_dir_with(tmp_path, **WALL)),
        ODSK_WALL_POLL_SECONDS="2",
    )
    server = Gunicorn(env, _free_port(), tmp_path / "gunicorn.log")
    server.start()
    yield server
    server.stop()


def test_the_wall_reconnects_after_a_server_restart(dash_br, gunicorn, wall_store):
    from dashboard.access.audit import Actor
    from dashboard.access.devices import enrol

    engine, catalogue = wall_store
    _device, token = enrol(engine, "restart-wall", "internal", actor=Actor.cli("test"))
    driver = dash_br.driver
    driver.get(f"{gunicorn.url}/wall?device={token}")
    wait_for_wall(dash_br)
    driver.execute_script("window.__odskSamePage = true")
    assert not driver.execute_script(OFFLINE)
    assert not dash_br.find_element(".banner-offline").is_displayed()

    # The server goes away: the wall says so, keeps its figures and keeps rotating.
    gunicorn.stop()
    dash_br._wait_for(
        lambda d: d.execute_script(OFFLINE), timeout=30, msg="the wall did not notice"
    )
    banner = dash_br.find_element(".banner-offline")
    assert banner.is_displayed() and "menyambung ulang" in banner.text
    # The rotation goes on without the server: twice round, by the page's own clock.
    freeze_clock(driver)
    before = driver.execute_script(ACTIVE_SCREEN)
    advance_clock(driver, 4)
    assert driver.execute_script(ACTIVE_SCREEN) != before
    advance_clock(driver, 4)
    assert driver.execute_script(ACTIVE_SCREEN) == before
    assert driver.execute_script(OFFLINE)
    assert driver.execute_script("return document.getElementById('wall-root') !== null")
    assert dash_br.find_elements(".wall-tile .value")

    # It comes back: the banner goes by itself, and new data flows again.
    gunicorn.start()
    dash_br._wait_for(
        lambda d: not d.execute_script(OFFLINE), timeout=20, msg="the wall did not reconnect"
    )
    assert not dash_br.find_element(".banner-offline").is_displayed()
    changed = headline_indicators(catalogue, "economy")[0]
    new_period = step(latest_period(clock_kit.now().date(), changed.grain), changed.grain, -1)
    new_value = plausible(changed)[1] * 1.7 + 2
    # A writer's transaction (the write lock up front): the enrolled screen's heartbeats write
    # too, and a deferred transaction that reads then writes would meet "database is locked".
    with begin_write(engine) as conn:
        upsert_observations(
            conn,
            [ObservationRow(changed.code, "71", new_period, changed.grain, new_value)],
            source_id=catalogue.sources_feeding(changed.code)[0].id,
            run_id=None,
            ingested_at=clock_kit.now(),
        )
        bump(conn, [f"domain:{changed.domain}"])
    shown = i18n.number(new_value, "id", changed.decimals)
    dash_br._wait_for(
        lambda d: (
            d.execute_script(
                "return document.querySelector(arguments[0]).textContent",
                f'.wall-screen-overview .wall-tile[data-code="{changed.code}"] .value',
            )
            == shown
        ),
        timeout=30,
        msg="no live data after the restart",
    )
    assert driver.execute_script("return window.__odskSamePage === true")  # never reloaded
    others = [
        e for e in dash_br.get_logs() or [] if not any(a in e["message"] for a in OUTAGE_ERRORS)
    ]
    assert others == []
