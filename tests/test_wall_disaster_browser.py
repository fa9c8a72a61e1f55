"""The e-disaster wall screen in Chromium at 1366×768, 1920×1080 and 3840×2160: the coastline
map with its capitals labelled and no label over another, the newest quake in full (felt
reports, BMKG's tsunami words, WITA), the earlier ones filling the column. Screenshots go
to test-artifacts/."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import clock_kit
import pytest
from access_kit import start_app, wall_token
from sqlalchemy import insert
from wall_kit import FIT_CHECK, make_app, set_viewport, show, wait_for_wall

from dashboard.simulator.bmkg_feed import LISTED
from dashboard.simulator.quakes import QuakeStream, make_quake
from dashboard.store.engine import make_engine
from dashboard.store.schema import Event
from dashboard.versions import bump

pytestmark = pytest.mark.browser

# A week of the simulator's quakes as of this moment, moved to end now: the same map each run.
REFERENCE = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)
SIZES = [(1366, 768), (1920, 1080), (3840, 2160)]

# The earlier quakes' rows: which are shown (inside the list), cut, or squeezed.
ROWS_CHECK = """
const list = document.querySelector('.wall-screen.is-active .quake-list');
const box = list.getBoundingClientRect();
const rows = Array.from(list.querySelectorAll('.quake-row'));
const inside = (r) => r.left >= box.left - 1 && r.right <= box.right + 1;
const shown = rows.filter((row) => inside(row.getBoundingClientRect()));
const last = shown.length ? shown[shown.length - 1].getBoundingClientRect() : box;
return {
    total: rows.length,
    shown: shown.length,
    cut: shown.filter((row) => row.getBoundingClientRect().bottom > box.bottom + 1)
        .map((row) => row.textContent),
    squeezed: shown.filter((row) => row.scrollHeight > row.clientHeight + 1)
        .map((row) => row.textContent),
    room_left: box.bottom - last.bottom,
    row_height: shown.length ? last.height : 0,
};
"""

# Every <text> of the map, inlined at the size the <img> has, measured by the browser: which
# labels overlap another label or a capital's square.
LABEL_CHECK = """
const img = document.querySelector('.wall-screen.is-active .map-img');
const box = img.getBoundingClientRect();
const holder = document.createElement('div');
holder.style.cssText = `position:fixed;left:${box.left}px;top:${box.top}px;` +
    `width:${box.width}px;height:${box.height}px;z-index:-1`;
holder.innerHTML = decodeURIComponent(img.src.slice(img.src.indexOf(',') + 1));
document.body.appendChild(holder);
const svg = holder.querySelector('svg');
svg.setAttribute('width', box.width);
svg.setAttribute('height', box.height);
const labels = [...svg.querySelectorAll('text')].map(t => [t.textContent, t.getAttribute('class'), t.getBoundingClientRect()]);
const squares = [...svg.querySelectorAll('rect.capital')].map(r => ['square', 'capital', r.getBoundingClientRect()]);
const hit = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
const overlaps = [];
for (let i = 0; i < labels.length; i++) {
    for (const other of [...labels.slice(i + 1), ...squares])
        if (hit(labels[i][2], other[2])) overlaps.push(`${labels[i][0]} / ${other[0]}`);
    const r = labels[i][2];
    if (r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5)
        overlaps.push(`${labels[i][0]} leaves the map`);
}
holder.remove();
return {overlaps, names: labels.map(l => [l[0], l[1]]), height: box.height};
"""


def seed_week(engine, now: datetime) -> None:
    stream = QuakeStream(seed=0)
    quakes = stream.latest(REFERENCE, lambda q: q.strong, LISTED)
    quakes += stream.latest(REFERENCE, lambda q: q.felt is not None and not q.strong, LISTED)
    # The newest: a felt, strong one near Manado, as the control API would make it; an hour
    # and a half ago, so it no longer takes the screen over.
    quakes.append(make_quake(REFERENCE - timedelta(minutes=90), 1.93, 125.58, 5.6, 24))
    shift = now - REFERENCE
    with engine.begin() as conn:
        for q in quakes:
            extra = {"Potensi": q.potensi}
            if q.felt:
                extra["Dirasakan"] = q.felt
            conn.execute(
                insert(Event).values(
                    kind="earthquake",
                    source_id="bmkg-autogempa",
                    external_id=f"bmkg:{q.at.isoformat()}@{q.lat},{q.lon}",
                    occurred_at=q.at + shift,
                    lat=q.lat,
                    lon=q.lon,
                    magnitude=q.magnitude,
                    depth_km=q.depth_km,
                    description=q.wilayah,
                    extra=extra,
                )
            )
        bump(conn, ["events"])


@pytest.fixture
def disaster_app(sqlite_url, tmp_path):
    engine = make_engine(sqlite_url)
    seed_week(engine, clock_kit.now())
    yield make_app(sqlite_url, tmp_path)
    engine.dispose()


def test_the_disaster_screen_at_every_wall_size_labels_without_overlap(
    dash_duo, disaster_app, artifacts_dir
):
    start_app(dash_duo, disaster_app)
    device = wall_token(disaster_app)
    for lang in ("id", "en"):
        for width, height in SIZES if lang == "id" else [(1920, 1080)]:
            set_viewport(dash_duo.driver, width, height)
            dash_duo.wait_for_page(
                f"{dash_duo.server_url}/wall?screen=disaster&lang={lang}&device={device}"
            )
            wait_for_wall(dash_duo)
            show(dash_duo.driver, "disaster")
            dash_duo.wait_for_element(".wall-screen.is-active .quake-latest .quake-mag")
            latest = dash_duo.find_element(".wall-screen.is-active .quake-latest").text
            assert "5,6" in latest if lang == "id" else "5.6" in latest
            if lang == "id":
                assert "Tidak berpotensi tsunami" in latest and "Dirasakan (MMI)" in latest
                assert "WITA" in latest
            else:
                assert "No tsunami potential" in latest and "Felt (MMI)" in latest
            rows = dash_duo.driver.execute_script(ROWS_CHECK)
            # Whole rows only, none cut or squeezed, and as many as the column holds.
            assert rows["total"] == 10 and rows["cut"] == [] and rows["squeezed"] == []
            assert rows["shown"] >= 5 and rows["room_left"] < rows["row_height"], (width, rows)
            measured = dash_duo.driver.execute_script(LABEL_CHECK)
            assert measured["overlaps"] == [], (width, measured["overlaps"])
            names = [n for n, css in measured["names"] if css == "place-label"]
            assert sorted(names) == sorted(
                [
                    "Lolak",
                    "Tondano",
                    "Tahuna",
                    "Melonguane",
                    "Amurang",
                    "Airmadidi",
                    "Ratahan",
                    "Boroko",
                    "Ondong",
                    "Tutuyan",
                    "Bolaang Uki",
                    "Bitung",
                    "Tomohon",
                    "Kotamobagu",
                ]
            )
            texts = [n for n, _ in measured["names"]]
            assert {"Manado", "100 km", "200 km", "300 km"} <= set(texts)
            assert ("M 5,6" if lang == "id" else "M 5.6") in texts
            assert dash_duo.driver.execute_script(FIT_CHECK) == []
            dash_duo.driver.save_screenshot(
                str(artifacts_dir / f"wall-disaster-{lang}-{width}x{height}.png")
            )
    assert dash_duo.get_logs() == []
