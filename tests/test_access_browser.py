"""Sign-in in Chromium: local accounts, the province's SSO (a real OpenID Connect provider
process), a refused action shown on the page, and the wall on a device token."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import timedelta

import clock_kit
import httpx
import pytest
import time_machine
from access_kit import PASSWORD, add_user, browser_login, start_app
from odsk_test_services import free_port

pytestmark = pytest.mark.browser


def _app(sqlite_url, tmp_path, **settings):
    from dashboard.settings import Settings
    from dashboard.webapp import create_app

    return create_app(Settings(database_url=sqlite_url, data_dir=tmp_path, **settings))


def _engine(app):
    from dashboard.webapp import context_of

    return context_of(app).engine


def _csp_violations(dash_duo) -> list:
    return [
        entry
        for entry in dash_duo.driver.get_log("browser")
        if "Content Security Policy" in entry["message"] or "Refused to" in entry["message"]
    ]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_local_sign_in_and_a_refused_action_says_why(
    dash_duo, sqlite_url, tmp_path, lang, artifacts_dir
):
    app = _app(sqlite_url, tmp_path)
    viewer = add_user(_engine(app), "viewer", username=f"pimpinan-{lang}")
    start_app(dash_duo, app)
    driver = dash_duo.driver
    query = "?lang=en" if lang == "en" else ""
    driver.get(dash_duo.server_url + "/alerts" + query)
    # Not signed in: the sign-in page, in the page's language.
    dash_duo.wait_for_element("#login-form")
    title = {"id": "Masuk ke Command Centre ODSK", "en": "Sign in to the Command Centre ODSK"}
    assert dash_duo.find_element("h1").text == title[lang]
    driver.save_screenshot(str(artifacts_dir / f"access-login-{lang}.png"))
    dash_duo.find_element("#login-username").send_keys(viewer)
    dash_duo.find_element("#login-password").send_keys("not the password")
    dash_duo.find_element("#login-submit").click()
    wrong = {"id": "Nama pengguna atau kata sandi salah.", "en": "Wrong username or password."}
    dash_duo.wait_for_text_to_equal("#access-notice", wrong[lang])
    dash_duo.find_element("#login-password").send_keys(PASSWORD)
    dash_duo.find_element("#login-submit").click()
    # Back where it was going, signed in as the account, its role named.
    dash_duo.wait_for_element("#nav-account")
    assert viewer in dash_duo.find_element("#nav-account").text
    assert driver.current_url.endswith("/alerts" + query)
    dash_duo.wait_for_element("#shift-text").send_keys("catatan dari pimpinan")
    dash_duo.find_element("#shift-add").click()
    denied = {
        "id": "Ditolak: peran Anda (Pimpinan (lihat saja)) tidak mengizinkan tindakan ini.",
        "en": "Denied: your role (Viewer (governor's office)) does not allow this action.",
    }
    dash_duo.wait_for_contains_text("#odsk-denied", denied[lang])
    driver.save_screenshot(str(artifacts_dir / f"access-denied-{lang}.png"))
    assert _csp_violations(dash_duo) == []
    dash_duo.find_element("#nav-signout").click()
    dash_duo.wait_for_element("#login-form")


def test_session_ended_elsewhere_shows_on_the_next_action(dash_duo, sqlite_url, tmp_path, clock):
    from dashboard.access.accounts import reset_password

    app = _app(sqlite_url, tmp_path)
    operator = add_user(_engine(app), "operator")
    start_app(dash_duo, app)
    browser_login(dash_duo, operator, path="/alerts")
    dash_duo.wait_for_element("#shift-text")
    reset_password(_engine(app), operator, "another long password")  # sign-out everywhere
    clock.shift(3)  # past the 2 s every worker may still remember the account
    dash_duo.find_element("#shift-text").send_keys("x")
    dash_duo.find_element("#shift-add").click()
    dash_duo.wait_for_contains_text("#odsk-denied", "Sesi Anda berakhir")


# --- the province's SSO ------------------------------------------------------------------


@pytest.fixture
def oidc_provider():
    """oidc-provider-mock in its own process, with two people: one in a mapped group, one not."""
    port = free_port()
    users = [
        {
            "sub": "ani",
            "preferred_username": "ani.operator",
            "name": "Ani Operator",
            "groups": ["odsk-operator", "pegawai"],
        },
        {"sub": "tamu", "preferred_username": "tamu", "name": "Tamu", "groups": ["pegawai"]},
    ]
    args = [sys.executable, "-m", "oidc_provider_mock", "--port", str(port)]
    for user in users:
        args += ["--user-claims", json.dumps(user)]
    proc = subprocess.Popen(
        args,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "NO_COLOR": "1"},
    )
    issuer = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if (
                    httpx.get(issuer + "/.well-known/openid-configuration", timeout=2).status_code
                    == 200
                ):
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, (
                "the OIDC provider did not start"
            )
            time.sleep(0.2)
        yield issuer
    finally:
        proc.terminate()
        proc.wait(timeout=15)


@pytest.mark.real_clock  # the provider signs its tokens with the machine's clock
def test_sso_sign_in_maps_groups_to_a_role(
    dash_duo, sqlite_url, tmp_path, oidc_provider, artifacts_dir
):
    app = _app(
        sqlite_url,
        tmp_path,
        oidc_issuer=oidc_provider,
        oidc_client_id="odsk-command-centre",
        oidc_client_secret="test-secret",
        oidc_role_map={"odsk-operator": "operator", "odsk-admin": "admin"},
    )
    start_app(dash_duo, app)
    driver = dash_duo.driver
    driver.get(dash_duo.server_url + "/ops/screens")
    dash_duo.wait_for_element("#login-sso").click()
    # The provider's own page: pick the person.
    dash_duo.wait_for_element("button[value='ani']").click()
    dash_duo.wait_for_element("#nav-account")
    assert "Ani Operator" in dash_duo.find_element("#nav-account").text
    assert driver.current_url.endswith("/ops/screens")
    driver.save_screenshot(str(artifacts_dir / "access-sso-operator.png"))
    from dashboard.access.accounts import list_accounts

    with _engine(app).connect() as conn:
        (account,) = list_accounts(conn)
    assert (account.username, account.role, account.origin) == ("ani.operator", "operator", "oidc")
    dash_duo.find_element("#nav-signout").click()
    dash_duo.wait_for_element("#login-sso").click()
    dash_duo.wait_for_element("button[value='tamu']").click()
    dash_duo.wait_for_text_to_equal("h1", "Belum ada peran")
    assert "tamu" in dash_duo.find_element("#access-text").text
    driver.save_screenshot(str(artifacts_dir / "access-sso-no-role.png"))
    driver.get(dash_duo.server_url + "/")
    dash_duo.wait_for_element("#login-form")  # no access without a role


# --- the wall on a device token -------------------------------------------------------------


def test_wall_runs_on_a_device_token_past_any_session_and_stops_when_revoked(
    dash_duo, sqlite_url, tmp_path, catalogue
):
    """Nobody signed in: the screen's token carries it. The server clock jumps 10 minutes and
    then 3 days (a person's session would have ended after 60 idle minutes): the wall still
    polls, redraws new data and reports its heartbeat. Revoked, it shows the notice within
    one poll."""
    from wall_kit import config_dir_with, seed_store

    from dashboard.access.audit import Actor
    from dashboard.access.devices import enrol, list_devices, revoke

    app = _app(
        sqlite_url,
        tmp_path,
        wall_poll_seconds=0.5,
        config_dir=config_dir_with(tmp_path, heartbeat_seconds=2),
    )
    engine = _engine(app)
    seed_store(engine, catalogue)
    _device, token = enrol(engine, "lobi-1", "internal", actor=Actor.cli("test"))
    start_app(dash_duo, app)
    began = clock_kit.now()
    dash_duo.wait_for_page(f"{dash_duo.server_url}/wall?device={token}&screen=alerts")
    dash_duo.wait_for_element("#wall-root")
    polls = "return window.performance.getEntriesByType('resource').filter(e => e.name.indexOf('_dash-update-component') >= 0).length"
    for jump in (timedelta(minutes=10, seconds=5), timedelta(days=3)):
        with time_machine.travel(began + jump, tick=True):
            seen = dash_duo.driver.execute_script(polls)
            dash_duo._wait_for(
                lambda d, seen=seen: d.execute_script(polls) >= seen + 4,
                timeout=20,
                msg="the wall stopped polling",
            )
    assert not dash_duo.driver.find_elements("css selector", "#odsk-unenrolled")
    assert "wall-offline" not in dash_duo.driver.execute_script(
        "return document.documentElement.className"
    )
    with engine.connect() as conn:
        (device,) = list_devices(conn)
    assert device.last_seen_at is not None  # its heartbeat went through
    revoke(engine, "lobi-1", actor=Actor.cli("test"))
    dash_duo.wait_for_contains_text(
        "#odsk-unenrolled", "tidak dikenal atau telah dicabut", timeout=10
    )
