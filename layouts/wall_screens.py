"""The wall's screens other than the overview and e-disaster (``wall_disaster``): a domain's
own screen, alerts, and the emergency takeover. Components only, from the views in ``dashboard.views.wall_*``.
"""

from __future__ import annotations

from dash import html

from dashboard import i18n
from dashboard.store.schema import utcnow
from dashboard.views.wall import ago_inputs
from dashboard.views.wall_alerts import AlertLine, AlertsView, TakeoverView, evaluation_freshness
from dashboard.views.wall_screens import DomainScreenView
from layouts import wall_parts as parts
from layouts.wall_disaster import felt_line, tsunami_line

SEVERITY_ICONS = {
    "critical": "bi bi-x-octagon-fill",
    "warning": "bi bi-exclamation-triangle-fill",
    "info": "bi bi-info-circle-fill",
}


# --- a domain's own screen -----------------------------------------------------------


def domain_children(view: DomainScreenView, lang: str) -> list:
    key = view.domain_id
    tiles = [parts.tile(t, lang, key, large=True) for t in view.tiles]
    return [
        html.P(view.tagline, className="domain-tagline"),
        html.Div(
            tiles or html.P(i18n.label("no_headline", lang), className="wall-empty"),
            className=f"domain-tiles n-{min(len(tiles), 9)}",
        ),
        parts.age_inputs_store(key, {f"{key}|{t.code}": t.freshness_inputs() for t in view.tiles}),
    ]


# --- alerts ---------------------------------------------------------------------------


def _alert_row(line: AlertLine) -> html.Li:
    meta = [
        html.Span(line.owner, className="alert-owner") if line.owner else None,
        html.Span(line.ago_text, id=parts.age_id("alerts", f"a{line.id}"), className="wall-ago"),
        html.Span(line.note, className="alert-note") if line.note else None,
    ]
    return html.Li(
        className=f"wall-alert-row sev-{line.severity}",
        children=[
            html.I(
                className=f"{SEVERITY_ICONS[line.severity]} alert-sev", title=line.severity_label
            ),
            html.Div(
                [
                    # The reason leads the sentence, so a clamp never hides the important part.
                    html.Div(line.title, className="alert-title"),
                    html.Div([m for m in meta if m is not None], className="alert-meta"),
                ],
                className="alert-body",
            ),
        ],
    )


def _alert_groups(view: AlertsView) -> list:
    """Rows grouped by severity, most severe first, each group under its heading."""
    items: list = []
    for sev, label, n in view.counts:
        lines = [line for line in view.lines if line.severity == sev]
        if not lines:
            continue
        items.append(
            html.Li(
                [html.I(className=SEVERITY_ICONS[sev]), f" {label} · {n}"],
                className=f"alert-group-head sev-{sev}",
            )
        )
        items += [_alert_row(line) for line in lines]
    return items


def alerts_children(view: AlertsView, lang: str) -> list:
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
    rows = _alert_groups(view)
    ages = {f"alerts|a{line.id}": ago_inputs(line.fired_at) for line in view.lines}
    ages["alerts|evaluated"] = {"kind": "evaluated"}
    fresh = evaluation_freshness(view.evaluated_at, utcnow(), lang)
    unlisted = view.total - len(view.lines)
    return [
        html.Div(counts, className="alert-counts"),
        # As many rows as fit, in columns; assets/wall_alerts.js counts the rest into "+N".
        html.Ol(rows, className="alert-list", **{"data-unlisted": str(unlisted)})
        if rows
        else html.P(
            [html.I(className="bi bi-check-circle-fill"), " ", view.empty_text],
            className="alerts-none",
        ),
        html.Div(
            [
                html.Span(view.period, className="tile-period"),
                html.Span(
                    view.more_text or "",
                    className="alerts-more",
                    **{"data-template": view.more_template},
                ),
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
        facts = [
            html.Span([i18n.label("wall.quake.depth", lang), " ", html.Strong(quake.depth_text)])
        ]
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
            felt_line(quake, view.felt_label),
            tsunami_line(quake),
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
