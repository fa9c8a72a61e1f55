"""Prepared data of the embeddable panels (/embed/…): the wall's own tiles (``wall.tile_view``,
so the status, change and "fetched … ago" follow the wall's rules) with a short history
for the sparkline. Two queries per panel: the latest values with history, and the runs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Engine

from dashboard.catalogue.models import Catalogue, Indicator
from dashboard.store.queries import latest_points, pair_of, source_runs
from dashboard.views.wall import TileView, headline_indicators, tile_view

HISTORY = 12


def tiles(
    engine: Engine,
    catalogue: Catalogue,
    indicators: Sequence[Indicator],
    region_code: str,
    now: datetime,
    lang: str,
) -> list[TileView]:
    with engine.connect() as conn:
        points = latest_points(
            conn,
            [i.code for i in indicators],
            region_code,
            {i.code: i.grain for i in indicators},
            per_indicator=HISTORY,
        )
        runs = source_runs(conn)
    out = []
    for ind in indicators:
        found = points.get(ind.code)
        pair = pair_of(ind.code, region_code, found) if found else None
        history = tuple(p.value for p in reversed(found or []))
        out.append(tile_view(ind, pair, runs, catalogue, now, lang, history))
    return out


def domain_indicators(catalogue: Catalogue, domain_id: str) -> list[Indicator]:
    """The wall's headline indicators of the domain (those the reader may see)."""
    return headline_indicators(catalogue, domain_id)
