"""``/data/<code>``: one public dataset: its Satu Data metadata, a chart of the province's
series, the latest values by region, and downloads (CSV, JSON, Excel from the API).
No sign-in; an indicator the visitor may not read does not exist here."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import dcc, html

from dashboard import i18n
from dashboard.access import Permission
from dashboard.analysis import style
from dashboard.opendata.params import MAX_PAGE_SIZE
from dashboard.views import opendata as view
from dashboard.webapp import current_context
from layouts import store_down, titles
from layouts.data_parts import label, public_shell
from layouts.shell import href


def _name(lang: str, code: str | None) -> str | None:
    found = current_context().catalogue.indicators_by_code.get(code or "")
    return found.name.get(lang) if found else None


dash.register_page(
    __name__,
    path_template="/data/<code>",
    title=titles.title_of(_name, "nav.overview"),
    name="Dataset",
    access=Permission.PUBLIC,
    charts=True,  # Plotly loaded from the start (dashboard.plotly_bundle)
)


def _when(value: str | None, lang: str) -> str:
    if not value:
        return label("meta.none", lang)
    from datetime import datetime

    return i18n.wita_datetime(datetime.fromisoformat(value), lang)


def metadata(meta: dict, lang: str) -> html.Section:
    def row(key: str, value) -> list:
        return [
            html.Dt(label(key, lang), className="col-sm-4"),
            html.Dd(value, className="col-sm-8"),
        ]

    regions = meta["regions"]
    codes = html.Details(
        [
            html.Summary(label("meta.regions.summary", lang, n=len(regions))),
            html.Table(
                className="table table-sm mt-2 odsk-region-codes",
                children=[
                    html.Thead(
                        html.Tr(
                            [
                                html.Th(label("table.kemendagri", lang), scope="col"),
                                html.Th(label("table.bps", lang), scope="col"),
                                html.Th(label("table.region", lang), scope="col"),
                            ]
                        )
                    ),
                    html.Tbody(
                        [
                            html.Tr(
                                [html.Td(r["code"]), html.Td(r["bps_code"]), html.Td(r["name"])]
                            )
                            for r in regions
                        ]
                    ),
                ],
            ),
        ]
    )
    return html.Section(
        [
            html.H2(label("meta.title", lang), className="h5"),
            html.Dl(
                className="row odsk-metadata",
                id="data-metadata",
                children=[
                    *row("meta.id", html.Code(meta["id"])),
                    *row("meta.definition", meta["description"][lang] or label("meta.none", lang)),
                    *row("meta.unit", meta["unit"][lang]),
                    *row("meta.frequency", label(f"freq.{meta['frequency']}", lang)),
                    *row("meta.calculation", meta["calculation"][lang]),
                    *row("meta.domain", meta["domain"]["name"][lang]),
                    *row("meta.producer", meta["producer"]["name"]),
                    *row("meta.walidata", meta["walidata"]["name"]),
                    *row("meta.regions", codes),
                    *row("meta.latest_period", meta["latest_period"] or label("meta.none", lang)),
                    *row("meta.last_update", _when(meta["last_update"], lang)),
                    *row("meta.next_update", _when(meta["next_expected_update"], lang)),
                ],
            ),
        ]
    )


def chart(page: view.DatasetPage, unit: str, lang: str):
    if not page.series:
        return html.P(label("chart.empty", lang))
    figure = go.Figure(
        go.Scatter(
            x=[d.isoformat() for d, _ in page.series],
            y=[v for _, v in page.series],
            mode="lines",
            line={"color": style.SERIES[1], "width": 2},
            name=unit,
        ),
        layout=style.base_layout(320, separators=style.separators(lang), showlegend=False),
    )
    return dcc.Graph(
        id="data-chart", figure=figure, config=style.graph_config(lang), className="odsk-data-chart"
    )


def latest_table(page: view.DatasetPage, unit: str, lang: str) -> html.Section:
    return html.Section(
        [
            html.H2(label("table.title", lang, period=page.latest_label), className="h5"),
            html.Div(
                className="table-responsive",
                children=html.Table(
                    className="table table-sm odsk-data-table",
                    id="data-table",
                    children=[
                        html.Thead(
                            html.Tr(
                                [
                                    html.Th(label("table.kemendagri", lang), scope="col"),
                                    html.Th(label("table.bps", lang), scope="col"),
                                    html.Th(label("table.region", lang), scope="col"),
                                    html.Th(
                                        label("table.value", lang, unit=unit),
                                        scope="col",
                                        className="text-end",
                                    ),
                                ]
                            )
                        ),
                        html.Tbody(
                            [
                                html.Tr(
                                    [
                                        html.Td(kemendagri),
                                        html.Td(bps),
                                        html.Td(name),
                                        html.Td(value, className="text-end"),
                                    ]
                                )
                                for kemendagri, bps, name, value in page.latest_rows
                            ]
                        ),
                    ],
                ),
            ),
        ]
    )


def downloads(code: str, lang: str) -> html.Section:
    base = f"/api/v1/datasets/{code}/observations?page_size={MAX_PAGE_SIZE}"
    return html.Section(
        [
            html.H2(label("downloads", lang), className="h5"),
            html.Div(
                className="d-flex flex-wrap gap-2",
                children=[
                    html.A(
                        label(f"download.{fmt}", lang),
                        href=f"{base}&format={fmt}",
                        id=f"data-download-{fmt}",
                        className="btn btn-outline-primary",
                        download=f"{code}.{fmt}",
                    )
                    for fmt in ("csv", "json", "xlsx")
                ],
            ),
            html.P(
                label("download.note", lang, n=i18n.number(MAX_PAGE_SIZE, lang, 0)),
                className="small text-body-secondary mt-2",
            ),
        ]
    )


def layout(code: str | None = None, **query):
    lang = i18n.language(query.get("lang"))
    context = current_context()
    indicator = context.catalogue.indicators_by_code.get(code or "")
    path = f"/data/{code}"
    if indicator is None:
        body = dbc.Alert(
            [
                html.H1(label("not_found", lang), className="h4"),
                html.P(label("unknown", lang, code=str(code)[:64])),
                html.A(label("back", lang), href=href("/data", lang)),
            ],
            color="warning",
        )
        return public_shell(lang, path, body, query)
    try:
        page = view.dataset_page(context.engine, context.catalogue, indicator, lang)
    except store_down.Error as exc:
        store_down.noted("dataset page", exc)
        return public_shell(lang, path, store_down.panel(lang), query)
    unit = indicator.unit.get(lang)
    body = html.Div(
        className="odsk-data odsk-dataset",
        children=[
            html.Nav(
                html.Ol(
                    [
                        html.Li(
                            html.A(label("back", lang), href=href("/data", lang)),
                            className="breadcrumb-item",
                        ),
                        html.Li(
                            indicator.name.get(lang),
                            className="breadcrumb-item active",
                            **{"aria-current": "page"},
                        ),
                    ],
                    className="breadcrumb",
                ),
                **{"aria-label": "breadcrumb"},
            ),
            html.H1(indicator.name.get(lang), className="h3", id="data-title"),
            html.P(
                indicator.description.get(lang) if indicator.description else "",
                className="text-body-secondary",
            ),
            downloads(indicator.code, lang),
            html.Section(
                [html.H2(label("chart.title", lang), className="h5 mt-3"), chart(page, unit, lang)]
            ),
            latest_table(page, unit, lang),
            metadata(page.meta, lang),
        ],
    )
    return public_shell(lang, path, body, query)
