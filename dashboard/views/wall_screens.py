"""The wall's screen types (``SCREEN_TYPES``, the registry) and their screens as *parts*,
drawn and redrawn independently. A type gives one screen (or ``screens``) in one part (or
``parts``); ``scope`` is the data-version scope that redraws a part (``{part}``: its last
name), ``load`` turns part keys into views, ``label`` names a screen. The types:

- ``overview`` — a panel per domain, ``overview/<domain>`` (``domain:<domain>``)
- ``domain`` — one screen per domain of domains.yaml, ``<domain>``: every indicator, with
  its trend (``domain:<domain>``)
- ``disaster`` — recent earthquakes (``events``)
- ``alerts`` — open alerts (``alerts``: a fingerprint of the alert table, not a counter)

The browser keeps the versions it drew; the poll compares only the scopes of the parts it
has, so a screen showing the economy ignores a new stunting figure.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from dashboard import i18n, wall_config
from dashboard.catalogue.models import Catalogue, Indicator
from dashboard.store.health import scheduler_next_runs
from dashboard.store.queries import PROVINCE_CODE, SourceRuns, latest_points, pair_of, source_runs
from dashboard.views.wall import (
    Freshness,
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


@dataclass(frozen=True)
class Load:  # what the loaders of one draw share
    conn: Connection
    catalogue: Catalogue
    config: WallConfig
    now: datetime
    lang: str
    runs: Mapping[str, SourceRuns]


@dataclass(frozen=True)
class ScreenType:
    id: str
    scope: str
    load: Callable[[Load, list[str]], Mapping[str, object]]
    label: Callable[[str, Catalogue, str], str] = lambda s, _c, lang: i18n.label(
        f"wall.screen.{s}", lang
    )
    screens: Callable[[Catalogue], list[str]] | None = None
    parts: Callable[[str, Catalogue], list[str]] | None = None
    dwell_seconds: float = 25


def load_tiles(load: Load, keys: list[str]) -> dict[str, object]:
    """Overview panels and domain screens: one query for all their indicators."""
    conn, catalogue, now, lang, runs = load.conn, load.catalogue, load.now, load.lang, load.runs
    panels = [k.removeprefix("overview/") for k in keys if k.startswith("overview/")]
    screens = [k for k in keys if "/" not in k]
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


# The registry: a new screen type is one module (its loader; its renderer in layouts/wall.py
# RENDERERS) and one entry here.
SCREEN_TYPES: tuple[ScreenType, ...] = (
    ScreenType(
        "overview",
        "domain:{part}",
        load_tiles,
        parts=lambda _screen, catalogue: [f"overview/{d}" for d in wall_domains(catalogue)],
        dwell_seconds=40,
    ),
    DOMAIN := ScreenType(
        "domain",
        "domain:{part}",
        load_tiles,
        label=lambda screen, catalogue, lang: catalogue.domain(screen).name.get(lang),
        screens=wall_domains,
    ),
    ScreenType(
        "disaster",
        "events",
        lambda at, keys: dict.fromkeys(
            keys, load_disaster(at.conn, at.config, at.catalogue, at.now, at.lang, at.runs)
        ),
    ),
    ScreenType(
        "alerts",
        "alerts",
        lambda at, keys: dict.fromkeys(keys, load_alerts(at.conn, at.now, at.lang, at.catalogue)),
    ),
)


def screen_types(catalogue: Catalogue) -> dict[str, ScreenType]:
    """Every screen the wall can show, in wall order, with its type."""
    return {s: t for t in SCREEN_TYPES for s in (t.screens(catalogue) if t.screens else [t.id])}


def type_of(key: str) -> ScreenType:
    """A part's type: the one its first name names, else a domain's (a domain's part is
    named like the domain, and domains come from the catalogue)."""
    return next((t for t in SCREEN_TYPES if t.id == key.partition("/")[0]), DOMAIN)


def screen_label(screen: str, catalogue: Catalogue, lang: str) -> str:
    return type_of(screen).label(screen, catalogue, lang)


def load_wall_config(config_dir: Path | str, catalogue: Catalogue) -> WallConfig:
    """wall.yaml, checked against the registry's screens (``CatalogueError`` if invalid)."""
    dwell = {s: t.dwell_seconds for s, t in screen_types(catalogue).items()}
    return wall_config.load_wall_config(config_dir, dwell)


def parts_of(screens: Iterable[str], catalogue: Catalogue) -> list[str]:
    parts = [(s, type_of(s).parts) for s in screens]
    return [k for s, of in parts for k in (of(s, catalogue) if of else [s])]


def scope_of(key: str) -> str:
    return type_of(key).scope.format(part=key.rpartition("/")[2])


def scopes_of(keys: Iterable[str]) -> list[str]:
    return sorted({scope_of(k) for k in keys})


def moved_parts(
    keys: Iterable[str], drawn: Mapping[str, object] | None, current: Mapping[str, object]
) -> list[str]:
    drawn = drawn or {}
    return [k for k in keys if drawn.get(scope_of(k), "∅") != current.get(scope_of(k))]


def load_parts(
    conn: Connection,
    catalogue: Catalogue,
    config: WallConfig,
    keys: Iterable[str],
    now: datetime,
    lang: str,
    runs: Mapping[str, SourceRuns] | None = None,
) -> dict[str, object]:
    """View objects per part key, from each type's loader (once per loader)."""
    load = Load(conn, catalogue, config, now, lang, runs if runs is not None else source_runs(conn))
    by_loader: dict[Callable[[Load, list[str]], Mapping[str, object]], list[str]] = {}
    for key in keys:
        by_loader.setdefault(type_of(key).load, []).append(key)
    return {k: v for loader, wanted in by_loader.items() for k, v in loader(load, wanted).items()}


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
