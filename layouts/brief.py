"""``/brief``: the exceptions brief as a page, its PDF and workbook, and the weekly archive.

``?period=`` and ``?region=`` as on the scorecard; ``?lang=en``. Downloads are plain
links served by Flask routes added here (``register_callbacks``):
``/brief/export.pdf``, ``/brief/export.xlsx`` (made on request) and
``/brief/archive/<file>`` (the weekly briefs the scheduler keeps).
"""

from __future__ import annotations

from datetime import date

import dash
import dash_bootstrap_components as dbc
import flask
from dash import html

from dashboard import i18n
from dashboard.access import Permission, Rule, audit, route
from dashboard.brief.archive import Manifest, archived_file, list_briefs
from dashboard.brief.excel import scorecard_workbook, workbook_name
from dashboard.brief.load import load_card, load_followups
from dashboard.brief.narrative import Brief, build_brief
from dashboard.brief.pdf import brief_pdf
from dashboard.scorecard.labels import label
from dashboard.store.schema import utcnow
from dashboard.views.overview import url_query
from dashboard.webapp import current_context
from layouts import store_down, titles
from layouts.overview import export_links
from layouts.shell import page_shell

dash.register_page(
    __name__,
    path="/brief",
    title=titles.title("nav.brief"),
    name="Ringkasan pengecualian",
    access=Permission.READ,
)

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _query_of(period: str | None, region: str | None) -> dict:
    return {k: v for k, v in {"period": period, "region": region}.items() if v}


def _card(period: str | None, region: str | None):
    context = current_context()
    return load_card(
        context.engine, context.catalogue, context.catalogue.plans, utcnow(), period, region
    )


def _followups():
    context = current_context()
    return load_followups(context.engine, context.catalogue, utcnow())


def layout(lang: str | None = None, period: str | None = None, region: str | None = None, **_query):
    lang = i18n.language(lang)
    query = _query_of(period, region)
    card = store_down.read("brief", lambda: _card(period, region))
    context = current_context()
    brief = (
        build_brief(card, context.catalogue, lang, followups=_followups())
        if card is not None
        else None
    )
    body = [
        _header(brief, query, lang) if brief else store_down.panel(lang),
        dbc.Row(
            className="g-4",
            children=[
                dbc.Col(_text(brief) if brief else None, xl=7, lg=12),
                dbc.Col(_archive(list_briefs(context.settings.data_dir), lang), xl=5, lg=12),
            ],
        ),
    ]
    return page_shell(
        "overview", lang, "/brief", html.Div(body, className="odsk-brief", lang=lang), query=query
    )


def _header(brief: Brief, query: dict, lang: str) -> html.Div:
    back = dbc.Button(
        [html.I(className="bi bi-grid-3x3-gap me-1"), label("score.scorecard", lang)],
        href="/" + url_query(query, lang),
        color="primary",
        size="sm",
        id="brief-scorecard-link",
    )
    return html.Div(
        className="sc-header",
        children=[
            html.Div(
                [
                    html.H1(brief.title, className="h3 mb-1"),
                    html.Div(brief.subtitle, className="sc-subtitle"),
                ]
            ),
            html.Div([back, export_links(query, lang, with_brief=False)], className="sc-filters"),
        ],
    )


def _text(brief: Brief) -> html.Article:
    parts = [html.P(brief.intro, id="brief-intro"), html.P(brief.domains, id="brief-domains")]
    for section in brief.sections:
        parts.append(html.H2(f"{section.heading} ({len(section.items)})"))
        parts.append(
            html.Ul([html.Li(i) for i in section.items], id=f"brief-{section.key}")
            if section.items
            else html.P(section.empty, id=f"brief-{section.key}", className="text-body-secondary")
        )
    parts.append(html.P(brief.footer, className="brief-footer mt-3"))
    return html.Article(parts, className="brief-text", id="brief-text")


def _archive(manifests: list[Manifest], lang: str) -> dbc.Card:
    if not manifests:
        content = html.P(label("brief.archive.empty", lang), className="text-body-secondary mb-0")
    else:
        heads = (
            "brief.archive.col.week",
            "brief.archive.col.made",
            "brief.archive.col.as_of",
            "brief.archive.col.summary",
            "brief.archive.col.files",
        )
        rows = []
        for m in manifests:
            links = [
                dbc.Button(
                    label,
                    href=f"/brief/archive/{m.files[key]}",
                    external_link=True,
                    size="sm",
                    color="light",
                    outline=True,
                    className="me-1",
                )
                for key, label in (
                    ("pdf-id", "PDF ID"),
                    ("pdf-en", "PDF EN"),
                    ("xlsx-id", "Excel ID"),
                    ("xlsx-en", "Excel EN"),
                )
                if key in m.files
            ]
            year, month = (int(x) for x in m.as_of.split("-"))
            rows.append(
                html.Tr(
                    [
                        html.Td(m.week),
                        html.Td(i18n.wita_datetime(m.made, lang)),
                        html.Td(i18n.period(date(year, month, 1), "month", lang)),
                        html.Td(
                            label(
                                "brief.archive.summary",
                                lang,
                                behind=m.counts.get("behind", 0),
                                at_risk=m.counts.get("at_risk", 0),
                                missing=m.missing_skpd,
                            )
                        ),
                        html.Td(links),
                    ]
                )
            )
        content = dbc.Table(
            [html.Thead(html.Tr([html.Th(label(k, lang)) for k in heads])), html.Tbody(rows)],
            size="sm",
            responsive=True,
            className="brief-archive mb-0",
            id="brief-archive-table",
        )
    return dbc.Card(
        className="sc-card",
        id="brief-archive",
        children=[
            dbc.CardHeader([html.I(className="bi bi-archive me-2"), label("brief.archive", lang)]),
            dbc.CardBody(content),
        ],
    )


# --- downloads ---------------------------------------------------------------------------


def _export(kind: str):
    args = flask.request.args
    lang = i18n.language(args.get("lang"))
    catalogue = current_context().catalogue
    try:
        card = _card(args.get("period"), args.get("region"))
        brief = build_brief(card, catalogue, lang, followups=_followups())
    except store_down.Error as exc:
        store_down.noted("brief export", exc)
        return store_down.response(lang)
    if kind == "pdf":
        stem = "ringkasan-pengecualian" if lang == "id" else "exceptions-brief"
        content, name, mimetype = (
            brief_pdf(brief, card, catalogue),
            f"{stem}-{card.region.code.replace('.', '')}-{card.as_of.key}.pdf",
            PDF,
        )
    else:
        content, name, mimetype = (
            scorecard_workbook(card, catalogue, brief),
            workbook_name(card, lang),
            XLSX,
        )
    try:
        audit.record_alone(current_context().engine, f"export.brief.{kind}", name)
    except store_down.Error as exc:
        store_down.noted("brief export not audited, refused", exc)
        return store_down.response(lang)
    response = flask.Response(content, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _archived(name: str):
    path = archived_file(current_context().settings.data_dir, name)
    if path is None:
        flask.abort(404)
    return flask.send_file(
        path,
        as_attachment=True,
        download_name=path.name,
        mimetype=PDF if path.suffix == ".pdf" else XLSX if path.suffix == ".xlsx" else None,
    )


def register_callbacks(app: dash.Dash) -> None:
    server, rule = app.server, Rule(Permission.READ)
    route(server, rule, "/brief/export.pdf", "odsk_brief_pdf", lambda: _export("pdf"))
    route(server, rule, "/brief/export.xlsx", "odsk_brief_xlsx", lambda: _export("xlsx"))
    route(server, rule, "/brief/archive/<name>", "odsk_brief_archive", _archived)
