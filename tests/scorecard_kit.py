"""Stores for the scorecard and brief tests: plausible history from the simulator's generator,
or a handful of exact figures; collection runs so sources look alive."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import clock_kit
from sqlalchemy import insert

from dashboard.catalogue.models import Catalogue
from dashboard.catalogue.periods import last_ended, local_today, step
from dashboard.simulator.generator import Generator
from dashboard.store.catalogue_sync import sync_catalogue
from dashboard.store.engine import make_engine
from dashboard.store.observations import ObservationRow, upsert_observations
from dashboard.store.schema import CollectionRun

HISTORY = {"day": 400, "month": 26, "quarter": 9, "year": 4}


def latest_ended(now: datetime, grain: str) -> date:
    return last_ended(local_today(now) - timedelta(days=1), grain)


def fresh_runs(conn, catalogue: Catalogue, now: datetime, dead: set[str] = frozenset()) -> None:
    for source in catalogue.sources:
        if source.id in dead:
            conn.execute(
                insert(CollectionRun).values(
                    source_id=source.id,
                    trigger="schedule",
                    status="failed",
                    error_class="timeout",
                    started_at=now - timedelta(minutes=3),
                    finished_at=now - timedelta(minutes=2),
                )
            )
            continue
        conn.execute(
            insert(CollectionRun).values(
                source_id=source.id,
                trigger="schedule",
                status="ok",
                rows_accepted=5,
                started_at=now - timedelta(seconds=8),
                finished_at=now - timedelta(seconds=5),
            )
        )


def simulated_store(
    url: str,
    catalogue: Catalogue,
    now: datetime,
    *,
    skip_latest: set[str] = frozenset(),
    lag: dict[str, int] | None = None,
    dead: set[str] = frozenset(),
    seed: int = 7,
):
    """History of every indicator in every region up to the last ended period, except:
    ``skip_latest`` codes lack their latest period, ``lag`` codes stop that many periods early."""
    engine = make_engine(url)
    sync_catalogue(engine, catalogue)
    gen = Generator(catalogue, seed=seed)
    lag = lag or {}
    with engine.begin() as conn:
        for ind in catalogue.indicators:
            latest = latest_ended(now, ind.grain)
            drop = lag.get(ind.code, 1 if ind.code in skip_latest else 0)
            rows = []
            for back in range(drop, HISTORY[ind.grain] + drop):
                start = step(latest, ind.grain, -back)
                for region in catalogue.regions:
                    if ind.aggregation.method == "none" and region.kind != "province":
                        continue
                    rows.append(
                        ObservationRow(
                            ind.code,
                            region.code,
                            start,
                            ind.grain,
                            float(gen.value(ind.code, region.code, start)),
                        )
                    )
            source = catalogue.sources_feeding(ind.code)
            upsert_observations(
                conn,
                rows,
                source_id=source[0].id if source else "upload",
                run_id=None,
                ingested_at=now - timedelta(hours=1),
            )
        fresh_runs(conn, catalogue, now, dead)
    return engine


def put(
    engine,
    catalogue: Catalogue,
    code: str,
    values: dict,
    region: str = "71",
    ingested_at: datetime | None = None,
) -> None:
    """Exact figures: ``values`` maps period start → value."""
    ind = catalogue.indicator(code)
    source = catalogue.sources_feeding(code)
    with engine.begin() as conn:
        upsert_observations(
            conn,
            [
                ObservationRow(code, region, start, ind.grain, float(v))
                for start, v in values.items()
            ],
            source_id=source[0].id if source else "upload",
            run_id=None,
            ingested_at=ingested_at or clock_kit.now(),
        )


SAMPLE_NOW = datetime(2026, 11, 28, 4, 0, tzinfo=UTC)  # Saturday 12.00 WITA


def put_sample(engine, catalogue: Catalogue) -> None:
    """A few exact figures around October 2026 (see tests/test_scorecard_store.py)."""
    oct_, sep, oct_last_year = date(2026, 10, 1), date(2026, 9, 1), date(2025, 10, 1)
    put(engine, catalogue, "LIV.STUNTING", {oct_last_year: 23.0, sep: 22.1, oct_: 21.3})
    put(engine, catalogue, "LIV.STUNTING", {sep: 12.0, oct_: 11.9}, region="71.71")
    put(engine, catalogue, "LIV.STUNTING", {oct_: 12.5}, region="71.72")
    put(engine, catalogue, "LIV.STUNTING", {oct_: 16.3}, region="71.03")
    put(engine, catalogue, "LIV.JKN", {sep: 98.4})
    put(engine, catalogue, "GOV.REALISASI-APBD", {oct_last_year: 66.0, sep: 58.0, oct_: 63.8})
    put(engine, catalogue, "BRD.WISMAN", {sep: 6000, oct_: 6449})
    put(engine, catalogue, "SOC.IPM", {date(2024, 1, 1): 75.10, date(2025, 1, 1): 75.62})
