"""Wiring access control into an app (called once by ``create_app``)."""

from __future__ import annotations

from datetime import timedelta

import dash
import flask
from dash.exceptions import CallbackException

from dashboard.access import oidc, security, web
from dashboard.access.guard import DISPATCH, guard
from dashboard.access.roles import Permission
from dashboard.access.rules import PAGE_RULE, Rule, allow, check_complete, registry
from dashboard.access.sessions import COOKIE_NAME, NodeSessionInterface, load_secret_key
from dashboard.settings import Settings

PUBLIC = Rule(Permission.PUBLIC)
# Routes Dash and Flask add themselves; they carry code and assets, no data.
_INFRASTRUCTURE = (
    "static",
    "_dash_assets.static",
    "odsk_vendor.static",
    "/_dash-component-suites/<string:package_name>/<path:fingerprinted_path>",
    "/_dash-layout",
    "/_dash-dependencies",
    "/_favicon.ico",
)


def install_before_routes(app: dash.Dash, settings: Settings) -> None:
    """Sessions, CSRF and the guard: before any page registers its routes."""
    server = app.server
    server.secret_key = load_secret_key(settings.data_dir, settings.secret_key)
    server.session_interface = NodeSessionInterface()
    server.config.update(
        SESSION_COOKIE_NAME=COOKIE_NAME,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        # Rewrite the cookie only when it changes (its activity time, at most every 30 s).
        SESSION_REFRESH_EACH_REQUEST=False,
        # The cookie outlives the idle limit so the server can say the session *ended*
        # (the limit itself is checked on the server, see sessions.py).
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=settings.session_idle_minutes, hours=12),
    )
    server.before_request(security.same_origin)
    security.install_csrf(server, settings)
    server.before_request(guard)

    @server.errorhandler(CallbackException)
    def _malformed_callback(exc: CallbackException):
        # A request of another shape than the callback (forged or from an old page): 400.
        return flask.jsonify({"odsk": {"code": "malformed", "message": str(exc)[:200]}}), 400

    limiter = security.make_limiter(server, settings)
    server.extensions["odsk_limiter"] = limiter  # one limiter: the open-data API's limits too
    web.register(server, security.login_throttle(limiter, settings))
    oidc.install(server, settings)
    for endpoint in _INFRASTRUCTURE:
        allow(server, endpoint, PUBLIC)
    allow(server, DISPATCH, Rule(Permission.PUBLIC))  # decided per callback by the guard
    allow(server, "/", PAGE_RULE)
    allow(server, "/<path:path>", PAGE_RULE)
    allow(server, "/_reload-hash", Rule(Permission.PUBLIC, dev_only=True))


def install_after_routes(app: dash.Dash, settings: Settings) -> None:
    """Headers (the CSP needs every inline script known), then refuse gaps in the rules."""
    for key in app.callback_map:
        if "_pages_content.children" in key:  # Dash's pages router: the page's own rule
            registry(app.server).callbacks[key] = PAGE_RULE
    security.install_headers(app, settings)
    check_complete(app)


def request_is_dispatch() -> bool:
    return flask.request.path == DISPATCH
