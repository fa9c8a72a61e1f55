"""The video wall: ``/wall`` (``?lang=en``, ``?screen=overview``).

Live without reloads, and cheap per tick:
- every ``wall_poll_seconds`` one callback compares the data versions (Redis or the
  store) with the versions this screen last drew; nothing moved → no update at all;
  a domain moved → only that domain's panel is rebuilt;
- every ``FRESHNESS_SECONDS`` the "fetched … ago" lines, stale flags and collector
  health are redone from the run table alone (time passes without any data moving);
- the WITA clock ticks in the browser (a clientside callback).
"""

from __future__ import annotations

import logging

import dash
from dash import ALL, ClientsideFunction, Input, Output, State, dcc, html, no_update
from dash.exceptions import PreventUpdate
from sqlalchemy.exc import SQLAlchemyError

from dashboard import i18n
from dashboard.store.queries import source_runs, summarise_health
from dashboard.store.schema import utcnow
from dashboard.views.wall import health_view, load_panels, moved_domains, refresh_freshness, wall_domains
from dashboard.webapp import OdskContext, context_of, current_context
from layouts import wall_parts as parts

log = logging.getLogger(__name__)

dash.register_page(__name__, path="/wall", title="Command Centre ODSK — Wall", name="Wall")

FRESHNESS_SECONDS = 30
DEFAULT_SCREEN = "overview"


def layout(lang: str | None = None, screen: str | None = None, **_query):
    lang = i18n.language(lang)
    screen = screen if screen in SCREENS else DEFAULT_SCREEN
    context = current_context()
    return html.Div(
        className=f"wall wall-{screen}",
        lang=lang,
        **{"data-screen": screen},
        children=[
            _header(lang, screen),
            SCREENS[screen](context, lang),
            dcc.Store(id="wall-lang", data=lang),
            dcc.Interval(id="wall-clock-tick", interval=1000),
        ],
    )


def _header(lang: str, screen: str) -> html.Header:
    now = utcnow()
    return html.Header(className="wall-header", children=[
        html.H1(i18n.t("wall.title", lang), className="wall-title"),
        html.Div(i18n.t(f"wall.screen.{screen}", lang), className="wall-screen-name"),
        html.Div(className="wall-clock", children=[
            # Filled server-side so the first frame already has the time; the browser ticks it.
            html.Div(i18n.wita_time(now, lang, with_seconds=True), id="wall-clock-time", className="clock-time"),
            html.Div(i18n.wita_date(now, lang), id="wall-clock-date", className="clock-date"),
        ]),
    ])


def _overview(context: OdskContext, lang: str) -> html.Main:
    """All six domains, three headline tiles each, and the collector health footer."""
    domains = wall_domains(context.catalogue)
    # Versions first: a bump landing while we query is then seen by the next poll.
    try:
        versions = context.signal.current()
        with context.engine.connect() as conn:
            runs = source_runs(conn)
            panels = load_panels(conn, context.catalogue, domains, utcnow(), lang, runs=runs)
        health = parts.health_children(health_view(summarise_health(runs), lang))
    except SQLAlchemyError as exc:
        log.warning("wall: store unavailable, drawing empty panels: %s", exc)
        versions, panels, health = {}, {}, []
    grid = [parts.panel(panels[d], lang) if d in panels
            else html.Section(id=parts.panel_id(d), className="wall-panel") for d in domains]
    return html.Main(className="wall-body", children=[
        # The overview's own tickers: they drive only this screen's outputs.
        dcc.Store(id="wall-versions", data=versions),
        dcc.Interval(id="wall-poll", interval=int(context.settings.wall_poll_seconds * 1000)),
        dcc.Interval(id="wall-fresh-tick", interval=FRESHNESS_SECONDS * 1000),
        html.Div(grid, className="wall-grid"),
        html.Footer(className="wall-footer", children=[
            html.Div(health, id="wall-health", className="wall-health"),
            parts.legend(lang),
        ]),
    ])


SCREENS = {"overview": _overview}


def register_callbacks(app: dash.Dash) -> None:
    domains = wall_domains(context_of(app).catalogue)

    @app.callback(
        Output("wall-versions", "data"),
        *[Output(parts.panel_id(d), "children") for d in domains],
        Input("wall-poll", "n_intervals"),
        State("wall-versions", "data"),
        State("wall-lang", "data"),
        prevent_initial_call=True,
    )
    def rebuild_moved_panels(_tick, seen, lang):
        context = current_context()
        try:
            current = context.signal.current()
        except SQLAlchemyError as exc:
            log.warning("wall: version check failed, keeping the panels: %s", exc)
            raise PreventUpdate from exc
        if current == (seen or {}):
            raise PreventUpdate
        moved = [d for d in moved_domains(seen, current) if d in domains]
        panels = {}
        if moved:
            try:
                with context.engine.connect() as conn:
                    panels = load_panels(conn, context.catalogue, moved, utcnow(), lang)
            except SQLAlchemyError as exc:
                log.warning("wall: rebuild failed, retrying next tick: %s", exc)
                raise PreventUpdate from exc
        return [current, *[parts.panel_children(panels[d], lang) if d in panels else no_update
                           for d in domains]]

    @app.callback(
        Output({"type": "wall-age", "code": ALL}, "children"),
        Output({"type": "wall-age", "code": ALL}, "className"),
        Output("wall-health", "children"),
        Input("wall-fresh-tick", "n_intervals"),
        State({"type": "wall-fresh-inputs", "domain": ALL}, "data"),
        State("wall-lang", "data"),
        prevent_initial_call=True,
    )
    def refresh_ages(_tick, inputs_per_domain, lang):
        context = current_context()
        inputs = {code: entry for block in inputs_per_domain for code, entry in (block or {}).items()}
        try:
            with context.engine.connect() as conn:
                runs = source_runs(conn)
        except SQLAlchemyError as exc:
            log.warning("wall: freshness refresh failed: %s", exc)
            raise PreventUpdate from exc
        health = parts.health_children(health_view(summarise_health(runs), lang))
        fresh = refresh_freshness(inputs, runs, context.catalogue, utcnow(), lang)
        codes = [o["id"]["code"] for o in dash.ctx.outputs_list[0]]
        return ([parts.freshness_children(fresh[c], lang) if c in fresh else no_update for c in codes],
                [parts.freshness_class(fresh[c]) if c in fresh else no_update for c in codes],
                health)

    app.clientside_callback(
        ClientsideFunction(namespace="odsk", function_name="wallClock"),
        Output("wall-clock-time", "children"),
        Output("wall-clock-date", "children"),
        Input("wall-clock-tick", "n_intervals"),
        State("wall-lang", "data"),
        prevent_initial_call=False,
    )
