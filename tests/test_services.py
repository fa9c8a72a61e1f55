"""The test infrastructure itself: real services, migrated stores, the browser."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from sqlalchemy import MetaData, func, insert, select, text

# tests/services.py, as conftest.py loaded it.
services = sys.modules["odsk_test_services"]


@pytest.mark.postgres
def test_postgres_server_answers(pg_server_url):
    from dashboard.store.engine import make_engine

    eng = make_engine(pg_server_url)
    try:
        with eng.connect() as conn:
            assert conn.execute(text("SELECT 1")).scalar() == 1
    finally:
        eng.dispose()


@pytest.mark.redis
def test_redis_answers_on_its_own_empty_db(redis_url):
    import redis

    client = redis.Redis.from_url(redis_url, socket_timeout=3)
    try:
        assert client.ping() is True
        assert client.dbsize() == 0
        client.set("odsk-test:probe", "1")
        assert client.get("odsk-test:probe") == b"1"
    finally:
        client.close()


def test_database_url_is_migrated(database_url, engine):
    from dashboard.store.schema import Base

    meta = MetaData()
    meta.reflect(engine)
    assert set(Base.metadata.tables) <= set(meta.tables)
    with engine.connect() as conn:
        head = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    assert len(head) == 1


@pytest.mark.parametrize("round_", [1, 2])
def test_each_test_gets_an_empty_store(database_url, engine, round_):
    """Whichever round runs second would see the first one's row if isolation failed."""
    from dashboard.store.schema import Base, DataVersion

    with engine.begin() as conn:
        for table in Base.metadata.sorted_tables:
            assert conn.execute(select(func.count()).select_from(table)).scalar() == 0, table.name
        conn.execute(insert(DataVersion).values(scope="all", version=round_))


def test_sqlite_url_lives_in_tmp_path(sqlite_url, tmp_path):
    assert sqlite_url.startswith("sqlite:///")
    path = Path(sqlite_url.removeprefix("sqlite:///"))
    assert path.parent == tmp_path and path.exists()


def test_settings_env_points_settings_at_the_test_store(settings_env, sqlite_url, tmp_path):
    from dashboard.settings import get_settings

    settings = get_settings()
    assert settings_env == {"ODSK_DATA_DIR": str(tmp_path), "ODSK_DATABASE_URL": sqlite_url}
    assert settings.resolved_database_url == sqlite_url
    assert settings.data_dir == tmp_path
    assert settings.redis_url is None and "ODSK_REDIS_URL" not in os.environ


@pytest.mark.browser
def test_browser_smoke(dash_duo):
    from dash import Dash, Input, Output, html

    app = Dash(__name__)
    app.layout = html.Div([html.Button("go", id="go"), html.Div("idle", id="out")])

    @app.callback(Output("out", "children"), Input("go", "n_clicks"), prevent_initial_call=True)
    def clicked(n):
        return f"clicked {n}"

    dash_duo.start_server(app)
    dash_duo.wait_for_text_to_equal("#out", "idle")
    dash_duo.find_element("#go").click()
    dash_duo.wait_for_text_to_equal("#out", "clicked 1")
    assert dash_duo.driver.execute_script("return [innerWidth, innerHeight]") == [1920, 1080]
    assert dash_duo.get_logs() == []


# The private-instance path is what a machine without local servers uses; exercise it
# here too, where the suite itself may be running against local servers.


@pytest.mark.postgres
def test_private_postgres_starts_and_stops():
    bindir = services.find_pg_bindir()
    if bindir is None:
        pytest.skip("no PostgreSQL server binaries here (apt-get install postgresql)")
    svc = services.start_private_postgres(bindir)
    try:
        assert svc.private and services.pg_ping(svc.url) is None
    finally:
        svc.stop()
    assert services.pg_ping(svc.url, timeout=1) is not None


@pytest.mark.redis
def test_private_redis_starts_and_stops():
    binary = services.find_redis_server()
    if binary is None:
        pytest.skip("no redis-server binary here (apt-get install redis-server)")
    svc = services.start_private_redis(binary)
    try:
        assert svc.private and services.redis_ping(svc.url) is None
        first, second = services.claim_redis_db(svc), services.claim_redis_db(svc)
        assert first.url != second.url  # two sessions never share a db number
        first.release()
        second.release()
    finally:
        svc.stop()
    assert services.redis_ping(svc.url, timeout=1) is not None


def test_missing_binaries_are_named(monkeypatch):
    monkeypatch.delenv(services.PG_ENV, raising=False)
    monkeypatch.delenv(services.REDIS_ENV, raising=False)
    monkeypatch.setattr(
        services, "LOCAL_PG_URL", f"postgresql://postgres@127.0.0.1:{services.free_port()}/postgres"
    )
    monkeypatch.setattr(services, "LOCAL_REDIS_URL", f"redis://127.0.0.1:{services.free_port()}/0")
    monkeypatch.setattr(services, "find_pg_bindir", lambda: None)
    monkeypatch.setattr(services, "find_redis_server", lambda: None)
    with pytest.raises(services.ServiceError, match="apt-get install postgresql"):
        services.resolve_postgres()
    with pytest.raises(services.ServiceError, match="apt-get install redis-server"):
        services.resolve_redis()


def test_a_set_but_dead_test_url_is_an_error_not_a_fallback(monkeypatch):
    monkeypatch.setenv(services.PG_ENV, f"postgresql://u:secret@127.0.0.1:{services.free_port()}/x")
    with pytest.raises(services.ServiceError) as err:
        services.resolve_postgres()
    assert "does not answer" in str(err.value) and "secret" not in str(err.value)
