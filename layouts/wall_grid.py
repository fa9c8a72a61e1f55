"""``/wall/grid?cols=3&rows=2``: several wall screens on one canvas, for a controller that
drives several panels as one display (six 1920×1080 panels = 5760×2160).

Each cell is a full wall (``/wall?…&device=grid-N``) in a frame of its own: it scales to
its cell, rotates, reports its heartbeat and reconnects on its own. ``?playlist=NAME``
plays one playlist in every cell, each cell one item further on; otherwise the monitors of
``wall.yaml`` fill the cells in order. ``?device=NAME`` names the cells ``NAME-1`` …
(default ``grid``) when a site has more than one such controller.
"""

from __future__ import annotations

import dash
from dash import html

from dashboard import i18n
from dashboard.access import Permission, current_principal
from dashboard.views.wall_plan import current_setup, grid_cells, grid_size
from layouts import titles

dash.register_page(
    __name__,
    path="/wall/grid",
    title=titles.title("nav.wall"),
    name="Wall grid",
    access=Permission.WALL,
)


def layout(
    cols: str | None = None,
    rows: str | None = None,
    playlist: str | None = None,
    device: str | None = None,
    lang: str | None = None,
    **_query,
):
    lang = i18n.language(lang)
    n_cols, n_rows = grid_size(cols, rows)
    token = device if current_principal().kind == "device" else None
    urls = grid_cells(current_setup().config, n_cols, n_rows, lang, playlist, token)
    return html.Div(
        [
            html.Iframe(
                src=url, title=f"{i18n.label('wall.title', lang)} ({i + 1})", className="wall-cell"
            )
            for i, url in enumerate(urls)
        ],
        className="wall-canvas",
        lang=lang,
        title=i18n.label("wall.grid.title", lang, cols=n_cols, rows=n_rows),
        style={
            "gridTemplateColumns": f"repeat({n_cols}, minmax(0, 1fr))",
            "gridTemplateRows": f"repeat({n_rows}, minmax(0, 1fr))",
        },
    )
