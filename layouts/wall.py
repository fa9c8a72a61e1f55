"""The video wall: ``/wall`` (``?playlist=``, ``?screen=``, ``?monitor=``, ``?start=``,
``?device=``, ``?lang=en``).

Every screen of the browser's plan is drawn once, stacked; the rotation (dwell times,
time-of-day schedule, arrow keys, takeover countdown) and the WITA clock run in plain
JavaScript (``assets/wall_rotation.js``): no server and no Dash callback each second.
Live and cheap per tick:

- every ``wall_poll_seconds`` a version check compares the data versions of the scopes
  this browser shows (and what should take over) with what it drew: nothing moved → 204;
- only then a second callback redraws the parts whose scope moved, and the takeover;
- every ``FRESHNESS_SECONDS`` the ages, stale flags and collector health are redone;
- every ``heartbeat_seconds`` the browser reports itself and collects commands (reload).

A lost server shows "reconnecting" (``assets/wall_link.js``) and the wall carries on.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import dash
from dash import ALL, ClientsideFunction, Input, Output, State, dcc, html, no_update
from dash.exceptions import PreventUpdate
from werkzeug.exceptions import BadRequest

from dashboard import i18n
from dashboard.access import Permission as P
from dashboard.access import Rule, callback, current_principal
from dashboard.store.limits import parse_id
from dashboard.store.queries import collector_health, source_runs
from dashboard.store.schema import utcnow
from dashboard.store.screens import record_beat, valid_screen_id
from dashboard.views import wall_screens as registry
from dashboard.views.wall import health_view
from dashboard.views.wall_alerts import Trigger, load_takeover
from dashboard.views.wall_beat import BeatError, check_beat
from dashboard.views.wall_live import live_state
from dashboard.views.wall_plan import current_setup, install, plan_data, resolve_plan, screen_label
from dashboard.views.wall_screens import load_parts, moved_parts, parts_of, refresh_ages, scopes_of
from dashboard.webapp import context_of, current_context
from layouts import store_down, titles, wall_disaster
from layouts import wall_parts as parts
from layouts import wall_screens as screens

dash.register_page(
    __name__, path="/wall", title=titles.title("nav.wall"), name="Wall", access=P.WALL
)

FRESHNESS_SECONDS = 30


def layout(
    lang: str | None = None,
    screen: str | None = None,
    playlist: str | None = None,
    monitor: str | None = None,
    start: str | None = None,
    cell: str | None = None,
    **_query,
):
    lang = i18n.language(lang)
    context, setup = current_context(), current_setup()
    now = utcnow()
    # The screen reports under its enrolment name (a grid cell: "<name>-<cell>"); a person
    # watching the wall is no screen of the wall and reports nothing.
    principal = current_principal()
    device = None
    if principal.kind == "device":
        cell_number = parse_id(cell)
        device = principal.name + (f"-{cell_number}" if cell_number is not None else "")
    plan = resolve_plan(
        setup.config,
        context.catalogue,
        now,
        playlist=playlist,
        screen=screen,
        monitor=monitor,
        start=start,
        device=device,
    )
    keys = parts_of(plan.screens, context.catalogue)
    drawn, views, health, triggers, takeover = _first_frame(keys, now, lang)
    active = bool(triggers)
    plan_json = plan_data(plan, setup.config, context.catalogue, lang) | {
        "fingerprint": setup.fingerprint,
        # The browser keeps time by the server's clock (assets/wall.js, odskClock).
        "serverNow": int(now.timestamp() * 1000),
    }
    return html.Div(
        className="wall",
        lang=lang,
        id="wall-root",
        **{"data-plan": json.dumps(plan_json)},
        children=[
            _header(lang, plan, context.catalogue),
            html.Main(
                [
                    _screen(s, plan.initial_screen, parts_of([s], context.catalogue), views, lang)
                    for s in plan.screens
                ],
                className="wall-stage",
            ),
            html.Div(
                [
                    html.Div(
                        screens.takeover_children(takeover, lang),
                        id="wall-takeover-body",
                        className="takeover-body",
                    ),
                    html.Div(id="wall-takeover-countdown", className="takeover-countdown"),
                ],
                id="wall-takeover-box",
                className="wall-takeover" + (" is-active" if active else ""),
                role="alert",
            ),
            html.Footer(
                className="wall-footer",
                children=[
                    html.Div(health, id="wall-health", className="wall-health"),
                    parts.legend(lang),
                ],
            ),
            _banners(lang),
            dcc.Store(id="wall-drawn", data=drawn),
            dcc.Store(id="wall-signal"),
            dcc.Store(id="wall-takeover", data=_takeover_data(triggers)),
            dcc.Store(id="wall-lang", data=lang),
            dcc.Store(id="wall-beat-payload"),
            dcc.Store(id="wall-command"),
            dcc.Store(id="wall-obeyed"),
            dcc.Store(id="wall-takeover-seen"),
            dcc.Interval(id="wall-poll", interval=int(context.settings.wall_poll_seconds * 1000)),
            dcc.Interval(id="wall-fresh-tick", interval=FRESHNESS_SECONDS * 1000),
            dcc.Interval(id="wall-beat", interval=int(setup.config.heartbeat_seconds * 1000)),
        ],
    )


def _first_frame(keys: list[str], now, lang: str):
    """Versions first (a bump landing while we query is seen by the next poll), then the parts."""
    context, setup = current_context(), current_setup()
    scopes = scopes_of(keys)
    try:
        live = live_state(context.engine, context.signal, setup.config, scopes, now)
        with context.engine.connect() as conn:
            runs = source_runs(conn)
            views = load_parts(conn, context.catalogue, setup.config, keys, now, lang, runs)
            takeover = load_takeover(
                context.engine, conn, setup.config, context.catalogue, live.triggers, now, lang
            )
            health = parts.health_children(
                health_view(collector_health(conn, context.catalogue, now, runs), lang)
            )
        drawn = {"versions": live.versions, "takeover": live.keys, "store_ok": True}
        return drawn, views, health, live.triggers, takeover
    except store_down.Error as exc:
        store_down.noted("wall: drawing empty screens", exc)
        # "∅" matches no version: every part is drawn as soon as the store answers.
        drawn = {
            "versions": dict.fromkeys([*scopes, "events"], "∅"),
            "takeover": [],
            "store_ok": False,
        }
        return drawn, {}, [], [], None


def _takeover_data(triggers: list[Trigger]) -> dict:
    """For the browser: what takes over and for how long (it counts down on its own clock)."""
    remaining = max((t.remaining_seconds for t in triggers), default=0)
    return {
        "keys": [t.key for t in triggers],
        "remaining_ms": int(remaining * 1000),
        "at": time.time_ns(),
    }


def _header(lang: str, plan, catalogue) -> html.Header:
    now = utcnow()
    return html.Header(
        className="wall-header",
        children=[
            html.H1(i18n.label("wall.title", lang), className="wall-title"),
            html.Div(
                [
                    html.Span(
                        screen_label(plan.initial_screen, catalogue, lang), id="wall-screen-name"
                    ),
                    html.Span(id="wall-position", className="wall-position"),
                ],
                className="wall-screen-name",
            ),
            html.Div(
                className="wall-clock",
                children=[
                    # Filled server-side so the first frame already has the time; the browser ticks it.
                    html.Div(
                        i18n.wita_time(now, lang, with_seconds=True),
                        id="wall-clock-time",
                        className="clock-time",
                    ),
                    html.Div(
                        i18n.wita_date(now, lang), id="wall-clock-date", className="clock-date"
                    ),
                ],
            ),
        ],
    )


def _banners(lang: str) -> html.Div:
    return html.Div(
        className="wall-banners",
        children=[
            html.Div(
                [html.I(className="bi bi-wifi-off"), " ", i18n.label("wall.offline", lang)],
                className="wall-banner banner-offline",
                role="status",
            ),
            html.Div(
                [
                    html.I(className="bi bi-database-exclamation"),
                    " ",
                    i18n.label("wall.store_down", lang),
                ],
                id="wall-store-banner",
                className="wall-banner banner-store",
                role="status",
            ),
        ],
    )


def _part(kind: str) -> Callable[[str, list], html.Section]:
    return lambda key, kids: html.Section(
        kids, id=parts.part_id(key), className=f"wall-part {kind}"
    )


# The layouts half of the screen registry (views.wall_screens.SCREEN_TYPES), by type id: a
# part's children from its view (the live refresh redraws a part alone), and its section.
RENDERERS: dict[str, tuple[Callable[[Any, str], list], Callable[[str, list], html.Section]]] = {
    "overview": (parts.panel_children, parts.panel),
    "domain": (screens.domain_children, _part("part-domain")),
    "disaster": (wall_disaster.disaster_children, _part("part-disaster")),
    "alerts": (screens.alerts_children, _part("part-alerts")),
}


def _screen(screen: str, initial: str, keys: list[str], views: dict, lang: str) -> html.Section:
    """A type drawn in several parts lays them side by side (the overview's panels)."""
    active = " is-active" if screen == initial else ""
    section = RENDERERS[registry.type_of(screen).id][1]
    drawn = [section(k, render_part(k, views.get(k), lang)) for k in keys]
    return html.Section(
        html.Div(drawn, className="wall-grid") if registry.type_of(screen).parts else drawn[0],
        id={"type": "wall-screen", "screen": screen},
        className=f"wall-screen wall-screen-{screen}{active}",
        **{"data-screen": screen},
    )


def render_part(key: str, view, lang: str) -> list:
    return [] if view is None else RENDERERS[registry.type_of(key).id][0](view, lang)


# --- callbacks ------------------------------------------------------------------------


def without_token(path: object) -> str | None:
    """A reported page address without its device token (it is shown on /ops/screens)."""
    if not isinstance(path, str):
        return None
    parts = urlsplit(path[:500])
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "device"]
    return parts.path + ("?" + urlencode(query) if query else "")


def register_callbacks(app: dash.Dash) -> None:
    context = context_of(app)
    install(app.server, context.settings.config_dir, context.catalogue)

    @callback(
        app,
        Rule(P.WALL),
        Output("wall-signal", "data"),
        Input("wall-poll", "n_intervals"),
        State("wall-drawn", "data"),
        prevent_initial_call=True,
    )
    def check_versions(tick, drawn):
        """The hot path: a version check, and what should take over; nothing new → 204."""
        context, setup = current_context(), current_setup()
        drawn = drawn or {}
        try:
            live = live_state(
                context.engine,
                context.signal,
                setup.config,
                drawn.get("versions") or {},
                utcnow(),
                drawn,
            )
        except store_down.Error as exc:
            store_down.noted("wall: version check", exc)
            if drawn.get("store_ok") is False:
                raise PreventUpdate from exc
            return {"store_ok": False, "tick": tick}
        if (
            live.versions == drawn.get("versions")
            and live.keys == drawn.get("takeover")
            and drawn.get("store_ok")
        ):
            raise PreventUpdate
        return {
            "versions": live.versions,
            "takeover": live.keys,
            "remaining": {t.key: t.remaining_seconds for t in live.triggers},
            "store_ok": True,
            "tick": tick,
        }

    @callback(
        app,
        Rule(P.WALL),
        Output("wall-drawn", "data"),
        Output({"type": "wall-part", "key": ALL}, "children"),
        Output("wall-takeover-body", "children"),
        Output("wall-takeover", "data"),
        Output("wall-store-banner", "className"),
        Input("wall-signal", "data"),
        State("wall-drawn", "data"),
        State("wall-lang", "data"),
        prevent_initial_call=True,
    )
    def redraw(signal, drawn, lang):
        context, setup = current_context(), current_setup()
        keys = [o["id"]["key"] for o in dash.ctx.outputs_list[1]]
        drawn = drawn or {}
        if not signal or not signal.get("store_ok"):
            return (
                {**drawn, "store_ok": False},
                [no_update] * len(keys),
                no_update,
                no_update,
                "wall-banner banner-store is-on",
            )
        moved = moved_parts(keys, drawn.get("versions"), signal["versions"])
        retake = signal["takeover"] != drawn.get("takeover")
        now = utcnow()
        triggers = [Trigger(k, now, signal["remaining"].get(k, 0)) for k in signal["takeover"]]
        try:
            with context.engine.connect() as conn:
                views = (
                    load_parts(conn, context.catalogue, setup.config, moved, now, lang)
                    if moved
                    else {}
                )
                takeover = (
                    load_takeover(
                        context.engine, conn, setup.config, context.catalogue, triggers, now, lang
                    )
                    if retake
                    else None
                )
        except store_down.Error as exc:
            store_down.noted("wall: redraw (retried at the next poll)", exc)
            raise PreventUpdate from exc
        new_drawn = {
            "versions": signal["versions"],
            "takeover": signal["takeover"],
            "store_ok": True,
        }
        return (
            new_drawn,
            [render_part(k, views[k], lang) if k in views else no_update for k in keys],
            screens.takeover_children(takeover, lang) if retake else no_update,
            _takeover_data(triggers) if retake else no_update,
            "wall-banner banner-store",
        )

    @callback(
        app,
        Rule(P.WALL),
        Output({"type": "wall-age", "key": ALL}, "children"),
        Output({"type": "wall-age", "key": ALL}, "className"),
        Output("wall-health", "children"),
        Input("wall-fresh-tick", "n_intervals"),
        State({"type": "wall-age-inputs", "part": ALL}, "data"),
        State("wall-lang", "data"),
        prevent_initial_call=True,
    )
    def refresh_ages_and_health(_tick, inputs_per_part, lang):
        context = current_context()
        inputs = {key: entry for block in inputs_per_part for key, entry in (block or {}).items()}
        now = utcnow()
        try:
            with context.engine.connect() as conn:
                runs = source_runs(conn)
                fresh = refresh_ages(conn, inputs, context.catalogue, now, lang, runs)
                health = parts.health_children(
                    health_view(collector_health(conn, context.catalogue, now, runs), lang)
                )
        except store_down.Error as exc:
            store_down.noted("wall: freshness refresh", exc)
            raise PreventUpdate from exc
        keys = [o["id"]["key"] for o in dash.ctx.outputs_list[0]]
        kinds = {k: (inputs.get(k) or {}).get("kind", "fetched") for k in keys}
        return (
            [
                parts.age_children(kinds[k], fresh[k], lang) if k in fresh else no_update
                for k in keys
            ],
            [parts.age_class(kinds[k], fresh[k]) if k in fresh else no_update for k in keys],
            health,
        )

    @callback(
        app,
        Rule(P.WALL),
        Output("wall-command", "data"),
        Input("wall-beat-payload", "data"),
        prevent_initial_call=True,
    )
    def heartbeat(payload):
        """Where the screen is and what it shows; hands it the commands waiting for it.

        Only enrolled screens report, and only under their own name (or a cell of it)."""
        context, setup = current_context(), current_setup()
        principal = current_principal()
        screen_id = valid_screen_id(payload.get("device") if isinstance(payload, dict) else None)
        if (
            principal.kind != "device"
            or screen_id is None
            or not (screen_id == principal.name or screen_id.startswith(principal.name + "-"))
        ):
            raise PreventUpdate
        try:
            details = check_beat(payload)
        except BeatError as exc:
            # Refused, not stored: a malformed report must not reach /ops/screens.
            raise BadRequest(
                i18n.label("input.heartbeat", "id", problem=exc)
                + " / "
                + i18n.label("input.heartbeat", "en", problem=exc)
            ) from None
        details["path"] = without_token(details.get("path"))
        try:
            commands = record_beat(context.engine, screen_id, details, device_id=principal.id)
        except store_down.Error as exc:
            store_down.noted(f"wall: heartbeat of {screen_id} not stored", exc)
            raise PreventUpdate from exc
        # A deploy changed the wall's code or wall.yaml: reload to pick it up.
        if payload.get("fingerprint") != setup.fingerprint and "reload" not in commands:
            commands.append("reload")
        if not commands:
            raise PreventUpdate
        return {"commands": commands, "at": time.time_ns()}

    app.clientside_callback(
        ClientsideFunction(namespace="odskWall", function_name="takeover"),
        Output("wall-takeover-seen", "data"),
        Input("wall-takeover", "data"),
    )
    app.clientside_callback(
        ClientsideFunction(namespace="odskWall", function_name="beatPayload"),
        Output("wall-beat-payload", "data"),
        Input("wall-beat", "n_intervals"),
        State("wall-lang", "data"),
    )
    app.clientside_callback(
        ClientsideFunction(namespace="odskWall", function_name="obey"),
        Output("wall-obeyed", "data"),
        Input("wall-command", "data"),
        prevent_initial_call=True,
    )
