"""The open-data REST API (/api/v1): what anonymous callers and API keys may read, filters in
both region code systems, cursor pagination, CSV, conditional requests, rate limits and
RFC 9457 problems for every kind of bad input — on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from sqlalchemy import event, select

PUBLIC = "LIV.STUNTING"
INTERNAL = "LIV.KEMATIAN-IBU"
RESTRICTED = "GOV.DISIPLIN-ASN"
OBS = f"/api/v1/datasets/{PUBLIC}/observations"


@pytest.fixture
def api(database_url, tmp_path):
    from analyst_kit import seed_store

    from dashboard.settings import Settings
    from dashboard.webapp import context_of, create_app

    settings = Settings(database_url=database_url, data_dir=tmp_path)
    seed_store(database_url, settings.payload_dir, since=2025, today=date(2026, 10, 20))
    app = create_app(settings)
    yield app, context_of(app)
    context_of(app).engine.dispose()


def _key(context, name, role="analyst", clearance="internal"):
    from dashboard.access.api_keys import create_key
    from dashboard.store.audit import Actor

    _row, key = create_key(context.engine, name, role, clearance, actor=Actor.cli("cli:test"))
    return key


def test_anonymous_callers_see_public_datasets_only(api):
    app, context = api
    client = app.server.test_client()
    body = client.get("/api/v1/datasets").get_json()
    ids = {d["id"] for d in body["data"]}
    public = {i.code for i in context.catalogue.indicators if i.classification == "public"}
    assert ids == public and body["meta"]["count"] == len(public)
    assert INTERNAL not in ids and RESTRICTED not in ids
    one = client.get(f"/api/v1/datasets/{PUBLIC}").get_json()["data"]
    assert one["producer"]["id"] == "dinkes" and one["walidata"]["id"] == "diskominfo"
    assert {"code": "71.07", "bps_code": "7109", "name": "Kab. Minahasa Tenggara"} in one["regions"]
    assert one["latest_period"] and one["last_update"] and one["next_expected_update"]
    # Internal and restricted datasets do not exist for anonymous callers: the same 404.
    for code in (INTERNAL, RESTRICTED, "NO.SUCH"):
        for url in (f"/api/v1/datasets/{code}", f"/api/v1/datasets/{code}/observations"):
            reply = client.get(url)
            assert reply.status_code == 404, url
            assert reply.mimetype == "application/problem+json"
            assert reply.get_json()["type"] == "urn:odsk:problem:not_found.dataset"


def test_an_api_key_reads_what_its_role_may(api):
    from dashboard.access.api_keys import revoke_key
    from dashboard.store.access_tables import AuditEntry
    from dashboard.store.audit import Actor

    app, context = api
    client = app.server.test_client()
    analyst = _key(context, "portal-analyst")
    headers = {"X-API-Key": analyst}
    assert client.get(f"/api/v1/datasets/{INTERNAL}", headers=headers).status_code == 200
    # Restricted: an analyst is not among its readers (the catalogue's rule, may_read).
    assert client.get(f"/api/v1/datasets/{RESTRICTED}", headers=headers).status_code == 404
    admin = _key(context, "steward", role="admin", clearance="restricted")
    assert (
        client.get(f"/api/v1/datasets/{RESTRICTED}", headers={"X-API-Key": admin}).status_code
        == 200
    )
    public_only = _key(context, "public-only", clearance="public")
    assert (
        client.get(f"/api/v1/datasets/{INTERNAL}", headers={"X-API-Key": public_only}).status_code
        == 404
    )
    # A key opens no page: it speaks for /api/ only.
    assert client.get("/ops/audit", headers=headers).status_code in (302, 401)
    revoke_key(context.engine, "portal-analyst", actor=Actor.cli("cli:test"))
    context.engine.dispose()  # nothing cached in the pool; the guard's 2 s memory:
    from dashboard.access.cache import TtlCache

    app.server.extensions["odsk_access_cache"] = TtlCache()
    reply = client.get(f"/api/v1/datasets/{INTERNAL}", headers=headers)
    assert reply.status_code == 401 and reply.get_json()["type"].endswith("unauthorized.key")
    t = AuditEntry.__table__
    with context.engine.connect() as conn:
        actions = [
            r.action for r in conn.execute(select(t.c.action).where(t.c.action.like("apikey.%")))
        ]
    assert actions.count("apikey.create") == 3 and actions.count("apikey.revoke") == 1
    with context.engine.connect() as conn:
        stored = conn.execute(select(t.c.after).where(t.c.subject == "steward")).scalar_one()
    assert analyst.split(".")[-1] not in str(stored)  # the secret is never kept


def test_regions_in_either_code_system_and_the_cursor_walks_every_row(api):
    app, _context = api
    client = app.server.test_client()
    # 71.07 is BPS 7109: the code systems differ for five regencies.
    by_bps = client.get(OBS + "?region=7109&grain=month").get_json()["data"]
    by_kemendagri = client.get(OBS + "?region=71.07&grain=month").get_json()["data"]
    assert by_bps == by_kemendagri and by_bps
    assert {r["region_code"] for r in by_bps} == {"71.07"}
    assert {r["region_bps_code"] for r in by_bps} == {"7109"}
    whole = client.get(OBS + "?page_size=10000&from=2025-03&to=2025-08").get_json()
    assert whole["meta"]["next_cursor"] is None
    assert {r["period"] for r in whole["data"]} == {f"2025-{m:02d}-01" for m in range(3, 9)}
    walked, url, pages = [], OBS + "?page_size=7&from=2025-03&to=2025-08", 0
    while url:
        reply = client.get(url)
        page = reply.get_json()
        walked += page["data"]
        pages += 1
        url = page["links"]["next"]
        assert (reply.headers.get("Link") is not None) == (url is not None)
    assert walked == whole["data"] and pages == -(-len(walked) // 7)


def test_csv_by_accept_or_format_holds_the_json_rows(api):
    app, _context = api
    client = app.server.test_client()
    rows = client.get(OBS + "?region=71&page_size=50").get_json()["data"]
    for reply in (
        client.get(OBS + "?region=71&page_size=50&format=csv"),
        client.get(OBS + "?region=71&page_size=50", headers={"Accept": "text/csv"}),
    ):
        assert reply.mimetype == "text/csv"
        table = list(csv.DictReader(io.StringIO(reply.get_data(as_text=True))))
        assert [r["period"] for r in table] == [r["period"] for r in rows]
        assert [float(r["value"]) for r in table] == [r["value"] for r in rows]
    listing = client.get("/api/v1/datasets?format=csv")
    assert listing.mimetype == "text/csv" and PUBLIC in listing.get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "status", "problem", "parameter"),
    [
        ("?region=71.99", 404, "not_found.region", "region"),
        ("?region=7199", 404, "not_found.region", "region"),
        ("?region=Manado", 400, "bad.region", "region"),
        ("?from=2025&to=2024", 400, "bad.period_reversed", "from"),
        ("?from=1970&to=2024", 400, "bad.period_long", "to"),
        ("?from=2025-13", 400, "bad.period", "from"),
        ("?to=yesterday", 400, "bad.period", "to"),
        ("?page_size=10001", 400, "bad.page_size", "page_size"),
        ("?page_size=0", 400, "bad.page_size", "page_size"),
        ("?cursor=not-a-cursor", 400, "bad.cursor", "cursor"),
        ("?cursor=WzEsMl0", 400, "bad.cursor", "cursor"),  # [1,2]
        ("?format=xml", 400, "bad.format", "format"),
        ("?grain=week", 400, "bad.grain", "grain"),
        ("?region=71%27%3B%20DROP%20TABLE%20observation%3B--", 400, "bad.region", "region"),
        ("?grain=%3Cscript%3Ealert(1)%3C%2Fscript%3E", 400, "bad.grain", "grain"),
    ],
)
def test_bad_input_is_a_problem_that_says_what(api, query, status, problem, parameter):
    app, _context = api
    client = app.server.test_client()
    reply = client.get(OBS + query, headers={"Accept-Language": "en"})
    assert reply.status_code == status
    body = reply.get_json()
    assert reply.mimetype == "application/problem+json"
    assert body["type"] == f"urn:odsk:problem:{problem}" and body["status"] == status
    assert body["parameter"] == parameter and body["detail"]
    assert reply.headers["Content-Language"] == "en"
    indonesian = client.get(OBS + query + "&lang=id", headers={"Accept-Language": "en"}).get_json()
    assert indonesian["detail"] != body["detail"] and indonesian["title"] != body["title"]


def test_script_in_a_free_text_parameter_is_a_normal_empty_answer(api):
    app, _context = api
    client = app.server.test_client()
    reply = client.get("/api/v1/datasets?q=%27%20OR%201%3D1--%3Cscript%3E")
    assert reply.status_code == 200 and reply.get_json()["data"] == []


def test_a_304_reads_no_observation_and_a_new_version_changes_the_validator(api):
    from dashboard.store.engine import begin_write
    from dashboard.versions import bump

    app, context = api
    client = app.server.test_client()
    first = client.get(OBS + "?region=71")
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "public, max-age=60"
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(context.engine, "before_cursor_execute", seen)
    try:
        again = client.get(OBS + "?region=71", headers={"If-None-Match": etag})
    finally:
        event.remove(context.engine, "before_cursor_execute", seen)
    assert again.status_code == 304 and again.get_data() == b""
    assert statements and not any("observation" in s for s in statements), statements
    reads = [s for s in statements if s.strip().upper() != "BEGIN"]
    assert len(reads) == 1 and "data_version" in reads[0], statements
    with begin_write(context.engine) as conn:
        bump(conn, ["domain:living"])
    after = client.get(OBS + "?region=71", headers={"If-None-Match": etag})
    assert after.status_code == 200 and after.headers["ETag"] != etag
    modified = after.headers["Last-Modified"]
    assert (
        client.get(OBS + "?region=71", headers={"If-Modified-Since": modified}).status_code == 304
    )
    # Another format or language is another representation.
    assert (
        client.get(
            OBS + "?region=71&format=csv", headers={"If-None-Match": after.headers["ETag"]}
        ).status_code
        == 200
    )


def test_latest_by_domain_and_compliance(api):
    app, context = api
    client = app.server.test_client()
    latest = client.get("/api/v1/domains/living/latest?region=7171").get_json()
    assert latest["region"]["code"] == "71.71"
    codes = [r["dataset"] for r in latest["data"]]
    assert PUBLIC in codes and INTERNAL not in codes
    assert all(
        r["status"] in ("on_track", "at_risk", "behind", "no_target", "no_data")
        for r in latest["data"]
    )
    assert client.get("/api/v1/domains/nowhere/latest").status_code == 404
    summary = client.get("/api/v1/compliance?month=2026-09").get_json()
    assert summary["month"] == "2026-09"
    assert {r["skpd"] for r in summary["data"]} == {s.id for s in context.catalogue.skpd}
    assert client.get("/api/v1/compliance?month=2026-9").status_code == 400
    assert client.get("/api/v1/no/such/thing").status_code == 404


def test_rate_limit_per_client_with_retry_after(database_url, tmp_path):
    from dashboard.settings import Settings
    from dashboard.store.migrate import upgrade
    from dashboard.webapp import context_of, create_app

    upgrade(database_url)
    app = create_app(
        Settings(database_url=database_url, data_dir=tmp_path, api_rate_limit="3 per minute")
    )
    client = app.server.test_client()
    for _ in range(3):
        assert client.get("/api/v1/datasets").status_code == 200
    refused = client.get("/api/v1/datasets?lang=en")
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.get_json()["type"] == "urn:odsk:problem:too_many.detail"
    # An API key is its own client.
    key = _key(context_of(app), "portal")
    assert client.get("/api/v1/datasets", headers={"X-API-Key": key}).status_code == 200
    context_of(app).engine.dispose()


def test_the_cli_creates_and_revokes_keys_with_audit_rows(database_url, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from dashboard.cli import main
    from dashboard.store.access_tables import AuditEntry
    from dashboard.store.engine import make_engine
    from dashboard.store.migrate import upgrade

    upgrade(database_url)
    monkeypatch.setenv("ODSK_DATABASE_URL", database_url)
    monkeypatch.setenv("ODSK_DATA_DIR", str(tmp_path))
    runner = CliRunner()
    made = runner.invoke(main, ["apikey", "create", "satudata-portal", "--role", "viewer"])
    assert made.exit_code == 0, made.output
    assert "odskapi_" in made.output
    assert (
        runner.invoke(main, ["apikey", "create", "satudata-portal", "--role", "viewer"]).exit_code
        == 1
    )
    assert runner.invoke(main, ["apikey", "revoke", "satudata-portal"]).exit_code == 0
    assert runner.invoke(main, ["apikey", "revoke", "satudata-portal"]).exit_code == 1
    engine = make_engine(database_url)
    t = AuditEntry.__table__
    with engine.connect() as conn:
        rows = conn.execute(
            select(t.c.action, t.c.actor_kind).where(t.c.subject == "satudata-portal")
        ).all()
    engine.dispose()
    assert sorted(r.action for r in rows) == ["apikey.create", "apikey.revoke"]
    assert {r.actor_kind for r in rows} == {"cli"}
