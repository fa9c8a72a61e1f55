"""Sign-in and sign-out (local accounts and the province's SSO), and the plain pages a
refused request gets. Server-rendered HTML (Jinja, autoescaped), no script at all."""

from __future__ import annotations

import logging
from urllib.parse import urlencode, urlsplit

import flask
from flask_wtf.csrf import generate_csrf
from sqlalchemy.exc import SQLAlchemyError

from dashboard import i18n
from dashboard.access import audit
from dashboard.access.accounts import mark_login, verify_login
from dashboard.access.audit import Actor
from dashboard.access.labels import label
from dashboard.access.principal import current_principal
from dashboard.access.roles import Permission
from dashboard.access.rules import Rule, route
from dashboard.access.sessions import account_principal, sign_in, sign_out
from dashboard.store.engine import begin_write

log = logging.getLogger(__name__)

LOGIN_URL = "/login"
LOGOUT_URL = "/logout"
PUBLIC = Rule(Permission.PUBLIC)

_PAGE = """<!DOCTYPE html>
<html lang="{{ lang }}" data-bs-theme="dark">
<head>
<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }} — Command Centre ODSK</title>
<link rel="stylesheet" href="/vendor/bootstrap5/css/bootstrap.min.css">
<link rel="stylesheet" href="/assets/access.css">
</head>
<body class="odsk-access">
<main class="odsk-access-card card">
<div class="card-body">
<div class="d-flex justify-content-between align-items-baseline mb-3">
<span class="text-body-secondary small">Command Centre ODSK</span>
<a class="small" id="access-language" href="{{ switch_href }}">{{ switch }}</a>
</div>
<h1 class="h4 mb-3">{{ title }}</h1>
{% if notice %}<div class="alert alert-{{ notice_kind }}" role="alert" id="access-notice">{{ notice }}</div>{% endif %}
{% if text %}<p id="access-text">{{ text }}</p>{% endif %}
{% if form %}
<form method="post" action="{{ action }}" id="login-form">
<input type="hidden" name="csrf_token" value="{{ csrf }}">
<input type="hidden" name="next" value="{{ next }}">
<input type="hidden" name="lang" value="{{ lang }}">
<div class="mb-3"><label class="form-label" for="login-username">{{ L.username }}</label>
<input class="form-control" id="login-username" name="username" autocomplete="username" maxlength="100" required autofocus value="{{ username }}"></div>
<div class="mb-3"><label class="form-label" for="login-password">{{ L.password }}</label>
<input class="form-control" id="login-password" name="password" type="password" autocomplete="current-password" maxlength="1024" required></div>
<button class="btn btn-primary w-100" id="login-submit" type="submit">{{ L.submit }}</button>
</form>
{% if sso %}<div class="text-center text-body-secondary my-2">{{ L.or }}</div>
<a class="btn btn-outline-light w-100" id="login-sso" href="{{ sso }}">{{ L.sso }}</a>{% endif %}
{% endif %}
{% if home %}<a class="btn btn-outline-light" id="access-home" href="{{ home }}">{{ home_label }}</a>{% endif %}
</div>
</main>
</body>
</html>"""


def _switch(lang: str) -> tuple[str, str]:
    args = {k: v for k, v in flask.request.args.items() if k != "lang"}
    if lang != "en":
        args["lang"] = "en"
    query = urlencode(args)
    return flask.request.path + ("?" + query if query else ""), label("signin.switch", lang)


def _render(lang: str, title: str, status: int = 200, **values) -> flask.Response:
    switch_href, switch = _switch(lang)
    html = flask.render_template_string(
        _PAGE,
        lang=lang,
        title=title,
        switch_href=switch_href,
        switch=switch,
        L={k: label(f"signin.{k}", lang) for k in ("username", "password", "submit", "sso", "or")},
        **values,
    )
    response = flask.make_response(html, status)
    response.headers["Cache-Control"] = "no-store"
    return response


def message_page(title_key: str, text_key: str, lang: str, status: int, **values) -> flask.Response:
    return _render(
        lang,
        label(title_key, lang),
        status,
        text=label(text_key, lang, **values),
        home="/" + ("?lang=en" if lang == "en" else ""),
        home_label=label("denied.home", lang),
    )


def safe_next(value: str | None) -> str:
    """Only a path on this site (no scheme, no host, no '//'): never an open redirect."""
    value = (value or "").strip()
    parts = urlsplit(value)
    if not value.startswith("/") or value.startswith("//") or parts.scheme or parts.netloc:
        return "/"
    if "\\" in value or value.startswith(LOGIN_URL):
        return "/"
    return value


def login_page(
    lang: str,
    *,
    status: int = 200,
    notice: str | None = None,
    kind: str = "danger",
    username: str = "",
) -> flask.Response:
    context = flask.current_app.extensions["odsk"]
    next_url = safe_next(flask.request.values.get("next"))
    sso = None
    if context.settings.oidc_issuer and context.settings.oidc_client_id:
        sso = "/login/sso?" + urlencode(
            {"next": next_url, **({"lang": "en"} if lang == "en" else {})}
        )
    return _render(
        lang,
        label("signin.title", lang),
        status,
        form=True,
        action=LOGIN_URL,
        csrf=generate_csrf(),
        next=next_url,
        username=username[:100],
        sso=sso,
        notice=notice,
        notice_kind=kind,
    )


def login_get():
    args = flask.request.args
    lang = i18n.language(args.get("lang"))
    notice, kind = None, "info"
    if args.get("ended"):
        notice = label("signin.ended", lang)
    elif args.get("out"):
        notice = label("signin.signed_out", lang)
    return login_page(lang, notice=notice, kind=kind)


def login_post():
    form = flask.request.form
    lang = i18n.language(form.get("lang"))
    context = flask.current_app.extensions["odsk"]
    username = (form.get("username") or "")[:100]
    try:
        row = verify_login(context.engine, username, form.get("password") or "")
    except SQLAlchemyError as exc:
        log.warning("sign-in: store unavailable: %s", exc)
        return flask.Response("store unavailable", status=503, mimetype="text/plain")
    if row is None:
        try:
            audit.record_alone(
                context.engine,
                "session.sign_in",
                username.strip().lower()[:100],
                outcome="denied",
                detail="local",
                actor=Actor("anonymous", "anonymous", "anonymous", flask.request.remote_addr),
            )
        except SQLAlchemyError as exc:
            log.warning("sign-in: failure not audited: %s", exc)
        return login_page(lang, status=401, notice=label("signin.failed", lang), username=username)
    complete_sign_in(row, "local")
    return flask.redirect(safe_next(form.get("next")))


def complete_sign_in(row, how: str) -> None:
    context = flask.current_app.extensions["odsk"]
    sign_in(row)
    principal = account_principal(row, flask.request.remote_addr)
    try:
        with begin_write(context.engine) as conn:
            mark_login(conn, row.id, how, audit.actor_of(principal))
    except SQLAlchemyError as exc:
        # A store that takes no write (read-only mode) still lets people read the data;
        # the access log keeps who signed in from where.
        log.warning("sign-in of %s not recorded in the store: %s", row.username, exc)


def logout():
    principal = current_principal()
    lang = i18n.language(flask.request.values.get("lang"))
    if principal.signed_in:
        context = flask.current_app.extensions["odsk"]
        try:
            audit.record_alone(context.engine, "session.sign_out", principal.name)
        except SQLAlchemyError as exc:
            log.warning("sign-out not audited: %s", exc)
    sign_out()
    return flask.redirect(
        LOGIN_URL + "?" + urlencode({"out": 1, **({"lang": "en"} if lang == "en" else {})})
    )


def register(server: flask.Flask, limiter_decorate) -> None:
    route(server, PUBLIC, LOGIN_URL, "odsk_login", login_get, methods=["GET"])
    route(
        server,
        PUBLIC,
        LOGIN_URL,
        "odsk_login_post",
        limiter_decorate(login_post),
        methods=["POST"],
    )
    route(server, PUBLIC, LOGOUT_URL, "odsk_logout", logout, methods=["POST"])
