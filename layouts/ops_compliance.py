"""``/ops/compliance``: per SKPD and data month, indicators expected, delivered on time,
late, missing; a ranking; export to Excel. ``?period=2026-10`` picks the month, ``?lang=en``."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate

from dashboard import i18n
from dashboard.access import Permission as P
from dashboard.access import Rule, audit, callback, current_principal
from dashboard.access.clearance import scoped_catalogue
from dashboard.compliance.rules import default_month
from dashboard.store.schema import utcnow
from dashboard.views.compliance import (
    CompliancePage,
    compliance_workbook,
    load_compliance,
    parse_month,
)
from dashboard.views.ops import label
from dashboard.webapp import current_context
from layouts import store_down, titles
from layouts.shell import page_shell

dash.register_page(
    __name__,
    path="/ops/compliance",
    title=titles.title("nav.compliance"),
    name="Kepatuhan SKPD",
    access=P.COMPLIANCE_READ,
)

STATUS_BADGE = {
    "on_time": "success",
    "late": "warning",
    "missing": "danger",
    "pending": "secondary",
    "before": "secondary",
}


def _load(lang: str, period: str | None) -> CompliancePage | None:
    context = current_context()
    catalogue = scoped_catalogue(context.catalogue, current_principal().scope(P.COMPLIANCE_READ))
    now = utcnow()
    month = parse_month(period) or default_month(catalogue, now)
    return store_down.read(
        "ops/compliance", lambda: load_compliance(context.engine, catalogue, month, now, lang)
    )


def layout(lang: str | None = None, period: str | None = None, **_query):
    lang = i18n.language(lang)
    page = _load(lang, period)
    if page is None:
        return dbc.Container(store_down.panel(lang), className="py-3")
    suffix = "&lang=en" if lang == "en" else ""
    return page_shell(
        "compliance",
        lang,
        "/ops/compliance",
        query={"period": period},
        children=html.Div(
            className="odsk-ops-compliance",
            children=[
                html.H1(f"{label('compliance.title', lang)} — {page.month_label}", className="h3"),
                html.P(
                    [
                        label("rule.general", lang),
                        html.Br() if page.monitored_since else None,
                        html.Span(page.monitored_since, id="compliance-since")
                        if page.monitored_since
                        else None,
                    ],
                    className="text-body-secondary small",
                ),
                dcc.Store(
                    id="compliance-state",
                    data={"lang": lang, "period": page.month.strftime("%Y-%m")},
                ),
                html.Div(
                    className="d-flex flex-wrap align-items-center gap-2 mb-3",
                    children=[
                        html.Span(label("period", lang) + ":", className="me-1"),
                        dbc.Nav(
                            pills=True,
                            id="compliance-months",
                            children=[
                                dbc.NavLink(
                                    text,
                                    href=f"/ops/compliance?period={key}{suffix}",
                                    active=key == page.month.strftime("%Y-%m"),
                                )
                                for key, text in page.months
                            ],
                        ),
                        dbc.Button(
                            label("export", lang),
                            id="compliance-export",
                            color="primary",
                            className="ms-auto",
                        ),
                        dcc.Download(id="compliance-download"),
                    ],
                ),
                html.H2(label("ranking", lang), className="h5"),
                ranking_table(page, lang),
                html.H2(label("history", lang, n=len(page.history_months)), className="h5 mt-4"),
                history_table(page, lang),
                html.H2(label("details", lang), className="h5 mt-4"),
                details_table(page, lang),
            ],
        ),
    )


def ranking_table(page: CompliancePage, lang: str):
    keys = (
        "col.rank",
        "col.skpd",
        "col.expected",
        "col.on_time",
        "col.late",
        "col.missing",
        "col.pending",
        "col.before",
        "col.score",
    )
    rows = [
        html.Tr(
            className="compliance-row",
            id=f"skpd-{r.skpd_id}",
            children=[
                html.Td(r.rank),
                html.Td(
                    [html.Div(r.skpd), html.Small(r.delivery_rule, className="text-body-secondary")]
                ),
                html.Td(r.expected),
                html.Td(r.on_time),
                html.Td(r.late, className="text-warning" if r.late else None),
                html.Td(r.missing, className="text-danger" if r.missing else None),
                html.Td(r.pending),
                html.Td(r.before),
                html.Td(html.Strong(r.score)),
            ],
        )
        for r in page.ranking
    ]
    return dbc.Table(
        [html.Thead(html.Tr([html.Th(label(k, lang)) for k in keys])), html.Tbody(rows)],
        id="compliance-ranking",
        size="sm",
        hover=True,
        responsive=True,
        className="align-middle",
    )


def history_table(page: CompliancePage, lang: str):
    header = html.Thead(
        html.Tr([html.Th(label("col.skpd", lang)), *[html.Th(m) for m in page.history_months]])
    )
    body = html.Tbody(
        [html.Tr([html.Td(skpd), *[html.Td(s) for s in scores]]) for skpd, scores in page.history]
    )
    return dbc.Table(
        [header, body], id="compliance-history", size="sm", responsive=True, className="small"
    )


def details_table(page: CompliancePage, lang: str):
    keys = ("col.skpd", "col.indicator", "col.period", "col.due", "col.delivered", "col.status")
    body = html.Tbody(
        [
            html.Tr(
                [
                    html.Td(d.skpd),
                    html.Td(d.indicator),
                    html.Td(d.period),
                    html.Td(d.due),
                    html.Td(d.delivered),
                    html.Td(dbc.Badge(d.status_label, color=STATUS_BADGE[d.status])),
                ]
            )
            for d in page.details
        ]
    )
    return dbc.Table(
        [html.Thead(html.Tr([html.Th(label(k, lang)) for k in keys])), body],
        id="compliance-details",
        size="sm",
        responsive=True,
        className="small align-middle",
    )


def register_callbacks(app: dash.Dash) -> None:
    @callback(
        app,
        Rule(P.COMPLIANCE_READ),
        Output("compliance-download", "data"),
        Input("compliance-export", "n_clicks"),
        State("compliance-state", "data"),
        prevent_initial_call=True,
    )
    def export(_clicks, state):
        lang, period = (state or {}).get("lang", "id"), (state or {}).get("period")
        page = _load(lang, period)
        if page is None:
            raise PreventUpdate
        name = (
            "kepatuhan-skpd" if lang != "en" else "skpd-compliance"
        ) + f"-{page.month.strftime('%Y-%m')}.xlsx"
        try:
            audit.record_alone(current_context().engine, "export.compliance", name)
        except store_down.Error as exc:
            store_down.noted("ops/compliance export not audited, refused", exc)
            raise PreventUpdate from exc
        return dcc.send_bytes(compliance_workbook(page), name)
