"""``/ops/audit``: the audit trail for admins, filtered by actor, action, outcome and dates
(the filters live in the URL: ``?actor=&action=&outcome=&since=&until=&lang=en``), and its
export to Excel (``/ops/audit/export.xlsx`` with the same query; the export is audited too).
"""

from __future__ import annotations

from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
import flask
from dash import html

from dashboard import i18n
from dashboard.access import Permission, Rule, audit, route
from dashboard.analysis.export import workbook_bytes
from dashboard.views.audit import (
    COLUMNS,
    LIMIT,
    AuditFilter,
    export_columns,
    label,
    load_audit,
    table_rows,
)
from dashboard.webapp import current_context
from layouts import store_down
from layouts.shell import page_shell

dash.register_page(
    __name__,
    path="/ops/audit",
    title="Jejak audit — Command Centre ODSK",
    name="Jejak audit",
    access=Permission.AUDIT_READ,
)

EXPORT_URL = "/ops/audit/export.xlsx"


def layout(lang: str | None = None, **query):
    lang = i18n.language(lang)
    flt = AuditFilter.from_query(query)
    rows = store_down.read(
        "ops/audit", lambda: table_rows(load_audit(current_context().engine, flt), lang)
    )
    export_query = {**flt.query(), **({"lang": "en"} if lang == "en" else {})}
    return page_shell(
        "audit",
        lang,
        "/ops/audit",
        query=flt.query(),
        children=[
            html.H1(label("title", lang), className="h3"),
            html.P(label("intro", lang, n=LIMIT), className="text-body-secondary"),
            _filters(flt, lang),
            html.A(
                [html.I(className="bi bi-file-earmark-excel me-1"), label("export", lang)],
                href=EXPORT_URL + ("?" + urlencode(export_query) if export_query else ""),
                className="btn btn-sm btn-outline-secondary mb-3",
                id="audit-export",
            ),
            _table(rows, lang),
        ],
    )


def _field(name: str, value, lang: str, placeholder: str | None = None, md: int = 2):
    # Dates as text (the browser's own date field speaks the browser's language, not the page's).
    return dbc.Col(
        [
            dbc.Label(label(name, lang), html_for=f"audit-{name}", className="small"),
            dbc.Input(
                id=f"audit-{name}",
                name=name,
                type="text",
                value=value or "",
                placeholder=placeholder,
                size="sm",
                maxLength=100,
            ),
        ],
        md=md,
    )


def _filters(flt: AuditFilter, lang: str) -> html.Form:
    outcome = dbc.Col(
        [
            dbc.Label(label("outcome", lang), html_for="audit-outcome", className="small"),
            dbc.Select(
                id="audit-outcome",
                name="outcome",
                size="sm",
                value=flt.outcome or "any",
                options=[
                    {"label": label("outcome.any", lang), "value": "any"},
                    {"label": label("outcome.ok", lang), "value": "ok"},
                    {"label": label("outcome.denied", lang), "value": "denied"},
                ],
            ),
        ],
        md=2,
    )
    hidden = [dbc.Input(type="hidden", name="lang", value="en")] if lang == "en" else []
    return html.Form(
        method="GET",
        action="/ops/audit",
        id="audit-filters",
        className="mb-3",
        children=dbc.Row(
            className="g-2 align-items-end",
            children=[
                _field("actor", flt.actor, lang),
                _field("action", flt.action, lang),
                outcome,
                _field("since", flt.since and flt.since.isoformat(), lang, label("date", lang)),
                _field("until", flt.until and flt.until.isoformat(), lang, label("date", lang)),
                dbc.Col(
                    dbc.Button(label("filter", lang), type="submit", size="sm", color="primary"),
                    md=2,
                ),
                *hidden,
            ],
        ),
    )


def _cell_class(column: str, row: dict) -> str | None:
    if column == "change":
        return "text-break"
    if column == "outcome" and row["denied"]:
        return "text-danger fw-semibold"  # a refusal stands out, readable on the dark theme
    return None


def _table(rows: list[dict] | None, lang: str):
    if rows is None:
        return store_down.panel(lang)
    if not rows:
        return html.P(label("none", lang), className="text-body-secondary", id="audit-none")
    head = html.Thead(html.Tr([html.Th(label(f"col.{c}", lang)) for c in COLUMNS]))
    body = html.Tbody(
        [
            html.Tr(
                [html.Td(row[c], className=_cell_class(c, row)) for c in COLUMNS],
                className="audit-denied" if row["denied"] else None,
            )
            for row in rows
        ]
    )
    return dbc.Table([head, body], size="sm", responsive=True, className="small", id="audit-table")


def _export():
    args = flask.request.args
    lang = i18n.language(args.get("lang"))
    flt = AuditFilter.from_query(dict(args))
    context = current_context()
    try:
        rows = table_rows(load_audit(context.engine, flt), lang)
        audit.record_alone(context.engine, "export.audit", urlencode(flt.query())[:300])
    except store_down.Error as exc:
        store_down.noted("ops/audit export", exc)
        return store_down.response(lang)
    content = workbook_bytes(
        rows,
        export_columns(lang),
        sheet="audit",
        meta=[(label("title", lang), "Command Centre ODSK")],
    )
    response = flask.Response(
        content, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = "jejak-audit.xlsx" if lang != "en" else "audit-trail.xlsx"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def register_callbacks(app: dash.Dash) -> None:
    """No callbacks: filtering is a plain GET form. Registers the export route."""
    route(app.server, Rule(Permission.AUDIT_READ), EXPORT_URL, "odsk_audit_export", _export)
