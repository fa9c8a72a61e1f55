"""Callbacks of ``/indicator/<code>`` (layout in ``layouts/indicator.py``). Registers no page.

Each reads prepared data from ``dashboard.views.indicator`` and builds components:

- ``sync_url``: controls → the URL's search (pushState, no reload) and the language link;
- ``draw_series``: regions, grain, range → time series, year-on-year, table rows, notes;
- ``settle_period``: grain, range → the map's period choices (and the period, kept inside);
- ``draw_period``: period, grain, regions → tile map (or choropleth) and ranking;
- ``toggle_region``: a click on the map adds or removes that region from the comparison;
- ``show_provenance``: a click in the table or on the chart → what the value is made of;
- ``add_note``: stores an annotation and redraws the chart;
- ``export_excel`` (server) and the CSV export (clientside, AG Grid's own);
- the table's rows reach the grid when it scrolls into view (clientside).
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import dash
import flask
from dash import Input, Output, State, ctx, html, no_update
from dash.exceptions import PreventUpdate

from dashboard import i18n
from dashboard.access import Permission as P
from dashboard.access import Rule, audit, callback, current_actor, route
from dashboard.access.scopes import export_of
from dashboard.analysis import cartogram, choropleth
from dashboard.analysis.export import workbook_bytes
from dashboard.analysis.rules import default_grain, grains_for
from dashboard.analysis.state import ViewState, parse_regions, period_options, settle
from dashboard.catalogue import periods
from dashboard.catalogue.models import Indicator
from dashboard.store.annotations import AnnotationError, add_annotation
from dashboard.views import indicator as views
from dashboard.webapp import current_context
from layouts import analyst_parts as parts
from layouts import indicator_panels as panels
from layouts import store_down
from layouts.shell import href

log = logging.getLogger(__name__)

EARLIEST_YEAR = 2000

# (rows, seen) → the grid's rows; until seen, watches the grid's box (in the page from the
# start; the grid itself is drawn once its code has loaded) and says so in ind-table-seen.
SHOW_ROWS_WHEN_SEEN = """
function (rows, seen) {
    const box = document.getElementById('ind-table-box');
    if (seen || !box || !('IntersectionObserver' in window)) { return rows || []; }
    if (!box.odskSeen) {
        box.odskSeen = new IntersectionObserver(function (entries, observer) {
            if (entries.some(function (e) { return e.isIntersecting; })) {
                observer.disconnect();
                window.dash_clientside.set_props('ind-table-seen', {data: true});
            }
        }, {rootMargin: '300px'});
        box.odskSeen.observe(box);
    }
    return window.dash_clientside.no_update;
}
"""


def column_defs(indicator: Indicator, lang: str) -> list[dict]:
    """The grid's columns over ``views.TABLE_FIELDS``; the region's name is looked up in the browser."""
    t = lambda key: i18n.label(key, lang)  # noqa: E731
    names = {r.code: r.label(lang) for r in current_context().catalogue.regions}
    lookup = "{" + ", ".join(f"{json.dumps(c)}: {json.dumps(n)}" for c, n in names.items()) + "}"
    return [
        {
            "colId": "region",
            "headerName": t("analyst.col.region"),
            "pinned": "left",
            "minWidth": 200,
            "valueGetter": {
                "function": f"params.data ? ({lookup})[params.data.r] || params.data.r : ''"
            },
        },
        {"field": "r", "headerName": t("analyst.col.code"), "width": 100},
        {
            "field": "s",
            "headerName": t("analyst.col.period"),
            "width": 140,
            "valueFormatter": {"function": "params.data ? params.data.p : ''"},
            "filter": "agTextColumnFilter",
        },
        {
            "field": "v",
            "headerName": f"{t('analyst.col.value')} ({indicator.unit.get(lang)})",
            "type": "numericColumn",
            "filter": "agNumberColumnFilter",
            "valueFormatter": parts.number_formatter(lang, indicator.decimals),
            "width": 150,
        },
        {
            "field": "y",
            "headerName": t("analyst.col.yoy"),
            "type": "numericColumn",
            "filter": "agNumberColumnFilter",
            "valueFormatter": parts.number_formatter(lang, 2),
            "width": 130,
        },
        {"field": "b", "headerName": t("analyst.col.basis"), "width": 100},
        {"field": "n", "headerName": t("analyst.col.note"), "minWidth": 160},
        {
            "field": "rev",
            "headerName": t("analyst.col.revision"),
            "type": "numericColumn",
            "width": 100,
        },
        {"field": "src", "headerName": t("analyst.col.source"), "minWidth": 150},
        {"field": "id", "headerName": "ID", "type": "numericColumn", "width": 110},
    ]


def export_columns(indicator: Indicator, lang: str) -> list[tuple[str, str]]:
    """(field, header) in grid order; "region" is filled from the catalogue by ``export_rows``."""
    return [(c.get("field") or c["colId"], c["headerName"]) for c in column_defs(indicator, lang)]


def export_rows(rows: list[dict], lang: str) -> list[dict]:
    names = {r.code: r.label(lang) for r in current_context().catalogue.regions}
    return [
        {**row, "region": names.get(row.get("r"), row.get("r"))}
        for row in rows
        if isinstance(row, dict)
    ]


def _indicator(page: dict | None) -> Indicator:
    code = (page or {}).get("code")
    indicator = current_context().catalogue.indicators_by_code.get(code or "")
    if indicator is None:
        raise PreventUpdate
    return indicator


def _state(indicator: Indicator, page: dict, regions, grain, years, period) -> ViewState:
    """The controls' values as a consistent state; whatever a request carries is checked, not trusted."""
    catalogue = current_context().catalogue
    this_year = date.today().year
    try:
        start, end = (int(y) for y in (years or [this_year, this_year])[:2])
    except (TypeError, ValueError):
        start = end = this_year
    start, end = (min(max(y, EARLIEST_YEAR), this_year + 1) for y in (start, end))
    state = ViewState(
        indicator.code,
        parse_regions(regions, catalogue),
        grain if grain in grains_for(indicator) else default_grain(indicator),
        min(start, end),
        max(start, end),
        _day(period),
        i18n.language(page.get("lang")),
    )
    return settle(state, None, indicator.grain)


def _day(value) -> date | None:
    """The note's day as typed: day/month/year ("05/10/2026", as both languages write it here),
    or ISO (a pasted "2026-10-05"); anything else is no date."""
    text = str(value or "").strip()
    for parse in (lambda v: datetime.strptime(v, "%d/%m/%Y").date(), date.fromisoformat):
        try:
            return parse(text)
        except ValueError:
            continue
    return None


def register(app: dash.Dash) -> None:
    route(
        app.server,
        Rule(P.READ),
        choropleth.BOUNDARY_URL,
        "odsk_analyst_boundaries",
        _boundaries_geojson,
    )

    @callback(
        app,
        Rule(P.READ),
        Output("ind-url", "search"),
        Output("nav-language", "href"),
        Input("ind-regions", "value"),
        Input("ind-grain", "value"),
        Input("ind-range", "value"),
        Input("ind-period", "value"),
        State("ind-page", "data"),
        prevent_initial_call=True,
    )
    def sync_url(regions, grain, years, period, page):
        indicator = _indicator(page)
        state = _state(indicator, page, regions, grain, years, period)
        other = "id" if state.lang == "en" else "en"
        query = {k: v for k, v in state.query().items() if k != "lang"}
        return state.search(), href(f"/indicator/{indicator.code}", other, **query)

    @callback(
        app,
        Rule(P.READ),
        Output("ind-series", "figure"),
        Output("ind-yoy", "figure"),
        Output("ind-rows", "data"),
        Output("ind-latest", "children"),
        Output("ind-notes-list", "children"),
        Input("ind-regions", "value"),
        Input("ind-grain", "value"),
        Input("ind-range", "value"),
        Input("ind-notes-rev", "data"),
        State("ind-period", "value"),
        State("ind-page", "data"),
    )
    def draw_series(regions, grain, years, _rev, period, page):
        indicator = _indicator(page)
        env = parts.env_for(indicator.domain)
        state = _state(indicator, page, regions, grain, years, period)
        try:
            view, notes = views.load_series_view(env, indicator, state)
        except store_down.Error as exc:
            store_down.noted(f"indicator {indicator.code}", exc)
            raise PreventUpdate from exc
        return view.series, view.yoy, view.rows, view.latest, panels.notes_list(notes, state.lang)

    # Apart from draw_series: the map's callback waits for whatever writes its period, so
    # on the first load (the layout has the period already) both draw at once.
    @callback(
        app,
        Rule(P.READ),
        Output("ind-period", "options"),
        Output("ind-period", "value"),
        Input("ind-grain", "value"),
        Input("ind-range", "value"),
        State("ind-regions", "value"),
        State("ind-period", "value"),
        State("ind-page", "data"),
        prevent_initial_call=True,
    )
    def settle_period(grain, years, regions, period, page):
        indicator = _indicator(page)
        env = parts.env_for(indicator.domain)
        state = _state(indicator, page, regions, grain, years, period)
        try:
            span = views.data_span(env, indicator)
        except store_down.Error as exc:
            store_down.noted(f"indicator {indicator.code}", exc)
            raise PreventUpdate from exc
        settled = settle(replace(state, period=_day(period)), span, indicator.grain)
        value = settled.period.isoformat() if settled.period else None
        return period_options(settled, span, state.lang), value

    @callback(
        app,
        Rule(P.READ),
        Output("ind-map", "figure"),
        Output("ind-ranking", "children"),
        Input("ind-period", "value"),
        Input("ind-grain", "value"),
        Input("ind-regions", "value"),
        State("ind-page", "data"),
    )
    def draw_period(period, grain, regions, page):
        indicator = _indicator(page)
        start = _day(period)
        if start is None:
            raise PreventUpdate
        grain = grain if grain in grains_for(indicator) else default_grain(indicator)
        start = periods.bucket(start, grain)
        env = parts.env_for(indicator.domain)
        lang = i18n.language(page.get("lang"))
        try:
            values = views.load_period(env, indicator, grain, start)
        except store_down.Error as exc:
            store_down.noted(f"indicator {indicator.code}", exc)
            raise PreventUpdate from exc
        ranked = views.ranking(env, indicator, values)
        ranks = {r.region_code: r.rank for r in ranked if r.rank}
        rates = (
            {r.region_code: r.per_100k for r in ranked}
            if any(r.per_100k is not None for r in ranked)
            else None
        )
        selected = parse_regions(regions, env.catalogue)
        figure = _map_figure(env, indicator, values, lang, selected, ranks, rates)
        return figure, panels.ranking_table(
            env.catalogue, indicator, ranked, values, grain, start, lang
        )

    @callback(
        app,
        Rule(P.READ),
        Output("ind-regions", "value"),
        Input("ind-map", "clickData"),
        State("ind-regions", "value"),
        prevent_initial_call=True,
    )
    def toggle_region(click, regions):
        points = (click or {}).get("points") or []
        code = points[0].get("customdata") if points else None
        if not code:
            raise PreventUpdate
        regions = list(regions or [])
        return [r for r in regions if r != code] if code in regions else regions + [code]

    @callback(
        app,
        Rule(P.READ),
        Output("ind-prov", "children"),
        Input("ind-grid", "cellClicked"),
        Input("ind-series", "clickData"),
        State("ind-grid", "rowData"),
        State("ind-grain", "value"),
        State("ind-page", "data"),
        prevent_initial_call=True,
    )
    def show_provenance(cell, click, rows, grain, page):
        indicator = _indicator(page)
        lang = i18n.language(page.get("lang"))
        target = _clicked(cell, click, rows)
        if target is None:
            raise PreventUpdate
        region, start = target
        grain = grain if grain in grains_for(indicator) else default_grain(indicator)
        start = periods.bucket(start, grain)
        env = parts.env_for(indicator.domain)
        try:
            found, derived = views.load_behind(env, indicator, region, grain, start)
        except store_down.Error as exc:
            store_down.noted(f"indicator {indicator.code}", exc)
            raise PreventUpdate from exc
        return panels.provenance_list(
            env.catalogue, indicator, region, grain, start, found, derived, lang
        )

    @callback(
        app,
        Rule(P.READ, on={"ind-note-add": P.ANNOTATE}),
        Output("ind-note-feedback", "children"),
        Output("ind-notes-rev", "data"),
        Output("ind-note-text", "value"),
        Input("ind-note-add", "n_clicks"),
        State("ind-note-date", "value"),
        State("ind-note-text", "value"),
        State("ind-note-all", "value"),
        State("ind-notes-rev", "data"),
        State("ind-page", "data"),
        prevent_initial_call=True,
    )
    def add_note(_clicks, on_date, text, for_all, rev, page):
        indicator = _indicator(page)
        lang = i18n.language(page.get("lang"))
        day = _day(on_date)
        if day is None:
            return (
                html.Span(i18n.label("analyst.annot.err.date", lang), className="text-danger"),
                no_update,
                no_update,
            )
        env = parts.env_for(indicator.domain)
        try:
            add_annotation(
                env.engine,
                indicator_code=None if for_all else indicator.code,
                region_code=None,
                on_date=day,
                text=text or "",
                author=current_actor(),
                today=env.today,
            )
        except AnnotationError as exc:
            return (
                html.Span(
                    i18n.label(f"analyst.annot.err.{exc.key}", lang), className="text-danger"
                ),
                no_update,
                no_update,
            )
        except store_down.Error as exc:
            store_down.noted(f"indicator {indicator.code}: annotation", exc)
            return (
                html.Span(i18n.label("store_down", lang), className="text-danger"),
                no_update,
                no_update,
            )
        return (
            html.Span(i18n.label("analyst.annot.saved", lang), className="text-success"),
            (rev or 0) + 1,
            "",
        )

    @callback(
        app,
        Rule(P.READ, extra=export_of("ind-page"), on={"ind-xlsx": P.READ}),
        Output("ind-download", "data"),
        Input("ind-xlsx", "n_clicks"),
        State("ind-grid", "virtualRowData"),
        State("ind-grid", "rowData"),
        State("ind-page", "data"),
        prevent_initial_call=True,
    )
    def export_excel(_clicks, shown, rows, page):
        indicator = _indicator(page)
        lang = i18n.language(page.get("lang"))
        data = shown if shown is not None else rows or []
        meta = [
            (
                i18n.label("analyst.export.indicator", lang),
                f"{indicator.code} — {indicator.name.get(lang)}",
            ),
            (i18n.label("analyst.export.unit", lang), indicator.unit.get(lang)),
            (i18n.label("analyst.export.url", lang), flask.request.referrer or ""),
        ]
        content = workbook_bytes(
            export_rows(data, lang),
            export_columns(indicator, lang),
            sheet=indicator.code,
            meta=meta,
        )
        try:
            audit.record_alone(
                current_context().engine,
                "export.indicator",
                indicator.code,
                detail=f"{len(data)} rows, {indicator.classification}",
            )
        except store_down.Error as exc:
            store_down.noted(f"indicator {indicator.code}: export not audited, refused", exc)
            raise PreventUpdate from exc
        return dash.dcc.send_bytes(content, f"{indicator.code}.xlsx")

    # The table sits below the charts: its rows reach the grid once it scrolls near the
    # view, so a first load spends its time on the charts, not on a grid nobody sees yet.
    app.clientside_callback(
        SHOW_ROWS_WHEN_SEEN,
        Output("ind-grid", "rowData"),
        Input("ind-rows", "data"),
        Input("ind-table-seen", "data"),
    )
    app.clientside_callback(
        "function(n) { return n ? true : window.dash_clientside.no_update; }",
        Output("ind-grid", "exportDataAsCsv"),
        Input("ind-csv", "n_clicks"),
        prevent_initial_call=True,
    )


def _clicked(cell, click, rows) -> tuple[str, date] | None:
    if ctx.triggered_id == "ind-grid" and cell:
        row_id = cell.get("rowId") or ""
        if "|" in row_id:
            region, start = row_id.split("|", 1)
            day = _day(start)
            return (region, day) if day else None
        return None
    points = (click or {}).get("points") or []
    if points and isinstance(points[0].get("customdata"), list):
        region = points[0]["customdata"][0]
        day = _day(str(points[0].get("x", ""))[:10])
        return (region, day) if day else None
    return None


def _map_figure(env, indicator: Indicator, values, lang: str, selected, ranks, rates=None) -> dict:
    unit = indicator.unit.get(lang)
    path = current_context().settings.boundary_geojson
    if path:
        try:
            boundaries = env.memo.get(
                0,
                ("boundaries", str(path), _mtime(path)),
                lambda: choropleth.load_boundaries(Path(path), env.catalogue.regions),
            )
            return choropleth.choropleth_figure(
                boundaries,
                env.catalogue.regions,
                values,
                indicator,
                lang=lang,
                unit=unit,
                rates=rates,
            )
        except (OSError, ValueError) as exc:
            log.warning("boundary file %s unusable, drawing the tile map: %s", path, exc)
    return cartogram.cartogram_figure(
        env.catalogue.regions,
        values,
        indicator,
        lang=lang,
        unit=unit,
        selected=selected,
        ranks=ranks,
        rates=rates,
    )


def _boundaries_geojson():
    """The configured boundary file, normalised (feature id = Kemendagri code), for the map's browser side."""
    context = current_context()
    path = context.settings.boundary_geojson
    if not path:
        flask.abort(404)
    memo = flask.current_app.extensions.get(parts.MEMO_KEY)
    try:
        loader = lambda: choropleth.load_boundaries(Path(path), context.catalogue.regions)  # noqa: E731
        boundaries = (
            memo.get(0, ("boundaries", str(path), _mtime(path)), loader) if memo else loader()
        )
    except (OSError, ValueError) as exc:
        log.warning("boundary file %s unusable: %s", path, exc)
        flask.abort(404)
    response = flask.jsonify(boundaries.geojson)
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


def _mtime(path) -> float:
    try:
        return Path(path).stat().st_mtime
    except OSError:
        return 0.0
