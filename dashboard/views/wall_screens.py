"""The wall's screens as *parts* that are drawn and redrawn independently.

A part is keyed by a string and depends on data-version scopes:

- ``overview/<domain>`` — one panel of the overview (``domain:<domain>``)
- ``<domain>`` — the domain's own screen: every indicator, with its trend (``domain:<domain>``)
- ``disaster`` — recent earthquakes (``events``)
- ``alerts`` — open alerts (``alerts``: a fingerprint of the alert table, not a counter)

The browser keeps the versions it drew; the poll compares only the scopes of the parts it
has, so a screen showing the economy ignores a new stunting figure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine

from dashboard.catalogue.models import Catalogue, Indicator
from dashboard.store.health import scheduler_next_runs
from dashboard.store.queries import PROVINCE_CODE, SourceRuns, latest_points, pair_of, source_runs
from dashboard.views.wall import (
    Freshness,
    PanelView,
    TileView,
    headline_indicators,
    panel_view,
    refresh_freshness,
    tile_view,
    wall_domains,
)
from dashboard.views.wall_alerts import evaluation_freshness, load_alerts
from dashboard.views.wall_disaster import load_disaster
from dashboard.wall_config import WallConfig

TILES_PER_DOMAIN_SCREEN = 9
HISTORY_POINTS = 12


def parts_of(screens: Iterable[str], catalogue: Catalogue) -> list[str]:
    keys = []
    for screen in screens:
        if screen == "overview":
            keys += [f"overview/{d}" for d in wall_domains(catalogue)]
        else:
            keys.append(screen)
    return keys


def scope_of(key: str) -> str:
    if key in ("disaster", "alerts"):
        return "events" if key == "disaster" else "alerts"
    return f"domain:{key.removeprefix('overview/')}"


def scopes_of(keys: Iterable[str]) -> list[str]:
    return sorted({scope_of(k) for k in keys})


def moved_parts(
    keys: Iterable[str], drawn: Mapping[str, object] | None, current: Mapping[str, object]
) -> list[str]:
    drawn = drawn or {}
    return [k for k in keys if drawn.get(scope_of(k), "∅") != current.get(scope_of(k))]


@dataclass(frozen=True)
class DomainScreenView:
    domain_id: str
    name: str
    tagline: str
    tiles: tuple[TileView, ...]


def domain_screen_indicators(catalogue: Catalogue, domain_id: str) -> list[Indicator]:
    """Headline indicators first, then the rest in catalogue order."""
    head = headline_indicators(catalogue, domain_id)
    rest = [i for i in catalogue.indicators_of_domain(domain_id) if i not in head]
    return (head + rest)[:TILES_PER_DOMAIN_SCREEN]


def load_tiles(
    conn: Connection,
    catalogue: Catalogue,
    panels: list[str],
    screens: list[str],
    runs: Mapping[str, SourceRuns],
    now: datetime,
    lang: str,
) -> dict[str, object]:
    """Overview panels and domain screens: one query for all their indicators."""
    wanted = {i.code: i for d in panels for i in headline_indicators(catalogue, d)}
    wanted |= {i.code: i for d in screens for i in domain_screen_indicators(catalogue, d)}
    per = HISTORY_POINTS if screens else 2
    points = latest_points(
        conn, list(wanted), PROVINCE_CODE, {c: i.grain for c, i in wanted.items()}, per
    )
    pairs = {code: pair_of(code, PROVINCE_CODE, found) for code, found in points.items()}
    out: dict[str, object] = {}
    for d in panels:
        out[f"overview/{d}"] = panel_view(catalogue, d, pairs, runs, now, lang)
    for d in screens:
        domain = catalogue.domain(d)
        tiles = tuple(
            tile_view(
                i,
                pairs.get(i.code),
                runs,
                catalogue,
                now,
                lang,
                history=tuple(p.value for p in reversed(points.get(i.code, []))),
            )
            for i in domain_screen_indicators(catalogue, d)
        )
        out[d] = DomainScreenView(d, domain.name.get(lang), domain.tagline.get(lang), tiles)
    return out


def load_parts(
    engine: Engine,
    conn: Connection,
    catalogue: Catalogue,
    config: WallConfig,
    keys: Iterable[str],
    now: datetime,
    lang: str,
    runs: Mapping[str, SourceRuns] | None = None,
) -> dict[str, object]:
    """View objects per part key (PanelView, DomainScreenView, DisasterView, AlertsView)."""
    keys = list(keys)
    runs = runs if runs is not None else source_runs(conn)
    panels = [k.removeprefix("overview/") for k in keys if k.startswith("overview/")]
    screens = [k for k in keys if "/" not in k and k not in ("disaster", "alerts")]
    out = load_tiles(conn, catalogue, panels, screens, runs, now, lang) if panels or screens else {}
    if "disaster" in keys:
        out["disaster"] = load_disaster(conn, config, catalogue, now, lang, runs)
    if "alerts" in keys:
        out["alerts"] = load_alerts(conn, now, lang, catalogue)
    return out


def refresh_ages(
    conn: Connection,
    inputs: Mapping[str, dict[str, Any]],
    catalogue: Catalogue,
    now: datetime,
    lang: str,
    runs: Mapping[str, SourceRuns],
) -> dict[str, Freshness]:
    """Every age on the page redone: fetched ages and stale flags, plain ages, the alert evaluation."""
    out = refresh_freshness(inputs, runs, catalogue, now, lang)
    evaluated = [k for k, e in inputs.items() if e.get("kind") == "evaluated"]
    if evaluated:
        seen_at, _jobs = scheduler_next_runs(conn)
        fresh = evaluation_freshness(seen_at, now, lang)
        out.update(dict.fromkeys(evaluated, fresh))
    return out


__all__ = [
    "DomainScreenView",
    "PanelView",
    "load_parts",
    "moved_parts",
    "parts_of",
    "refresh_ages",
    "scopes_of",
]
