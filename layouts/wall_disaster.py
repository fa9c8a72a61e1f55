"""The e-disaster wall screen: the map with its legend, the newest quake's card (magnitude,
depth, distance, place, felt reports, tsunami potential in BMKG's words, time in WITA)
and the earlier quakes filling the rest of the column. Components only, from
``dashboard.views.wall_disaster``; styles in ``assets/wall_disaster.css``.
"""

from __future__ import annotations

from dash import html

from dashboard import i18n
from dashboard.views.wall import ago_inputs, fetched_inputs
from dashboard.views.wall_disaster import DisasterView, QuakeView
from layouts import wall_parts as parts

TSUNAMI_ICONS = {
    "none": "bi bi-check-circle-fill",
    "possible": "bi bi-tsunami",
    "felt": "bi bi-megaphone-fill",
}
LEGEND_SHAPES = {"day": "bi bi-circle-fill", "window": "bi bi-circle-half", "old": "bi bi-circle"}


def tsunami_line(quake: QuakeView) -> html.Div | None:
    if quake.tsunami_text is None:
        return None
    return html.Div(
        [html.I(className=TSUNAMI_ICONS[quake.tsunami]), " ", quake.tsunami_text],
        className=f"quake-tsunami tsunami-{quake.tsunami}",
    )


def felt_line(quake: QuakeView, felt_label: str) -> html.Div | None:
    if quake.felt_text is None:
        return None
    return html.Div(
        [html.Span(felt_label, className="fact-label"), " ", html.Strong(quake.felt_text)],
        className="quake-felt",
        title=quake.felt_text,
    )


def _latest(view: DisasterView, lang: str) -> html.Div:
    quake = view.latest
    if quake is None:
        return html.Div(
            [
                html.Div(i18n.label("wall.quake.latest", lang), className="quake-label"),
                html.P(view.empty_text, className="wall-empty"),
            ],
            className="quake-latest is-empty",
        )
    facts = [
        html.Span(
            [
                html.Span(i18n.label("wall.quake.depth", lang), className="fact-label"),
                " ",
                html.Strong(quake.depth_text),
            ]
        )
    ]
    if quake.distance_text:
        facts.append(html.Span([html.I(className="bi bi-geo-alt-fill"), " ", quake.distance_text]))
    return html.Div(
        className="quake-latest" + (" is-strong" if quake.strong else ""),
        children=[
            html.Div(i18n.label("wall.quake.latest", lang), className="quake-label"),
            html.Div(
                [
                    html.Span("M", className="quake-m"),
                    html.Span(quake.magnitude_text, className="value"),
                ],
                className="quake-mag",
                title=i18n.label("wall.quake.magnitude", lang),
            ),
            html.Div(facts, className="quake-facts"),
            html.Div(quake.place, className="quake-place", title=quake.place),
            felt_line(quake, view.felt_label),
            tsunami_line(quake),
            html.Div(
                [
                    html.Span(
                        quake.ago_text, className="wall-ago", id=parts.age_id("disaster", "latest")
                    ),
                    html.Span(" · "),
                    html.Span(quake.when_text),
                ],
                className="quake-when",
            ),
        ],
    )


def _earlier_row(quake: QuakeView) -> html.Li:
    return html.Li(
        className=f"quake-row age-{quake.age_class}" + (" is-strong" if quake.strong else ""),
        children=[
            html.Span(f"M {quake.magnitude_text}", className="quake-row-mag"),
            html.Span(
                [
                    html.Span(quake.place_short, className="quake-row-place", title=quake.place),
                    html.Span(quake.distance_text or "", className="quake-row-where"),
                ],
                className="quake-row-text",
            ),
            html.Span(
                [
                    html.Span(quake.time_text, className="quake-row-time"),
                    html.Span(
                        quake.ago_text,
                        id=parts.age_id("disaster", f"q{quake.id}"),
                        className="wall-ago",
                    ),
                ],
                className="quake-row-when",
            ),
        ],
    )


def disaster_children(view: DisasterView, lang: str) -> list:
    ages = {"disaster|feed": fetched_inputs(view.source_id, view.freshness.fetched_at)}
    if view.latest:
        ages["disaster|latest"] = ago_inputs(view.latest.occurred_at)
    ages |= {f"disaster|q{q.id}": ago_inputs(q.occurred_at) for q in view.earlier}
    legend = [
        html.Span([html.I(className=LEGEND_SHAPES[c]), " ", text], className=f"map-key age-{c}")
        for c, text in view.legend
    ]
    earlier = html.Div(
        [
            html.Div(view.earlier_title, className="quake-label"),
            html.Ol(
                [_earlier_row(q) for q in view.earlier],
                className="quake-list shows-what-fits",
            )
            if view.earlier
            else html.P(view.earlier_empty, className="wall-empty"),
        ],
        className="quake-earlier",
    )
    return [
        html.Div(
            className="disaster-map",
            children=[
                html.Img(src=view.map_src, alt=view.summary, className="map-img"),
                html.Div(
                    [
                        *legend,
                        html.Span(i18n.label("wall.legend.size", lang), className="map-key"),
                        html.Span(view.rings_text, className="map-key"),
                    ],
                    className="map-legend",
                ),
            ],
        ),
        html.Div([_latest(view, lang), earlier], className="disaster-side"),
        html.Div(
            [
                html.Span(view.period, className="tile-period"),
                html.Span(view.summary, className="quake-summary"),
                html.Span(view.source_text, className="quake-source"),
                parts.fetched_age("disaster", "feed", view.freshness, lang),
            ],
            className="tile-meta disaster-meta",
        ),
        parts.age_inputs_store("disaster", ages),
    ]
