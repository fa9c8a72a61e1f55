"""Shared fixtures: real PostgreSQL and Redis, migrated stores, settings, the browser.

Fixture names other tests rely on:

- ``pg_server_url`` (session): SQLAlchemy URL of a PostgreSQL server's maintenance DB.
- ``redis_url``: a real Redis, on a db number of this session's own, flushed before each test.
- ``database_url``: an empty, migrated store; parametrized ``sqlite`` / ``postgresql``.
- ``sqlite_url``: the SQLite variant only.  ``engine``: ``make_engine(database_url)``.
- ``catalogue`` (session): the catalogue of ``config/``.
- ``settings_env``: ``ODSK_DATA_DIR`` = tmp_path, ``ODSK_DATABASE_URL`` = ``sqlite_url``,
  ``ODSK_REDIS_URL`` unset; returns ``{"ODSK_DATA_DIR": …, "ODSK_DATABASE_URL": …}``.
- Browser tests (``dash_duo``, ``dash_br``) get headless Chromium with a 1920×1080
  viewport and the options of ``pytest_setup_options`` below.
- ``artifacts_dir`` (session): ``test-artifacts/`` (or ``$ODSK_TEST_ARTIFACTS``), for
  screenshots a test wants to keep; failing browser tests drop a screenshot, the page
  HTML and the console log there by themselves.

How PostgreSQL and Redis are found or started: see ``tests/services.py``. A service that
can be neither found nor started makes the tests that need it ERROR with the reason;
they are never skipped.
"""

from __future__ import annotations

import importlib.util
import os
import re
import secrets
import shutil
import sqlite3
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import clock_kit
import pytest
from clock_kit import instant_of

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROME_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1920,1080",
]
# Kits whose fixtures every test may use (helpers are imported from them by name).
pytest_plugins = ["wall_kit", "alert_kit", "access_kit", "deploy_kit"]

PG_DB_PREFIX = "odsk_test_"
PG_STALE_AFTER = timedelta(hours=12)


def _load_services():
    """tests/services.py under a fixed module name, whether or not tests/ is a package."""
    name = "odsk_test_services"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("services.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


services = _load_services()
_used_services: list = []
_config = None
_cleared_env: dict[str, str] = {}


# --- session set-up ------------------------------------------------------------


def pytest_configure(config):
    global _config
    _config = config
    # The developer's own ODSK_* settings (a production database URL, say) must not
    # leak into tests or the processes they start; ODSK_TEST_* are ours to read.
    for key in list(os.environ):
        if key.startswith("ODSK_") and not key.startswith("ODSK_TEST_"):
            _cleared_env[key] = os.environ.pop(key)
    if "DASH_TEST_CHROMEPATH" not in os.environ and os.path.exists(CHROMIUM):
        os.environ["DASH_TEST_CHROMEPATH"] = CHROMIUM


def pytest_collection_modifyitems(config, items):
    """Mark what needs which server, from the fixtures a test asks for (``-m "not postgres"``)."""
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        params = getattr(getattr(item, "callspec", None), "params", {})
        if params.get("database_url") == "postgresql" or "pg_server_url" in names:
            item.add_marker(pytest.mark.postgres)
        if "redis_url" in names:
            item.add_marker(pytest.mark.redis)


def pytest_unconfigure(config):
    services.stop_all()
    os.environ.update(_cleared_env)


def pytest_report_header(config):
    lines = [
        f"chromium: {os.environ.get('DASH_TEST_CHROMEPATH', '(not found)')}, "
        f"artifacts: {_artifacts_path()}"
    ]
    if _cleared_env:
        lines.append(f"ignoring in tests: {', '.join(sorted(_cleared_env))}")
    return lines


def pytest_terminal_summary(terminalreporter):
    if _used_services:
        terminalreporter.write_sep("-", "test services")
        for svc in _used_services:
            terminalreporter.write_line(svc if isinstance(svc, str) else svc.describe())


def _service_or_fail(resolve):
    try:
        svc = resolve()
    except services.ServiceError as exc:
        pytest.fail(str(exc), pytrace=False)
    _used_services.append(svc)
    return svc


# --- the clock -----------------------------------------------------------------


@pytest.fixture(autouse=True)
def clock(request):
    """Every test runs at a stated instant (tests/clock_kit.py); yields the traveller."""
    if request.node.get_closest_marker("real_clock"):
        yield None
        return
    import time_machine

    with time_machine.travel(instant_of(request.node), tick=True) as traveller:
        clock_kit._traveller = traveller
        try:
            yield traveller
        finally:
            clock_kit._traveller = None


# --- PostgreSQL ------------------------------------------------------------------


@pytest.fixture(scope="session")
def pg_server_url():
    """A reachable PostgreSQL server (its maintenance DB): env, local, or private."""
    svc = _service_or_fail(services.resolve_postgres)
    yield svc.url
    svc.stop()


def _admin_engine(url: str):
    from dashboard.store.engine import make_engine

    return make_engine(url, isolation_level="AUTOCOMMIT", poolclass=_null_pool())


def _null_pool():
    from sqlalchemy.pool import NullPool

    return NullPool


def _quote_ident(name: str) -> str:
    assert re.fullmatch(r"[a-z0-9_]+", name), name
    return f'"{name}"'


def _drop_database(conn, name: str) -> None:
    from sqlalchemy import text

    if conn.dialect.server_version_info >= (13,):
        conn.execute(text(f"DROP DATABASE IF EXISTS {_quote_ident(name)} WITH (FORCE)"))
        return
    conn.execute(
        text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = :n AND pid <> pg_backend_pid()"
        ),
        {"n": name},
    )
    conn.execute(text(f"DROP DATABASE IF EXISTS {_quote_ident(name)}"))


def _drop_stale_databases(conn) -> None:
    """Databases left by test sessions that died more than PG_STALE_AFTER ago."""
    from sqlalchemy import text

    rows = conn.execute(
        text(
            "SELECT datname FROM pg_database d WHERE datname LIKE :p AND NOT EXISTS "
            "(SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname)"
        ),
        {"p": PG_DB_PREFIX + "%"},
    ).scalars()
    # Real time on purpose (a session fixture, set up before any test's travel): the age of
    # databases that earlier, crashed sessions left behind, named by their real start.
    now = clock_kit.machine_now()
    for name in rows:
        m = re.match(rf"{PG_DB_PREFIX}(\d{{14}})_", name)
        if not m:
            continue
        born = datetime.strptime(m.group(1), "%Y%m%d%H%M%S").replace(tzinfo=UTC)
        if now - born > PG_STALE_AFTER:
            try:
                _drop_database(conn, name)
            except Exception:
                pass


@pytest.fixture(scope="session")
def _pg_store(pg_server_url):
    """One database for the session, migrated once: (url, engine, tables to truncate)."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from dashboard.store.engine import make_engine
    from dashboard.store.migrate import upgrade

    stamp = clock_kit.machine_now().strftime("%Y%m%d%H%M%S")  # see _drop_stale_databases
    name = f"{PG_DB_PREFIX}{stamp}_{os.getpid()}_{secrets.token_hex(3)}"
    admin = _admin_engine(pg_server_url)
    try:
        with admin.connect() as conn:
            _drop_stale_databases(conn)
            conn.execute(
                text(f"CREATE DATABASE {_quote_ident(name)} TEMPLATE template0 ENCODING 'UTF8'")
            )
    except Exception as exc:
        pytest.fail(
            f"cannot create the test database on {services.mask_url(pg_server_url)}: "
            f"{exc}\n(the user needs the CREATEDB privilege)",
            pytrace=False,
        )
    url = make_url(pg_server_url).set(database=name).render_as_string(hide_password=False)
    engine = None
    try:
        upgrade(url)
        engine = make_engine(url, pool_size=1, max_overflow=2)
        with engine.connect() as conn:
            tables = (
                conn.execute(
                    text(
                        "SELECT table_name FROM information_schema.tables "
                        "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' "
                        "AND table_name <> 'alembic_version' ORDER BY table_name"
                    )
                )
                .scalars()
                .all()
            )
        yield url, engine, tables
    finally:
        if engine is not None:
            engine.dispose()
        with admin.connect() as conn:
            _drop_database(conn, name)
        admin.dispose()


def _truncate(engine, tables) -> None:
    from sqlalchemy import text

    if not tables:
        return
    names = ", ".join(f'"{t}"' for t in tables)
    with engine.begin() as conn:
        # A test that left a transaction open would block TRUNCATE: fail, don't hang.
        conn.execute(text("SET LOCAL lock_timeout = '15s'"))
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


# --- SQLite ----------------------------------------------------------------------


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory) -> Path:
    """A migrated SQLite file, made once per session and copied for each test."""
    from dashboard.store.migrate import upgrade

    path = tmp_path_factory.mktemp("sqlite-template") / "template.sqlite3"
    upgrade(f"sqlite:///{path}")
    # Fold the WAL into the main file so a plain copy carries everything.
    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.execute("PRAGMA journal_mode=DELETE")
    finally:
        con.close()
    return path


@pytest.fixture
def sqlite_url(_sqlite_template, tmp_path) -> str:
    """An empty, migrated SQLite store in tmp_path (the same file for every use in a test)."""
    path = tmp_path / "store.sqlite3"
    if not path.exists():
        shutil.copyfile(_sqlite_template, path)
    return f"sqlite:///{path}"


# --- stores ----------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"], ids=["sqlite", "postgresql"])
def database_url(request) -> str:
    """An empty, migrated store, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    url, engine, tables = request.getfixturevalue("_pg_store")
    _truncate(engine, tables)
    return url


@pytest.fixture
def engine(database_url):
    from dashboard.store.engine import make_engine

    eng = make_engine(database_url)
    yield eng
    eng.dispose()


# --- Redis -----------------------------------------------------------------------


@pytest.fixture(scope="session")
def _redis_db():
    svc = _service_or_fail(services.resolve_redis)
    try:
        db = services.claim_redis_db(svc)
    except services.ServiceError as exc:
        svc.stop()
        pytest.fail(str(exc), pytrace=False)
    if db.url != svc.url:
        _used_services.append(f"  tests use {services.mask_url(db.url)}")
    yield db
    db.release()
    svc.stop()


@pytest.fixture
def redis_url(_redis_db) -> str:
    """A real Redis on this session's own db number, emptied before the test."""
    _redis_db.refresh()
    client = services._redis_client(_redis_db.url)
    try:
        client.flushdb()
    finally:
        client.close()
    return _redis_db.url


# --- catalogue and settings ------------------------------------------------------


@pytest.fixture(scope="session")
def catalogue():
    from dashboard.catalogue import load_catalogue

    return load_catalogue(REPO / "config")


@pytest.fixture
def settings_env(monkeypatch, tmp_path, sqlite_url) -> dict[str, str]:
    values = {"ODSK_DATA_DIR": str(tmp_path), "ODSK_DATABASE_URL": sqlite_url}
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("ODSK_REDIS_URL", raising=False)
    return values


# --- browser (dash[testing]) -------------------------------------------------------


def pytest_setup_options():
    """Chrome options for dash[testing]'s dash_duo / dash_br (it takes the first result)."""
    if _config is not None and _config.getoption("webdriver", "Chrome") != "Chrome":
        return None
    from selenium.webdriver.chrome.options import Options

    options = Options()
    options.binary_location = os.environ.get("DASH_TEST_CHROMEPATH", CHROMIUM)
    for arg in CHROME_ARGS:
        if arg == "--headless" and os.environ.get("ODSK_TEST_HEADED"):
            continue
        options.add_argument(arg)
    return options


VIEWPORT = (1920, 1080)  # the wall's screens
# dash[testing]'s default bound for wait_for_* (10 s) is short for a loaded 2-core machine;
# a bound only matters when something is wrong, so it can be generous.
BROWSER_WAIT_SECONDS = 30


@pytest.fixture(autouse=True)
def _browser_viewport(request):
    """Give dash_duo / dash_br a 1920×1080 *viewport*.

    Headless Chromium's --window-size is the outer window (1920×1080 leaves a page of
    1920×937), so grow the window by the size of its frame once the driver is up.
    """
    for name in ("dash_duo", "dash_br", "dash_duo_mp"):
        if name in request.fixturenames:
            browser = request.getfixturevalue(name)
            browser._wait_timeout = BROWSER_WAIT_SECONDS
            driver = browser.driver
            inner_w, inner_h, outer_w, outer_h = driver.execute_script(
                "return [innerWidth, innerHeight, outerWidth, outerHeight]"
            )
            width, height = VIEWPORT
            driver.set_window_size(width + outer_w - inner_w, height + outer_h - inner_h)
            break


@pytest.fixture
def dash_thread_server():
    """dash[testing]'s threaded runner, on a free port per app.

    Its own default counts up from 58050 in every session, so two sessions on one
    machine would collide and a test could end up talking to the other's app.
    """
    from dash.testing.application_runners import ThreadedRunner

    class FreePortRunner(ThreadedRunner):
        def start(self, app, start_timeout=30, **kwargs):
            kwargs.setdefault("port", services.free_port())
            return super().start(app, start_timeout=start_timeout, **kwargs)

    with FreePortRunner() as runner:
        yield runner


def _artifacts_path() -> Path:
    return Path(os.environ.get("ODSK_TEST_ARTIFACTS") or REPO / "test-artifacts")


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    path = _artifacts_path()
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    for name in ("dash_duo", "dash_br", "dash_duo_mp"):
        browser = getattr(item, "funcargs", {}).get(name)
        if browser is None:
            continue
        out = _artifacts_path()
        out.mkdir(parents=True, exist_ok=True)
        stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", item.nodeid).strip("_")
        try:
            browser.driver.save_screenshot(str(out / f"{stem}.png"))
            (out / f"{stem}.html").write_text(browser.driver.page_source)
            logs = browser.driver.get_log("browser")
            (out / f"{stem}.console.log").write_text("\n".join(map(str, logs)))
        except Exception as exc:
            (out / f"{stem}.error.txt").write_text(f"could not save artefacts: {exc!r}\n")
