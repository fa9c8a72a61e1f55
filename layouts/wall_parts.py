"""Components of the video wall, drawn from the prepared views in ``dashboard.views.wall*``.

Plain functions from view objects to Dash components; no queries here. Ids:

- ``{"type": "wall-part", "key": K}`` — a part the live refresh redraws (see
  ``dashboard.views.wall_screens``);
- ``{"type": "wall-age", "key": "K|code"}`` — an age the 30-s freshness refresh redoes,
  from the inputs in the part's ``{"type": "wall-age-inputs", "part": K}`` store.
"""

from __future__ import annotations

from dash import dcc, html

from dashboard import i18n
from dashboard.views.wall import Freshness, HealthView, PanelView, TileView
from dashboard.views.wall_map import sparkline

# Shape as well as colour, so a colour-blind viewer reads the status too (Bootstrap Icons).
STATUS_ICONS = {
    "on_track": "bi bi-check-circle-fill",
    "at_risk": "bi bi-exclamation-triangle-fill",
    "behind": "bi bi-x-octagon-fill",
    "no_target": "bi bi-dash-circle",
    "no_data": "bi bi-question-circle",
}
ARROW_ICONS = {
    "up": "bi bi-caret-up-fill",
    "down": "bi bi-caret-down-fill",
    "flat": "bi bi-arrow-right",
}
LEGEND_ORDER = ("on_track", "at_risk", "behind", "no_target")
LONG_VALUE_CHARS = 8  # "2.712.345" and longer
SPARK_COLOURS = {"on_track": "#3ddbb3", "at_risk": "#ffc53d", "behind": "#ff7a66"}


def part_id(key: str) -> dict:
    return {"type": "wall-part", "key": key}


def age_id(part: str, name: str) -> dict:
    return {"type": "wall-age", "key": f"{part}|{name}"}


def age_inputs_store(part: str, inputs: dict) -> dcc.Store:
    return dcc.Store(id={"type": "wall-age-inputs", "part": part}, data=inputs)


def freshness_children(fresh: Freshness, lang: str) -> list:
    if not fresh.stale:
        return [html.I(className="bi bi-arrow-repeat"), " ", fresh.text]
    return [
        html.I(className="bi bi-clock-history"),
        " ",
        fresh.text,
        " ",
        html.Span(i18n.label("age.stale", lang), className="stale-badge"),
    ]


def freshness_class(fresh: Freshness) -> str:
    return "tile-age is-stale" if fresh.stale else "tile-age"


def age_children(kind: str, fresh: Freshness, lang: str) -> list | str:
    return fresh.text if kind == "ago" else freshness_children(fresh, lang)


def age_class(kind: str, fresh: Freshness) -> str:
    return "wall-ago" if kind == "ago" else freshness_class(fresh)


def fetched_age(part: str, name: str, fresh: Freshness, lang: str) -> html.Span:
    return html.Span(
        freshness_children(fresh, lang), className=freshness_class(fresh), id=age_id(part, name)
    )


def tile(view: TileView, lang: str, part: str, large: bool = False) -> html.Article:
    shown = view.value if view.value is not None else "—"
    # Millions with a long unit would run into the change column: a step smaller, still big.
    size = " is-long" if len(shown) >= LONG_VALUE_CHARS else ""
    value = [html.Span(shown, className="value" + size), html.Span(view.unit, className="unit")]
    # Right column: the change, what it is compared with, and the target.
    side = []
    if view.change_arrow is not None:
        side.append(
            html.Div(
                [
                    html.I(className=ARROW_ICONS[view.change_arrow]),
                    html.Span(view.change_amount, className="amount"),
                ],
                className=f"tile-change tone-{view.change_tone}",
            )
        )
    side.append(html.Div(view.change_label, className="tile-vs"))
    if view.target:
        side.append(html.Div(view.target, className="tile-target"))
    meta = [html.Span(view.period, className="tile-period")] if view.period else []
    meta.append(fetched_age(part, view.code, view.freshness, lang))
    children = [
        html.Div(
            [
                html.I(className=STATUS_ICONS[view.status]),
                # The status in words for screen readers; icon shape and colour carry it on the wall.
                html.Span(view.status_label, className="visually-hidden"),
            ],
            className="tile-icon",
            title=view.status_label,
        ),
        html.Div(view.name, className="tile-name", title=view.name),
        html.Div(value, className="tile-value"),
        html.Div(side, className="tile-side"),
    ]
    if large:
        spark = sparkline(view.history, SPARK_COLOURS.get(view.status, "#bfcad8"))
        children.append(
            html.Div(html.Img(src=spark, alt="") if spark else None, className="tile-spark")
        )
    children.append(html.Div(meta, className="tile-meta"))
    return html.Article(
        className=f"wall-tile status-{view.status}" + (" is-large" if large else ""),
        **{"data-code": view.code, "data-status": view.status},
        children=children,
    )


def panel_children(view: PanelView, lang: str) -> list:
    key = f"overview/{view.domain_id}"
    tiles = [tile(t, lang, key) for t in view.tiles] or [
        html.P(i18n.label("no_headline", lang), className="wall-empty")
    ]
    return [
        html.H2(view.name, className="panel-title"),
        html.Div(tiles, className="panel-tiles"),
        # What the freshness refresh needs, rebuilt with the panel.
        age_inputs_store(key, {f"{key}|{t.code}": t.freshness_inputs() for t in view.tiles}),
    ]


def panel(key: str, children: list) -> html.Section:
    return html.Section(
        children,
        id=part_id(key),
        className="wall-panel",
        **{"data-domain": key.removeprefix("overview/")},
    )


def health_children(view: HealthView) -> list:
    parts = [
        html.Span(
            [html.I(className="bi bi-check-circle-fill"), " ", view.ok_text], className="health-ok"
        ),
        html.Span(
            [html.I(className="bi bi-x-octagon-fill"), " ", view.failing_text],
            className="health-failing" + (" has-failures" if view.failing else ""),
        ),
    ]
    if view.attention_text:
        parts.append(
            html.Span(
                [html.I(className="bi bi-exclamation-triangle-fill"), " ", view.attention_text],
                className="health-attention",
            )
        )
    if view.never_text:
        parts.append(
            html.Span(
                [html.I(className="bi bi-dash-circle"), " ", view.never_text],
                className="health-never",
            )
        )
    return parts


def legend(lang: str) -> html.Div:
    return html.Div(
        [
            html.Span(
                [html.I(className=STATUS_ICONS[s]), " ", i18n.label(f"status.{s}", lang)],
                className=f"legend-item status-{s}",
            )
            for s in LEGEND_ORDER
        ],
        className="wall-legend",
        title=i18n.label("legend", lang),
    )
