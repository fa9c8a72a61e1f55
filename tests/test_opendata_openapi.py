"""The OpenAPI 3.1 document describes the live API: schemathesis generates requests from it
against the served app and finds no server error, no answer outside the document (status,
content type, headers, body schema) and none slower than 1 s. The docs page is local."""

from __future__ import annotations

import threading
from datetime import date

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from werkzeug.serving import make_server

CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@pytest.fixture(scope="module")
def live_api(tmp_path_factory):
    """The app, served over HTTP in a thread, on a store with two years of every series."""
    from analyst_kit import seed_store

    from dashboard.settings import Settings
    from dashboard.webapp import context_of, create_app

    root = tmp_path_factory.mktemp("openapi")
    url = f"sqlite:///{root}/store.sqlite3"
    settings = Settings(database_url=url, data_dir=root, api_rate_limit="100000 per minute")
    seed_store(url, settings.payload_dir, since=2025, today=date(2026, 10, 20))
    app = create_app(settings)
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    context_of(app).engine.dispose()


@pytest.fixture(scope="module")
def api_schema(live_api):
    schema = schemathesis.openapi.from_url(f"{live_api}/api/v1/openapi.json")
    schema.config.base_url = f"{live_api}/api/v1"
    return schema


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_live_api_keeps_its_document(api_schema, mode):
    """Every operation, valid and invalid requests (schemathesis' pytest plugin does not load
    under this pytest, so its Python API drives hypothesis here)."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 5
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
        def run(case):
            response = case.call_and_validate(checks=CHECKS)
            # Nothing pathological (a hang, a scan); the 1 s figure is bench/opendata.py's, on a
            # quiet machine: a loaded CI machine must not fail this test.
            assert response.elapsed < 10.0, (case.path, case.query, response.elapsed)

        run()


def test_the_document_is_openapi_31_generated_from_the_routes(live_api):
    import requests

    from dashboard.opendata.api import PREFIX, VIEWS

    doc = requests.get(f"{live_api}/api/v1/openapi.json", timeout=10).json()
    assert doc["openapi"].startswith("3.1")
    documented = {PREFIX + p.replace("{", "<").replace("}", ">") for p in doc["paths"]}
    assert documented == {path for path, _endpoint, _view in VIEWS}
    assert "Dataset" in doc["components"]["schemas"]


def test_the_docs_page_loads_only_local_assets_under_the_csp(live_api):
    import re

    import requests

    page = requests.get(f"{live_api}/api/v1/docs?lang=en", timeout=10)
    assert page.status_code == 200
    policy = page.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(s.startswith("/") for s in sources)
    assert "<script>" not in page.text  # no inline script
    for source in sources:
        assert requests.get(live_api + source, timeout=10).status_code == 200, source


def test_the_api_root_sends_a_browser_to_the_docs_and_a_client_its_addresses(live_api):
    import requests

    browser = requests.get(
        f"{live_api}/api/v1", headers={"Accept": "text/html,*/*;q=0.8"}, timeout=10
    )
    assert browser.url.endswith("/api/v1/docs") and browser.status_code == 200
    client = requests.get(f"{live_api}/api/v1/", headers={"Accept": "application/json"}, timeout=10)
    assert client.json()["openapi"] == "/api/v1/openapi.json"
    assert requests.get(client.url.split("/api/v1")[0] + client.json()["datasets"], timeout=10).ok
