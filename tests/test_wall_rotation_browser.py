"""The wall as an unattended device, in a real headless Chromium: rotation by dwell time and
time of day, pinning, arrow keys, emergency takeover and its end, heartbeats, the ops view
and a remote reload, the one-canvas grid of six screens."""

import math
from datetime import UTC, datetime, timedelta

import clock_kit
import pytest
from access_kit import add_user, browser_login, start_app, wall_token
from wait_kit import wait_until
from wall_kit import (
    ACTIVE_SCREEN,
    FIT_CHECK,
    add_alert,
    add_quake,
    advance_clock,
    config_dir_with,
    freeze_clock,
    make_app,
    press,
    resolve_alert,
    set_viewport,
    wait_for_wall,
    walk_clock,
)

from dashboard.settings import PROJECT_ROOT
from dashboard.store.screens import list_screens, request_command
from dashboard.views.wall_screens import load_wall_config

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
# The screen held by the takeover, and how long (ms, by the page's clock) the takeover has left.
TAKEOVER_LEFT = (
    "const r = window.odskWallRotation.state(); return [r.screen, r.until - window.odskClock.now()]"
)
LAST_TAKEOVER_KEYS = "return window.odskWallRotation.lastTakeover().keys"
DISASTER_TEXT = "return document.querySelector('.wall-screen-disaster').textContent"


@pytest.fixture
def live_wall(wall_store, sqlite_url, tmp_path):
    engine, catalogue = wall_store
    app = make_app(
        sqlite_url, tmp_path, config_dir_with(tmp_path, **TEST_WALL), wall_poll_seconds=1
    )
    return app, engine, catalogue


def test_rotation_follows_dwell_times_and_the_keys_step(dash_duo, live_wall):
    app, *_ = live_wall
    start_app(dash_duo, app)
    device = wall_token(app)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/wall?device={device}")
    wait_for_wall(dash_duo)
    driver = dash_duo.driver
    assert len(driver.find_elements("css selector", ".wall-screen")) == len(DWELL)
    # The page's clock stops; the test moves it on a tenth of a second at a time.
    switches = walk_clock(driver, sum(DWELL.values()) + DWELL["overview"] + 1)
    order = [s for s, _ in switches]
    cycle = list(DWELL)
    start = cycle.index(order[0])
    assert order == [cycle[(start + i) % len(cycle)] for i in range(len(order))]
    assert len(order) >= len(cycle) + 1
    # Each screen stays exactly its own dwell time (the first was on before the walk began).
    for (screen, began), (_, ended) in zip(switches[1:], switches[2:]):
        assert ended - began == pytest.approx(DWELL[screen], abs=1e-6), screen

    # Arrow keys step, both ways, and the stepped-to screen gets its full dwell.
    before = driver.execute_script(ACTIVE_SCREEN)
    press(driver, "ArrowLeft")
    wait_until(
        lambda: driver.execute_script(ACTIVE_SCREEN) == cycle[cycle.index(before) - 1],
        timeout=30,
        message="ArrowLeft did not step back",
    )
    press(driver, "ArrowRight")
    wait_until(
        lambda: driver.execute_script(ACTIVE_SCREEN) == before,
        timeout=30,
        message="ArrowRight did not step on",
    )
    assert dash_duo.find_element("#wall-position").text == f"{cycle.index(before) + 1}/{len(cycle)}"
    advance_clock(driver, DWELL[before] - 0.1)
    assert driver.execute_script(ACTIVE_SCREEN) == before
    advance_clock(driver, 0.1)
    assert driver.execute_script(ACTIVE_SCREEN) == cycle[(cycle.index(before) + 1) % len(cycle)]
    assert dash_duo.get_logs() == []


def test_the_browser_follows_the_same_schedule_as_the_server(dash_duo, live_wall, catalogue):
    """wall_rotation.js picks the playlist from the WITA time exactly as WallConfig.playlist_at."""
    app, *_ = live_wall
    start_app(dash_duo, app)
    device = wall_token(app)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/wall?device={device}")
    wait_for_wall(dash_duo)
    config = load_wall_config(PROJECT_ROOT / "config", catalogue)
    from dashboard.views.wall_plan import plan_data, resolve_plan

    plan = plan_data(resolve_plan(config, catalogue, clock_kit.now()), config, catalogue, "id")
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
    start_app(dash_duo, app)
    device = wall_token(app)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/wall?device={device}&screen=disaster")
    wait_for_wall(dash_duo)
    driver = dash_duo.driver
    assert [
        e.get_attribute("data-screen") for e in driver.find_elements("css selector", ".wall-screen")
    ] == ["disaster"]
    freeze_clock(driver)
    advance_clock(driver, sum(DWELL.values()) + 1)
    assert driver.execute_script(ACTIVE_SCREEN) == "disaster"
    press(driver, "ArrowRight")
    advance_clock(driver, 1)
    assert driver.execute_script(ACTIVE_SCREEN) == "disaster"
    assert dash_duo.find_element("#wall-position").text == ""

    dash_duo.wait_for_page(f"{dash_duo.server_url}/wall?device={device}&playlist=malam")
    wait_for_wall(dash_duo)
    assert [
        e.get_attribute("data-screen") for e in driver.find_elements("css selector", ".wall-screen")
    ] == ["overview", "alerts"]
    assert dash_duo.find_element("#wall-position").text == "1/2"

    # A monitor of wall.yaml: its playlist, one item on.
    dash_duo.wait_for_page(f"{dash_duo.server_url}/wall?device={device}&monitor=tengah")
    wait_for_wall(dash_duo)
    assert driver.execute_script(ACTIVE_SCREEN) == "disaster"
    assert dash_duo.find_element("#wall-position").text == "3/4"
    assert dash_duo.get_logs() == []


def test_an_emergency_takes_over_then_the_playlist_resumes(
    dash_duo, live_wall, artifacts_dir, clock
):
    app, engine, _ = live_wall
    start_app(dash_duo, app)
    device = wall_token(app)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/wall?device={device}")
    wait_for_wall(dash_duo)
    driver = dash_duo.driver
    assert not driver.execute_script(TAKEN_OVER)
    freeze_clock(driver)

    # An M 5.8 quake 62 km from Manado, 5 s old when it reaches the event table: every screen
    # gives way, for what is left of the takeover counted from the quake, not from the moment
    # this screen learnt of it.
    add_quake(
        engine,
        magnitude=5.8,
        lat=1.62,
        lon=125.38,
        depth=10,
        description="58 km Timur Laut Bitung",
        ago=timedelta(seconds=5),
    )
    wait_until(lambda: driver.execute_script(TAKEN_OVER), timeout=30, message="no takeover")
    assert dash_duo.find_element(".takeover-mag .value").text == "5,8"
    driver.save_screenshot(str(artifacts_dir / "wall-takeover-live-1920x1080.png"))
    held, left = driver.execute_script(TAKEOVER_LEFT)
    assert 0 < left <= (TAKEOVER_SECONDS - 5) * 1000
    countdown = dash_duo.find_element("#wall-takeover-countdown").text
    assert f"0:{math.ceil(left / 1000):02d}" in countdown

    # The playlist waits out the takeover, longer than any dwell, then resumes with a full dwell.
    advance_clock(driver, left / 1000 - 0.5)
    assert driver.execute_script(TAKEN_OVER)
    assert driver.execute_script(ACTIVE_SCREEN) == held
    advance_clock(driver, 1)
    assert not driver.execute_script(TAKEN_OVER)
    assert driver.execute_script(ACTIVE_SCREEN) == held
    advance_clock(driver, DWELL[held])
    assert driver.execute_script(ACTIVE_SCREEN) != held
    # The server's clock passes the end too: it stops reporting the quake, nothing comes back.
    clock.shift(TAKEOVER_SECONDS)
    wait_until(
        lambda: driver.execute_script(LAST_TAKEOVER_KEYS) == [],
        timeout=30,
        message="the server did not end the takeover",
    )
    assert not driver.execute_script(TAKEN_OVER)

    # A critical alert takes over too, and clears as soon as it is resolved.
    alert_id = add_alert(engine, severity="critical", title="Rumah sakit hampir penuh")
    wait_until(
        lambda: driver.execute_script(TAKEN_OVER), timeout=30, message="no takeover for the alert"
    )
    assert "Rumah sakit hampir penuh" in dash_duo.find_element(".takeover-alerts").text
    assert dash_duo.find_element(".takeover-heading").text == "PERINGATAN KRITIS"
    resolve_alert(engine, alert_id)
    wait_until(
        lambda: not driver.execute_script(TAKEN_OVER),
        timeout=30,
        message="a resolved alert stayed",
    )
    # A weak or far quake does not: once the wall has drawn them, nothing has taken over.
    add_quake(engine, magnitude=4.2, lat=1.62, lon=125.38, description="Gempa lemah uji")
    add_quake(engine, magnitude=6.4, lat=-3.0, lon=129.0, description="Gempa jauh uji")
    wait_until(
        lambda: "4,2" in driver.execute_script(DISASTER_TEXT),
        timeout=30,
        message="the wall did not draw the new quakes",
    )
    assert not driver.execute_script(TAKEN_OVER)
    assert dash_duo.get_logs() == []


def test_screens_report_and_an_admin_makes_one_reload(dash_duo, live_wall):
    app, engine, _ = live_wall
    start_app(dash_duo, app)
    token = wall_token(app, "lobi-1")  # an enrolled screen: no person signed in
    driver = dash_duo.driver
    dash_duo.wait_for_page(f"{dash_duo.server_url}/wall?device={token}")
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

    wait_until(reported, timeout=15, message="no heartbeat")
    screen = reported()
    assert (screen.details["w"], screen.details["h"]) == (1920, 1080)
    # The token never leaves the screen: the reported address is without it.
    assert screen.details["path"] == "/wall" and screen.details["playlist"] == "kilat"

    # The ops view (an operator signed in) lists it; its Reload button queues a command.
    browser_login(dash_duo, add_user(engine, "operator"), path="/ops/screens")
    dash_duo.wait_for_element('#wall-ops-screens tr[data-screen="lobi-1"]')
    row = dash_duo.find_element('#wall-ops-screens tr[data-screen="lobi-1"]')
    assert "1920×1080" in row.text and "aktif" in row.text and token not in row.text
    assert (
        "dinding" not in dash_duo.find_element(".wall-ops-monitors").text
    )  # the test wall.yaml's monitors
    assert "/wall?monitor=kiri" in dash_duo.find_element(".wall-ops-monitors").text
    row.find_element("css selector", "button").click()
    dash_duo.wait_for_contains_text("#wall-ops-feedback", "lobi-1")
    assert list_screens(engine)[0].pending == ("reload",)

    # Back on the wall: the next heartbeat collects it and the page reloads, once.
    dash_duo.wait_for_page(f"{dash_duo.server_url}/wall?device={token}")
    wait_until(
        lambda: (
            driver.execute_script("return performance.getEntriesByType('navigation')[0].type")
            == "reload"
        ),
        timeout=15,
        message="the screen did not reload",
    )
    wait_for_wall(dash_duo)
    assert all(s.pending == () for s in list_screens(engine))
    driver.execute_script("window.__sameLoad = true")
    loaded_at = driver.execute_script("return Math.round(performance.timeOrigin)")
    # Two heartbeats from this page come and go (each would carry a waiting command): no reload.
    first = wait_until(
        lambda: beat_of_page(engine, "lobi-1", loaded_at), timeout=15, message="no heartbeat"
    )
    wait_until(
        lambda: (beat_of_page(engine, "lobi-1", loaded_at) or first) > first,
        timeout=15,
        message="no second heartbeat",
    )
    assert driver.execute_script("return window.__sameLoad === true")

    # A reload asked for while it is on the wall comes, but not within a minute of the last one.
    freeze_clock(driver)
    request_command(engine, "lobi-1")
    reload_at = wait_until(
        lambda: driver.execute_script("return window.odskWall.reloadAt()"),
        timeout=15,
        message="the heartbeat did not bring the command",
    )
    last, now = driver.execute_script(
        "return [Number(sessionStorage.getItem('odsk-wall-reloaded-at')), window.odskClock.now()]"
    )
    assert reload_at == last + 60_000 and reload_at > now
    advance_clock(driver, (reload_at - now) / 1000 - 1)
    assert driver.execute_script("return window.__sameLoad === true")
    advance_clock(driver, 1)
    wait_until(
        lambda: driver.execute_script("return window.__sameLoad") is None,
        timeout=15,
        message="the second reload did not come",
    )
    wait_for_wall(dash_duo)
    assert dash_duo.get_logs() == []


def beat_of_page(engine, screen_id: str, loaded_at: int):
    """When the screen's last heartbeat from the page loaded at ``loaded_at`` was seen."""
    for screen in list_screens(engine):
        if screen.screen_id == screen_id and screen.details.get("loaded_at") == loaded_at:
            return screen.seen_at
    return None


# Six full walls rendered in software on a 5760×2160 canvas: minutes on a loaded 2-core machine.
@pytest.mark.timeout(900)
def test_six_screens_on_one_canvas(dash_duo, wall_store, sqlite_url, tmp_path, artifacts_dir):
    """The shipped wall.yaml's six monitors on one 5760×2160 canvas (a video-wall controller)."""
    engine, _ = wall_store
    app = make_app(sqlite_url, tmp_path, config_dir_with(tmp_path, heartbeat_seconds=2))
    start_app(dash_duo, app)
    token = wall_token(app, "grid")
    driver = dash_duo.driver
    set_viewport(driver, 5760, 2160)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/wall/grid?cols=3&rows=2&device={token}")
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
        f"/wall?monitor=dinding-{i}&device={token}&cell={i}" for i in range(1, 7)
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
