"""``/``: the governor's office scorecard of the six domains against their targets.

State lives in the URL: ``?period=2026-10`` (or ``2026``; none = latest), ``?region=71.71``
(none = the province), ``?rank=LIV.STUNTING`` (the indicator the kab/kota ranking
follows), ``?lang=en``. A filter change rewrites the query (``callback-nav``) and the
page is drawn again from it, from prepared data only (``dashboard.views.overview``).
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate

from dashboard import i18n
from dashboard.access import Permission as P
from dashboard.access import Rule, callback, current_principal
from dashboard.scorecard.labels import label
from dashboard.store.schema import utcnow
from dashboard.views.overview import (
    ChangeView,
    DomainView,
    ListItem,
    OverviewPage,
    RankingView,
    RowView,
    load_overview,
    url_query,
)
from dashboard.webapp import current_context
from layouts import store_down, titles
from layouts.shell import as_cards, href, page_shell

dash.register_page(
    __name__, path="/", title=titles.title("nav.overview"), name="Ringkasan", access=P.READ
)

STATUS_ICONS = {
    "on_track": "bi bi-check-circle-fill",
    "at_risk": "bi bi-exclamation-triangle-fill",
    "behind": "bi bi-x-octagon-fill",
    "no_target": "bi bi-dash-circle",
    "no_data": "bi bi-question-circle",
}
LATEST, WHOLE_YEAR, ALL = "latest", "all", "all"
TONE_CLASS = {"good": "sc-good", "bad": "sc-bad", "neutral": "sc-neutral"}


# --- shared with /brief -------------------------------------------------------------


def status_badge(status: str, label: str, **kwargs) -> html.Span:
    return html.Span(
        [html.I(className=STATUS_ICONS[status]), " ", label],
        className=f"sc-status sc-status-{status}",
        **kwargs,
    )


def owner_badge(owner: str | None):
    """The responsible SKPD's short name beside an exception."""
    if not owner:
        return None
    return html.Span(owner, className="sc-owner ms-2")


def followup_action(item: ListItem, lang: str):
    """The exception's follow-up: a link to it when there is one; else, for the governor's
    office, "Tindak lanjut" that opens one on it."""
    if item.followup is not None:
        item_id, status = item.followup
        return html.A(
            [
                html.I(className="bi bi-clipboard-check me-1"),
                label("score.followup.has", lang, id=item_id, status=status),
            ],
            href=href("/followup", lang, id=item_id),
            className="sc-followup small d-inline-block",
        )
    if item.kind is None or item.subject is None:
        return None
    if not current_principal().can(P.FOLLOWUP_MANAGE):
        return None
    return html.A(
        [html.I(className="bi bi-clipboard-plus me-1"), label("score.followup.open", lang)],
        href=href("/followup", lang, kind=item.kind, subject=item.subject, skpd=item.skpd),
        className="sc-followup sc-followup-open small d-inline-block",
        **{"aria-label": f"{label('score.followup.open', lang)}: {item.title}"},
    )


def export_links(query: dict, lang: str, with_brief: bool = True) -> html.Div:
    links = []
    if with_brief:
        links.append(
            dbc.Button(
                [html.I(className="bi bi-journal-text me-1"), label("score.brief", lang)],
                href="/brief" + url_query(query, lang),
                color="primary",
                size="sm",
                id="sc-brief-link",
            )
        )
    links += [
        dbc.Button(
            [html.I(className="bi bi-file-earmark-pdf me-1"), label("score.export.pdf", lang)],
            href="/brief/export.pdf" + url_query(query, lang),
            external_link=True,
            color="light",
            outline=True,
            size="sm",
            id="sc-export-pdf",
        ),
        dbc.Button(
            [
                html.I(className="bi bi-file-earmark-spreadsheet me-1"),
                label("score.export.xlsx", lang),
            ],
            href="/brief/export.xlsx" + url_query(query, lang),
            external_link=True,
            color="light",
            outline=True,
            size="sm",
            id="sc-export-xlsx",
        ),
    ]
    return html.Div(links, className="d-flex gap-2 sc-exports")


# --- the page -----------------------------------------------------------------------


def _load(lang: str, **query) -> OverviewPage | None:
    context = current_context()
    return store_down.read(
        "overview",
        lambda: load_overview(
            context.engine, context.catalogue, context.catalogue.plans, utcnow(), lang, **query
        ),
    )


def layout(
    lang: str | None = None,
    period: str | None = None,
    region: str | None = None,
    rank: str | None = None,
    skpd: str | None = None,
    **_query,
):
    lang = i18n.language(lang)
    page = _load(lang, period=period, region=region, rank=rank, skpd=skpd)
    query = (
        page.query if page else {k: v for k, v in {"period": period, "region": region}.items() if v}
    )
    if page is None:
        body = [store_down.panel(lang, className="mt-3")]
    else:
        body = [
            _header(page, lang),
            _domain_strip(page),
            dbc.Row(
                className="g-3",
                children=[
                    dbc.Col([_domain_section(d, lang) for d in page.domains], xl=8, lg=12),
                    dbc.Col(
                        [_skpd_groups(page, lang), *_lists(page, lang)],
                        xl=4,
                        lg=12,
                        className="sc-lists",
                    ),
                ],
            ),
            _ranking(page, lang),
        ]
    return page_shell(
        "overview",
        lang,
        "/",
        [
            dcc.Location(id="sc-location", refresh="callback-nav"),
            dcc.Store(id="sc-state", data={"lang": lang, "query": query}),
            # data-view: the query this drawing shows (tests wait for it after a filter change).
            html.Div(
                body, className="odsk-overview", lang=lang, **{"data-view": url_query(query, lang)}
            ),
        ],
        query=query,
    )


def _header(page: OverviewPage, lang: str):
    f = page.filters
    year_options = [{"label": label("score.filter.latest", lang), "value": LATEST}] + [
        {"label": label, "value": value} for value, label in f.years
    ]
    month_options = [{"label": label("score.filter.whole_year", lang), "value": WHOLE_YEAR}] + [
        {"label": label, "value": value} for value, label in f.months
    ]
    return html.Div(
        className="sc-header",
        children=[
            html.Div(
                className="sc-title",
                children=[
                    html.H1(page.title, className="h3 mb-1"),
                    html.Div(page.subtitle, id="sc-subtitle", className="sc-subtitle"),
                    html.Small(page.generated, className="text-body-secondary"),
                ],
            ),
            html.Div(
                className="sc-filters",
                children=[
                    _labelled(
                        label("score.filter.year", lang),
                        dbc.Select(
                            id="sc-year",
                            options=year_options,
                            value=str(f.year) if f.year else LATEST,
                            size="sm",
                        ),
                    ),
                    _labelled(
                        label("score.filter.month", lang),
                        dbc.Select(
                            id="sc-month",
                            options=month_options,
                            value=f"{f.month:02d}" if f.month else WHOLE_YEAR,
                            size="sm",
                            disabled=f.year is None,
                        ),
                    ),
                    _labelled(
                        label("score.filter.region", lang),
                        dbc.Select(
                            id="sc-region",
                            options=[{"label": n, "value": c} for c, n in f.regions],
                            value=f.region,
                            size="sm",
                        ),
                    ),
                    _labelled(
                        label("score.filter.skpd", lang),
                        dbc.Select(
                            id="sc-skpd",
                            options=[{"label": label("score.filter.all_skpd", lang), "value": ALL}]
                            + [{"label": n, "value": c} for c, n in f.skpds],
                            value=f.skpd or ALL,
                            size="sm",
                        ),
                    ),
                    export_links(page.query, lang),
                ],
            ),
            html.P(page.regional_note, className="sc-note small mb-0")
            if page.regional_note
            else None,
        ],
    )


def _labelled(label: str, control) -> html.Div:
    return html.Div(
        [html.Label(label, htmlFor=control.id, className="form-label small mb-0"), control],
        className="sc-filter",
    )


def _domain_strip(page: OverviewPage) -> html.Div:
    cards = []
    for d in page.domains:
        width = f"{d.score_value:.0f}%" if d.score_value is not None else "0%"
        cards.append(
            html.A(
                href=f"#sc-domain-{d.domain_id}",
                className="sc-domain-card",
                id=f"sc-card-{d.domain_id}",
                children=[
                    html.Div(d.name, className="sc-domain-name"),
                    html.Div(d.score, className="sc-domain-score", id=f"sc-score-{d.domain_id}"),
                    html.Div(
                        html.Div(
                            className=f"sc-bar-fill sc-bar-{_band(d.score_value)}",
                            style={"width": width},
                        ),
                        className="sc-bar",
                    ),
                    html.Div(
                        [
                            html.Span(
                                [html.I(className=STATUS_ICONS[s]), f" {n}"],
                                title=label,
                                className=f"sc-count sc-status-{s}",
                            )
                            for s, label, n in d.counts
                        ],
                        className="sc-counts",
                    ),
                ],
            )
        )
    return html.Div(cards, className="sc-domain-strip", id="sc-domain-strip")


def _band(score: float | None) -> str:
    if score is None:
        return "none"
    return "good" if score >= 75 else "warn" if score >= 50 else "bad"


def _change(change: ChangeView | None) -> html.Td:
    if change is None:
        return html.Td("—", className="sc-change sc-neutral")
    return html.Td(
        className=f"sc-change {TONE_CLASS[change.tone]}",
        children=[
            html.Div(change.amount + (f" ({change.pct})" if change.pct else "")),
            html.Small(change.vs, className="text-body-secondary"),
        ],
    )


def _row(row: RowView) -> html.Tr:
    return html.Tr(
        className=f"sc-row sc-row-{row.status}",
        **{"data-code": row.code},
        children=[
            html.Td(
                [
                    html.Div(row.name, className="sc-name"),
                    html.Small(row.code, className="text-body-secondary"),
                    owner_badge(row.owner),
                ]
            ),
            html.Td(
                className="sc-value-cell",
                children=[
                    html.Span(row.value or "—", className="sc-value"),
                    html.Span(f" {row.unit}", className="sc-unit") if row.value else None,
                    html.Div(row.period, className="small text-body-secondary")
                    if row.period
                    else None,
                ],
            ),
            html.Td(
                [
                    html.Div(row.target, className="sc-target"),
                    html.Small(row.plan, className="sc-plan d-block") if row.plan else None,
                ]
            ),
            html.Td(
                [
                    status_badge(row.status, row.status_label),
                    html.Small(row.gap, className="d-block text-body-secondary")
                    if row.gap
                    else None,
                ]
            ),
            _change(row.vs_previous),
            _change(row.vs_year_ago),
            html.Td(html.Img(src=row.spark, alt="", className="sc-spark") if row.spark else ""),
            html.Td(row.points, className="sc-points text-end"),
        ],
    )


def _domain_section(d: DomainView, lang: str) -> html.Section:
    heads = [
        "score.col.indicator",
        "score.col.value",
        "score.col.target",
        "score.col.status",
        "score.col.prev",
        "score.col.year",
        "score.col.trend",
        "score.col.points",
    ]
    table = dbc.Table(
        [
            html.Thead(html.Tr([html.Th(label(k, lang)) for k in heads])),
            html.Tbody([_row(r) for r in d.rows]),
        ],
        size="sm",
        hover=True,
        responsive=True,
        className="sc-table align-middle mb-0",
    )
    table = as_cards(table, [label(k, lang) for k in heads])
    return html.Section(
        id=f"sc-domain-{d.domain_id}",
        className="sc-domain",
        children=[
            html.Div(
                className="sc-domain-head",
                children=[
                    html.H2(
                        [d.name, html.Small(f" · {d.tagline}", className="sc-tagline")],
                        className="h5 mb-0",
                    ),
                    html.Div(
                        className="sc-domain-formula",
                        children=[
                            html.Span(f"{label('score.domain_score', lang)}: "),
                            html.Strong(d.score),
                            html.Small(
                                f" — {d.formula}" + (f"; {d.excluded}" if d.excluded else ""),
                                className="text-body-secondary",
                            ),
                        ],
                    ),
                ],
            ),
            table,
        ],
    )


def _skpd_groups(page: OverviewPage, lang: str) -> dbc.Card:
    """The exceptions grouped by SKPD; each line filters the page to that SKPD."""
    items = [
        html.Li(
            className="sc-skpd-group" + (" sc-skpd-selected" if g.selected else ""),
            **{"data-skpd": g.skpd},
            children=html.A(
                [html.Strong(g.name), f": {g.summary}"],
                href="/" + url_query(page.query, lang, skpd=g.skpd),
                **({"aria-current": "true"} if g.selected else {}),
            ),
        )
        for g in page.by_skpd
    ]
    body = (
        html.Ul(items, className="sc-list sc-skpd-groups", tabIndex="0")
        if items
        else html.P(label("score.list.empty", lang), className="text-body-secondary mb-0")
    )
    clear = (
        html.A(
            label("score.by_skpd.clear", lang),
            href="/" + url_query(page.query, lang, skpd=None),
            className="small odsk-target",
            id="sc-skpd-clear",
        )
        if page.filters.skpd
        else None
    )
    return dbc.Card(
        className="sc-card",
        id="sc-by-skpd",
        children=[
            dbc.CardHeader(
                [
                    html.I(className="bi bi-people-fill me-2"),
                    label("score.by_skpd", lang),
                    dbc.Badge(len(items), color="secondary", className="ms-2", pill=True),
                ]
            ),
            dbc.CardBody([body, clear]),
        ],
    )


def _list(
    title: str,
    items: tuple[ListItem, ...],
    lang: str,
    list_id: str,
    icon: str,
    note: str | None = None,
):
    if items:
        body = html.Ul(
            className="sc-list",
            # It scrolls inside its card: keyboard users must be able to reach and scroll it.
            tabIndex="0",
            **{"aria-label": title},
            children=[
                html.Li(
                    className=f"sc-item sc-item-{i.tone}",
                    **({"data-code": i.code} if i.code else {}),
                    children=[
                        html.Div([i.title, owner_badge(i.owner)], className="sc-item-title"),
                        html.Div(i.detail, className="sc-item-detail"),
                        followup_action(i, lang),
                    ],
                )
                for i in items
            ],
        )
    else:
        body = html.P(label("score.list.empty", lang), className="text-body-secondary mb-0")
    return dbc.Card(
        className="sc-card",
        id=list_id,
        children=[
            dbc.CardHeader(
                [
                    html.I(className=f"{icon} me-2"),
                    title,
                    dbc.Badge(len(items), color="secondary", className="ms-2", pill=True),
                ]
            ),
            dbc.CardBody(
                [
                    html.Small(note, className="text-body-secondary d-block mb-1")
                    if note
                    else None,
                    body,
                ]
            ),
        ],
    )


def _lists(page: OverviewPage, lang: str) -> list:
    return [
        _list(
            label("score.list.behind", lang), page.behind, lang, "sc-list-behind", "bi bi-flag-fill"
        ),
        _list(
            label("score.list.at_risk", lang),
            page.at_risk,
            lang,
            "sc-list-at-risk",
            "bi bi-exclamation-triangle",
        ),
        _list(
            label("score.list.good", lang),
            page.movers_good,
            lang,
            "sc-list-good",
            "bi bi-graph-up-arrow",
        ),
        _list(
            label("score.list.bad", lang),
            page.movers_bad,
            lang,
            "sc-list-bad",
            "bi bi-graph-down-arrow",
        ),
        _list(
            label("score.list.stale", lang),
            page.stale,
            lang,
            "sc-list-stale",
            "bi bi-hourglass-split",
        ),
        _list(
            label("score.list.missing", lang),
            page.missing,
            lang,
            "sc-list-missing",
            "bi bi-inbox",
            note=page.missing_note,
        ),
        html.P(label("score.points_rule", lang), className="small text-body-secondary"),
    ]


def ranking_bars(r: RankingView, lang: str) -> html.Div:
    """The ranking as horizontal bars in plain HTML: no chart library on this page (Plotly
    alone would be most of its weight). The target is a dashed line, a band a shaded strip."""
    rows = [x for x in r.rows if x.value_number is not None]
    values = [x.value_number for x in rows]
    marks = [v for v in (r.target, *(r.band or ())) if v is not None]
    low = min(0.0, *values, *marks) if values else 0.0
    high = max(0.0, *values, *marks) if values else 1.0
    span = (high - low) or 1.0

    def at(value: float) -> float:
        return round(100 * (value - low) / span, 2)

    guides = []
    if r.band:
        guides.append(
            html.Div(
                className="sc-rb-band",
                style={"left": f"{at(r.band[0])}%", "width": f"{at(r.band[1]) - at(r.band[0])}%"},
            )
        )
    elif r.target is not None:
        guides.append(html.Div(className="sc-rb-target", style={"left": f"{at(r.target)}%"}))
    zero = at(0.0)
    bars = []
    for x in rows:
        start, end = sorted((zero, at(x.value_number)))
        bars.append(
            html.Li(
                className="sc-rb-row",
                children=[
                    html.Span(x.region, className="sc-rb-name"),
                    html.Span(
                        className="sc-rb-track",
                        children=[
                            *guides,
                            html.Span(
                                className=f"sc-rb-bar sc-rb-{x.status}",
                                style={"left": f"{start}%", "width": f"{max(end - start, 0.4)}%"},
                            ),
                        ],
                    ),
                    html.Span(
                        x.per_100k if r.per_capita else x.value, className="sc-rb-value text-end"
                    ),
                ],
            )
        )
    axis = f"{r.unit} / {i18n.number(100_000, lang, 0)}" if r.per_capita else r.unit
    return html.Div(
        id="sc-rank-bars",
        className="sc-rank-bars",
        children=[html.Ol(bars, className="sc-rb-list"), html.Small(axis, className="sc-rb-axis")],
    )


def _ranking(page: OverviewPage, lang: str) -> dbc.Card:
    r, f = page.ranking, page.filters
    control = dbc.Select(
        id="sc-rank",
        # Named by the visually hidden label next to it (the card's title says the rest).
        options=[{"label": n, "value": c} for c, n in f.indicators],
        value=r.code,
        size="sm",
    )
    if r.empty:
        content = html.P(r.empty, className="text-body-secondary mb-0")
    else:
        rate = ("score.rank.col.per_100k",) if r.per_capita else ()
        heads = (
            "score.rank.col.rank",
            "score.rank.col.region",
            "score.col.value",
            *rate,
            "score.col.status",
            "score.col.prev",
        )
        table = dbc.Table(
            [
                html.Thead(html.Tr([html.Th(label(k, lang)) for k in heads])),
                html.Tbody(
                    [
                        html.Tr(
                            className="sc-rank-row",
                            children=[
                                html.Td(x.rank),
                                html.Td(x.region),
                                html.Td(x.value, className="text-end"),
                                *(
                                    [html.Td(x.per_100k or "—", className="text-end sc-rank-rate")]
                                    if r.per_capita
                                    else []
                                ),
                                html.Td(status_badge(x.status, x.status_label)),
                                html.Td(
                                    x.change or "—", className=f"text-end {TONE_CLASS[x.tone]}"
                                ),
                            ],
                        )
                        for x in r.rows
                    ]
                ),
            ],
            size="sm",
            responsive=True,
            className="sc-table sc-rank-table align-middle mb-0",
        )
        content = dbc.Row(
            [
                dbc.Col(ranking_bars(r, lang), lg=6),
                dbc.Col(table, lg=6),
            ]
        )
    return dbc.Card(
        className="sc-card sc-ranking mt-3",
        id="sc-ranking",
        children=[
            dbc.CardHeader(
                html.Div(
                    className="d-flex flex-wrap align-items-center gap-3",
                    children=[
                        html.Span(
                            [
                                html.I(className="bi bi-bar-chart-steps me-2"),
                                label("score.rank.title", lang),
                            ],
                            className="fw-semibold",
                        ),
                        html.Div(
                            [
                                html.Label(
                                    label("score.rank.title", lang),
                                    htmlFor="sc-rank",
                                    className="visually-hidden",
                                ),
                                control,
                            ],
                            className="sc-rank-select",
                        ),
                        html.Small(r.rule, className="text-body-secondary", id="sc-rank-rule"),
                    ],
                )
            ),
            dbc.CardBody(
                [
                    html.Small(r.note, className="text-body-secondary d-block mb-2")
                    if r.note
                    else None,
                    content,
                ]
            ),
        ],
    )


def register_callbacks(app: dash.Dash) -> None:
    @callback(
        app,
        Rule(P.READ),
        Output("sc-location", "search"),
        Input("sc-year", "value"),
        Input("sc-month", "value"),
        Input("sc-region", "value"),
        Input("sc-rank", "value"),
        Input("sc-skpd", "value"),
        State("sc-state", "data"),
        prevent_initial_call=True,
    )
    def filter_changed(year, month, region, rank, skpd, state):
        state = state or {}
        lang = state.get("lang", "id")
        if year and year != LATEST:
            period = f"{year}-{month}" if month and month != WHOLE_YEAR else year
        else:
            period = None
        query = dict(state.get("query") or {})
        query.update(
            period=period,
            region=region if region and region != "71" else None,
            rank=rank,
            skpd=skpd if skpd and skpd != ALL else None,
        )
        search = url_query(query, lang)
        if query == (state.get("query") or {}):
            raise PreventUpdate
        return search
