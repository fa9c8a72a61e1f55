"""The wall as an unattended device, in a real headless Chromium: rotation by dwell time and
time of day, pinning, arrow keys, emergency takeover and its end, heartbeats, the ops view
and a remote reload, the one-canvas grid of six screens."""

import time
from datetime import UTC, datetime, timedelta

import pytest
from wall_kit import (
    ACTIVE_SCREEN,
    FIT_CHECK,
    add_alert,
    add_quake,
    config_dir_with,
    make_app,
    press,
    resolve_alert,
    set_viewport,
    wait_for_wall,
)

from dashboard.settings import PROJECT_ROOT
from dashboard.store.screens import list_screens, request_command
from dashboard.wall_config import load_wall_config

pytestmark = pytest.mark.browser

DWELL = {"overview": 2, "living": 4, "disaster": 3, "alerts": 2}
TAKEOVER_SECONDS = 15
TEST_WALL = {
    "heartbeat_seconds": 2,
    "default_playlist": "kilat",
    "schedule": [],
    "playlists": {
        "kilat": {"items": [{"screen": s, "dwell_seconds": d} for s, d in DWELL.items()]},
        "malam": {
            "items": [
                {"screen": "overview", "dwell_seconds": 60},
                {"screen": "alerts", "dwell_seconds": 60},
            ]
        },
    },
    "takeover": {"duration_seconds": TAKEOVER_SECONDS},
    "monitors": [
        {"id": "kiri", "screen": "overview"},
        {"id": "tengah", "playlist": "kilat", "start": 2},
    ],
}
RECORD_SWITCHES = """
window.__switches = [];
const record = () => {
    const active = document.querySelector('.wall-screen.is-active');
    const screen = active ? active.dataset.screen : null;
    const last = window.__switches[window.__switches.length - 1];
    if (!last || last[0] !== screen) window.__switches.push([screen, performance.now()]);
};
record();
new MutationObserver(record).observe(document.querySelector('.wall-stage'),
    {attributes: true, subtree: true, attributeFilter: ['class']});
"""
TAKEN_OVER = "return document.querySelector('#wall-takeover-box').classList.contains('is-active')"


@pytest.fixture
def live_wall(wall_store, sqlite_url, tmp_path):
    engine, catalogue = wall_store
    app = make_app(
        sqlite_url, tmp_path, config_dir_with(tmp_path, **TEST_WALL), wall_poll_seconds=1
    )
    return app, engine, catalogue


def test_rotation_follows_dwell_times_and_the_keys_step(dash_duo, live_wall):
    app, *_ = live_wall
    dash_duo.start_server(app)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/wall")
    wait_for_wall(dash_duo)
    driver = dash_duo.driver
    assert len(driver.find_elements("css selector", ".wall-screen")) == len(DWELL)
    driver.execute_script(RECORD_SWITCHES)
    time.sleep(sum(DWELL.values()) + DWELL["overview"] + 3)
    switches = driver.execute_script("return window.__switches")
    order = [s for s, _ in switches]
    cycle = list(DWELL)
    start = cycle.index(order[0])
    assert order == [cycle[(start + i) % len(cycle)] for i in range(len(order))]
    assert len(order) >= len(cycle) + 1
    # Each screen stays its own dwell time (the browser's rotation ticks once a second).
    for (screen, began), (_, ended) in zip(switches[1:], switches[2:]):
        assert DWELL[screen] - 0.3 <= (ended - began) / 1000 <= DWELL[screen] + 1.3, (
            screen,
            ended - began,
        )

    # Arrow keys step, both ways, and the stepped-to screen gets its full dwell.
    before = driver.execute_script(ACTIVE_SCREEN)
    press(driver, "ArrowLeft")
    dash_duo._wait_for(
        lambda d: d.execute_script(ACTIVE_SCREEN) == cycle[cycle.index(before) - 1],
        timeout=3,
        msg="ArrowLeft did not step back",
    )
    press(driver, "ArrowRight")
    dash_duo._wait_for(
        lambda d: d.execute_script(ACTIVE_SCREEN) == before,
        timeout=3,
        msg="ArrowRight did not step on",
    )
    assert dash_duo.find_element("#wall-position").text == f"{cycle.index(before) + 1}/{len(cycle)}"
    assert dash_duo.get_logs() == []


def test_the_browser_follows_the_same_schedule_as_the_server(dash_duo, live_wall, catalogue):
    """wall_rotation.js picks the playlist from the WITA time exactly as WallConfig.playlist_at."""
    app, *_ = live_wall
    dash_duo.start_server(app)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/wall")
    wait_for_wall(dash_duo)
    config = load_wall_config(PROJECT_ROOT / "config", catalogue)
    from dashboard.views.wall_plan import plan_data, resolve_plan

    plan = plan_data(resolve_plan(config, catalogue, datetime.now(UTC)), config, catalogue, "id")
    start = datetime(2026, 11, 23, 0, 30, tzinfo=UTC)  # Monday 08:30 WITA
    moments = [start + timedelta(hours=h) for h in range(0, 7 * 24, 5)]
    picked = dash_duo.driver.execute_script(
        "const [plan, moments] = arguments;"
        "return moments.map(m => window.odskWallRotation.decide(plan, null, Date.parse(m), 0, null).playlist);",
        plan,
        [m.isoformat() for m in moments],
    )
    assert picked == [config.playlist_at(m) for m in moments]
    assert set(picked) == {"utama", "malam"}


def test_a_pinned_screen_stays_and_a_playlist_plays_alone(dash_duo, live_wall):
    app, *_ = live_wall
    dash_duo.start_server(app)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/wall?screen=disaster")
    wait_for_wall(dash_duo)
    driver = dash_duo.driver
    assert [
        e.get_attribute("data-screen") for e in driver.find_elements("css selector", ".wall-screen")
    ] == ["disaster"]
    time.sleep(max(DWELL.values()) + 1.5)
    press(driver, "ArrowRight")
    time.sleep(1.5)
    assert driver.execute_script(ACTIVE_SCREEN) == "disaster"
    assert dash_duo.find_element("#wall-position").text == ""

    dash_duo.wait_for_page(f"{dash_duo.server_url}/wall?playlist=malam")
    wait_for_wall(dash_duo)
    assert [
        e.get_attribute("data-screen") for e in driver.find_elements("css selector", ".wall-screen")
    ] == ["overview", "alerts"]
    assert dash_duo.find_element("#wall-position").text == "1/2"

    # A monitor of wall.yaml: its playlist, one item on.
    dash_duo.wait_for_page(f"{dash_duo.server_url}/wall?monitor=tengah")
    wait_for_wall(dash_duo)
    assert driver.execute_script(ACTIVE_SCREEN) == "disaster"
    assert dash_duo.find_element("#wall-position").text == "3/4"
    assert dash_duo.get_logs() == []


def test_an_emergency_takes_over_then_the_playlist_resumes(dash_duo, live_wall, artifacts_dir):
    app, engine, _ = live_wall
    dash_duo.start_server(app)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/wall")
    wait_for_wall(dash_duo)
    driver = dash_duo.driver
    assert not driver.execute_script(TAKEN_OVER)

    # An M 5.8 quake 62 km from Manado reaches the event table: every screen gives way.
    stored = time.monotonic()
    add_quake(
        engine, magnitude=5.8, lat=1.62, lon=125.38, depth=10, description="58 km Timur Laut Bitung"
    )
    dash_duo._wait_for(lambda d: d.execute_script(TAKEN_OVER), timeout=5, msg="no takeover")
    assert dash_duo.find_element(".takeover-mag .value").text == "5,8"
    driver.save_screenshot(str(artifacts_dir / "wall-takeover-live-1920x1080.png"))
    held = driver.execute_script(ACTIVE_SCREEN)
    time.sleep(max(DWELL.values()) + 1)
    assert driver.execute_script(TAKEN_OVER)
    assert driver.execute_script(ACTIVE_SCREEN) == held  # the playlist waits
    dash_duo._wait_for(
        lambda d: not d.execute_script(TAKEN_OVER),
        timeout=TAKEOVER_SECONDS + 3,
        msg="the takeover did not clear",
    )
    # The time counts from when the quake was stored, whenever a screen learnt of it.
    assert TAKEOVER_SECONDS - 1 <= time.monotonic() - stored <= TAKEOVER_SECONDS + 2
    dash_duo._wait_for(
        lambda d: d.execute_script(ACTIVE_SCREEN) != held,
        timeout=max(DWELL.values()) + 2,
        msg="the playlist did not resume",
    )

    # A critical alert takes over too, and clears as soon as it is resolved.
    alert_id = add_alert(engine, severity="critical", title="Rumah sakit hampir penuh")
    dash_duo._wait_for(
        lambda d: d.execute_script(TAKEN_OVER), timeout=5, msg="no takeover for the alert"
    )
    assert "Rumah sakit hampir penuh" in dash_duo.find_element(".takeover-alerts").text
    assert dash_duo.find_element(".takeover-heading").text == "PERINGATAN KRITIS"
    resolve_alert(engine, alert_id)
    dash_duo._wait_for(
        lambda d: not d.execute_script(TAKEN_OVER), timeout=5, msg="a resolved alert stayed"
    )
    # A weak or far quake does not.
    add_quake(engine, magnitude=4.2, lat=1.62, lon=125.38)
    add_quake(engine, magnitude=6.4, lat=-3.0, lon=129.0)
    time.sleep(3)
    assert not driver.execute_script(TAKEN_OVER)
    assert dash_duo.get_logs() == []


def test_screens_report_and_an_admin_makes_one_reload(dash_duo, live_wall):
    app, engine, _ = live_wall
    dash_duo.start_server(app)
    driver = dash_duo.driver
    dash_duo.wait_for_page(f"{dash_duo.server_url}/wall?device=lobi-1")
    wait_for_wall(dash_duo)

    def reported(_driver=None):
        return next(
            (
                s
                for s in list_screens(engine)
                if s.screen_id == "lobi-1" and s.details.get("playlist")
            ),
            None,
        )

    dash_duo._wait_for(reported, timeout=8, msg="no heartbeat")
    screen = reported()
    assert (screen.details["w"], screen.details["h"]) == (1920, 1080)
    assert screen.details["path"] == "/wall?device=lobi-1" and screen.details["playlist"] == "kilat"

    # The ops view lists it; its Reload button queues a command.
    dash_duo.wait_for_page(f"{dash_duo.server_url}/ops/screens")
    dash_duo.wait_for_element('#wall-ops-screens tr[data-screen="lobi-1"]')
    row = dash_duo.find_element('#wall-ops-screens tr[data-screen="lobi-1"]')
    assert "1920×1080" in row.text and "aktif" in row.text and "/wall?device=lobi-1" in row.text
    assert (
        "dinding" not in dash_duo.find_element(".wall-ops-monitors").text
    )  # the test wall.yaml's monitors
    assert "/wall?monitor=kiri" in dash_duo.find_element(".wall-ops-monitors").text
    row.find_element("css selector", "button").click()
    dash_duo.wait_for_contains_text("#wall-ops-feedback", "lobi-1")
    assert list_screens(engine)[0].pending == ("reload",)

    # Back on the wall: the next heartbeat collects it and the page reloads, once.
    dash_duo.wait_for_page(f"{dash_duo.server_url}/wall?device=lobi-1")
    dash_duo._wait_for(
        lambda d: (
            d.execute_script("return performance.getEntriesByType('navigation')[0].type")
            == "reload"
        ),
        timeout=10,
        msg="the screen did not reload",
    )
    wait_for_wall(dash_duo)
    assert all(s.pending == () for s in list_screens(engine))
    driver.execute_script("window.__sameLoad = true")
    time.sleep(5)
    assert driver.execute_script("return window.__sameLoad === true")  # no second reload

    # A reload asked for while it is on the wall.
    request_command(engine, "lobi-1")
    dash_duo._wait_for(
        lambda d: d.execute_script("return window.__sameLoad") is None,
        timeout=75,
        msg="the second reload did not come",
    )  # at most one reload a minute
    wait_for_wall(dash_duo)
    assert dash_duo.get_logs() == []


def test_six_screens_on_one_canvas(dash_duo, wall_store, sqlite_url, tmp_path, artifacts_dir):
    """The shipped wall.yaml's six monitors on one 5760×2160 canvas (a video-wall controller)."""
    engine, _ = wall_store
    dash_duo.start_server(
        make_app(sqlite_url, tmp_path, config_dir_with(tmp_path, heartbeat_seconds=2))
    )
    driver = dash_duo.driver
    set_viewport(driver, 5760, 2160)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/wall/grid?cols=3&rows=2")
    dash_duo._wait_for(
        lambda d: (
            d.execute_script("return document.querySelectorAll('.wall-canvas iframe').length") == 6
        ),
        timeout=30,
        msg="the grid did not lay out six cells",
    )
    frames = driver.execute_script("""return [...document.querySelectorAll('.wall-canvas iframe')].map(f => {
        const r = f.getBoundingClientRect(); return [f.getAttribute('src'), r.width, r.height]; })""")
    assert [src for src, _, _ in frames] == [
        f"/wall?monitor=dinding-{i}&device=grid-{i}" for i in range(1, 7)
    ]
    assert {(w, h) for _, w, h in frames} == {(1920, 1080)}
    assert driver.execute_script(
        "return [document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
    ) == [5760, 2160]
    # Each cell is a full wall; with the rotation and clock in plain JavaScript (no Dash
    # callback each second) six of them run side by side even on 2 cores.
    shown = []
    for index in range(len(frames)):
        driver.switch_to.frame(index)
        try:
            dash_duo._wait_for(
                lambda d: d.execute_script(ACTIVE_SCREEN) is not None,
                timeout=60,
                msg=f"cell {index + 1} did not start",
            )
            shown.append(driver.execute_script(ACTIVE_SCREEN))
            assert driver.execute_script(FIT_CHECK) == []
        finally:
            driver.switch_to.default_content()
    # dinding-1 is the overview, dinding-3 e-disaster, dinding-6 alerts; the others play "utama".
    assert (shown[0], shown[2], shown[5]) == ("overview", "disaster", "alerts")
    assert len(set(shown)) >= 4
    dash_duo._wait_for(
        lambda d: {f"grid-{i}" for i in range(1, 7)} <= {s.screen_id for s in list_screens(engine)},
        timeout=30,
        msg="not every cell reported",
    )
    driver.save_screenshot(str(artifacts_dir / "wall-grid-3x2-5760x2160.png"))
    assert dash_duo.get_logs() == []
