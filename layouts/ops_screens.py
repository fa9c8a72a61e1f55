"""``/ops/screens``: the wall browsers as managed devices: last heartbeat, resolution, what
each shows; an admin can make one reload (it does so at its next heartbeat, once).
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import flask
from dash import ALL, Input, Output, State, dcc, html, no_update
from dash.exceptions import PreventUpdate

from dashboard import i18n
from dashboard.access import Permission as P
from dashboard.access import Rule, callback, current_actor, current_principal
from dashboard.access.devices import DeviceError, DeviceRow, enrol, list_devices, revoke
from dashboard.access.labels import label as access_label
from dashboard.access.principal import CLASSIFICATIONS
from dashboard.store.schema import utcnow
from dashboard.store.screens import (
    forget_screen,
    list_screens,
    request_command,
    valid_screen_id,
)
from dashboard.views.wall_ops import ScreenLine, monitor_links, screen_line
from dashboard.views.wall_plan import current_setup
from dashboard.webapp import current_context
from layouts import store_down, titles
from layouts.shell import page_shell

dash.register_page(
    __name__,
    path="/ops/screens",
    title=titles.title("nav.screens"),
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
    return store_down.read(
        "ops/screens",
        lambda: [
            screen_line(r, setup.config, context.catalogue, now, lang)
            for r in list_screens(context.engine, now)
        ],
    )


def layout(lang: str | None = None, **_query):
    lang = i18n.language(lang)
    setup = current_setup()
    links = monitor_links(setup.config, lang)
    return page_shell(
        "wall",
        lang,
        "/ops/screens",
        [
            html.H1(i18n.label("wall.ops.title", lang), className="h3"),
            html.P(
                i18n.label("wall.ops.intro", lang, n=f"{setup.config.heartbeat_seconds:g}"),
                className="text-body-secondary",
            ),
            html.Div(id="wall-ops-feedback"),
            dcc.Store(id="wall-ops-lang", data=lang),
            dcc.Interval(id="wall-ops-tick", interval=REFRESH_SECONDS * 1000),
            html.Div(screens_table(_lines(lang), lang), id="wall-ops-table"),
            enrolment(lang),
            html.H2(i18n.label("wall.ops.monitors", lang), className="h5 mt-4"),
            html.Ul(
                [
                    html.Li([html.Code(link.label), " ", html.A(link.url, href=link.url)])
                    for link in links
                ],
                className="wall-ops-monitors",
            ),
        ],
    )


def _devices() -> list[DeviceRow] | None:
    def load() -> list[DeviceRow]:
        with current_context().engine.connect() as conn:
            return list_devices(conn)

    return store_down.read("ops/screens: devices", load)


def enrolment(lang: str) -> html.Section:
    """Enrolled screens and their tokens: enrol (operators), revoke (admins)."""
    principal = current_principal()
    form = None
    if principal.can(P.SCREENS_ENROL):
        form = dbc.Row(
            className="g-2 align-items-end mb-3",
            children=[
                dbc.Col(
                    [
                        dbc.Label(access_label("enrol.name", lang), html_for="enrol-name"),
                        dbc.Input(id="enrol-name", maxLength=100),
                    ],
                    md=4,
                ),
                dbc.Col(
                    [
                        dbc.Label(
                            access_label("enrol.clearance", lang), html_for="enrol-clearance"
                        ),
                        dbc.Select(
                            id="enrol-clearance",
                            value="internal",
                            options=[
                                {"label": access_label(f"class.{c}", lang), "value": c}
                                for c in CLASSIFICATIONS
                            ],
                        ),
                    ],
                    md=3,
                ),
                dbc.Col(
                    dbc.Button(
                        access_label("enrol.submit", lang), id="enrol-submit", color="primary"
                    ),
                    md=3,
                ),
            ],
        )
    return html.Section(
        [
            html.H2(access_label("enrol.title", lang), className="h5 mt-4"),
            html.P(access_label("enrol.intro", lang), className="text-body-secondary small"),
            form,
            html.Div(id="enrol-result"),
            html.Div(devices_table(_devices(), lang), id="enrol-devices"),
        ],
        id="wall-ops-enrolment",
    )


def devices_table(devices: list[DeviceRow] | None, lang: str):
    if devices is None:
        return store_down.panel(lang)
    if not devices:
        return html.P(access_label("enrol.none", lang), className="text-body-secondary")
    may_revoke = current_principal().can(P.SCREENS_MANAGE)
    keys = ("name", "clearance", "by", "seen", "state")
    head = html.Thead(
        html.Tr([html.Th(access_label(f"enrol.col.{k}", lang)) for k in keys] + [html.Th("")])
    )
    now = utcnow()
    rows = []
    for d in devices:
        revoked = d.revoked_at is not None
        rows.append(
            html.Tr(
                [
                    html.Td(html.Code(d.name)),
                    html.Td(access_label(f"class.{d.clearance}", lang)),
                    html.Td(d.created_by),
                    html.Td(
                        i18n.age(d.last_seen_at, now, lang)
                        if d.last_seen_at
                        else access_label("enrol.never", lang)
                    ),
                    html.Td(
                        dbc.Badge(
                            access_label("enrol.revoked" if revoked else "enrol.active", lang),
                            color="secondary" if revoked else "success",
                        )
                    ),
                    html.Td(
                        dbc.Button(
                            access_label("enrol.revoke", lang),
                            id={"type": "enrol-revoke", "device": d.name},
                            size="sm",
                            color="danger",
                            outline=True,
                        )
                        if may_revoke and not revoked
                        else None
                    ),
                ],
                **{"data-device": d.name},
            )
        )
    return dbc.Table(
        [head, html.Tbody(rows)],
        size="sm",
        responsive=True,
        className="align-middle",
        id="enrol-table",
    )


def screens_table(lines: list[ScreenLine] | None, lang: str):
    if lines is None:
        return store_down.panel(lang)
    if not lines:
        return html.P(i18n.label("wall.ops.none", lang), className="text-body-secondary")
    head = html.Thead(html.Tr([html.Th(i18n.label(c, lang)) for c in COLUMNS]))
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
            [html.I(className="bi bi-arrow-clockwise"), " ", i18n.label("wall.ops.reload", lang)],
            id={"type": "wall-ops-reload", "screen": line.screen_id},
            size="sm",
            color="primary",
            outline=True,
            disabled=line.pending or not line.online,
            className="me-2",
        )
    ]
    if not line.online and current_principal().can(P.SCREENS_MANAGE):
        actions.append(
            dbc.Button(
                i18n.label("wall.ops.forget", lang),
                size="sm",
                color="secondary",
                outline=True,
                id={"type": "wall-ops-forget", "screen": line.screen_id},
            )
        )
    if line.pending:
        actions.append(
            dbc.Badge(
                i18n.label("wall.ops.pending", lang), color="warning", className="ms-2 text-dark"
            )
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
            if valid_screen_id(trigger.get("screen")) is None:
                raise PreventUpdate  # a forged id: nothing to act on
            engine = current_context().engine
            try:
                if trigger["type"] == "wall-ops-reload":
                    request_command(engine, trigger["screen"], "reload", current_actor())
                    text = i18n.label("wall.ops.reload_sent", lang, id=trigger["screen"])
                else:
                    forget_screen(engine, trigger["screen"], current_actor())
                    text = i18n.label("wall.ops.forgotten", lang, id=trigger["screen"])
            except (store_down.Error, ValueError) as exc:
                store_down.noted(f"ops/screens: {trigger['type']}", exc)
                raise PreventUpdate from exc
            feedback = dbc.Alert(text, color="info", dismissable=True, duration=8000)
        return screens_table(_lines(lang), lang), feedback

    @callback(
        app,
        Rule(P.SCREENS_ENROL),
        Output("enrol-result", "children"),
        Output("enrol-devices", "children"),
        Output("enrol-name", "value"),
        Input("enrol-submit", "n_clicks"),
        State("enrol-name", "value"),
        State("enrol-clearance", "value"),
        State("wall-ops-lang", "data"),
        prevent_initial_call=True,
    )
    def enrol_screen(clicks, name, clearance, lang):
        if not clicks:
            raise PreventUpdate
        try:
            device, token = enrol(
                current_context().engine, name or "", clearance or "", actor=current_actor()
            )
        except DeviceError as exc:
            alert = dbc.Alert(access_label(f"enrol.err.{exc.key}", lang), color="danger")
            return alert, no_update, no_update
        except store_down.Error as exc:
            store_down.noted("ops/screens: enrolment", exc)
            return store_down.panel(lang), no_update, no_update
        url = f"{flask.request.host_url.rstrip('/')}/wall?device={token}"
        shown = dbc.Alert(
            [
                html.Div(access_label("enrol.done", lang, name=device.name)),
                html.Code(url, id="enrol-url", className="d-block mt-2 text-break user-select-all"),
            ],
            color="success",
            id="enrol-done",
        )
        return shown, devices_table(_devices(), lang), ""

    @callback(
        app,
        Rule(P.SCREENS_MANAGE),
        Output("enrol-result", "children", allow_duplicate=True),
        Output("enrol-devices", "children", allow_duplicate=True),
        Input({"type": "enrol-revoke", "device": ALL}, "n_clicks"),
        State("wall-ops-lang", "data"),
        prevent_initial_call=True,
    )
    def revoke_screen(_clicks, lang):
        trigger = dash.ctx.triggered_id
        if not isinstance(trigger, dict) or not dash.ctx.triggered[0]["value"]:
            raise PreventUpdate
        if valid_screen_id(trigger.get("device")) is None:
            raise PreventUpdate
        try:
            revoke(current_context().engine, trigger["device"], actor=current_actor())
        except store_down.Error as exc:
            store_down.noted("ops/screens: revoking", exc)
            raise PreventUpdate from exc
        done = dbc.Alert(
            access_label("enrol.revoked_done", lang, name=trigger["device"]),
            color="info",
            dismissable=True,
        )
        return done, devices_table(_devices(), lang)
