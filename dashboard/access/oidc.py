"""Single sign-on with the province's OpenID Connect provider (Authlib's Flask client).

Configured by ``ODSK_OIDC_ISSUER``, ``ODSK_OIDC_CLIENT_ID``, ``ODSK_OIDC_CLIENT_SECRET``;
the role comes from the groups claim (``ODSK_OIDC_GROUPS_CLAIM``) through
``ODSK_OIDC_ROLE_MAP`` (group → ``role`` or ``skpd_officer:skpd1,skpd2``). A person in no
mapped group gets a clear "no role assigned" page and no session.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

import flask
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.flask_client import OAuth
from requests import RequestException
from sqlalchemy.exc import SQLAlchemyError

from dashboard import i18n
from dashboard.access import audit
from dashboard.access.accounts import upsert_oidc_account
from dashboard.access.audit import Actor
from dashboard.access.labels import label
from dashboard.access.roles import Permission, Role, parse_role
from dashboard.access.rules import Rule, route
from dashboard.settings import Settings

log = logging.getLogger(__name__)

CLIENT = "odsk_sso"
TIMEOUT_SECONDS = 10
# When several groups map, the first role here wins.
ROLE_ORDER = (Role.ADMIN, Role.OPERATOR, Role.ANALYST, Role.SKPD_OFFICER, Role.VIEWER)


def role_from_groups(groups: object, role_map: dict[str, str]) -> tuple[Role, list[str]] | None:
    """(role, skpds) for the groups claim, or None when no group has a role."""
    if isinstance(groups, str):
        groups = [groups]
    if not isinstance(groups, list):
        return None
    found: dict[Role, set[str]] = {}
    for group in groups:
        mapped = role_map.get(str(group))
        if not mapped:
            continue
        role_text, _, skpds = mapped.partition(":")
        try:
            role = parse_role(role_text)
        except ValueError:
            log.warning("ODSK_OIDC_ROLE_MAP: group %r maps to unknown role %r", group, role_text)
            continue
        found.setdefault(role, set()).update(s.strip() for s in skpds.split(",") if s.strip())
    for role in ROLE_ORDER:
        if role in found and (role != Role.SKPD_OFFICER or found[role]):
            return role, sorted(found[role]) if role == Role.SKPD_OFFICER else []
    return None


def install(server: flask.Flask, settings: Settings) -> None:
    """The SSO routes, when an issuer is configured."""
    if not (settings.oidc_issuer and settings.oidc_client_id):
        return
    oauth = OAuth(server)
    oauth.register(
        CLIENT,
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret,
        server_metadata_url=settings.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs={"scope": settings.oidc_scope, "default_timeout": TIMEOUT_SECONDS},
    )
    public = Rule(Permission.PUBLIC)

    def start():
        from dashboard.access.web import safe_next

        args = flask.request.args
        flask.session["odsk_sso_next"] = safe_next(args.get("next"))
        flask.session["odsk_sso_lang"] = i18n.language(args.get("lang"))
        redirect_uri = flask.url_for("odsk_sso_callback", _external=True)
        try:
            return oauth.create_client(CLIENT).authorize_redirect(redirect_uri)
        except (OAuthError, RequestException, ValueError) as exc:
            log.warning("SSO: provider unavailable: %s", exc)
            return _failed(i18n.language(args.get("lang")))

    def callback():
        from dashboard.access.web import complete_sign_in, message_page

        lang = flask.session.get("odsk_sso_lang", "id")
        client = oauth.create_client(CLIENT)
        try:
            token = client.authorize_access_token()
            claims = dict(token.get("userinfo") or {})
            claims.update(client.userinfo(token=token))
        except (OAuthError, RequestException, ValueError, KeyError) as exc:
            log.warning("SSO: sign-in failed: %s", exc)
            return _failed(lang)
        subject = str(claims.get("sub") or "")
        username = (
            str(claims.get("preferred_username") or claims.get("email") or subject).strip().lower()
        )
        context = server.extensions["odsk"]
        mapped = role_from_groups(claims.get(settings.oidc_groups_claim), settings.oidc_role_map)
        if not subject or mapped is None:
            try:
                audit.record_alone(
                    context.engine,
                    "session.sign_in",
                    username[:100],
                    outcome="denied",
                    detail="oidc: no role for groups "
                    + repr(claims.get(settings.oidc_groups_claim))[:200],
                    actor=Actor("anonymous", "anonymous", "anonymous", flask.request.remote_addr),
                )
            except SQLAlchemyError as exc:
                log.warning("SSO: refusal not audited: %s", exc)
            return message_page("norole.title", "norole.text", lang, status=403, who=username)
        role, skpds = mapped
        try:
            row = upsert_oidc_account(
                context.engine,
                subject,
                username,
                str(claims.get("name") or username),
                role,
                skpds,
                flask.request.remote_addr,
            )
        except SQLAlchemyError as exc:
            log.warning("SSO: store unavailable: %s", exc)
            return _failed(lang)
        if row.disabled:
            return message_page("denied.title", "norole.text", lang, status=403, who=username)
        next_url = flask.session.get("odsk_sso_next", "/")
        complete_sign_in(row, "oidc")
        return flask.redirect(next_url)

    route(server, public, "/login/sso", "odsk_sso", start)
    route(server, public, "/login/sso/callback", "odsk_sso_callback", callback)


def _failed(lang: str) -> flask.Response:
    from dashboard.access.web import login_page

    query = urlencode({"lang": "en"}) if lang == "en" else ""
    del query
    return login_page(lang, status=502, notice=label("signin.sso_failed", lang))
