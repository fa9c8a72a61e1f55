"""Shared helpers and fixtures of the wall tests (imported by the other ``test_wall_*`` modules).

A store seeded with plausible North Sulawesi figures for every indicator, earthquakes and
alerts on demand, a copy of ``config/`` with a test ``wall.yaml``, exact viewports, and the
layout check a wall must pass at every size.
"""

from __future__ import annotations

import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

import clock_kit
import pytest
import yaml
from sqlalchemy import insert

from dashboard.settings import PROJECT_ROOT, Settings
from dashboard.store.catalogue_sync import sync_catalogue
from dashboard.store.engine import make_engine
from dashboard.store.observations import ObservationRow, upsert_observations
from dashboard.store.schema import Alert, CollectionRun, Event, Heartbeat
from dashboard.versions import bump
from dashboard.views.wall import headline_indicators, wall_domains
from dashboard.webapp import create_app

# Plausible North Sulawesi figures (previous, latest) so the screenshots read like the real thing.
PLAUSIBLE = {
    "LIV.STUNTING": (22.1, 21.3),
    "LIV.JKN": (93.8, 94.2),
    "LIV.BOR": (81.0, 78.4),
    "SOC.IPM": (73.88, 74.32),
    "SOC.ERAPOR": (90.1, 88.5),
    "SOC.DAPODIK": (95.0, 96.1),
    "BRD.WISMAN": (11950, 12840),
    "BRD.WISNUS": (498000, 512300),
    "BRD.TPK": (60.2, 58.7),
    "GOV.REALISASI-APBD": (55.0, 61.4),
    "GOV.NASKAH-DIGITAL": (80.1, 82.6),
    "GOV.EKINERJA": (90.4, 91.2),
    "ENV.PM25": (21.0, 18.4),
    "ENV.GEMPA": (1, 3),
    "ENV.BENCANA": (9, 7),
    "ECO.INFLASI": (2.65, 2.41),
    "ECO.TPT": (6.5, 6.12),
    "ECO.PENEMPATAN": (1250, 1320),
}
HISTORY = 8  # periods stored per indicator (the domain screens draw a trend)
SIZES = [(1920, 1080), (3840, 2160), (1366, 768)]
SCREENS = (
    "overview",
    "living",
    "society",
    "branding",
    "governance",
    "environment",
    "economy",
    "disaster",
    "alerts",
)


def step(start: date, grain: str, back: int) -> date:
    """The period ``back`` steps before the one starting at ``start``."""
    if grain == "day":
        return start - timedelta(days=back)
    if grain == "year":
        return date(start.year - back, 1, 1)
    months = {"month": 1, "quarter": 3}[grain] * back
    index = start.year * 12 + start.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def latest_period(today: date, grain: str) -> date:
    """The last complete period before today (what an SKPD would have delivered)."""
    if grain == "day":
        return today - timedelta(days=1)
    if grain == "year":
        return date(today.year - 1, 1, 1)
    if grain == "quarter":
        return step(date(today.year, (today.month - 1) // 3 * 3 + 1, 1), "quarter", 1)
    return step(date(today.year, today.month, 1), "month", 1)


def plausible(ind) -> tuple[float, float]:
    if ind.code in PLAUSIBLE:
        return PLAUSIBLE[ind.code]
    if ind.band:
        mid = (ind.band.low + ind.band.high) / 2
        return mid * 1.02, mid
    target = next(iter(ind.targets.values()), 100.0)
    return target * 0.95, target * 0.98


def headlines(catalogue) -> list:
    return [i for d in wall_domains(catalogue) for i in headline_indicators(catalogue, d)]


def seed_store(engine, catalogue, now: datetime | None = None, failing_source: bool = True) -> None:
    """``HISTORY`` periods of every indicator fed by a source, fresh runs, one failing source."""
    now = now or clock_kit.now()
    sync_catalogue(engine, catalogue)
    with engine.begin() as conn:
        for ind in catalogue.indicators:
            feeding = catalogue.sources_feeding(ind.code)
            if not feeding:
                continue
            latest = latest_period(now.date(), ind.grain)
            previous, last = plausible(ind)
            rows = []
            for back in range(HISTORY - 1, -1, -1):
                # A gentle wave towards the latest value, so trends have a shape.
                wobble = 1 + 0.03 * ((back * 7919) % 5 - 2) / 2 if back > 1 else 1
                value = previous if back == 1 else last if back == 0 else previous * wobble
                rows.append(
                    ObservationRow(ind.code, "71", step(latest, ind.grain, back), ind.grain, value)
                )
            upsert_observations(
                conn,
                rows,
                source_id=feeding[0].id,
                run_id=None,
                ingested_at=now - timedelta(minutes=20),
            )
        for source in catalogue.sources:
            conn.execute(
                insert(CollectionRun).values(
                    source_id=source.id,
                    trigger="schedule",
                    status="ok",
                    rows_accepted=5,
                    started_at=now - timedelta(seconds=12),
                    finished_at=now - timedelta(seconds=10),
                )
            )
        if failing_source:
            conn.execute(
                insert(CollectionRun).values(
                    source_id=catalogue.sources[0].id,
                    trigger="schedule",
                    status="failed",
                    error_class="timeout",
                    started_at=now - timedelta(seconds=6),
                    finished_at=now - timedelta(seconds=1),
                )
            )
        conn.execute(
            insert(Heartbeat).values(id="scheduler:test", kind="scheduler", seen_at=now, details={})
        )
        bump(conn, [f"domain:{d}" for d in wall_domains(catalogue)])


def add_quake(
    engine,
    *,
    magnitude: float,
    lat: float,
    lon: float,
    depth: float = 10,
    ago: timedelta = timedelta(0),
    description: str = "",
    potensi: str | None = "Tidak berpotensi tsunami",
    source_id: str = "bmkg-gempa",
) -> int:
    occurred = clock_kit.now() - ago
    extra = {"Potensi": potensi} if potensi else {}
    with engine.begin() as conn:
        event_id = conn.execute(
            insert(Event)
            .values(
                kind="earthquake",
                source_id=source_id,
                external_id=f"test:{occurred.isoformat()}@{lat},{lon}",
                occurred_at=occurred,
                lat=lat,
                lon=lon,
                magnitude=magnitude,
                depth_km=depth,
                description=description,
                extra=extra,
            )
            .returning(Event.id)
        ).scalar_one()
        bump(conn, ["events"])
    return event_id


def add_alert(
    engine,
    *,
    severity: str,
    title: str,
    ago: timedelta = timedelta(0),
    rule: str = "test-rule",
    subject: str | None = None,
) -> int:
    fired = clock_kit.now() - ago
    with engine.begin() as conn:
        return conn.execute(
            insert(Alert)
            .values(
                rule_id=rule,
                subject=subject or f"test:{title}",
                severity=severity,
                state="firing",
                title_id=title,
                title_en=title,
                fired_at=fired,
                details={},
            )
            .returning(Alert.id)
        ).scalar_one()


def resolve_alert(engine, alert_id: int) -> None:
    with engine.begin() as conn:
        conn.execute(
            Alert.__table__.update()
            .where(Alert.__table__.c.id == alert_id)
            .values(state="resolved", resolved_at=clock_kit.now())
        )


def config_dir_with(tmp_path: Path, **wall) -> Path:
    """A copy of ``config/`` whose ``wall.yaml`` has ``wall``'s top-level keys replaced."""
    target = tmp_path / "config"
    shutil.copytree(PROJECT_ROOT / "config", target)
    path = target / "wall.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(wall)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return target


def make_app(sqlite_url: str, tmp_path: Path, config_dir: Path | None = None, **settings):
    return create_app(
        Settings(
            database_url=sqlite_url,
            data_dir=tmp_path,
            config_dir=config_dir or PROJECT_ROOT / "config",
            **settings,
        )
    )


@pytest.fixture
def wall_store(sqlite_url, catalogue):
    """A seeded SQLite store: (engine, catalogue)."""
    engine = make_engine(sqlite_url)
    seed_store(engine, catalogue)
    yield engine, catalogue
    engine.dispose()


# --- the browser side -----------------------------------------------------------------


def set_viewport(driver, width: int, height: int) -> None:
    """Make the *viewport* (not the window) exactly width × height, as a kiosk browser has it."""
    driver.set_window_size(width, height)
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {
            "width": width,
            "height": height,
            "deviceScaleFactor": 1,
            "mobile": False,
            "screenWidth": width,
            "screenHeight": height,
        },
    )
    assert driver.execute_script("return [window.innerWidth, window.innerHeight]") == [
        width,
        height,
    ]


# Everything that must fit: the document in the viewport; header, footer and every part of
# every screen (shown or waiting its turn) inside the viewport; every element inside its box;
# text that is cut (an ellipsis) only where the design allows it. Returns what does not fit.
FIT_CHECK = """
const problems = [];
const de = document.documentElement;
if (de.scrollHeight > innerHeight || de.scrollWidth > innerWidth)
    problems.push(`document scrolls: ${de.scrollWidth}x${de.scrollHeight} in ${innerWidth}x${innerHeight}`);
const within = (inner, outer) => inner.left >= outer.left - 1 && inner.top >= outer.top - 1
    && inner.right <= outer.right + 1 && inner.bottom <= outer.bottom + 1;
const overlaps = (a, b) => a.left < b.right - 1 && a.right > b.left + 1
    && a.top < b.bottom - 1 && a.bottom > b.top + 1;
const view = {left: 0, top: 0, right: innerWidth, bottom: innerHeight};
const name = el => (typeof el.className === 'string' && el.className) || el.tagName;
const boxes = document.querySelectorAll(
    '.wall-header, .wall-footer, .wall-panel, .wall-part, .wall-tile, .quake-latest, .wall-alert-row, .alert-count, ' +
    '.wall-takeover.is-active');
for (const box of boxes) {
    const outer = box.getBoundingClientRect();
    if (!within(outer, view)) problems.push(`${name(box)} leaves the viewport`);
    for (const el of box.querySelectorAll('*')) {
        const r = el.getBoundingClientRect();
        // A list that shows only the rows it holds whole keeps the rest out of sight beside it.
        const list = el.closest('.shows-what-fits');
        if (list && el !== list && !overlaps(r, list.getBoundingClientRect())) continue;
        if ((r.width || r.height) && !within(r, outer))
            problems.push(`${name(el)} sticks out of ${box.dataset.code || box.dataset.domain || name(box)}`);
    }
}
// Text may only be cut where an ellipsis says so (place names, alert titles).
for (const el of document.querySelectorAll('.wall *')) {
    if (el.children.length || !el.textContent.trim() || el.classList.contains('visually-hidden')) continue;
    const style = getComputedStyle(el);
    const clipped = el.scrollWidth > el.clientWidth + 1 && style.overflow !== 'visible';
    if (clipped && style.textOverflow !== 'ellipsis' && (!style.webkitLineClamp || style.webkitLineClamp === 'none'))
        problems.push(`${name(el)} is clipped: "${el.textContent.slice(0, 30)}"`);
}
return problems;
"""

ACTIVE_SCREEN = (
    "return (document.querySelector('.wall-screen.is-active') || {}).dataset?.screen || null"
)


# The page's clock (assets/wall.js): frozen, it moves only when a test moves it on.
FREEZE_CLOCK = "return window.odskClock.freeze()"
ADVANCE_CLOCK = "return window.odskClock.advance(arguments[0])"
# Step the frozen clock on by ``step`` ms up to ``total`` ms; the screens shown, with when each came.
WALK_CLOCK = """
const [step, total] = arguments;
const active = () => (document.querySelector('.wall-screen.is-active') || {}).dataset?.screen || null;
window.odskClock.freeze();
const seen = [[active(), 0]];
for (let t = step; t <= total; t += step) {
    window.odskClock.advance(step);
    if (active() !== seen[seen.length - 1][0]) seen.push([active(), t]);
}
return seen;
"""


def freeze_clock(driver) -> None:
    driver.execute_script(FREEZE_CLOCK)


def advance_clock(driver, seconds: float) -> None:
    """Move the wall page's frozen clock on; its rotation and reload checks run at once."""
    driver.execute_script(ADVANCE_CLOCK, round(seconds * 1000))


def walk_clock(driver, seconds: float, step: float = 0.1) -> list[tuple[str, float]]:
    """(screen, seconds into the walk it came on) for each screen shown while the clock moves on."""
    seen = driver.execute_script(WALK_CLOCK, int(step * 1000), int(seconds * 1000))
    return [(screen, ms / 1000) for screen, ms in seen]


def wait_for_wall(browser, timeout: float = 15) -> None:
    browser.wait_for_element("#wall-root .wall-screen.is-active", timeout=timeout)
    # The first rotation tick has run once the position or screen name is set by the browser.
    browser._wait_for(
        lambda d: d.execute_script(ACTIVE_SCREEN) is not None,
        timeout=timeout,
        msg="no active screen",
    )


def show(driver, screen: str) -> None:
    """Show one screen (for screenshots and fit checks), as the rotation would."""
    driver.execute_script(
        """
        for (const s of document.querySelectorAll('.wall-screen'))
            s.classList.toggle('is-active', s.dataset.screen === arguments[0]);""",
        screen,
    )


def severe_logs(browser, allow: tuple[str, ...] = ()) -> list:
    return [
        entry
        for entry in (browser.get_logs() or [])
        if not any(a in entry["message"] for a in allow)
    ]


KEY_CODES = {"ArrowRight": 39, "ArrowLeft": 37, "ArrowDown": 40, "ArrowUp": 38}


def press(driver, key: str) -> None:
    """A real (trusted) key press, as from a keyboard plugged into the wall PC."""
    for kind in ("keyDown", "keyUp"):
        driver.execute_cdp_cmd(
            "Input.dispatchKeyEvent",
            {"type": kind, "key": key, "code": key, "windowsVirtualKeyCode": KEY_CODES[key]},
        )
