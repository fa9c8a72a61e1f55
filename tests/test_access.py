"""Sign-in, sessions, throttling, devices, classification, audit, headers — over HTTP, on
the real app (SQLite and PostgreSQL where the store matters)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from access_kit import PASSWORD, add_user, call, csrf_header, login
from sqlalchemy import select, text

from dashboard.access.cache import TTL_SECONDS

RESTRICTED = "GOV.DISIPLIN-ASN"


@pytest.fixture
def app(database_url, tmp_path):
    from dashboard.settings import Settings
    from dashboard.webapp import context_of, create_app

    app = create_app(Settings(database_url=database_url, data_dir=tmp_path))
    yield app
    context_of(app).engine.dispose()


def _engine(app):
    from dashboard.webapp import context_of

    return context_of(app).engine


def _audit(app, **where):
    from dashboard.store.access_tables import AuditEntry

    t = AuditEntry.__table__
    statement = select(t).order_by(t.c.id)
    for key, value in where.items():
        statement = statement.where(t.c[key] == value)
    with _engine(app).connect() as conn:
        return conn.execute(statement).all()


# --- sign-in ---------------------------------------------------------------------------


def test_sign_in_and_out(app):
    client = app.server.test_client()
    name = add_user(_engine(app), "viewer")
    assert client.get("/").status_code == 302
    response = login(client, name)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    cookie = client.get_cookie("odsk_session")
    assert cookie.http_only and cookie.same_site == "Lax"
    assert client.get("/").status_code == 200
    token = csrf_header(client)["X-CSRFToken"]
    out = client.post("/logout", data={"csrf_token": token})
    assert out.status_code == 302 and "out=1" in out.headers["Location"]
    assert client.get("/").status_code == 302
    actions = [r.action for r in _audit(app, actor=name)]
    assert actions == ["session.sign_in", "session.sign_out"]


def test_wrong_password_and_unknown_account_read_the_same(app):
    name = add_user(_engine(app), "viewer")
    wrong = login(app.server.test_client(), name, "not the password at all")
    unknown = login(app.server.test_client(), "nobody-here", "not the password at all")
    assert wrong.status_code == unknown.status_code == 401
    for response in (wrong, unknown):
        assert "Nama pengguna atau kata sandi salah." in response.get_data(as_text=True)
    english = login(app.server.test_client(), name, "nope nope nope", lang="en")
    assert "Wrong username or password." in english.get_data(as_text=True)
    denied = _audit(app, action="session.sign_in", outcome="denied")
    assert [r.subject for r in denied] == [name, "nobody-here", name]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_wrong_password_five_times_throttles_the_account(app, lang):
    name = add_user(_engine(app), "operator")
    client = app.server.test_client()
    codes = [login(client, name, f"wrong password {i}", lang=lang).status_code for i in range(6)]
    assert codes == [401] * 5 + [429]
    page = login(client, name, PASSWORD, lang=lang)  # even the right password waits now
    assert page.status_code == 429
    message = {
        "id": "Terlalu banyak percobaan masuk",
        "en": "Too many sign-in attempts",
    }[lang]
    assert message in page.get_data(as_text=True)
    # Another account from elsewhere is not affected by this account's counter.
    other = add_user(_engine(app), "viewer")
    assert login(app.server.test_client(), other, PASSWORD).status_code == 302


@pytest.mark.redis
def test_throttle_counts_in_redis_across_workers(sqlite_url, tmp_path, redis_url):
    from dashboard.settings import Settings
    from dashboard.webapp import create_app

    settings = Settings(database_url=sqlite_url, data_dir=tmp_path, redis_url=redis_url)
    one, two = create_app(settings), create_app(settings)  # two workers
    from dashboard.webapp import context_of

    name = add_user(context_of(one).engine, "viewer")
    codes = [
        login((one if i % 2 else two).server.test_client(), name, f"bad {i}").status_code
        for i in range(6)
    ]
    assert codes[-1] == 429


def test_a_hung_redis_does_not_stall_sign_in(sqlite_url, tmp_path):
    """A Redis that accepts the connection but never answers: sign-in still works, quickly
    bounded by the short socket timeouts, counting in memory meanwhile."""
    import socket

    from dashboard.settings import Settings
    from dashboard.webapp import context_of, create_app

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    try:
        port = silent.getsockname()[1]
        app = create_app(
            Settings(
                database_url=sqlite_url, data_dir=tmp_path, redis_url=f"redis://127.0.0.1:{port}/0"
            )
        )
        name = add_user(context_of(app).engine, "viewer")
        assert login(app.server.test_client(), name).status_code == 302
    finally:
        silent.close()


def test_tampered_or_foreign_session_cookie_is_signed_out_cleanly(app):
    client = app.server.test_client()
    name = add_user(_engine(app), "admin")
    login(client, name)
    value = client.get_cookie("odsk_session").value
    client.set_cookie("odsk_session", value[:-3] + ("AAA" if not value.endswith("AAA") else "BBB"))
    response = client.get("/ops/audit")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    forged = call(client, "sc-location.search")
    assert forged.status_code in (401, 403)


def test_idle_session_ends_and_says_so(app):
    client = app.server.test_client()
    name = add_user(_engine(app), "viewer")
    start = datetime(2026, 10, 5, 8, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as clock:
        login(client, name)
        assert client.get("/").status_code == 200
        clock.shift(timedelta(minutes=59))
        assert client.get("/").status_code == 200  # activity keeps it alive
        clock.shift(timedelta(minutes=61))
        response = client.get("/")
        assert response.status_code == 302 and "ended=1" in response.headers["Location"]
        page = client.get(response.headers["Location"])
        assert "Sesi Anda telah berakhir" in page.get_data(as_text=True)


def test_password_change_signs_out_everywhere(app, clock):
    from dashboard.access.accounts import reset_password

    name = add_user(_engine(app), "operator")
    laptop, phone = app.server.test_client(), app.server.test_client()
    login(laptop, name)
    login(phone, name)
    assert laptop.get("/alerts").status_code == phone.get("/alerts").status_code == 200
    reset_password(_engine(app), name, "a brand new long password")
    clock.shift(TTL_SECONDS + 0.5)  # every worker forgets the account row within the TTL
    assert laptop.get("/alerts").status_code == phone.get("/alerts").status_code == 302
    assert login(laptop, name, PASSWORD).status_code == 401
    assert login(laptop, name, "a brand new long password").status_code == 302


def test_disabled_account_cannot_sign_in(app, clock):
    from dashboard.access.accounts import set_disabled

    name = add_user(_engine(app), "analyst")
    client = app.server.test_client()
    login(client, name)
    set_disabled(_engine(app), name)
    clock.shift(TTL_SECONDS + 0.5)
    assert client.get("/").status_code == 302
    assert login(app.server.test_client(), name).status_code == 401


def test_next_is_never_an_open_redirect(app):
    from dashboard.access.web import safe_next

    for bad in ("https://evil.example/", "//evil.example", "/\\evil", "javascript:alert(1)", ""):
        assert safe_next(bad) == "/"
    assert safe_next("/alerts?lang=en") == "/alerts?lang=en"


# --- callbacks: forged, cross-site, other SKPD ---------------------------------------------


def test_forged_upload_for_another_skpd_is_refused_and_audited(app):
    officer = add_user(_engine(app), "skpd_officer", skpds=("dinkes",))
    client = app.server.test_client()
    login(client, officer)
    output = "..upload-result.children@"
    key = next(k for k in app.callback_map if k.startswith(output))
    response = call(
        client,
        key,
        inputs=[("upload-confirm", "n_clicks", 1)],
        state=[
            ("upload-file", "contents", "data:text/csv;base64,YSxi"),
            ("upload-file", "filename", "x.csv"),
            ("upload-source", "value", "bkd-ekinerja"),  # BKD's, not Dinkes'
            ("upload-lang", "data", "en"),
        ],
        changed=["upload-confirm.n_clicks"],
    )
    assert response.status_code == 403
    assert "Nothing was changed" in response.get_json()["odsk"]["message"]["en"]
    (row,) = _audit(app, actor=officer, outcome="denied")
    assert row.action == "access.denied" and "SKPD bkd" in row.detail
    with _engine(app).connect() as conn:
        runs = conn.execute(text("SELECT count(*) FROM collection_run")).scalar_one()
    assert runs == 0  # nothing half-written


def test_post_from_a_foreign_origin_is_refused(app):
    client = app.server.test_client()
    login(client, add_user(_engine(app), "admin"))
    response = call(client, "sc-location.search", headers={"Origin": "https://evil.example"})
    assert response.status_code == 403 and response.get_json()["odsk"]["code"] == "origin"
    no_token = client.post("/_dash-update-component", json={"output": "sc-location.search"})
    assert no_token.status_code == 403 and no_token.get_json()["odsk"]["code"] == "csrf"


def test_typed_names_are_gone_the_account_acts(app):
    """Acknowledging, the shift log and silences name the signed-in account, whatever the
    request carries."""
    from dashboard.alerts.shiftlog import recent_notes

    name = add_user(_engine(app), "operator")
    client = app.server.test_client()
    login(client, name)
    key = next(k for k in app.callback_map if "shift-feedback.children" in k)
    response = call(
        client,
        key,
        inputs=[("shift-add", "n_clicks", 1), ("alerts-tick", "n_intervals", None)],
        state=[
            ("shift-text", "value", "Serah terima shift"),
            ("shift-kind", "value", "handover"),
            ("alerts-lang", "data", "id"),
        ],
        changed=["shift-add.n_clicks"],
    )
    assert response.status_code == 200
    forged = call(  # the old typed-name field: a request of another shape is refused
        client,
        key,
        inputs=[("shift-add", "n_clicks", 2), ("alerts-tick", "n_intervals", None)],
        state=[
            ("shift-author", "value", "Gubernur Sulawesi Utara"),
            ("shift-text", "value", "palsu"),
            ("shift-kind", "value", "note"),
            ("alerts-lang", "data", "id"),
        ],
        changed=["shift-add.n_clicks"],
    )
    assert forged.status_code == 400
    with _engine(app).connect() as conn:
        (note,) = recent_notes(conn)
    assert note.author == name
    (row,) = _audit(app, action="shiftlog.add")
    assert row.actor == name and row.role == "operator" and row.address == "127.0.0.1"


# --- security headers ---------------------------------------------------------------------


def test_security_headers_and_no_banner(app):
    client = app.server.test_client()
    for url in ("/login", "/", "/_dash-layout"):
        response = client.get(url)
        csp = response.headers["Content-Security-Policy"]
        script = next(p for p in csp.split(";") if p.strip().startswith("script-src"))
        assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script
        assert "'sha256-" in script
        assert "frame-ancestors 'self'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert "Server" not in response.headers
    assert client.get("/_reload-hash").status_code == 404


def test_gunicorn_announces_nothing(sqlite_url, tmp_path):
    """The real server (odsk serve's gunicorn) sends no Server header."""
    import os
    import subprocess
    import sys
    import time

    import httpx
    from odsk_test_services import free_port

    from dashboard.store.migrate import upgrade

    upgrade(sqlite_url)
    port = free_port()
    env = {**os.environ, "ODSK_DATABASE_URL": sqlite_url, "ODSK_DATA_DIR": str(tmp_path)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"from dashboard.serve import run_gunicorn; run_gunicorn('127.0.0.1', {port}, 1)",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        response = None
        while time.monotonic() < deadline:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/login", timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        assert response is not None and response.status_code == 200
        assert "server" not in {k.lower() for k in response.headers}
    finally:
        proc.terminate()
        proc.wait(timeout=20)


# --- /metrics and /healthz -----------------------------------------------------------------


def test_metrics_need_an_operator_or_the_scrape_token(database_url, tmp_path):
    from dashboard.settings import Settings
    from dashboard.webapp import create_app

    app = create_app(
        Settings(database_url=database_url, data_dir=tmp_path, metrics_token="s3cret-scrape")
    )
    client = app.server.test_client()
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    ok = client.get("/metrics", headers={"Authorization": "Bearer s3cret-scrape"})
    assert ok.status_code == 200 and b"odsk_" in ok.data
    health = client.get("/healthz").get_json()
    assert set(health) == {"status"}  # no details for nobody
    detailed = client.get("/healthz", headers={"Authorization": "Bearer s3cret-scrape"})
    assert "checks" in detailed.get_json()


# --- classification ---------------------------------------------------------------------


@pytest.fixture
def seeded(database_url, tmp_path):
    """The app on a store with every indicator's series (the restricted one too), payloads,
    and an open alert about the restricted indicator."""
    from analyst_kit import seed_store

    from dashboard.settings import Settings
    from dashboard.store.schema import Alert
    from dashboard.webapp import context_of, create_app

    settings = Settings(database_url=database_url, data_dir=tmp_path)
    seed_store(database_url, settings.payload_dir, since=2025, today=date(2026, 10, 20))
    app = create_app(settings)
    engine = context_of(app).engine
    with engine.begin() as conn:
        conn.execute(
            Alert.__table__.insert().values(
                rule_id="behind-target",
                subject=f"{RESTRICTED}@71",
                severity="warning",
                state="firing",
                title_id="Pelanggaran disiplin ASN: 17 kasus",
                title_en="Civil-servant disciplinary cases: 17",
                fired_at=datetime(2026, 10, 1, tzinfo=UTC),
                details={},
            )
        )
    yield app, engine
    engine.dispose()


def _client(app, role, **kwargs):
    client = app.server.test_client()
    login(client, add_user(_engine(app), role, **kwargs))
    return client


def _restricted_facts(engine):
    """(an observation id, the payload sha256) of the restricted indicator."""
    with engine.connect() as conn:
        obs = conn.execute(
            text("SELECT id, run_id FROM observation WHERE indicator_code = :c LIMIT 1"),
            {"c": RESTRICTED},
        ).one()
        sha = conn.execute(
            text("SELECT payload_sha256 FROM collection_run WHERE id = :r"), {"r": obs.run_id}
        ).scalar_one()
    return obs.id, sha


LEAKS = ("DISIPLIN-ASN", "disiplin ASN", "disciplinary")


def _leaks(body: str, echoed: str = "") -> bool:
    """The restricted indicator's code, name or description in ``body`` (the page for its
    own URL may echo the code it was asked for: "not found")."""
    if echoed:
        body = body.replace(echoed, "")
    return any(word in body for word in LEAKS)


def test_restricted_values_leak_through_no_path(seeded):
    """An operator and an analyst may read internal data but not the restricted per-ASN
    discipline figures: pages, wall, exports, brief, provenance, payload, alert texts."""
    from analyst_kit import route

    app, engine = seeded
    obs_id, sha = _restricted_facts(engine)
    for role in ("operator", "analyst"):
        client = _client(app, role)
        for path in (
            f"/indicator/{RESTRICTED}",
            "/domain/governance",
            "/",
            "/alerts",
            f"/provenance/{obs_id}",
            "/region/71.71",
            "/ops/compliance",
            "/wall",
        ):
            response = route(client, path)
            assert response.status_code == 200, (role, path)
            body = response.get_data(as_text=True)
            assert not _leaks(body, echoed=RESTRICTED if RESTRICTED in path else ""), (role, path)
        for url in ("/brief/export.xlsx", "/brief/export.pdf", "/brief/export.xlsx?lang=en"):
            response = client.get(url)
            assert response.status_code == 200
            assert not _leaks(_document_text(response.data, url)), (role, url)
        assert client.get(f"/analyst/payload/{sha}").status_code in (403, 404)
        key = next(k for k in app.callback_map if k == "ind-download.data")
        export = call(
            client,
            key,
            inputs=[("ind-xlsx", "n_clicks", 1)],
            state=[
                ("ind-grid", "virtualRowData", None),
                ("ind-grid", "rowData", [{"r": "71", "v": 17}]),
                ("ind-page", "data", {"code": RESTRICTED, "lang": "id"}),
            ],
            changed=["ind-xlsx.n_clicks"],
        )
        assert export.status_code in (204, 403), (role, export.status_code)


def test_a_restricted_indicator_is_there_for_its_readers(seeded):
    """The catalogue lets the governor's office (viewer) read it; admins always may."""
    from analyst_kit import route

    app, engine = seeded
    _obs_id, sha = _restricted_facts(engine)
    viewer = _client(app, "viewer")
    body = route(viewer, f"/indicator/{RESTRICTED}").get_data(as_text=True)
    assert "Pelanggaran disiplin ASN" in body
    admin = _client(app, "admin")
    download = admin.get(f"/analyst/payload/{sha}")
    assert download.status_code == 200
    assert _audit(app, action="payload.download")[-1].subject == sha
    page = route(admin, "/alerts").get_data(as_text=True)
    assert "Pelanggaran disiplin ASN: 17 kasus" in page


def test_the_wall_shows_what_the_screen_is_cleared_for(seeded):
    from analyst_kit import route

    from dashboard.access.devices import enrol

    app, engine = seeded
    _d, internal = enrol(engine, "lobby-internal", "internal", actor=_cli())
    _d, public = enrol(engine, "lobby-public", "public", actor=_cli())
    client = app.server.test_client()
    client.get("/login")
    for token, shown in ((internal, True), (public, False)):
        response = route(client, "/wall", "?screen=living", {"X-ODSK-Device": token})
        assert response.status_code == 200
        body = response.get_data(as_text=True)
        # LIV.KEMATIAN-IBU (maternal deaths) is internal: on the internal screen only.
        assert ("kematian ibu" in body.lower()) == shown, token
        assert not _leaks(body)


def _cli():
    from dashboard.access.audit import Actor

    return Actor.cli("test")


def _document_text(data: bytes, url: str) -> str:
    import io

    if url.startswith("/brief/export.pdf"):
        from pypdf import PdfReader

        return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True)
    return "\n".join(
        str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row
    )


# --- the audit trail ------------------------------------------------------------------


def test_audit_rows_cannot_be_changed_or_deleted(app):
    from dashboard.access import audit

    engine = _engine(app)
    audit.record_alone(engine, "test.change", "x", actor=_cli())
    for statement in ("UPDATE audit_entry SET actor = 'someone else'", "DELETE FROM audit_entry"):
        with pytest.raises(Exception, match="append-only"):
            with engine.begin() as conn:
                conn.execute(text(statement))
    assert len(_audit(app, action="test.change")) == 1


def test_audit_page_filters_and_exports_in_both_languages(app):
    import io

    from openpyxl import load_workbook

    admin = add_user(_engine(app), "admin")
    client = app.server.test_client()
    login(client, admin)
    login(app.server.test_client(), admin, "wrong wrong wrong")
    response = client.get("/ops/audit/export.xlsx?outcome=denied&lang=en")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.data)).worksheets[0].iter_rows(values_only=True))
    assert rows[0][:3] == ("Time (WITA)", "Actor", "Role")
    assert [r[3] for r in rows[1:]] == ["session.sign_in"] and rows[1][5] == "denied"
    indonesian = client.get("/ops/audit/export.xlsx")
    first = next(
        load_workbook(io.BytesIO(indonesian.data)).worksheets[0].iter_rows(values_only=True)
    )
    assert first[:2] == ("Waktu (WITA)", "Pelaku")
    assert _audit(app, action="export.audit")


# --- the command line and the demo -------------------------------------------------------


def test_odsk_user_commands(settings_env, sqlite_url):
    from click.testing import CliRunner

    from dashboard.access.accounts import verify_login
    from dashboard.cli import main
    from dashboard.store.engine import make_engine

    runner = CliRunner()
    added = runner.invoke(main, ["user", "add", "Admin.Satu", "--role", "admin", "--generate"])
    assert added.exit_code == 0, added.output
    password = added.output.split("password (shown once): ")[1].strip()
    engine = make_engine(sqlite_url)
    assert verify_login(engine, "admin.satu", password) is not None
    typed = runner.invoke(
        main,
        [
            "user",
            "add",
            "petugas",
            "--role",
            "skpd_officer",
            "--skpd",
            "dinkes",
            "--password-stdin",
        ],
        input="a long enough password\n",
    )
    assert typed.exit_code == 0, typed.output
    short = runner.invoke(
        main, ["user", "add", "x2", "--role", "viewer", "--password-stdin"], input="short\n"
    )
    assert short.exit_code == 1 and "at least 12 characters" in short.output
    unbound = runner.invoke(main, ["user", "set-role", "petugas", "skpd_officer"])
    assert unbound.exit_code == 1 and "at least one SKPD" in unbound.output
    unknown = runner.invoke(main, ["user", "set-role", "petugas", "skpd_officer", "--skpd", "nope"])
    assert unknown.exit_code == 1 and "unknown SKPD: nope" in unknown.output
    assert runner.invoke(main, ["user", "set-role", "petugas", "analyst"]).exit_code == 0
    assert runner.invoke(main, ["user", "disable", "petugas"]).exit_code == 0
    assert verify_login(engine, "petugas", "a long enough password") is None
    reset = runner.invoke(main, ["user", "reset-password", "admin.satu", "--generate"])
    assert reset.exit_code == 0 and verify_login(engine, "admin.satu", password) is None
    listed = runner.invoke(main, ["user", "list", "--json"])
    rows = {r["username"]: r for r in __import__("json").loads(listed.output)}
    assert rows["petugas"]["role"] == "analyst" and rows["petugas"]["disabled"] is True
    from dashboard.store.access_tables import AuditEntry

    with engine.connect() as conn:
        actions = [
            r.action
            for r in conn.execute(select(AuditEntry.__table__).order_by(AuditEntry.__table__.c.id))
        ]
    assert actions == [
        "account.add",
        "account.add",
        "account.set_role",
        "account.disable",
        "account.reset_password",
    ]
    engine.dispose()


def test_demo_makes_an_admin_with_a_printed_password_once(sqlite_url):
    from dashboard.access.accounts import verify_login
    from dashboard.demo import demo_accounts
    from dashboard.store.engine import make_engine

    engine = make_engine(sqlite_url)
    first = demo_accounts(engine)
    password = first.lines[0].split("password ")[1].split()[0]
    assert verify_login(engine, "demo-admin", password) is not None
    assert first.wall_token and first.wall_token.startswith("odskdev_")
    again = demo_accounts(engine)
    assert again.wall_token is None and "reset-password demo-admin" in " ".join(again.lines)
    assert demo_accounts(engine).lines == again.lines  # and never a second admin
    engine.dispose()


def test_an_skpd_officer_sees_only_their_own_skpd(seeded):
    from analyst_kit import route

    app, _engine = seeded
    officer = _client(app, "skpd_officer", skpds=("dinkes",))
    sources = route(officer, "/ops/sources").get_data(as_text=True)
    assert "dinkes-sik" in sources and "bkd-ekinerja" not in sources and "dlh-ispu" not in sources
    compliance = route(officer, "/ops/compliance").get_data(as_text=True)
    assert "Dinkes" in compliance and "BKD" not in compliance and "Dispar" not in compliance
    upload = route(officer, "/ops/upload").get_data(as_text=True)
    assert "dinkes-sik" in upload and "bkd-ekinerja" not in upload
    operator = _client(app, "operator")
    assert "bkd-ekinerja" in route(operator, "/ops/sources").get_data(as_text=True)
