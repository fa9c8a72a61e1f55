"""``/indicator/<code>``: one indicator over time and across regions, with its provenance.

State lives in the URL (``regions``, ``grain``, ``from``, ``to``, ``period``, ``lang``):
the page renders from it, and every control writes it back with ``history.pushState``
(a ``dcc.Location`` with ``refresh=False``), so the view is a bookmark without reloading.
Reads only prepared data from ``dashboard.views.indicator``.
"""

from __future__ import annotations

from datetime import date

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard import grid_locale, i18n
from dashboard.access import Permission, current_actor, current_principal
from dashboard.analysis import style
from dashboard.analysis.rules import grains_for, over_regions, over_time
from dashboard.analysis.state import MAX_COMPARE, ViewState, parse_state, period_options
from dashboard.catalogue.models import Indicator
from dashboard.views import indicator as views
from dashboard.webapp import current_context
from layouts import analyst_parts as parts
from layouts import indicator_callbacks, store_down, titles
from layouts.shell import page_shell


def indicator_title(lang: str, code: str | None) -> str | None:
    indicator = current_context().catalogue.indicators_by_code.get(code or "")
    return indicator.name.get(lang) if indicator else None


dash.register_page(
    __name__,
    path_template="/indicator/<code>",
    title=titles.title_of(indicator_title, "nav.overview"),
    name="Indikator",
    access=Permission.READ,
    charts=True,  # Plotly loaded from the start (dashboard.plotly_bundle)
)


def layout(code: str | None = None, **query):
    lang = i18n.language(query.get("lang"))
    catalogue = current_context().catalogue
    indicator = catalogue.indicators_by_code.get(code or "")
    if indicator is None:
        return page_shell(
            "domains",
            lang,
            f"/indicator/{code}",
            parts.not_found(lang, i18n.label("analyst.unknown_indicator", lang, code=code)),
            query,
        )
    env = parts.env_for(indicator.domain)
    try:
        span = views.data_span(env, indicator)
    except store_down.Error as exc:
        store_down.noted("indicator page", exc)
        down = store_down.panel(lang, className="mt-3")
        return page_shell("domains", lang, f"/indicator/{code}", down, query)
    state = parse_state(indicator, catalogue, query, span, env.today)
    body = [
        dcc.Location(id="ind-url", refresh=False),
        dcc.Store(id="ind-page", data={"code": indicator.code, "lang": lang}),
        dcc.Store(id="ind-notes-rev", data=0),
        # The table's rows, and whether the table has been near the view (it fills then).
        dcc.Store(id="ind-rows"),
        dcc.Store(id="ind-table-seen", data=False),
        header(indicator, lang),
        controls(indicator, state, span),
        dbc.Row(
            className="g-3",
            children=[
                dbc.Col(
                    lg=8,
                    children=[
                        card(
                            i18n.label("analyst.series", lang),
                            [
                                html.Div(
                                    id="ind-latest", className="small text-body-secondary mb-1"
                                ),
                                # Heights reserved as drawn (no shift when the data arrives).
                                reserved(
                                    dcc.Graph(
                                        id="ind-series",
                                        config=style.graph_config(lang),
                                        className="odsk-graph",
                                        style={"height": "380px"},
                                    ),
                                    380,
                                ),
                                html.Div(
                                    i18n.label("analyst.series_hint", lang),
                                    className="small text-body-secondary",
                                ),
                            ],
                        ),
                        card(
                            i18n.label("analyst.yoy.title", lang),
                            reserved(
                                dcc.Graph(
                                    id="ind-yoy",
                                    config=style.graph_config(lang),
                                    style={"height": "240px"},
                                ),
                                240,
                            ),
                        ),
                    ],
                ),
                dbc.Col(
                    lg=4,
                    children=[
                        card(
                            i18n.label("analyst.map", lang),
                            [
                                html.Div(
                                    dcc.Dropdown(
                                        id="ind-period",
                                        options=period_options(state, span, lang),
                                        value=state.period.isoformat() if state.period else None,
                                        clearable=False,
                                        className="mb-2 odsk-period",
                                    ),
                                    className="odsk-period-box",
                                ),
                                reserved(
                                    dcc.Graph(
                                        id="ind-map",
                                        config=style.graph_config(lang, scrollZoom=False),
                                        style={"height": "470px"},
                                    ),
                                    470,
                                ),
                                html.Div(
                                    i18n.label("analyst.map_hint", lang),
                                    className="small text-body-secondary",
                                ),
                            ],
                        ),
                        # A fixed box: the ranking arriving never pushes the page down; it
                        # scrolls inside (focusable, so keyboards can scroll it too).
                        card(
                            i18n.label("analyst.ranking", lang),
                            html.Div(
                                id="ind-ranking",
                                className="odsk-ranking-box",
                                tabIndex="0",
                                role="region",
                                **{"aria-label": i18n.label("analyst.ranking", lang)},
                            ),
                        ),
                    ],
                ),
            ],
        ),
        dbc.Row(
            className="g-3 mt-0",
            children=[
                dbc.Col(
                    lg=6,
                    children=card(i18n.label("analyst.annotations", lang), annotations_block(lang)),
                ),
                dbc.Col(
                    lg=6,
                    children=card(
                        i18n.label("analyst.provenance", lang),
                        html.Div(
                            i18n.label("analyst.prov.hint", lang),
                            id="ind-prov",
                            className="small text-body-secondary",
                        ),
                    ),
                ),
            ],
        ),
        card(i18n.label("analyst.table", lang), table_block(indicator, lang), extra_class="mt-3"),
    ]
    return page_shell(
        "domains",
        lang,
        f"/indicator/{indicator.code}",
        html.Div(body, className="odsk-analyst odsk-indicator"),
        state.query(),
    )


def reserved(graph: dcc.Graph, height: int) -> html.Div:
    """A graph in a box of its drawn height: Plotly's code loads after the page, and until it
    does the graph takes no room; the box keeps it, so nothing below moves (CLS)."""
    return html.Div(graph, style={"minHeight": f"{height}px"})


def card(title: str, children, extra_class: str = "") -> dbc.Card:
    return dbc.Card(
        className=f"odsk-card mb-3 {extra_class}",
        children=[dbc.CardHeader(html.H2(title, className="h6 mb-0")), dbc.CardBody(children)],
    )


def header(indicator: Indicator, lang: str) -> html.Div:
    catalogue = current_context().catalogue
    domain = catalogue.domain(indicator.domain)
    app = next((a for a in domain.applications if a.id == indicator.application), None)
    skpd = next((s for s in catalogue.skpd if s.id == indicator.skpd), None)
    rule = over_regions(indicator)
    facts = [
        (i18n.label("analyst.unit", lang), indicator.unit.get(lang)),
        (
            i18n.label("analyst.frequency", lang),
            i18n.label(f"analyst.freq.{indicator.frequency}", lang),
        ),
        (
            i18n.label("analyst.direction", lang),
            i18n.label(f"analyst.dir.{indicator.direction}", lang),
        ),
        (
            i18n.label("analyst.rule", lang),
            i18n.label(f"analyst.rule.{rule}", lang)
            + " · "
            + i18n.label(f"analyst.time.{over_time(indicator)}", lang),
        ),
        (i18n.label("analyst.owner", lang), skpd.short_name if skpd else indicator.skpd),
    ]
    badges = [
        dbc.Badge(f"{k}: {v}", color="secondary", className="me-1 fw-normal") for k, v in facts
    ]
    if indicator.classification != "public":
        badges.append(
            dbc.Badge(
                i18n.label(f"analyst.class.{indicator.classification}", lang),
                color="warning",
                className="me-1 text-dark",
            )
        )
    return html.Div(
        className="mb-3",
        children=[
            parts.breadcrumbs(
                lang,
                [
                    (domain.name.get(lang), f"/domain/{domain.id}"),
                    (app.name.get(lang) if app else indicator.application, f"/domain/{domain.id}"),
                    (indicator.code, None),
                ],
            ),
            html.H1(indicator.name.get(lang), className="h3 mb-1", id="ind-title"),
            html.P(
                indicator.description.get(lang) if indicator.description else "",
                className="text-body-secondary mb-2",
            ),
            html.Div(badges),
        ],
    )


def controls(indicator: Indicator, state: ViewState, span: tuple[date, date] | None) -> dbc.Card:
    lang = state.lang
    catalogue = current_context().catalogue
    allowed = grains_for(indicator)
    first = span[0].year if span else state.start_year
    last = max(span[1].year if span else state.end_year, state.end_year)
    stride = 1 if last - first <= 12 else 2
    marks = {y: str(y) for y in range(first, last + 1, stride) if last - y >= stride or y == last}
    marks[last] = str(last)
    return dbc.Card(
        className="odsk-card odsk-controls mb-3",
        body=True,
        children=dbc.Row(
            className="g-3",
            children=[
                dbc.Col(
                    lg=5,
                    children=[
                        dbc.Label(
                            i18n.label("analyst.compare", lang, n=MAX_COMPARE),
                            html_for="ind-regions",
                            className="small",
                        ),
                        dcc.Dropdown(
                            id="ind-regions",
                            multi=True,
                            value=list(state.regions),
                            options=[
                                {"label": r.label(lang), "value": r.code}
                                for r in catalogue.regions
                                if r.kind != "province"
                            ],
                            placeholder=i18n.label("analyst.compare_placeholder", lang),
                            className="odsk-regions",
                        ),
                    ],
                ),
                dbc.Col(
                    lg=3,
                    children=[
                        dbc.Label(i18n.label("analyst.grain", lang), className="small d-block"),
                        dbc.RadioItems(
                            id="ind-grain",
                            value=state.grain,
                            inline=True,
                            className="btn-group odsk-grain",
                            inputClassName="btn-check",
                            labelClassName="btn btn-outline-info btn-sm",
                            labelCheckedClassName="active",
                            options=[
                                {
                                    "label": i18n.label(f"analyst.grain.{g}", lang),
                                    "value": g,
                                    "disabled": g not in allowed,
                                }
                                for g in ("day", "month", "quarter", "year")
                            ],
                        ),
                    ],
                ),
                dbc.Col(
                    lg=4,
                    children=[
                        dbc.Label(i18n.label("analyst.range", lang), className="small"),
                        # The slider is drawn after the page (its code loads on demand):
                        # its room is kept so nothing below moves.
                        html.Div(
                            className="odsk-range-box",
                            children=dcc.RangeSlider(
                                id="ind-range",
                                min=first,
                                max=last,
                                step=1,
                                value=[state.start_year, state.end_year],
                                marks=marks,
                                allowCross=False,
                                pushable=0,
                                className="odsk-range",
                                tooltip={"placement": "bottom"},
                                # Its number boxes have no labels; the handles take arrow keys.
                                allow_direct_input=False,
                            ),
                        ),
                    ],
                ),
            ],
        ),
    )


def annotations_block(lang: str) -> list:
    notes = html.Ul(id="ind-notes-list", className="list-unstyled small mb-3 odsk-notes")
    if not current_principal().can(Permission.ANNOTATE):
        return [notes]
    return [
        notes,
        dbc.Row(
            className="g-2 align-items-end",
            children=[
                dbc.Col(
                    md=3,
                    children=[
                        dbc.Label(
                            i18n.label("analyst.annot.date", lang),
                            html_for="ind-note-date",
                            className="small",
                        ),
                        # Typed day/month/year: a browser date field speaks the browser's
                        # language and order ("mm/dd/yyyy"), not the page's.
                        dbc.Input(
                            id="ind-note-date",
                            type="text",
                            inputMode="numeric",
                            autoComplete="off",
                            placeholder=i18n.label("analyst.annot.date_format", lang),
                            pattern=r"\d{1,2}/\d{1,2}/\d{4}",
                            size="sm",
                        ),
                    ],
                ),
                dbc.Col(
                    md=5,
                    children=[
                        dbc.Label(i18n.label("analyst.annot.text", lang), className="small"),
                        dbc.Input(
                            id="ind-note-text",
                            maxLength=500,
                            size="sm",
                            placeholder=i18n.label("analyst.annot.placeholder", lang),
                        ),
                    ],
                ),
                dbc.Col(
                    md=4,
                    children=[
                        dbc.Label(i18n.label("analyst.annot.author", lang), className="small"),
                        html.Div(current_actor().name, id="ind-note-author", className="small"),
                    ],
                ),
                dbc.Col(
                    md=8,
                    children=dbc.Checkbox(
                        id="ind-note-all",
                        value=False,
                        label=i18n.label("analyst.annot.all", lang),
                        className="small",
                    ),
                ),
                dbc.Col(
                    md=4,
                    className="text-end",
                    children=dbc.Button(
                        i18n.label("analyst.annot.add", lang),
                        id="ind-note-add",
                        size="sm",
                        color="primary",
                    ),
                ),
            ],
        ),
        html.Div(id="ind-note-feedback", className="small mt-2"),
    ]


def table_block(indicator: Indicator, lang: str) -> list:
    # Internal data leaves the command centre only with analysts (the server checks too).
    exports = indicator.classification == "public" or current_principal().can(
        Permission.EXPORT_INTERNAL
    )
    return [
        html.Div(
            className="d-flex gap-2 mb-2" + ("" if exports else " odsk-no-export"),
            children=[
                dbc.Button(
                    [html.I(className="bi bi-filetype-csv me-1"), "CSV"],
                    id="ind-csv",
                    size="sm",
                    color="secondary",
                    outline=True,
                ),
                dbc.Button(
                    [html.I(className="bi bi-file-earmark-excel me-1"), "Excel"],
                    id="ind-xlsx",
                    size="sm",
                    color="secondary",
                    outline=True,
                ),
                html.Span(
                    i18n.label("analyst.table_hint", lang),
                    className="small text-body-secondary align-self-center",
                ),
                dcc.Download(id="ind-download"),
            ],
        ),
        # Watched for coming into view: the grid gets its rows then (indicator_callbacks).
        html.Div(
            id="ind-table-box",
            children=dag.AgGrid(
                id="ind-grid",
                rowData=[],
                columnDefs=indicator_callbacks.column_defs(indicator, lang),
                defaultColDef={
                    "sortable": True,
                    "filter": True,
                    "resizable": True,
                    "floatingFilter": True,
                    "useValueFormatterForExport": False,
                },
                dashGridOptions={
                    "localeText": grid_locale.locale_text(lang),
                    "theme": parts.GRID_THEME,
                    "animateRows": False,
                    "pagination": True,
                    "paginationPageSize": 50,
                    "paginationPageSizeSelector": [50, 200, 1000],
                    "enableCellTextSelection": True,
                },
                csvExportParams={"fileName": f"{indicator.code}.csv"},
                getRowId="params.data.r + '|' + params.data.s",
                columnSize="responsiveSizeToFit",
                style={"height": "520px"},
                className="odsk-grid",
            ),
        ),
    ]


def register_callbacks(app: dash.Dash) -> None:
    parts.install_memo(app)
    indicator_callbacks.register(app)
