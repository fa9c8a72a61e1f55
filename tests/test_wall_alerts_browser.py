"""The wall's alert screen uses its space: as many alerts as fit the screen's size, grouped by
severity, each with its owner SKPD and age; "+N lainnya" counts exactly what did not fit.
Screenshots at 1920×1080 and 3840×2160 in test-artifacts/."""

from __future__ import annotations

from datetime import timedelta

import pytest
from access_kit import start_app, wall_token
from wall_kit import FIT_CHECK, add_alert, config_dir_with, make_app, set_viewport, wait_for_wall

pytestmark = pytest.mark.browser

ONLY_ALERTS = {
    "default_playlist": "peringatan",
    "schedule": [],
    "monitors": [],
    "playlists": {"peringatan": {"items": [{"screen": "alerts", "dwell_seconds": 600}]}},
}
OPEN = 40


@pytest.fixture
def busy_wall(wall_store, sqlite_url, tmp_path):
    engine, catalogue = wall_store
    # Alerts on indicators every wall screen may show (a restricted one stays off the wall).
    shown_anywhere = [i for i in catalogue.indicators if i.classification != "restricted"]
    for i in range(OPEN):
        severity = "critical" if i < 3 else "warning" if i < 25 else "info"
        add_alert(
            engine,
            severity=severity,
            title=f"Sumber uji {i} tidak menjawab (HTTP 503) sejak 14.05 WITA · gagal 3 kali",
            # Critical ones fired hours ago: past their takeover of the wall.
            ago=timedelta(hours=3, minutes=i) if severity == "critical" else timedelta(minutes=i),
            rule="behind",
            subject=f"{shown_anywhere[i].code}@71",
        )
    return make_app(sqlite_url, tmp_path, config_dir_with(tmp_path, **ONLY_ALERTS))


def _shown(driver) -> tuple[int, str]:
    """(rows visible, the "+N" text) once the browser has fitted the list."""
    return driver.execute_script(
        """
        const list = document.querySelector('.wall-screen.is-active .alert-list');
        const rows = [...list.querySelectorAll(':scope > li.wall-alert-row')];
        const seen = rows.filter(r => getComputedStyle(r).display !== 'none');
        return [seen.length, list.parentElement.querySelector('.alerts-more').textContent];
        """
    )


@pytest.mark.parametrize("size", [(1920, 1080), (3840, 2160)], ids=["hd", "4k"])
def test_the_alert_screen_shows_as_many_alerts_as_fit(dash_duo, busy_wall, artifacts_dir, size):
    start_app(dash_duo, busy_wall)
    set_viewport(dash_duo.driver, *size)
    dash_duo.driver.get(f"{dash_duo.server_url}/wall?device={wall_token(busy_wall)}")
    wait_for_wall(dash_duo, timeout=30)
    dash_duo.wait_for_element(".wall-screen.is-active .wall-alert-row", timeout=30)
    driver = dash_duo.driver
    dash_duo._wait_for(lambda d: _shown(d)[1] != "", timeout=10, msg="no '+N' count")
    shown, more = _shown(driver)
    assert shown >= 12  # the old screen stopped at 7 with 40 % of it empty
    assert more == f"+{OPEN - shown} lainnya"
    # Grouped by severity, most severe first, each group under its heading.
    heads = driver.execute_script(
        "return [...document.querySelectorAll('.wall-screen.is-active .alert-group-head')]"
        ".filter(h => getComputedStyle(h).display !== 'none').map(h => h.textContent.trim())"
    )
    assert heads[0] == "Kritis · 3" and heads[1] == "Waspada · 22"
    row = driver.find_element("css selector", ".wall-screen.is-active .wall-alert-row")
    assert row.find_element("css selector", ".alert-owner").text  # the owning SKPD
    assert row.find_element("css selector", ".wall-ago").text.endswith("lalu")
    # Nothing sticks out, nothing is cut except with a clamp.
    assert driver.execute_script(FIT_CHECK) == []
    driver.save_screenshot(str(artifacts_dir / f"wall-alerts-{size[0]}x{size[1]}.png"))
    if size == (3840, 2160):
        return
    # A wider canvas (two panels side by side) shows more of them: same page, window resized.
    set_viewport(driver, 3840, 1080)
    dash_duo._wait_for(
        lambda d: _shown(d)[0] > shown, timeout=10, msg="no more rows on a wider screen"
    )
    bigger, more = _shown(driver)
    assert more == (f"+{OPEN - bigger} lainnya" if bigger < OPEN else "")
