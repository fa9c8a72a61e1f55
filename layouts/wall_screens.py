"""The wall's screens other than the overview: a domain's own screen, e-disaster, alerts,
and the emergency takeover. Components only, from the views in ``dashboard.views.wall_*``.
"""

from __future__ import annotations

from dash import html

from dashboard import i18n
from dashboard.views.wall import ago_inputs, fetched_inputs
from dashboard.views.wall_alerts import AlertLine, AlertsView, TakeoverView, evaluation_freshness
from dashboard.views.wall_disaster import DisasterView, QuakeView
from dashboard.views.wall_screens import DomainScreenView
from layouts import wall_parts as parts

SEVERITY_ICONS = {
    "critical": "bi bi-x-octagon-fill",
    "warning": "bi bi-exclamation-triangle-fill",
    "info": "bi bi-info-circle-fill",
}
TSUNAMI_ICONS = {
    "none": "bi bi-check-circle-fill",
    "possible": "bi bi-tsunami",
    "unknown": "bi bi-question-circle",
}
LEGEND_SHAPES = {"day": "bi bi-circle-fill", "window": "bi bi-circle-half", "old": "bi bi-circle"}


# --- a domain's own screen -----------------------------------------------------------


def domain_children(view: DomainScreenView, lang: str) -> list:
    key = view.domain_id
    tiles = [parts.tile(t, lang, key, large=True) for t in view.tiles]
    return [
        html.P(view.tagline, className="domain-tagline"),
        html.Div(
            tiles or html.P(i18n.t("no_headline", lang), className="wall-empty"),
            className=f"domain-tiles n-{min(len(tiles), 9)}",
        ),
        parts.age_inputs_store(key, {f"{key}|{t.code}": t.freshness_inputs() for t in view.tiles}),
    ]


# --- e-disaster ------------------------------------------------------------------------


def _tsunami(quake: QuakeView) -> html.Div:
    return html.Div(
        [html.I(className=TSUNAMI_ICONS[quake.tsunami]), " ", quake.tsunami_text],
        className=f"quake-tsunami tsunami-{quake.tsunami}",
    )


def _latest(view: DisasterView, lang: str) -> html.Div:
    quake = view.latest
    if quake is None:
        return html.Div(
            [
                html.Div(i18n.t("wall.quake.latest", lang), className="quake-label"),
                html.P(view.empty_text, className="wall-empty"),
            ],
            className="quake-latest is-empty",
        )
    facts = [
        html.Span(
            [
                html.Span(i18n.t("wall.quake.depth", lang), className="fact-label"),
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
            html.Div(i18n.t("wall.quake.latest", lang), className="quake-label"),
            html.Div(
                [
                    html.Span("M", className="quake-m"),
                    html.Span(quake.magnitude_text, className="value"),
                ],
                className="quake-mag",
                title=i18n.t("wall.quake.magnitude", lang),
            ),
            html.Div(facts, className="quake-facts"),
            html.Div(quake.place, className="quake-place", title=quake.place),
            _tsunami(quake),
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
        className="quake-row" + (" is-strong" if quake.strong else ""),
        children=[
            html.Span(f"M {quake.magnitude_text}", className="quake-row-mag"),
            html.Span(quake.place, className="quake-row-place", title=quake.place),
            html.Span(
                quake.ago_text, id=parts.age_id("disaster", f"q{quake.id}"), className="wall-ago"
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
    side = [_latest(view, lang)]
    if view.earlier:
        side.append(
            html.Div(
                [
                    html.Div(i18n.t("wall.quake.earlier", lang), className="quake-label"),
                    html.Ol([_earlier_row(q) for q in view.earlier], className="quake-list"),
                ],
                className="quake-earlier",
            )
        )
    return [
        html.Div(
            className="disaster-map",
            children=[
                html.Img(src=view.map_src, alt=view.summary, className="map-img"),
                html.Div(
                    [
                        *legend,
                        html.Span(i18n.t("wall.legend.size", lang), className="map-key"),
                        html.Span(view.rings_text, className="map-key"),
                    ],
                    className="map-legend",
                ),
            ],
        ),
        html.Div(side, className="disaster-side"),
        html.Div(
            [
                html.Span(view.period, className="tile-period"),
                html.Span(view.summary, className="quake-summary"),
                parts.fetched_age("disaster", "feed", view.freshness, lang),
            ],
            className="tile-meta disaster-meta",
        ),
        parts.age_inputs_store("disaster", ages),
    ]


# --- alerts ---------------------------------------------------------------------------


def _alert_row(line: AlertLine) -> html.Li:
    return html.Li(
        className=f"wall-alert-row sev-{line.severity}",
        children=[
            html.Span(
                [html.I(className=SEVERITY_ICONS[line.severity]), " ", line.severity_label],
                className="alert-sev",
            ),
            html.Span(line.title, className="alert-title", title=line.title),
            html.Span(
                [
                    html.Span(
                        line.ago_text,
                        id=parts.age_id("alerts", f"a{line.id}"),
                        className="wall-ago",
                    ),
                    html.Span(line.note, className="alert-note") if line.note else None,
                ],
                className="alert-when",
            ),
        ],
    )


def alerts_children(view: AlertsView, now, lang: str) -> list:
    counts = [
        html.Div(
            className=f"alert-count sev-{sev}" + (" is-zero" if n == 0 else ""),
            children=[
                html.I(className=SEVERITY_ICONS[sev]),
                html.Span(str(n), className="value"),
                html.Span(label, className="alert-count-label"),
            ],
        )
        for sev, label, n in view.counts
    ]
    rows = [_alert_row(line) for line in view.lines]
    ages = {f"alerts|a{line.id}": ago_inputs(line.fired_at) for line in view.lines}
    ages["alerts|evaluated"] = {"kind": "evaluated"}
    fresh = evaluation_freshness(view.evaluated_at, now, lang)
    return [
        html.Div(counts, className="alert-counts"),
        html.Ol(rows, className="alert-list")
        if rows
        else html.P(
            [html.I(className="bi bi-check-circle-fill"), " ", view.empty_text],
            className="alerts-none",
        ),
        html.Div(
            [
                html.Span(view.period, className="tile-period"),
                html.Span(view.more_text, className="alerts-more") if view.more_text else None,
                parts.fetched_age("alerts", "evaluated", fresh, lang),
            ],
            className="tile-meta alerts-meta",
        ),
        parts.age_inputs_store("alerts", ages),
    ]


# --- takeover ---------------------------------------------------------------------------


def takeover_children(view: TakeoverView | None, lang: str) -> list:
    if view is None:
        return []
    body = [
        html.Div(
            [html.I(className="bi bi-exclamation-octagon-fill"), " ", view.heading],
            className="takeover-heading",
        )
    ]
    quake = view.quake
    if quake is not None:
        facts = [html.Span([i18n.t("wall.quake.depth", lang), " ", html.Strong(quake.depth_text)])]
        if quake.distance_text:
            facts.append(
                html.Span([html.I(className="bi bi-geo-alt-fill"), " ", quake.distance_text])
            )
        body += [
            html.Div(
                [
                    html.Span("M", className="quake-m"),
                    html.Span(quake.magnitude_text, className="value"),
                ],
                className="takeover-mag",
            ),
            html.Div(facts, className="takeover-facts"),
            html.Div(quake.place, className="takeover-place"),
            _tsunami(quake),
            html.Div([quake.ago_text, " · ", quake.when_text], className="takeover-when"),
        ]
    if view.alerts:
        body.append(
            html.Ul(
                [
                    html.Li(
                        [html.I(className=SEVERITY_ICONS[a.severity]), " ", a.title],
                        className="takeover-alert",
                    )
                    for a in view.alerts
                ],
                className="takeover-alerts" + (" is-main" if quake is None else ""),
            )
        )
    if view.more_text:
        body.append(html.Div(view.more_text, className="takeover-more"))
    if view.map_src is None:
        return [html.Div(body, className="takeover-text")]
    return [
        html.Div(body, className="takeover-text"),
        html.Img(src=view.map_src, alt=quake.place if quake else "", className="takeover-map"),
    ]
