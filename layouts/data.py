"""``/data``: the public open-data catalogue (no sign-in): search and filter by domain, SKPD,
region and frequency. A plain GET form (works without script, keeps the filters in the
URL); no callbacks. Reads prepared rows from ``dashboard.views.opendata``."""

from __future__ import annotations

import dash
from dash import dcc, html

from dashboard import i18n
from dashboard.access import Permission
from dashboard.store.schema import utcnow
from dashboard.views import opendata as view
from dashboard.webapp import current_context
from layouts import store_down, titles
from layouts.data_parts import label, public_shell
from layouts.shell import href


def _title(**_path: str) -> str:
    return label("title.catalogue", titles.request_lang()) + titles.SUFFIX


dash.register_page(__name__, path="/data", title=_title, name="Data", access=Permission.PUBLIC)


def _filters(query: dict) -> view.Filters:
    def get(name: str) -> str:
        value = query.get(name)
        return str(value)[:200].strip() if isinstance(value, str) else ""

    return view.Filters(get("q"), get("domain"), get("skpd"), get("region"), get("frequency"))


def _select(name: str, text: str, options: list[tuple[str, str]], chosen: str, lang: str):
    return html.Div(
        className="col-12 col-sm-6 col-lg-3",
        children=[
            html.Label(text, htmlFor=f"data-{name}", className="form-label small"),
            html.Select(
                id=f"data-{name}",
                name=name,
                className="form-select form-select-sm",
                children=[html.Option(label("filter.any", lang), value="")]
                + [
                    html.Option(o_text, value=value, selected=value == chosen)
                    for value, o_text in options
                ],
            ),
        ],
    )


def filter_form(filters: view.Filters, lang: str) -> html.Form:
    catalogue = current_context().catalogue
    used_skpd = {i.skpd for i in catalogue.indicators}
    return html.Form(
        action="/data",
        method="GET",
        role="search",
        className="row g-2 align-items-end mb-3 odsk-data-filters",
        children=[
            html.Div(
                className="col-12",
                children=[
                    html.Label(label("search", lang), htmlFor="data-q", className="form-label"),
                    # The form is sent by the browser; no callback reads it.
                    dcc.Input(
                        id="data-q",
                        name="q",
                        type="search",
                        value=filters.q,
                        placeholder=label("search.placeholder", lang),
                        className="form-control",
                        maxLength=200,
                    ),
                ],
            ),
            _select(
                "domain",
                label("filter.domain", lang),
                [(d.id, d.name.get(lang)) for d in catalogue.domains],
                filters.domain,
                lang,
            ),
            _select(
                "skpd",
                label("filter.skpd", lang),
                [(s.id, s.short_name) for s in catalogue.skpd if s.id in used_skpd],
                filters.skpd,
                lang,
            ),
            _select(
                "region",
                label("filter.region", lang),
                [(r.code, f"{r.label(lang)} ({r.code} · {r.bps_code})") for r in catalogue.regions],
                filters.region,
                lang,
            ),
            _select(
                "frequency",
                label("filter.frequency", lang),
                [(f, label(f"freq.{f}", lang)) for f in view.FREQUENCIES],
                filters.frequency,
                lang,
            ),
            dcc.Input(type="hidden", name="lang", value="en") if lang == "en" else None,
            html.Div(
                className="col-12 d-flex gap-2",
                children=[
                    html.Button(
                        label("filter.submit", lang),
                        type="submit",
                        id="data-submit",
                        className="btn btn-primary",
                    ),
                    html.A(
                        label("filter.reset", lang),
                        href=href("/data", lang),
                        className="btn btn-outline-secondary",
                    ),
                ],
            ),
        ],
    )


def card(row: view.CatalogueRow, lang: str) -> html.Li:
    return html.Li(
        className="list-group-item odsk-dataset-card",
        children=[
            html.H2(
                html.A(
                    row.title, href=href(f"/data/{row.code}", lang), className="odsk-dataset-link"
                ),
                className="h5 mb-1",
            ),
            html.P(row.description, className="mb-2 small") if row.description else None,
            html.Ul(
                className="list-inline small text-body-secondary mb-0",
                children=[
                    html.Li(html.Code(row.code), className="list-inline-item"),
                    html.Li(row.domain, className="list-inline-item"),
                    html.Li(
                        f"{label('card.producer', lang)}: {row.producer}",
                        className="list-inline-item",
                    ),
                    html.Li(label(f"freq.{row.frequency}", lang), className="list-inline-item"),
                    html.Li(
                        f"{label('card.latest', lang)}: {row.latest}", className="list-inline-item"
                    ),
                    html.Li(
                        f"{label('card.updated', lang)}: {row.updated}",
                        className="list-inline-item",
                    ),
                ],
            ),
        ],
    )


def harvest_links(lang: str) -> html.P:
    return html.P(
        className="small text-body-secondary mt-3 odsk-harvest",
        children=[
            label("harvest", lang),
            " ",
            html.A(label("harvest.dcat", lang), href="/data/catalog.jsonld"),
            " · ",
            html.A(label("harvest.ckan", lang), href="/api/3/action/package_list"),
            " · ",
            html.A(label("harvest.api", lang), href=href("/api/v1/docs", lang)),
        ],
    )


def layout(**query):
    lang = i18n.language(query.get("lang"))
    filters = _filters(query)
    context = current_context()
    try:
        rows = view.catalogue_rows(context.engine, context.catalogue, filters, lang, utcnow())
    except store_down.Error as exc:
        store_down.noted("data catalogue", exc)
        return public_shell(lang, "/data", store_down.panel(lang), query)
    results = (
        html.Ul([card(r, lang) for r in rows], className="list-group mb-3", id="data-results")
        if rows
        else html.P(label("none", lang), id="data-results")
    )
    body = html.Div(
        className="odsk-data",
        children=[
            html.H1(label("title.catalogue", lang), className="h3"),
            html.P(label("intro", lang), className="text-body-secondary"),
            filter_form(filters, lang),
            html.P(
                label("found", lang, n=len(rows)),
                id="data-count",
                className="small",
                role="status",
            ),
            results,
            harvest_links(lang),
        ],
    )
    return public_shell(lang, "/data", body, query)
