"""Security around every response: CSRF, same-origin posts, login throttling, headers.

- CSRF (Flask-WTF): every POST carries the session's token — forms as a field, Dash's
  callbacks as the ``X-CSRFToken`` header the renderer sends from the ``_csrf_token``
  cookie (as Dash's docs advise); a POST whose ``Origin`` is another site is refused first.
- Login throttling (Flask-Limiter): per account and per address, counted on failures;
  Redis storage when ``ODSK_REDIS_URL`` is set, with short timeouts and an in-memory
  fallback so a hung Redis never stalls sign-in.
- Headers (Flask-Talisman): a Content-Security-Policy with the hashes of Dash's inline
  scripts and no 'unsafe-inline' for scripts, frame-ancestors 'self' (the wall grid frames
  its own cells), nosniff, Referrer-Policy; no ``Server`` banner.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import dash
import flask
from flask_limiter import Limiter, RequestLimit
from flask_limiter.util import get_remote_address
from flask_talisman import Talisman
from flask_wtf.csrf import CSRFError, CSRFProtect, generate_csrf

from dashboard import i18n
from dashboard.access.labels import both, label
from dashboard.settings import Settings

log = logging.getLogger(__name__)

CSRF_COOKIE = "_csrf_token"  # the name dash-renderer reads
REDIS_TIMEOUT_SECONDS = 0.5


def _is_dispatch() -> bool:
    return flask.request.path.endswith("/_dash-update-component")


def _json_refusal(code: str, key: str, status: int = 403):
    response = flask.jsonify({"odsk": {"code": code, "message": both(key)}})
    response.status_code = status
    return response


def same_origin():
    """before_request: a state-changing request from another site is refused outright."""
    request = flask.request
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    origin = request.headers.get("Origin")
    if origin is None:  # not sent by a browser: the CSRF token decides
        return None
    if urlsplit(origin).netloc != request.host:
        if _is_dispatch():
            return _json_refusal("origin", "denied.origin")
        text = f"{label('denied.origin', 'id')} / {label('denied.origin', 'en')}"
        return flask.Response(text, 403, mimetype="text/plain")
    return None


def install_csrf(server: flask.Flask, settings: Settings) -> CSRFProtect:
    server.config.update(
        WTF_CSRF_TIME_LIMIT=None,  # valid for the session's life (a wall runs for weeks)
        WTF_CSRF_HEADERS=["X-CSRFToken"],
        WTF_CSRF_SSL_STRICT=True,
    )
    csrf = CSRFProtect(server)

    @server.errorhandler(CSRFError)
    def _csrf_failed(_error):
        if _is_dispatch():
            return _json_refusal("csrf", "denied.csrf")
        from dashboard.access.web import login_page

        lang = i18n.language(flask.request.values.get("lang"))
        return login_page(lang, status=400, notice=label("signin.csrf", lang))

    @server.after_request
    def _csrf_cookie(response: flask.Response) -> flask.Response:
        # Pages hand the token to dash-renderer, which echoes it as X-CSRFToken.
        # Not on pages that set no cookie by design (the /embed/ panels other sites frame).
        if (
            flask.request.method == "GET"
            and response.mimetype == "text/html"
            and not flask.g.get("odsk_no_cookies")
        ):
            response.set_cookie(
                CSRF_COOKIE,
                generate_csrf(),
                secure=settings.secure_cookies,
                httponly=False,
                samesite="Strict",
            )
        return response

    return csrf


def make_limiter(server: flask.Flask, settings: Settings) -> Limiter:
    options: dict = {}
    if settings.redis_url:
        options = {
            "socket_timeout": REDIS_TIMEOUT_SECONDS,
            "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
        }
    return Limiter(
        get_remote_address,
        app=server,
        storage_uri=settings.redis_url or "memory://",
        storage_options=options,
        strategy="fixed-window",
        key_prefix="odsk-login",
        swallow_errors=True,
        in_memory_fallback_enabled=True,
        headers_enabled=False,
    )


def _account_key() -> str:
    return "account:" + (flask.request.form.get("username") or "").strip().lower()[:100]


def _throttled(_limit: RequestLimit) -> flask.Response:
    from dashboard.access.web import login_page

    lang = i18n.language(flask.request.form.get("lang"))
    return login_page(lang, status=429, notice=label("signin.throttled", lang))


def login_throttle(limiter: Limiter, settings: Settings):
    """Decorates the sign-in POST: failures (401) count, per account and per address."""

    def failed(response: flask.Response) -> bool:
        return response.status_code == 401

    def decorate(view):
        view = limiter.limit(
            settings.login_limit_account,
            key_func=_account_key,
            deduct_when=failed,
            on_breach=_throttled,
            scope="login-account",
        )(view)
        return limiter.limit(
            settings.login_limit_address,
            deduct_when=failed,
            on_breach=_throttled,
            scope="login-address",
        )(view)

    return decorate


def content_security_policy(app: dash.Dash) -> dict:
    """Scripts: our own files and the hashes of Dash's inline ones, nothing else.

    Styles: Dash components, Plotly and AG Grid set element styles at run time, which CSP
    counts as inline style; they stay allowed for styles only."""
    return {
        "default-src": "'self'",
        "script-src": ["'self'", *app.csp_hashes()],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": "'self'",
        "worker-src": ["'self'", "blob:"],
        "frame-src": "'self'",
        "frame-ancestors": "'self'",
        "form-action": "'self'",
        "base-uri": "'self'",
        "object-src": "'none'",
    }


def install_headers(app: dash.Dash, settings: Settings) -> Talisman:
    talisman = Talisman(
        app.server,
        force_https=False,
        strict_transport_security=settings.secure_cookies,
        session_cookie_secure=settings.secure_cookies,
        session_cookie_http_only=True,
        frame_options="SAMEORIGIN",
        content_security_policy=content_security_policy(app),
        referrer_policy="strict-origin-when-cross-origin",
        x_content_type_options=True,
    )

    @app.server.after_request
    def _no_banner(response: flask.Response) -> flask.Response:
        response.headers.pop("Server", None)
        return response

    return talisman
