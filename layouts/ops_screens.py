"""``/ops/screens``: the wall browsers as managed devices: last heartbeat, resolution, what
each shows; an admin can make one reload (it does so at its next heartbeat, once).
"""

from __future__ import annotations

import logging

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, dcc, html, no_update
from dash.exceptions import PreventUpdate
from sqlalchemy.exc import SQLAlchemyError

from dashboard import i18n
from dashboard.access import Permission as P
from dashboard.access import Rule, callback
from dashboard.store.schema import utcnow
from dashboard.store.screens import forget_screen, list_screens, request_command
from dashboard.views.wall_ops import ScreenLine, monitor_links, screen_line
from dashboard.views.wall_plan import current_setup
from dashboard.webapp import current_context
from layouts.shell import page_shell

log = logging.getLogger(__name__)

dash.register_page(
    __name__,
    path="/ops/screens",
    title="Layar dinding video — Command Centre ODSK",
    name="Layar dinding",
    access=P.SCREENS_COMMAND,
)

REFRESH_SECONDS = 15
COLUMNS = (
    "wall.ops.screen",
    "wall.ops.status",
    "wall.ops.seen",
    "wall.ops.resolution",
    "wall.ops.playing",
    "wall.ops.page",
    "wall.ops.actions",
)


def _lines(lang: str) -> list[ScreenLine] | None:
    context, setup = current_context(), current_setup()
    now = utcnow()
    try:
        return [
            screen_line(r, setup.config, context.catalogue, now, lang)
            for r in list_screens(context.engine, now)
        ]
    except SQLAlchemyError as exc:
        log.warning("ops/screens: store unavailable: %s", exc)
        return None


def layout(lang: str | None = None, **_query):
    lang = i18n.language(lang)
    setup = current_setup()
    links = monitor_links(setup.config, lang)
    return page_shell(
        "wall",
        lang,
        "/ops/screens",
        [
            html.H1(i18n.t("wall.ops.title", lang), className="h3"),
            html.P(
                i18n.t("wall.ops.intro", lang, n=f"{setup.config.heartbeat_seconds:g}"),
                className="text-body-secondary",
            ),
            html.Div(id="wall-ops-feedback"),
            dcc.Store(id="wall-ops-lang", data=lang),
            dcc.Interval(id="wall-ops-tick", interval=REFRESH_SECONDS * 1000),
            html.Div(screens_table(_lines(lang), lang), id="wall-ops-table"),
            html.H2(i18n.t("wall.ops.monitors", lang), className="h5 mt-4"),
            html.Ul(
                [
                    html.Li([html.Code(link.label), " ", html.A(link.url, href=link.url)])
                    for link in links
                ],
                className="wall-ops-monitors",
            ),
        ],
    )


def screens_table(lines: list[ScreenLine] | None, lang: str):
    if lines is None:
        return dbc.Alert(i18n.t("wall.ops.store_down", lang), color="danger")
    if not lines:
        return html.P(i18n.t("wall.ops.none", lang), className="text-body-secondary")
    head = html.Thead(html.Tr([html.Th(i18n.t(c, lang)) for c in COLUMNS]))
    return dbc.Table(
        [head, html.Tbody([_row(line, lang) for line in lines])],
        size="sm",
        hover=True,
        responsive=True,
        className="align-middle",
        id="wall-ops-screens",
    )


def _row(line: ScreenLine, lang: str) -> html.Tr:
    status = dbc.Badge(
        [
            html.I(className="bi bi-circle-fill" if line.online else "bi bi-circle"),
            " ",
            line.status,
        ],
        color="success" if line.online else "secondary",
    )
    actions = [
        dbc.Button(
            [html.I(className="bi bi-arrow-clockwise"), " ", i18n.t("wall.ops.reload", lang)],
            id={"type": "wall-ops-reload", "screen": line.screen_id},
            size="sm",
            color="primary",
            outline=True,
            disabled=line.pending or not line.online,
            className="me-2",
        )
    ]
    if not line.online:
        actions.append(
            dbc.Button(
                i18n.t("wall.ops.forget", lang),
                size="sm",
                color="secondary",
                outline=True,
                id={"type": "wall-ops-forget", "screen": line.screen_id},
            )
        )
    if line.pending:
        actions.append(
            dbc.Badge(i18n.t("wall.ops.pending", lang), color="warning", className="ms-2 text-dark")
        )
    return html.Tr(
        [
            html.Td(html.Code(line.screen_id)),
            html.Td(status),
            html.Td(line.seen),
            html.Td(line.resolution),
            html.Td(
                [
                    line.showing,
                    html.Div(line.extra, className="small text-body-secondary")
                    if line.extra
                    else None,
                ]
            ),
            html.Td(html.A(line.path, href=line.path) if line.path else "—"),
            html.Td(actions),
        ],
        **{"data-screen": line.screen_id},
    )


def register_callbacks(app: dash.Dash) -> None:
    @callback(
        app,
        Rule(P.SCREENS_COMMAND, on={"wall-ops-forget": P.SCREENS_MANAGE}),
        Output("wall-ops-table", "children"),
        Output("wall-ops-feedback", "children"),
        Input("wall-ops-tick", "n_intervals"),
        Input({"type": "wall-ops-reload", "screen": ALL}, "n_clicks"),
        Input({"type": "wall-ops-forget", "screen": ALL}, "n_clicks"),
        State("wall-ops-lang", "data"),
        prevent_initial_call=True,
    )
    def act(_tick, _reloads, _forgets, lang):
        trigger = dash.ctx.triggered_id
        feedback = no_update
        if isinstance(trigger, dict):
            if not dash.ctx.triggered or not dash.ctx.triggered[0]["value"]:
                raise PreventUpdate  # a button drawn anew, not clicked
            engine = current_context().engine
            try:
                if trigger["type"] == "wall-ops-reload":
                    request_command(engine, trigger["screen"], "reload")
                    text = i18n.t("wall.ops.reload_sent", lang, id=trigger["screen"])
                else:
                    forget_screen(engine, trigger["screen"])
                    text = i18n.t("wall.ops.forgotten", lang, id=trigger["screen"])
            except (SQLAlchemyError, ValueError) as exc:
                log.warning("ops/screens: %s failed: %s", trigger["type"], exc)
                raise PreventUpdate from exc
            feedback = dbc.Alert(text, color="info", dismissable=True, duration=8000)
        return screens_table(_lines(lang), lang), feedback
