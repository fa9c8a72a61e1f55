"""Helpers for access-control tests: accounts, signing in (test client and browser),
device tokens, forged callback requests. Loaded for every test through pytest_plugins."""

from __future__ import annotations

import re
import secrets

import pytest

ROLES = ("viewer", "analyst", "operator", "skpd_officer", "admin")
PASSWORD = "correct horse battery staple"
_CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def add_user(engine, role: str, username: str | None = None, skpds=("dinkes",), password=PASSWORD):
    """An account of ``role`` (an skpd_officer is bound to ``skpds``); returns its username."""
    from dashboard.access.accounts import add_account

    name = username or f"{role.replace('_', '-')}-{secrets.token_hex(3)}"
    add_account(
        engine,
        name,
        role,
        password=password,
        skpds=list(skpds) if role == "skpd_officer" else [],
    )
    return name


def login(client, username: str, password: str = PASSWORD, lang: str | None = None):
    """Sign in through the real form (CSRF token included); returns the POST's response."""
    page = client.get("/login" + ("?lang=en" if lang == "en" else ""))
    token = _CSRF_FIELD.search(page.get_data(as_text=True)).group(1)
    response = client.post(
        "/login",
        data={
            "username": username,
            "password": password,
            "csrf_token": token,
            "next": "/",
            "lang": lang or "id",
        },
    )
    if response.status_code == 302:
        client.get("/login")  # a page again, as the browser would: the new CSRF cookie
    return response


def client_as(app, role: str = "admin", **kwargs):
    """A test client signed in as a new account of ``role`` on ``app``'s store."""
    from dashboard.webapp import context_of

    client = app.server.test_client()
    assert login(client, add_user(context_of(app).engine, role, **kwargs)).status_code == 302
    return client


def csrf_header(client) -> dict[str, str]:
    """The X-CSRFToken header dash-renderer would send (from the ``_csrf_token`` cookie)."""
    cookie = client.get_cookie("_csrf_token")
    if cookie is None:
        client.get("/login")
        cookie = client.get_cookie("_csrf_token")
    return {"X-CSRFToken": cookie.value}


def outputs_of(key: str):
    """The ``outputs`` a request for callback ``key`` carries (pattern outputs: empty lists)."""
    parts = key[2:-2].split("...") if key.startswith("..") else [key]
    out = []
    for part in parts:
        ident, prop = part.rsplit(".", 1)
        prop = prop.split("@", 1)[0]
        out.append([] if ident.startswith("{") else {"id": ident, "property": prop})
    return out if key.startswith("..") else out[0]


def call(client, output: str, inputs=(), state=(), changed=(), headers=None):
    """POST one Dash callback request, as the renderer would (or as a forger would)."""
    body = {
        "output": output,
        "outputs": outputs_of(output),
        "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
        "state": [{"id": i, "property": p, "value": v} for i, p, v in state],
        "changedPropIds": list(changed),
    }
    return client.post(
        "/_dash-update-component", json=body, headers={**csrf_header(client), **(headers or {})}
    )


def browser_login(dash_duo, username: str, password: str = PASSWORD, path: str = "/"):
    """Sign in through the sign-in page in Chromium and land on ``path``."""
    from selenium.webdriver.common.by import By

    dash_duo.driver.get(dash_duo.server_url + "/login?next=" + path)
    dash_duo.wait_for_element("#login-username").send_keys(username)
    dash_duo.find_element("#login-password").send_keys(password)
    dash_duo.find_element("#login-submit").click()
    dash_duo.wait_for_element_by_css_selector("#nav-account, #wall-root", timeout=15)
    assert not dash_duo.driver.find_elements(By.ID, "access-notice")


def start_app(dash_duo, app) -> None:
    """Start the app's server without opening "/" (which now asks to sign in first)."""
    dash_duo.start_server(app, navigate=False)
    dash_duo._url = dash_duo.server.url  # what server_url's setter sets, without the page wait


def serve(dash_duo, app, role: str = "admin", path: str = "/", **kwargs) -> str:
    """Start the app and sign in as a new account of ``role``; returns its username."""
    from dashboard.webapp import context_of

    start_app(dash_duo, app)
    name = add_user(context_of(app).engine, role, **kwargs)
    browser_login(dash_duo, name, path=path)
    return name


def wall_token(app, name: str | None = None, clearance: str = "internal") -> str:
    """A device token of a newly enrolled screen on ``app``'s store."""
    name = name or f"test-wall-{secrets.token_hex(3)}"
    from dashboard.access.audit import Actor
    from dashboard.access.devices import enrol
    from dashboard.webapp import context_of

    _device, token = enrol(context_of(app).engine, name, clearance, actor=Actor.cli("test"))
    return token


@pytest.fixture
def signed_in():
    """``signed_in(dash_duo, app, role)``: an account of ``role`` on ``app``'s store, signed in."""

    def sign(dash_duo, app, role: str = "admin", path: str = "/", **kwargs):
        from dashboard.webapp import context_of

        name = add_user(context_of(app).engine, role, **kwargs)
        browser_login(dash_duo, name, path=path)
        return name

    return sign
