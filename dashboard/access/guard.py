"""The one place every request is decided: pages, Dash callbacks and routes.

``before_request``: find the principal (device token, session or nobody), find the rule
of what is asked (``rules.Registry``: a route's endpoint, a callback's output key, a
page's ``access``), check it, and refuse before anything runs — so a denied callback
writes nothing. Denials of actions that would change something are audited.
"""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass, replace
from urllib.parse import urlencode

import flask
from dash._pages import _path_to_page  # Dash's own path → page resolution (its router's)
from sqlalchemy.exc import SQLAlchemyError

from dashboard import i18n
from dashboard.access import audit
from dashboard.access.api_keys import HEADER as API_KEY_HEADER
from dashboard.access.api_keys import principal_for_key
from dashboard.access.cache import lookups
from dashboard.access.devices import device_for_token, token_hash
from dashboard.access.labels import both, label
from dashboard.access.principal import ANONYMOUS, Principal, current_principal, set_principal
from dashboard.access.roles import Permission, role_label
from dashboard.access.rules import Call, Rule, page_rule, registry
from dashboard.access.sessions import session_principal

log = logging.getLogger(__name__)

DISPATCH = "/_dash-update-component"
DEVICE_HEADER = "X-ODSK-Device"
# Permissions whose denial is only "cannot see": not worth an audit row each poll.
READS = frozenset(
    {
        Permission.PUBLIC,
        Permission.READ,
        Permission.WALL,
        Permission.COMPLIANCE_READ,
        Permission.OPS_READ,
        Permission.AUDIT_READ,
        Permission.METRICS_READ,
    }
)


@dataclass(frozen=True)
class Refusal:
    status: int  # 401 (no principal) or 403
    code: str  # signin, forbidden, unenrolled
    permission: Permission | None
    skpd: str | None = None


def _context():
    from dashboard.runtime import EXTENSION_KEY

    return flask.current_app.extensions[EXTENSION_KEY]


def resolve_principal() -> tuple[Principal, str | None]:
    """(principal, problem): problem is "unenrolled" for a bad device token, "ended" for a
    session that is no longer valid, "store" when the store could not say, None otherwise."""
    context = _context()
    request = flask.request
    token = request.headers.get(DEVICE_HEADER) or (
        request.args.get("device") if request.method == "GET" else None
    )
    address = request.remote_addr
    bearer = request.headers.get("Authorization", "")
    scrape = context.settings.metrics_token
    if (
        scrape
        and bearer.startswith("Bearer ")
        and hmac.compare_digest(bearer[7:].strip().encode(), scrape.encode())
    ):
        return Principal("service", None, "metrics-scraper", "service", address=address), None
    api_key = request.headers.get(API_KEY_HEADER)
    if api_key and request.path.startswith("/api/"):
        return _api_key_principal(context.engine, api_key, address)
    if token:

        def load():
            with context.engine.connect() as conn:
                return device_for_token(conn, token)

        try:
            device = lookups().get(("device", token_hash(token)), load)
        except SQLAlchemyError as exc:
            # The store is busy or away: that says nothing about the token.
            log.warning("access: device look-up failed: %s", exc)
            return ANONYMOUS, "store"
        if device is None:
            return ANONYMOUS, "unenrolled"
        return (
            Principal(
                "device",
                device.id,
                device.name,
                "device",
                device.name,
                clearance=device.clearance,
                address=address,
            ),
            None,
        )
    try:
        principal, ended = session_principal(
            context.engine, context.settings.session_idle_minutes * 60
        )
    except SQLAlchemyError as exc:
        log.warning("access: session look-up failed: %s", exc)
        return ANONYMOUS, "store"
    return principal, "ended" if ended else None


def _api_key_principal(engine, key: str, address: str | None) -> tuple[Principal, str | None]:
    """An API key speaks for /api/ requests only; a wrong one is "apikey" (the API says 401)."""

    def load():
        with engine.connect() as conn:
            return principal_for_key(conn, key, address)

    try:
        found = lookups().get(("apikey", token_hash(key)), load)  # argon2 once per 2 s
    except SQLAlchemyError as exc:
        log.warning("access: API key look-up failed: %s", exc)
        return ANONYMOUS, "store"
    if found is None:
        return ANONYMOUS, "apikey"
    return replace(found, address=address), None


def page_of(path: str | None) -> Permission:
    """The permission of the page at ``path`` (an unknown path: Dash's 404, for readers)."""
    page, _ = _path_to_page((path or "/").strip("/"))
    found = page_rule(page) if page else None
    return found if found is not None else Permission.READ


def check(principal: Principal, rule: Rule, call: Call | None, path: str | None) -> Refusal | None:
    needed = rule.permissions(call)
    if rule.page:
        needed = [page_of(path)]
    skpd = rule.skpd(call) if rule.skpd is not None and call is not None else None
    for permission in needed:
        if not principal.can(permission):
            status = 403 if principal.kind != "anonymous" else 401
            return Refusal(status, "forbidden" if status == 403 else "signin", permission)
        if skpd is not None and not principal.can(permission, skpd):
            return Refusal(403, "forbidden", permission, skpd)
    return None


def _router_path(call: Call) -> str | None:
    value = call.value("_pages_location", "pathname")
    return value if isinstance(value, str) else None


def guard():
    """The before_request hook."""
    request = flask.request
    reg = registry(flask.current_app)
    principal, problem = resolve_principal()
    set_principal(principal)
    flask.g.odsk_access_problem = problem
    endpoint = request.endpoint
    if endpoint is None:
        return None  # no such URL: Flask answers 404
    rule = reg.routes.get(endpoint)
    if rule is None:
        return _refuse(Refusal(403, "forbidden", None), None, endpoint)
    if rule.dev_only and not _context().settings.debug:
        flask.abort(404)
    call = None
    path = request.path
    if endpoint == DISPATCH:
        call = Call.from_body(request.get_json(silent=True) or {})
        rule = reg.callbacks.get(call.output)
        if rule is None:
            return _refuse(Refusal(403, "forbidden", None), call, endpoint)
        path = _router_path(call) if rule.page else None
    refusal = check(principal, rule, call, path)
    if refusal is None:
        return None
    if problem == "store":
        # Not a refusal: the store did not answer. The wall shows "reconnecting" and retries.
        return flask.Response("store unavailable", status=503, mimetype="text/plain")
    if problem == "unenrolled":
        refusal = Refusal(403, "unenrolled", refusal.permission)
    return _refuse(refusal, call, endpoint)


def _refuse(refusal: Refusal, call: Call | None, endpoint: str):
    principal = current_principal()
    request = flask.request
    subject = call.output if call is not None else request.path
    wrote = refusal.permission is not None and refusal.permission not in READS
    if wrote or refusal.skpd is not None:
        try:
            audit.record_alone(
                _context().engine,
                "access.denied",
                subject[:300],
                outcome="denied",
                detail=f"needs {refusal.permission}"
                + (f" for SKPD {refusal.skpd}" if refusal.skpd else ""),
            )
        except SQLAlchemyError as exc:
            log.warning("access: denial not audited: %s", exc)
    if call is not None or endpoint == DISPATCH:
        key = {
            "signin": "denied.signin",
            "unenrolled": "unenrolled.text",
        }.get(refusal.code, "denied.callback")
        role = {lang: role_label(principal.role, lang) for lang in i18n.LANGUAGES}
        message = {lang: label(key, lang, role=role[lang]) for lang in i18n.LANGUAGES}
        response = flask.jsonify({"odsk": {"code": refusal.code, "message": message}})
        response.status_code = refusal.status
        return response
    lang = i18n.language(request.args.get("lang"))
    if refusal.code == "signin" and request.method == "GET" and endpoint != "odsk_metrics":
        query = {"next": request.full_path.rstrip("?")}
        if flask.g.get("odsk_access_problem") == "ended":
            query["ended"] = "1"
        if lang == "en":
            query["lang"] = "en"
        return flask.redirect("/login?" + urlencode(query))
    from dashboard.access.web import message_page

    if refusal.code == "unenrolled":
        return message_page("unenrolled.title", "unenrolled.text", lang, status=403)
    if refusal.code == "signin":
        return message_page("denied.title", "denied.signin", lang, status=401)
    return message_page(
        "denied.title", "denied.text", lang, status=403, role=role_label(principal.role, lang)
    )


__all__ = ["DEVICE_HEADER", "DISPATCH", "both", "check", "guard", "page_of", "resolve_principal"]
