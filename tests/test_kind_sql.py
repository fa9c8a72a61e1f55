"""The SQL query kind against real SQLite and PostgreSQL: read-only, timeout, bookmark."""

from __future__ import annotations

import json
from datetime import date

import pytest
from payloads import kit
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from collectors.base import ParseError, PermanentFetchError, TransientFetchError
from collectors.sql_query import KIND, SqlQueryOptions

ENV = "ODSK_EOFFICE_DB_URL"


def _engine(url: str):
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return create_engine(parsed)


@pytest.fixture
def eoffice(database_url, monkeypatch):
    """An SKPD's e-Office table in a real database (SQLite file, then PostgreSQL)."""
    engine = _engine(database_url)
    pg = engine.dialect.name == "postgresql"
    stamp = "timestamptz" if pg else "text"
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS rekap_naskah"))
        conn.execute(
            text(
                f"CREATE TABLE rekap_naskah (kode_wilayah text, bulan date, "
                f"persen_digital numeric(5,2), diperbarui {stamp})"
            )
        )
        conn.execute(
            text("INSERT INTO rekap_naskah VALUES (:k, :b, :p, :d)"),
            [
                {"k": "71.71", "b": date(2026, 1, 1), "p": 88.5, "d": "2026-02-03T01:00:00+00:00"},
                {"k": "71.72", "b": date(2026, 1, 1), "p": 74.25, "d": "2026-02-03T02:00:00+00:00"},
                {"k": "71.99", "b": date(2026, 1, 1), "p": 50, "d": "2026-02-03T03:00:00+00:00"},
                {"k": "71.71", "b": date(2026, 2, 1), "p": None, "d": "2026-03-02T01:00:00+00:00"},
            ],
        )
    monkeypatch.setenv(ENV, database_url)
    yield engine
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS rekap_naskah"))
    engine.dispose()


def run(**kw):
    ctx = kit.context("eoffice-sql", kw.pop("options", None), **kw)
    payload = KIND.fetch(ctx)
    return payload, KIND.parse(payload, ctx)


def test_rows_are_pulled_mapped_and_bookmarked(eoffice):
    payload, result = run()
    doc = json.loads(payload.content)
    assert doc["columns"] == ["kode_wilayah", "bulan", "persen_digital", "diperbarui"]
    assert doc["bookmark_in"] == "1970-01-01T00:00:00"
    good = [(c.region, c.period_start, c.value) for c in result.rows if not c.reasons]
    assert good == [("71.71", date(2026, 1, 1), 88.5), ("71.72", date(2026, 1, 1), 74.25)]
    assert kit.reasons(result) == [
        (3, "kode_wilayah", "region '71.99' is unknown"),
        (4, "persen_digital", "value is missing"),
    ]
    assert result.bookmark is not None and result.bookmark.startswith("2026-03-02")


def test_the_next_run_pulls_only_what_changed_since_the_bookmark(eoffice):
    _, first = run()
    with eoffice.begin() as conn:
        conn.execute(
            text("INSERT INTO rekap_naskah VALUES ('71.73', :b, 91, :d)"),
            {"b": date(2026, 2, 1), "d": "2026-03-09T05:00:00+00:00"},
        )
    _, second = run(bookmark=first.bookmark)
    assert [(c.region, c.value) for c in second.rows] == [("71.73", 91.0)]
    assert second.bookmark.startswith("2026-03-09")
    _, third = run(bookmark=second.bookmark)
    assert third.rows == [] and third.bookmark == second.bookmark  # nothing new: the bookmark stays


def test_the_query_cannot_write(eoffice):
    with pytest.raises(PermanentFetchError) as err:
        run(options={"query": "DELETE FROM rekap_naskah", "bookmark_column": None})
    assert err.value.error_class == "query"
    with eoffice.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM rekap_naskah")).scalar() == 4


def test_a_slow_query_hits_the_statement_timeout(eoffice):
    slow = (
        "SELECT pg_sleep(5) AS x"
        if eoffice.dialect.name == "postgresql"
        else "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n"
    )
    with pytest.raises(PermanentFetchError) as err:
        run(options={"query": slow, "bookmark_column": None, "statement_timeout_seconds": 0.3})
    assert err.value.error_class == "timeout"


def test_no_url_in_the_environment_is_a_config_failure(monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    with pytest.raises(PermanentFetchError) as err:
        KIND.fetch(kit.context("eoffice-sql"))
    assert err.value.error_class == "config" and ENV in err.value.message_en


def test_an_unreachable_server_is_transient(monkeypatch):
    monkeypatch.setenv(ENV, "postgresql://odsk@127.0.0.1:9/eoffice")
    with pytest.raises(TransientFetchError) as err:
        KIND.fetch(kit.context("eoffice-sql"))
    assert err.value.error_class == "connection"


def test_a_bad_sql_statement_is_a_query_failure(tmp_path, monkeypatch):
    import sqlite3

    sqlite3.connect(tmp_path / "e.db").execute("CREATE TABLE lain (x int)")
    monkeypatch.setenv(ENV, f"sqlite:///{tmp_path / 'e.db'}")
    with pytest.raises(PermanentFetchError) as err:
        KIND.fetch(kit.context("eoffice-sql"))
    assert err.value.error_class == "query" and "rekap_naskah" in err.value.message_en


def test_a_wrong_sqlite_path_creates_no_database(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV, f"sqlite:///{tmp_path / 'salah.db'}")
    with pytest.raises(TransientFetchError):
        KIND.fetch(kit.context("eoffice-sql"))
    assert not (tmp_path / "salah.db").exists()


def test_parse_is_pure_over_the_recorded_rows():
    body = {
        "columns": ["kode_wilayah", "bulan", "persen_digital", "diperbarui"],
        "rows": [["71.74", "2026-01-01", 66.6, "2026-02-01T00:00:00+00:00"]],
        "bookmark_in": None,
    }
    result = kit.parse("eoffice-sql", body)
    assert [(c.region, c.period_start, c.value) for c in result.rows] == [
        ("71.74", date(2026, 1, 1), 66.6)
    ]
    assert result.bookmark == "2026-02-01T00:00:00+00:00"


def test_a_result_without_the_bookmark_column_is_a_schema_error():
    with pytest.raises(ParseError) as err:
        kit.parse(
            "eoffice-sql", {"columns": ["kode_wilayah", "bulan", "persen_digital"], "rows": []}
        )
    assert err.value.error_class == "schema" and "diperbarui" in err.value.message_en


def test_one_statement_only():
    with pytest.raises(ValueError):
        SqlQueryOptions.model_validate(
            {
                "url_env": ENV,
                "query": "SELECT 1; DROP TABLE x",
                "columns": {"region": "r", "period": "p", "value": "v"},
                "indicator": "X",
            }
        )
