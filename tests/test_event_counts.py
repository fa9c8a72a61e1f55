"""ENV.GEMPA is counted from the stored quakes: M ≥ 5 within 300 km of each region's capital
per month (WITA), zeros included, the same quake in several BMKG feeds once."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from collectors.base import Payload
from dashboard.ingest import collect
from dashboard.runtime import Runtime
from dashboard.settings import PROJECT_ROOT, Settings
from dashboard.store.catalogue_sync import sync_catalogue
from dashboard.store.schema import Observation


def quake(when: str, lat: float, lon: float, magnitude: float) -> dict:
    return {
        "DateTime": when,
        "Coordinates": f"{lat:.2f},{lon:.2f}",
        "Lintang": f"{abs(lat):.2f} {'LU' if lat >= 0 else 'LS'}",
        "Bujur": f"{lon:.2f} BT",
        "Magnitude": f"{magnitude:.1f}",
        "Kedalaman": "20 km",
        "Wilayah": "uji",
    }


def feed(*quakes: dict) -> Payload:
    return Payload(json.dumps({"Infogempa": {"gempa": list(quakes)}}).encode(), "application/json")


@pytest.fixture
def rt(database_url, tmp_path):
    runtime = Runtime.from_settings(
        Settings(database_url=database_url, config_dir=PROJECT_ROOT / "config", data_dir=tmp_path)
    )
    sync_catalogue(runtime.engine, runtime.catalogue)
    yield runtime
    runtime.close()


def counts(rt) -> dict:
    with rt.engine.connect() as conn:
        rows = conn.execute(
            select(Observation.region_code, Observation.period_start, Observation.value).where(
                Observation.indicator_code == "ENV.GEMPA"
            )
        ).all()
    return {(r.region_code, r.period_start): r.value for r in rows}


def test_quakes_become_monthly_counts_for_every_region(rt):
    near_manado = quake("2026-03-10T04:00:00+00:00", 2.10, 125.90, 5.4)  # ~140 km from Manado
    off_talaud = quake("2026-03-12T04:00:00+00:00", 4.60, 127.40, 5.1)  # near Talaud only
    small = quake("2026-03-13T04:00:00+00:00", 1.50, 124.90, 4.2)  # not strong enough
    java = quake("2026-03-14T04:00:00+00:00", -7.37, 106.12, 5.7)  # far away
    january = quake("2026-01-20T04:00:00+00:00", 1.20, 124.60, 5.0)
    # 31 March 20:30 UTC is already 1 April in WITA.
    april = quake("2026-03-31T20:30:00+00:00", 1.60, 125.20, 5.2)
    summary = collect(
        rt,
        "bmkg-gempadirasakan",
        payload=feed(near_manado, off_talaud, small, java, january, april),
        today=date(2026, 4, 2),
    )
    assert summary.status == "ok" and summary.events_read == 6
    got = counts(rt)
    assert got[("71", date(2026, 3, 1))] == 1  # the province counts from Manado
    assert got[("71.04", date(2026, 3, 1))] == 2  # Talaud: the Talaud quake and the Molucca one
    assert got[("71.71", date(2026, 2, 1))] == 0  # a quiet month in between is a zero
    assert got[("71.71", date(2026, 1, 1))] == 1
    assert got[("71.71", date(2026, 4, 1))] == 1
    assert len(got) == 16 * 4  # every region, January to April
    # The same quake from another feed counts once.
    collect(rt, "bmkg-autogempa", payload=feed(near_manado), today=date(2026, 4, 2))
    assert counts(rt)[("71", date(2026, 3, 1))] == 1
