"""The default region map: a tile-grid cartogram, one equal square per kab/kota at its grid position.

Equal tiles keep small cities (Tomohon, Kotamobagu) as visible as large regencies, and
need no boundary file. Colour says how good the value is (the bright end is better,
whatever the direction); regions without a value are grey; compared regions are outlined.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from dashboard import i18n
from dashboard.analysis import style
from dashboard.analysis import text as fmt
from dashboard.catalogue.models import Indicator, Region

TILE_LABEL_MAX = 9


def tile_label(region: Region) -> str:
    """A short name that fits a tile: "Manado", "Bolsel", "Sangihe"."""
    if len(region.short_name) <= TILE_LABEL_MAX:
        return region.short_name
    compact = [a for a in region.aliases if " " not in a and len(a) <= TILE_LABEL_MAX]
    return min(compact, key=len) if compact else region.short_name


def rate_text(rate: float | None, lang: str) -> str:
    """ " · 3,1 per 100.000 penduduk" for a hover line; empty without a rate."""
    return (
        ""
        if rate is None
        else f" · {i18n.label('analyst.per_100k', lang, value=fmt.number(rate, lang, 1))}"
    )


def colorscale(indicator: Indicator) -> dict:
    """Trace properties for the colour: brighter is better; a band diverges around its middle."""
    if indicator.direction == "band" and indicator.band:
        return {"colorscale": style.BAND, "zmid": (indicator.band.low + indicator.band.high) / 2}
    return {"colorscale": style.SEQUENTIAL, "reversescale": indicator.direction == "down"}


def cartogram_figure(
    regions: Iterable[Region],
    values: Mapping[str, float | None],
    indicator: Indicator,
    *,
    lang: str,
    unit: str,
    selected: Iterable[str] = (),
    ranks: Mapping[str, int] | None = None,
    rates: Mapping[str, float | None] | None = None,
) -> dict:
    """``rates`` (counts per 100,000 residents): colour by them, as the ranking compares; the
    tiles still show the counts."""
    tiles = [(r, r.grid) for r in regions if r.grid is not None]
    if not tiles:
        return {"data": [], "layout": style.base_layout(360)}
    rows = max(grid.row for _, grid in tiles) + 1
    cols = max(grid.col for _, grid in tiles) + 1
    z: list[list[float | None]] = [[None] * cols for _ in range(rows)]
    blank: list[list[int | None]] = [[None] * cols for _ in range(rows)]
    text = [[""] * cols for _ in range(rows)]
    hover = [[""] * cols for _ in range(rows)]
    codes = [[""] * cols for _ in range(rows)]
    ranks = ranks or {}
    for r, grid in tiles:
        row, col = grid.row, grid.col
        value = values.get(r.code)
        shown = "—" if value is None else fmt.number(value, lang, indicator.decimals)
        text[row][col] = f"{tile_label(r)}<br>{shown}"
        codes[row][col] = r.code
        rank = ranks.get(r.code)
        rank_text = i18n.label("analyst.rank_of", lang, rank=rank, total=len(tiles)) if rank else ""
        per = rate_text(rates.get(r.code) if rates else None, lang)
        hover[row][col] = f"<b>{r.name}</b><br>{shown} {unit}{per}<br>{rank_text}"
        if value is None:
            blank[row][col] = 0
        else:
            z[row][col] = rates.get(r.code) if rates else value
    data = [
        {
            "type": "heatmap",
            "z": blank,
            "colorscale": [[0, style.NO_DATA], [1, style.NO_DATA]],
            "showscale": False,
            "xgap": 5,
            "ygap": 5,
            "hoverinfo": "skip",
        },
        {
            "type": "heatmap",
            "z": z,
            "text": text,
            "customdata": codes,
            "hovertext": hover,
            "texttemplate": "%{text}",
            "textfont": {"size": 11},
            **colorscale(indicator),
            "xgap": 4,
            "ygap": 4,
            "hovertemplate": "%{hovertext}<extra></extra>",
            "colorbar": style.colorbar(y=-0.04),
        },
    ]
    outline = [
        {
            "type": "rect",
            "x0": grid.col - 0.5,
            "x1": grid.col + 0.5,
            "y0": grid.row - 0.5,
            "y1": grid.row + 0.5,
            "line": {"color": style.PROVINCE, "width": 3},
        }
        for r, grid in tiles
        if r.code in set(selected)
    ]
    layout = style.base_layout(
        470,
        margin={"l": 4, "r": 4, "t": 4, "b": 36},
        xaxis={"visible": False, "fixedrange": True, "range": [-0.5, cols - 0.5]},
        yaxis={"visible": False, "fixedrange": True, "autorange": "reversed", "scaleanchor": "x"},
        shapes=outline,
        separators=style.separators(lang),
    )
    return {"data": data, "layout": layout}
