"""The access matrix: every principal × every page, every server callback (and each of its
writing triggers), every route — on SQLite and PostgreSQL.

The cells are generated from the app's own registry (``dash.page_registry``,
``app.callback_map``, ``server.url_map``); the expectations below are written out by hand.
A page, callback, trigger or route that the registry has and this table has not fails
``test_every_registered_thing_has_an_expectation``: a new callback needs a rule *and* a line here.
"""

from __future__ import annotations

import json
from pathlib import Path

import dash
import pytest
from access_kit import PASSWORD, add_user, csrf_header, login, outputs_of
from analyst_kit import route
from sqlalchemy import select

ROLES = ("viewer", "analyst", "operator", "skpd_officer", "admin")
PRINCIPALS = ("anonymous", *ROLES, "device")
EVERYONE = frozenset(PRINCIPALS)
PEOPLE = frozenset(ROLES)
WALL = PEOPLE | {"device"}
OPS = frozenset({"operator", "skpd_officer", "admin"})
ACT = frozenset({"operator", "admin"})
GOVERNORS_OFFICE = frozenset({"analyst", "admin"})  # opens, closes, reopens follow-ups
SKPD_ANSWER = frozenset({"skpd_officer", "admin"})
NOBODY: frozenset[str] = frozenset()

# --- expectations, written out ---------------------------------------------------------

PAGES = {
    "/": PEOPLE,
    "/brief": PEOPLE,
    "/alerts": PEOPLE,
    # Everyone signed in; an skpd_officer sees their own SKPDs' items only (test_followup_page).
    "/followup": PEOPLE,
    "/domain/<domain_id>": PEOPLE,
    "/indicator/<code>": PEOPLE,
    "/region/<code>": PEOPLE,
    "/provenance/<obs_id>": PEOPLE,
    "/ops/sources": OPS,
    "/ops/compliance": PEOPLE,
    "/ops/upload": frozenset({"skpd_officer", "admin"}),
    "/ops/screens": ACT,
    "/ops/audit": frozenset({"admin"}),
    "/wall": WALL,
    "/wall/grid": WALL,
    # The public open-data catalogue (tests/test_opendata_browser.py).
    "/data": EVERYONE,
    "/data/<code>": EVERYONE,
}
PAGE_URLS = {
    "/domain/<domain_id>": "/domain/living",
    "/indicator/<code>": "/indicator/LIV.STUNTING",
    "/region/<code>": "/region/71.71",
    "/provenance/<obs_id>": "/provenance/1",
    "/data/<code>": "/data/LIV.STUNTING",
}

# callback (module.function) → {"read": who may call it, trigger component: who may fire it}
CALLBACKS = {
    "layouts.overview.filter_changed": {"read": PEOPLE},
    "layouts.followup.filter_changed": {"read": PEOPLE},
    "layouts.followup.show_file_name": {"read": PEOPLE},
    "layouts.followup.open_item": {"read": PEOPLE, "fu-new-submit": GOVERNORS_OFFICE},
    "layouts.followup.answer_item": {"read": PEOPLE, "fu-answer-submit": SKPD_ANSWER},
    "layouts.followup.close_or_reopen": {
        "read": PEOPLE,
        "fu-close": GOVERNORS_OFFICE,
        "fu-reopen": GOVERNORS_OFFICE,
    },
    "layouts.alerts.open_or_cancel_silence": {"read": PEOPLE, "alert-silence-open": ACT},
    "layouts.alerts.silence": {"read": PEOPLE, "alerts-silence-confirm": ACT},
    "layouts.alerts.lift": {"read": PEOPLE, "silence-lift": ACT},
    "layouts.alerts.open_or_cancel": {"read": PEOPLE, "alert-ack-open": ACT},
    "layouts.alerts.refresh_or_acknowledge": {"read": PEOPLE, "alerts-ack-confirm": ACT},
    "layouts.alerts.add_to_shift_log": {"read": PEOPLE, "shift-add": ACT},
    "layouts.indicator_callbacks.sync_url": {"read": PEOPLE},
    "layouts.indicator_callbacks.draw_series": {"read": PEOPLE},
    "layouts.indicator_callbacks.settle_period": {"read": PEOPLE},
    "layouts.indicator_callbacks.draw_period": {"read": PEOPLE},
    "layouts.indicator_callbacks.toggle_region": {"read": PEOPLE},
    "layouts.indicator_callbacks.show_provenance": {"read": PEOPLE},
    "layouts.indicator_callbacks.add_note": {
        "read": PEOPLE,
        "ind-note-add": frozenset({"analyst", "admin"}),
    },
    # An export of an internal indicator (LIV.KEMATIAN-IBU): analysts and admins only.
    "layouts.indicator_callbacks.export_excel": {
        "read": frozenset({"analyst", "admin"}),
        "ind-xlsx": frozenset({"analyst", "admin"}),
    },
    "layouts.ops_compliance.export": {"read": PEOPLE},
    "layouts.ops_screens.act": {
        "read": ACT,
        "wall-ops-reload": ACT,
        "wall-ops-forget": frozenset({"admin"}),
    },
    "layouts.ops_screens.enrol_screen": {"read": ACT, "enrol-submit": ACT},
    "layouts.ops_screens.revoke_screen": {
        "read": frozenset({"admin"}),
        "enrol-revoke": frozenset({"admin"}),
    },
    "layouts.ops_sources.refresh": {"read": OPS},
    # The source is Dinkes': the skpd_officer (bound to dinkes) may.
    "layouts.upload.show_preview": {"read": frozenset({"skpd_officer", "admin"})},
    "layouts.upload.confirm": {
        "read": frozenset({"skpd_officer", "admin"}),
        "upload-confirm": frozenset({"skpd_officer", "admin"}),
    },
    "layouts.wall.check_versions": {"read": WALL},
    "layouts.wall.redraw": {"read": WALL},
    "layouts.wall.refresh_ages_and_health": {"read": WALL},
    "layouts.wall.heartbeat": {"read": WALL},
    # Dash's pages router: decided by the page it is asked for (here "/"; every page in
    # test_pages).
    "dash.dash.update": {"read": PEOPLE},
}
# Values the callbacks get (everything else None): what they act on.
VALUES = {
    "ind-page.data": {"code": "LIV.KEMATIAN-IBU", "lang": "id"},
    "upload-source.value": "dinkes-sik",
    "wall-ops-lang.data": "id",
    "alerts-lang.data": "id",
    "_pages_location.pathname": "/",
}

ROUTES = {
    "/login": EVERYONE,
    "/logout": EVERYONE,
    "/healthz": EVERYONE,
    "/metrics": ACT,
    "/brief/export.pdf": PEOPLE,
    "/brief/export.xlsx": PEOPLE,
    "/brief/archive/<name>": PEOPLE,
    "/followup/export.xlsx": PEOPLE,
    "/followup/attachment/<int:item_id>/<sha>": PEOPLE,
    "/analyst/boundaries.geojson": PEOPLE,
    "/analyst/payload/<sha256>": frozenset({"analyst", "skpd_officer", "admin"}),
    "/ops/audit/export.xlsx": frozenset({"admin"}),
    "/_reload-hash": NOBODY,  # Dash's hot reload: off outside development
    # The navigation bar's search index: what the principal may read (tests/test_search.py).
    "/_odsk/search-<lang>.json": PEOPLE,
    # The open-data API: public data for anyone (tests/test_opendata_api.py).
    "/api/v1/datasets": EVERYONE,
    "/api/v1/datasets/<code>": EVERYONE,
    "/api/v1/datasets/<code>/observations": EVERYONE,
    "/api/v1/domains/<domain_id>/latest": EVERYONE,
    "/api/v1/compliance": EVERYONE,
    "/api/v1/<path:rest>": EVERYONE,  # a problem JSON 404 for any other address
    "/api/v1/openapi.json": EVERYONE,
    "/api/v1/docs": EVERYONE,
    "/api/v1/": EVERYONE,  # the API's root: its addresses, or the docs for a browser
    # Harvestable metadata (tests/test_opendata_harvest.py): DCAT and the CKAN read subset.
    "/data/catalog.jsonld": EVERYONE,
    # Panels the provincial website frames (tests/test_opendata_embed.py).
    "/embed/indicator/<code>": EVERYONE,
    "/embed/domain/<domain_id>": EVERYONE,
    **{
        f"{prefix}/{action}": EVERYONE
        for prefix in ("/api/3/action", "/api/action")
        for action in ("package_list", "package_show", "datastore_search")
    },
}
# Code and assets, no data: open to everyone.
INFRASTRUCTURE = {
    "/static/<path:filename>",
    "/assets/<path:filename>",
    "/vendor/bootstrap5/<path:filename>",
    "/_dash-component-suites/<string:package_name>/<path:fingerprinted_path>",
    "/_dash-layout",
    "/_dash-dependencies",
    "/_favicon.ico",
    "/_odsk/plotly-locale-id.js",  # Plotly's Indonesian words
    "/_dash-component-suites/plotly/package_data/plotly.min.js",  # Plotly's cartesian bundle
    "/vendor/swagger-ui/<path:filename>",  # Swagger UI for the API docs page
    "/_odsk/opendata/<path:filename>",  # the open-data pages' own scripts
    "/_dash-update-component",  # each callback is decided by its own rule (above)
    "/",
    "/<path:path>",  # the pages (above)
}
# Only with an SSO issuer configured (tests/test_access_oidc_browser.py).
SSO = {"/login/sso", "/login/sso/callback"}
ROUTE_URLS = {
    "/brief/archive/<name>": "/brief/archive/brief-2026-W01.pdf",
    "/analyst/payload/<sha256>": "/analyst/payload/" + "0" * 64,
    "/_odsk/search-<lang>.json": "/_odsk/search-id.json",
    "/followup/attachment/<int:item_id>/<sha>": "/followup/attachment/1/" + "0" * 64,
    "/api/v1/datasets/<code>": "/api/v1/datasets/LIV.STUNTING",
    "/api/v1/datasets/<code>/observations": "/api/v1/datasets/LIV.STUNTING/observations",
    "/api/v1/domains/<domain_id>/latest": "/api/v1/domains/living/latest",
    "/api/v1/<path:rest>": "/api/v1/nothing",
    "/embed/indicator/<code>": "/embed/indicator/LIV.STUNTING",
    "/embed/domain/<domain_id>": "/embed/domain/living",
}


# --- the app and its principals --------------------------------------------------------


@pytest.fixture
def matrix(database_url, tmp_path):
    from dashboard.access.devices import enrol
    from dashboard.settings import Settings
    from dashboard.webapp import context_of, create_app

    app = create_app(Settings(database_url=database_url, data_dir=tmp_path))
    engine = context_of(app).engine
    clients = {}
    for principal in PRINCIPALS:
        client = app.server.test_client()
        if principal in ROLES:
            name = add_user(engine, principal, skpds=("dinkes",))
            assert login(client, name, PASSWORD).status_code == 302
        clients[principal] = client
    _device, token = enrol(engine, "matrix-screen", "internal", actor=_cli())
    yield app, engine, clients, token
    engine.dispose()


def _cli():
    from dashboard.access.audit import Actor

    return Actor.cli("test")


def _name(spec: dict) -> str:
    func = spec["callback"]
    func = getattr(func, "__wrapped__", func)
    return f"{func.__module__}.{func.__name__}"


def _entries(specs: list[dict], trigger: str | None) -> tuple[list, list[str]]:
    entries, changed = [], []
    for spec in specs:
        ident, prop = spec["id"], spec["property"]
        if ident.startswith("{"):
            pattern = json.loads(ident)
            if pattern.get("type") == trigger:
                concrete = {k: (1 if v == ["ALL"] else v) for k, v in pattern.items()}
                entries.append([{"id": concrete, "property": prop, "value": 1}])
                changed.append(
                    json.dumps(concrete, separators=(",", ":"), sort_keys=True) + f".{prop}"
                )
            else:
                entries.append([])
            continue
        value = 1 if ident == trigger else VALUES.get(f"{ident}.{prop}")
        entries.append({"id": ident, "property": prop, "value": value})
        if ident == trigger:
            changed.append(f"{ident}.{prop}")
    return entries, changed


def _request(key: str, spec: dict, trigger: str | None) -> dict:
    inputs, changed = _entries(spec["inputs"], trigger)
    state, _ = _entries(spec.get("state", []), None)
    return {
        "output": key,
        "outputs": outputs_of(key),
        "inputs": inputs,
        "state": state,
        "changedPropIds": changed,
    }


def _headers(principal: str, client, token: str) -> dict:
    headers = csrf_header(client)
    if principal == "device":
        headers["X-ODSK-Device"] = token
    return headers


def _denied(response) -> bool:
    assert response.status_code != 500, response.get_data(as_text=True)[:500]
    return response.status_code in (401, 403)


# --- the tests ---------------------------------------------------------------------------


def test_every_registered_thing_has_an_expectation(matrix):
    app = matrix[0]
    from dashboard.access.rules import missing_rules, registry

    assert missing_rules(app) == []
    pages = {p["path_template"] or p["path"] for p in dash.page_registry.values()}
    assert pages == set(PAGES), "a page without an expectation in PAGES (or one gone)"
    rules = registry(app.server).callbacks
    seen = set()
    for key, spec in app.callback_map.items():
        if "callback" not in spec:
            continue  # clientside: never reaches the server
        name = _name(spec)
        seen.add(name)
        assert name in CALLBACKS, f"callback {name} has no expectation in CALLBACKS"
        triggers = set(CALLBACKS[name]) - {"read"}
        missing = set(rules[key].on) - triggers
        assert not missing, f"{name}: writing triggers {missing} have no expectation"
    assert seen == set(CALLBACKS)
    routes = {r.rule for r in app.server.url_map.iter_rules()}
    assert routes - SSO == set(ROUTES) | INFRASTRUCTURE


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_pages(matrix, principal):
    _app, _engine, clients, token = matrix
    client = clients[principal]
    for template, allowed in PAGES.items():
        url = PAGE_URLS.get(template, template)
        device = principal == "device"
        get = client.get(url + (f"?device={token}" if device else ""))
        router = route(client, url, headers=_headers(principal, client, token))
        expect = principal in allowed
        assert get.status_code == (200 if expect else 302 if principal == "anonymous" else 403), (
            principal,
            url,
            get.status_code,
        )
        assert _denied(router) != expect, (principal, url, router.status_code)


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_callbacks(matrix, principal):
    app, engine, clients, token = matrix
    client = clients[principal]
    cells = 0
    for key, spec in app.callback_map.items():
        if "callback" not in spec:
            continue
        name = _name(spec)
        for trigger, allowed in CALLBACKS[name].items():
            body = _request(key, spec, None if trigger == "read" else trigger)
            before = _denials(engine)
            response = client.post(
                "/_dash-update-component", json=body, headers=_headers(principal, client, token)
            )
            cells += 1
            assert _denied(response) != (principal in allowed), (
                principal,
                name,
                trigger,
                response.status_code,
            )
            if _denied(response):
                message = response.get_json()["odsk"]["message"]
                assert message["id"] and message["en"] and message["id"] != message["en"]
                if trigger != "read" and principal in ROLES:
                    # A refused action leaves a trace in the audit trail.
                    assert _denials(engine) == before + 1, (principal, name, trigger)
    assert cells == sum(len(v) for v in CALLBACKS.values())


def _denials(engine) -> int:
    from dashboard.store.access_tables import AuditEntry

    t = AuditEntry.__table__
    with engine.connect() as conn:
        return len(conn.execute(select(t.c.id).where(t.c.outcome == "denied")).all())


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_routes(matrix, principal):
    _app, _engine, clients, token = matrix
    client = clients[principal]
    for rule, allowed in ROUTES.items():
        url = ROUTE_URLS.get(rule, rule)
        headers = {"X-ODSK-Device": token} if principal == "device" else {}
        if rule == "/logout":
            continue  # a POST; tested with sign-out
        response = client.get(url, headers=headers)
        denied = response.status_code in (401, 403) or (
            response.status_code == 302 and "/login" in response.headers.get("Location", "")
        )
        if rule == "/_reload-hash":
            assert response.status_code == 404
            continue
        assert response.status_code != 500, (principal, url)
        assert denied != (principal in allowed), (principal, url, response.status_code)


def test_matrix_size(matrix):
    """The note on issue 12 gives this number."""
    per_principal = len(PAGES) * 2 + sum(len(v) for v in CALLBACKS.values()) + len(ROUTES) - 1
    size = per_principal * len(PRINCIPALS)
    Path(matrix[0].server.root_path)  # the app is there
    assert size > 400
