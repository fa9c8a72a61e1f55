"""The ops view of the wall screens: which browsers report, what they show, how they are."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dashboard import i18n
from dashboard.catalogue.models import Catalogue
from dashboard.store.screens import ScreenRow
from dashboard.views.wall_beat import stored_beat
from dashboard.views.wall_plan import monitor_url, screen_label
from dashboard.wall_config import WallConfig


@dataclass(frozen=True)
class ScreenLine:
    screen_id: str
    online: bool
    status: str
    seen: str
    resolution: str
    showing: str
    path: str | None
    extra: str  # heap, reconnects
    pending: bool


def online_limit(config: WallConfig) -> float:
    """A screen that missed three heartbeats (and a little) is offline."""
    return 3 * config.heartbeat_seconds + 5


def screen_line(
    row: ScreenRow, config: WallConfig, catalogue: Catalogue, now: datetime, lang: str
) -> ScreenLine:
    d = stored_beat(row.details)  # an older row may hold what the heartbeat now refuses
    online = row.online(now, online_limit(config))
    resolution = f"{d.get('w')}×{d.get('h')}" if d.get("w") and d.get("h") else "—"
    if d.get("dpr") and d.get("dpr") != 1:
        resolution += f" (×{d['dpr']:g})"
    screen = d.get("screen")
    try:
        showing = screen_label(screen, catalogue, lang) if screen else "—"
    except StopIteration:
        showing = str(screen)
    if d.get("takeover"):
        showing = f"{i18n.label('wall.takeover.alert', lang)} — {showing}"
    if d.get("playlist"):
        showing += f" · {d['playlist']} {int(d.get('index') or 0) + 1}"
    extra = []
    if d.get("heap_mb") is not None:
        extra.append(f"JS heap {i18n.number(d['heap_mb'], lang, 1)} MB")
    if d.get("offline_count"):
        extra.append(f"{i18n.label('wall.ops.reconnecting', lang)} ×{d['offline_count']}")
    path = d.get("path")
    return ScreenLine(
        screen_id=row.screen_id,
        online=online,
        status=i18n.label("wall.ops.online" if online else "wall.ops.offline", lang),
        seen=i18n.age(row.seen_at, now, lang),
        resolution=resolution,
        showing=showing,
        path=path if isinstance(path, str) and path.startswith("/wall") else None,
        extra=" · ".join(extra),
        pending="reload" in row.pending,
    )


@dataclass(frozen=True)
class MonitorLink:
    label: str
    url: str


def monitor_links(config: WallConfig, lang: str) -> list[MonitorLink]:
    """One URL per configured monitor, and the one-canvas grid of them."""
    links = [MonitorLink(m.id, monitor_url(m.id, lang)) for m in config.monitors]
    n = max(len(config.monitors), 1)
    cols, rows = (3, 2) if n > 4 else (n, 1) if n <= 3 else (2, 2)
    grid = "/wall/grid?" + f"cols={cols}&rows={rows}" + ("&lang=en" if lang == "en" else "")
    links.append(MonitorLink(i18n.label("wall.grid.title", lang, cols=cols, rows=rows), grid))
    return links
