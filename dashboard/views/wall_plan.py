"""What one wall browser plays: its URL (``?playlist=``, ``?screen=``, ``?monitor=``,
``?start=``, ``?device=``) resolved against ``wall.yaml``, as data for the browser's
rotation (``assets/wall_rotation.js``), which runs without the server.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

import flask

from dashboard import i18n
from dashboard.catalogue.models import Catalogue
from dashboard.settings import PROJECT_ROOT
from dashboard.store.screens import valid_screen_id
from dashboard.views.wall_screens import load_wall_config, screen_label, screen_types
from dashboard.wall_config import DAYS, WallConfig


@dataclass(frozen=True)
class Plan:
    screens: tuple[
        str, ...
    ]  # the screens this browser may show (in wall order): only these are drawn
    pinned_screen: str | None
    pinned_playlist: str | None
    playlists: tuple[str, ...]  # the playlists it may play (a pinned one, or the schedule's)
    start: int
    device: str | None
    initial_playlist: str
    initial_screen: str


def _int(value: str | None) -> int:
    try:
        return max(int(value or 0), 0)
    except ValueError:
        return 0


def resolve_plan(
    config: WallConfig,
    catalogue: Catalogue,
    now: datetime,
    *,
    playlist: str | None = None,
    screen: str | None = None,
    monitor: str | None = None,
    start: str | None = None,
    device: str | None = None,
) -> Plan:
    """URL parameters win over the monitor's settings; unknown names fall back to the schedule."""
    known = list(screen_types(catalogue))
    mon = config.monitor(monitor)
    screen = screen if screen in known else (mon.screen if mon else None)
    playlist = playlist if playlist in config.playlists else (mon.playlist if mon else None)
    offset = _int(start) if start is not None else (mon.start if mon else 0)
    device = valid_screen_id(device) or (mon.id if mon else None)
    if screen is not None:
        return Plan((screen,), screen, None, (), 0, device, "", screen)
    if playlist is not None:
        names: tuple[str, ...] = (playlist,)
        current = playlist
    else:
        names = tuple(
            dict.fromkeys([config.default_playlist, *(s.playlist for s in config.schedule)])
        )
        current = config.playlist_at(now)
    wanted = {item.screen for name in names for item in config.playlists[name].items}
    items = config.playlists[current].items
    return Plan(
        tuple(s for s in known if s in wanted),
        None,
        playlist,
        names,
        offset,
        device,
        current,
        items[offset % len(items)].screen,
    )


def plan_data(plan: Plan, config: WallConfig, catalogue: Catalogue, lang: str) -> dict:
    """The plan as JSON for the browser (dwell in milliseconds, schedule in WITA minutes)."""
    return {
        "playlists": {
            name: [
                [item.screen, int(item.dwell_seconds * 1000)]
                for item in config.playlists[name].items
            ]
            for name in plan.playlists
        },
        "schedule": [
            [slot.playlist, slot.start_minute, slot.end_minute, [DAYS.index(d) for d in slot.days]]
            for slot in config.schedule
        ]
        if plan.pinned_playlist is None
        else [],
        "default": config.default_playlist,
        "pinnedScreen": plan.pinned_screen,
        "pinnedPlaylist": plan.pinned_playlist,
        "start": plan.start,
        "device": plan.device,
        "initial": {"playlist": plan.initial_playlist, "screen": plan.initial_screen},
        "labels": {s: screen_label(s, catalogue, lang) for s in plan.screens},
        "takeoverText": i18n.label("wall.takeover.resume", lang),
        "takeoverName": i18n.label("wall.takeover.name", lang),
    }


# --- per app: the configuration and its fingerprint ---------------------------------

SETUP_KEY = "odsk_wall"
# The wall's own code: when a deploy changes it, running walls reload themselves.
_CODE_GLOBS = (
    "assets/wall*.js",
    "assets/wall*.css",
    "layouts/wall*.py",
    "dashboard/views/wall*.py",
)


@dataclass(frozen=True)
class WallSetup:
    config: WallConfig
    fingerprint: str


def _code_hash(root: Path) -> str:
    digest = hashlib.sha256()
    for pattern in _CODE_GLOBS:
        for path in sorted(root.glob(pattern)):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def install(server, config_dir: Path, catalogue: Catalogue) -> WallSetup:
    """Read ``wall.yaml`` once per app (an invalid one raises ``CatalogueError``)."""
    existing = server.extensions.get(SETUP_KEY)
    if existing is not None:
        return existing
    config = load_wall_config(config_dir, catalogue)
    setup = WallSetup(config, f"{config.fingerprint()}-{_code_hash(PROJECT_ROOT)}")
    server.extensions[SETUP_KEY] = setup
    return setup


def current_setup() -> WallSetup:
    """The wall setup of the app serving this request."""
    from dashboard.webapp import current_context

    setup = flask.current_app.extensions.get(SETUP_KEY)
    if setup is None:
        context = current_context()
        setup = install(flask.current_app, context.settings.config_dir, context.catalogue)
    return setup


# --- walls of several monitors -------------------------------------------------------

MAX_COLS, MAX_ROWS = 8, 4


def _bounded(value: str | None, default: int, high: int) -> int:
    try:
        return min(max(int(value), 1), high) if value is not None else default
    except ValueError:
        return default


def grid_size(cols: str | None, rows: str | None) -> tuple[int, int]:
    return _bounded(cols, 3, MAX_COLS), _bounded(rows, 2, MAX_ROWS)


def _query(**params) -> str:
    return "&".join(
        f"{k}={quote(str(v), safe=':')}" for k, v in params.items() if v not in (None, "")
    )


def monitor_url(
    monitor_id: str, lang: str, token: str | None = None, cell: int | None = None
) -> str:
    return "/wall?" + _query(
        monitor=monitor_id, device=token, cell=cell, lang="en" if lang == "en" else None
    )


def grid_cells(
    config: WallConfig,
    cols: int,
    rows: int,
    lang: str,
    playlist: str | None = None,
    token: str | None = None,
) -> list[str]:
    """The ``/wall`` URL of each cell, row by row.

    With ``playlist``, every cell plays it, each starting one item further on (six
    different screens at once). Otherwise the configured monitors fill the cells in order,
    and cells beyond them play the default playlist, staggered the same way. An enrolled
    canvas passes its device ``token`` on to its cells; each reports as ``<screen>-<cell>``."""
    lang_param = "en" if lang == "en" else None
    urls = []
    for i in range(cols * rows):
        if playlist is None and i < len(config.monitors):
            urls.append(monitor_url(config.monitors[i].id, lang, token, i + 1))
        else:
            urls.append(
                "/wall?"
                + _query(
                    playlist=playlist if playlist in config.playlists else None,
                    start=i,
                    device=token,
                    cell=i + 1,
                    lang=lang_param,
                )
            )
    return urls
