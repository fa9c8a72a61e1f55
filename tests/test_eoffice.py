"""The e-office database (letters, dispositions, signatures with timestamps) on SQLite and
PostgreSQL, read by the ``sql_query`` kind into GOV.NASKAH-DIGITAL and GOV.DISPOSISI-JAM."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import func, select

from collectors.base import SourceContext
from collectors.sql_query import KIND, SqlQueryOptions
from dashboard.catalogue import load_catalogue
from dashboard.regions import RegionRegistry
from dashboard.settings import PROJECT_ROOT
from dashboard.simulator.eoffice import (
    INCOMING_PER_MONTH,
    OUTGOING_PER_MONTH,
    EofficeDatabase,
    disposisi,
    metadata,
    surat,
    tanda_tangan,
)
from dashboard.simulator.generator import Generator

NOW = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)  # 10.00 WITA: March is in progress
ENV = "ODSK_EOFFICE_DATABASE_URL"

# The demo's query is SQLite's (config/sources.yaml); on PostgreSQL the application's own
# database is read with the same meaning in its dialect.
POSTGRES_QUERY = """
WITH keluar AS (
  SELECT i.kode_wilayah, to_char(s.dibuat_pada, 'YYYY-MM') AS periode,
         ROUND(100.0 * SUM(CASE WHEN t.jenis = 'elektronik' THEN 1 ELSE 0 END) / COUNT(*), 1)
           AS nilai
  FROM surat s JOIN instansi i ON i.id = s.instansi_id JOIN tanda_tangan t ON t.surat_id = s.id
  WHERE s.arah = 'keluar' AND s.dibuat_pada < CAST(:month_start AS timestamp)
    AND to_char(s.dibuat_pada, 'YYYY-MM') >= :bookmark
  GROUP BY i.kode_wilayah, periode
), tunggu AS (
  SELECT i.kode_wilayah, to_char(s.diterima_pada, 'YYYY-MM') AS periode,
         EXTRACT(EPOCH FROM MIN(d.didisposisi_pada) - s.diterima_pada) / 3600 AS jam
  FROM surat s JOIN instansi i ON i.id = s.instansi_id JOIN disposisi d ON d.surat_id = s.id
  WHERE s.arah = 'masuk' AND s.diterima_pada < CAST(:month_start AS timestamp)
    AND to_char(s.diterima_pada, 'YYYY-MM') >= :bookmark
  GROUP BY s.id, i.kode_wilayah, periode
)
SELECT kode_wilayah, periode, 'GOV.NASKAH-DIGITAL' AS indikator, nilai FROM keluar
UNION ALL
SELECT kode_wilayah, periode, 'GOV.DISPOSISI-JAM',
       ROUND(CAST(percentile_cont(0.5) WITHIN GROUP (ORDER BY jam) AS numeric), 1)
FROM tunggu GROUP BY kode_wilayah, periode
"""


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue(PROJECT_ROOT / "config")


@pytest.fixture
def eoffice(database_url, catalogue, monkeypatch):
    db = EofficeDatabase(database_url, catalogue, Generator(catalogue, seed=4).value, seed=4)
    metadata.drop_all(db.engine)
    monkeypatch.setenv(ENV, database_url)
    yield db
    metadata.drop_all(db.engine)
    db.close()


def read(catalogue, db, bookmark=None):
    source = catalogue.source("setda-eoffice")
    options = catalogue.source_options[source.id]
    if db.engine.dialect.name == "postgresql":
        options = SqlQueryOptions.model_validate({**source.options, "query": POSTGRES_QUERY})
    ctx = SourceContext(source, options, catalogue, RegionRegistry(catalogue.regions), bookmark)
    with time_machine.travel(NOW, tick=False):
        payload = KIND.fetch(ctx)
    return KIND.parse(payload, ctx)


def test_the_schema_holds_letters_dispositions_and_signatures(eoffice):
    with time_machine.travel(NOW, tick=False):
        written = eoffice.refresh(NOW)
    regions = 16
    assert written == 25 * regions * (OUTGOING_PER_MONTH + INCOMING_PER_MONTH)
    with eoffice.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(disposisi)).scalar_one() == (
            2 * 25 * regions * INCOMING_PER_MONTH
        )
        kinds = set(conn.execute(select(tanda_tangan.c.jenis).distinct()).scalars())
        assert kinds == {"elektronik", "basah"}
        newest = conn.execute(select(func.max(surat.c.dibuat_pada))).scalar_one()
    assert newest < datetime(2026, 3, 1)  # no month in progress
    assert eoffice.refresh(NOW) == 0  # nothing twice


def test_sql_query_computes_the_indicators_from_the_rows(eoffice, catalogue):
    generator = Generator(catalogue, seed=4)
    eoffice.refresh(NOW)
    result = read(catalogue, eoffice)
    assert [r.reasons for r in result.rows if r.reasons] == []
    got = {(r.indicator, r.region, r.period_start): r.value for r in result.rows}
    assert len(got) == 2 * 16 * 25
    february = date(2026, 2, 1)
    for region in ("71", "71.71", "71.04"):
        # The median wait is one letter's: the generator's value, to the rounding.
        wait = got[("GOV.DISPOSISI-JAM", region, february)]
        assert wait == pytest.approx(
            generator.value("GOV.DISPOSISI-JAM", region, february), abs=0.06
        )
        # Forty letters a month: the share is the generator's to the nearest letter.
        share = got[("GOV.NASKAH-DIGITAL", region, february)]
        assert share == pytest.approx(
            generator.value("GOV.NASKAH-DIGITAL", region, february), abs=100 / 80 + 0.05
        )
    assert result.bookmark == "2026-02"
    again = read(catalogue, eoffice, bookmark=result.bookmark)
    assert {r.period_start for r in again.rows} == {february}
