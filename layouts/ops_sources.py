"""``/ops/sources``: every source's health, in the manner of Prometheus' target page.

``?show=problems`` keeps only late, failing and never-run sources; ``?run=<id>`` shows
that run's rejected rows; ``?lang=en``. Reads prepared data from ``dashboard.views.ops``.
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate

from dashboard import i18n
from dashboard.access import Permission as P
from dashboard.access import Rule, callback, current_principal
from dashboard.access.clearance import scoped_catalogue
from dashboard.store.limits import parse_id
from dashboard.store.schema import utcnow
from dashboard.views.ops import SourceRow, SourcesPage, label, load_rejected, load_sources_page
from dashboard.webapp import current_context
from layouts import store_down, titles
from layouts.shell import page_shell

dash.register_page(
    __name__,
    path="/ops/sources",
    title=titles.title("nav.sources"),
    name="Sumber data",
    access=P.OPS_READ,
)

REFRESH_SECONDS = 30
BADGE = {
    "ok": "success",
    "unstable": "warning",
    "late": "warning",
    "failing": "danger",
    "disabled": "secondary",
    "unknown": "info",
}
COLUMNS = (
    "col.source",
    "col.health",
    "col.last_attempt",
    "col.last_success",
    "col.next_run",
    "col.duration",
    "col.rows",
    "col.error",
    "col.failures",
    "col.uptime",
    "col.indicators",
    "col.rejected",
)


def _catalogue():
    """The sources this reader may see (an skpd_officer: their own SKPDs')."""
    return scoped_catalogue(current_context().catalogue, current_principal().scope(P.OPS_READ))


def readable_sources() -> frozenset[str]:
    """Sources whose every indicator this reader may read: their raw rows are shown."""
    from dashboard.webapp import context_of_current_app

    full = context_of_current_app().catalogue
    mine = _catalogue()
    readable = mine.indicators_by_code
    return frozenset(
        s.id for s in mine.sources if all(code in readable for code in full.source(s.id).indicators)
    )


def _load(lang: str, only_problems: bool) -> SourcesPage | None:
    context = current_context()
    return store_down.read(
        "ops/sources",
        lambda: load_sources_page(
            context.engine,
            _catalogue(),
            utcnow(),
            lang,
            only_problems,
            heartbeat_limit_seconds=_heartbeat_limit(context.settings),
        ),
    )


def _heartbeat_limit(settings) -> float:
    return max(3 * settings.scheduler_heartbeat_seconds, 60.0)


def _href(lang: str, **params) -> str:
    query = {**({"lang": "en"} if lang == "en" else {}), **{k: v for k, v in params.items() if v}}
    return "/ops/sources" + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def layout(lang: str | None = None, show: str | None = None, run: str | None = None, **_query):
    lang = i18n.language(lang)
    only_problems = show == "problems"
    page = _load(lang, only_problems)
    children = [
        html.H1(label("sources.title", lang), className="h3"),
        dcc.Store(id="ops-sources-state", data={"lang": lang, "problems": only_problems}),
        dcc.Interval(id="ops-sources-tick", interval=REFRESH_SECONDS * 1000),
        html.Div(summary(page, lang), id="ops-sources-summary", className="mb-2"),
        dbc.Nav(
            pills=True,
            className="mb-3",
            children=[
                dbc.NavLink(label("filter.all", lang), href=_href(lang), active=not only_problems),
                dbc.NavLink(
                    label("filter.problems", lang),
                    href=_href(lang, show="problems"),
                    active=only_problems,
                ),
            ],
        ),
    ]
    run_id = parse_id(run)
    if run_id is not None:
        children.append(rejected_section(run_id, lang))
    children.append(html.Div(sources_table(page, lang), id="ops-sources-table"))
    return page_shell(
        "sources",
        lang,
        "/ops/sources",
        html.Div(className="odsk-ops-sources", children=children),
        query={"show": show, "run": run},
    )


def summary(page: SourcesPage | None, lang: str):
    if page is None:
        return store_down.panel(lang)
    badges = [
        dbc.Badge(f"{page.count_labels[h]}: {n}", color=BADGE[h], className="me-1")
        for h, n in page.counts.items()
        if n
    ]
    scheduler = html.Span(
        page.scheduler,
        className="ms-2 " + ("text-body-secondary" if page.scheduler_ok else "text-danger fw-bold"),
    )
    return html.Div([*badges, scheduler], id="ops-sources-counts")


def _row(row: SourceRow) -> html.Tr:
    error = ""
    if row.error_class:
        # The sentence first; the technical detail (class, redacted message) one click away.
        error = html.Details(
            [
                html.Summary(row.error_message, className="source-error"),
                html.Code(row.error_detail, className="small d-block source-error-detail"),
            ]
        )
    return html.Tr(
        id=f"source-{row.source_id}",
        className=f"source-row source-{row.health}",
        children=[
            html.Td(
                [
                    html.Div(row.name),
                    html.Small(row.source_id, className="text-body-secondary font-monospace"),
                ]
            ),
            html.Td(dbc.Badge(row.health_label, color=BADGE[row.health])),
            html.Td(row.last_attempt),
            html.Td(row.last_success),
            html.Td(row.next_run),
            html.Td(
                [html.Div(row.duration), html.Small(row.duration_trend, className="font-monospace")]
            ),
            html.Td(row.rows, className="text-warning" if row.rows_unusual else None),
            html.Td(error),
            html.Td(str(row.failures) if row.failures else "0"),
            html.Td(row.uptime),
            html.Td(html.Small(row.indicators)),
            html.Td(
                dcc.Link(str(row.rejected), href=row.rejected_href) if row.rejected_href else "0"
            ),
        ],
    )


def sources_table(page: SourcesPage | None, lang: str):
    if page is None:
        return ""
    if not page.groups:
        return html.P(label("no_sources", lang), className="text-body-secondary")
    width = len(COLUMNS)
    body = []
    for group in page.groups:
        body.append(
            html.Tr(
                className="table-active skpd-row",
                children=html.Th(
                    [
                        group.name,
                        html.Span(f" · {group.summary}", className="fw-normal text-body-secondary"),
                    ],
                    colSpan=width,
                ),
            )
        )
        body.extend(_row(r) for r in group.rows)
    header = html.Thead(html.Tr([html.Th(label(c, lang)) for c in COLUMNS]))
    return dbc.Table(
        [header, html.Tbody(body)],
        size="sm",
        hover=True,
        responsive=True,
        className="align-middle small",
    )


def rejected_section(run_id: int, lang: str):
    view = store_down.read(
        "ops/sources: rejected rows",
        lambda: load_rejected(current_context().engine, run_id, lang, readable_sources()),
    )
    if view is None:
        return html.Div()
    content = [
        html.H2(view.title, className="h5"),
        dcc.Link(label("rejected.back", lang), href=_href(lang), className="small"),
    ]
    if view.empty:
        content.append(html.P(view.empty, className="text-body-secondary mt-2"))
    else:
        header = html.Thead(
            html.Tr(
                [
                    html.Th(label(k, lang))
                    for k in ("rejected.row", "rejected.reasons", "rejected.raw")
                ]
            )
        )
        body = html.Tbody(
            [
                html.Tr(
                    [
                        html.Td(r.row_number),
                        html.Td([html.Div(x) for x in r.reasons]),
                        html.Td(html.Code(r.raw)),
                    ]
                )
                for r in view.rows
            ]
        )
        content.append(
            dbc.Table([header, body], size="sm", responsive=True, className="mt-2 small")
        )
    return html.Section(content, id="ops-rejected", className="mb-4")


def register_callbacks(app: dash.Dash) -> None:
    @callback(
        app,
        Rule(P.OPS_READ),
        Output("ops-sources-table", "children"),
        Output("ops-sources-summary", "children"),
        Input("ops-sources-tick", "n_intervals"),
        State("ops-sources-state", "data"),
        prevent_initial_call=True,
    )
    def refresh(_tick, state):
        lang = (state or {}).get("lang", "id")
        page = _load(lang, bool((state or {}).get("problems")))
        if page is None:
            raise PreventUpdate
        return sources_table(page, lang), summary(page, lang)
