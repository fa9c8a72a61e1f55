"""Ingest of a 1,000,000-row CSV (parse + validation + upsert) against the raw driver.

For each store (SQLite, PostgreSQL) the same run measures:
- baseline: the raw DB-API driver's ``executemany`` of the same rows into a table of
  the observation table's shape (same columns, same unique key, same secondary index),
  in one transaction;
- odsk: ``collect()`` of the CSV as a source would deliver it: archive, parse
  (Indonesian numbers, region codes, ISO dates), pandera validation, duplicate check,
  upsert with revisions, run record — everything a scheduled run does.
Prints rows/s for both and the ratio (target: odsk ≥ 0.5 × baseline).

Before the timed ingest, each store gets a small warm-up ingest (other dates, same
source) through the same runtime: the first validation in a process imports pandera's
backends (and hypothesis, several seconds), which a long-running scheduler pays once,
not per run. Its time is printed, not counted.

Each measurement starts after ``os.sync()``, so that writing back what the previous one
left in the page cache does not land in the next one's time. ``--phases`` also prints
where the ingest's time went (parse, validate, upsert, the rest: archive, commit, run
record).

    .venv/bin/python bench/ingest_million.py [--rows 1000000] [--stores sqlite,postgresql] [--repeat 1] [--phases]
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import psycopg
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import dashboard.ingest as ingest_module  # noqa: E402
from collectors.base import Payload  # noqa: E402
from collectors.tabular import CsvKind  # noqa: E402
from dashboard.ingest import collect  # noqa: E402
from dashboard.runtime import Runtime  # noqa: E402
from dashboard.settings import Settings  # noqa: E402
from dashboard.store.catalogue_sync import sync_catalogue  # noqa: E402
from dashboard.store.migrate import upgrade  # noqa: E402

INDICATORS = 20
DAYS_FROM = date(2016, 1, 1)
PG_ADMIN = os.environ.get("ODSK_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def bench_catalogue(directory: Path, days: int) -> None:
    """The real domains, regions and SKPDs, plus 20 daily indicators fed by one CSV source."""
    for name in ("domains.yaml", "regions.yaml", "skpd.yaml"):
        shutil.copy(ROOT / "config" / name, directory / name)
    codes = [f"ENV.BENCH-{i:02d}" for i in range(INDICATORS)]
    indicators = [
        {
            "code": code,
            "name": {"id": f"Uji {code}", "en": f"Bench {code}"},
            "unit": "µg/m³",
            "domain": "environment",
            "application": "e-environment",
            "skpd": "dlh",
            "direction": "down",
            "frequency": "daily",
            "aggregation": "mean",
            "classification": "public",
            "valid_range": {"min": 0, "max": 1000},
        }
        for code in codes
    ]
    (directory / "indicators.yaml").write_text(yaml.safe_dump({"indicators": indicators}))
    source = {
        "id": "bench-csv",
        "name": "Bench CSV",
        "kind": "csv",
        "skpd": "dlh",
        "schedule": {"interval_seconds": 3600},
        "timeout_seconds": 3600,
        "indicators": codes,
        "options": {
            "delimiter": ";",
            "locale": "id",
            "region_system": "kemendagri",
            "columns": {
                "indicator": "indikator",
                "region": "kode_wilayah",
                "period": "tanggal",
                "value": "nilai",
            },
            "limits": {"max_rows": 5_000_000, "max_bytes": 500_000_000},
        },
    }
    (directory / "sources.yaml").write_text(
        yaml.safe_dump({"sources": [source]}, allow_unicode=True)
    )


def rows_for(count: int, regions: list[str]) -> list[tuple[str, str, date, float]]:
    days = -(-count // (INDICATORS * len(regions)))
    out = []
    for i in range(INDICATORS):
        for r, region in enumerate(regions):
            for d in range(days):
                out.append(
                    (
                        f"ENV.BENCH-{i:02d}",
                        region,
                        DAYS_FROM + timedelta(days=d),
                        round(10 + (i * 7 + r * 3 + d) % 400 / 10, 1),
                    )
                )
    return out[:count]


def csv_bytes(rows) -> bytes:
    buffer = io.StringIO()
    buffer.write("indikator;kode_wilayah;tanggal;nilai\n")
    for code, region, day, value in rows:
        buffer.write(f"{code};{region};{day.isoformat()};{str(value).replace('.', ',')}\n")
    return buffer.getvalue().encode()


RAW_TABLE = """CREATE TABLE bench_raw (
    id {pk}, indicator_code VARCHAR(64) NOT NULL, region_code VARCHAR(8) NOT NULL,
    period_start DATE NOT NULL, grain VARCHAR(8) NOT NULL, value DOUBLE PRECISION NOT NULL,
    source_id VARCHAR(64) NOT NULL, run_id BIGINT, ingested_at TIMESTAMP NOT NULL, revision INTEGER NOT NULL,
    UNIQUE (indicator_code, region_code, period_start, grain))"""
# The observation table's secondary index (region → indicator → period, for the region pages):
# the store maintains it on every insert, so the baseline's table has it too.
RAW_INDEX = "CREATE INDEX bench_raw_region ON bench_raw (region_code, indicator_code, period_start)"
RAW_INSERT = (
    "INSERT INTO bench_raw (indicator_code, region_code, period_start, grain, value, source_id, run_id, "
    "ingested_at, revision) VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p})"
)


def raw_sqlite(path: Path, rows) -> float:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(RAW_TABLE.format(pk="INTEGER PRIMARY KEY"))
    conn.execute(RAW_INDEX)
    now = time.strftime("%Y-%m-%d %H:%M:%S")
    params = [(c, r, d.isoformat(), "day", v, "bench", 1, now, 1) for c, r, d, v in rows]
    os.sync()
    started = time.perf_counter()
    with conn:
        conn.executemany(RAW_INSERT.format(p="?"), params)
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


def raw_postgres(url: str, rows) -> float:
    with psycopg.connect(url) as conn:
        conn.execute(RAW_TABLE.format(pk="BIGSERIAL PRIMARY KEY"))
        conn.execute(RAW_INDEX)
        conn.commit()
        now = time.strftime("%Y-%m-%d %H:%M:%S")
        params = [(c, r, d, "day", v, "bench", 1, now, 1) for c, r, d, v in rows]
        os.sync()
        started = time.perf_counter()
        with conn.cursor() as cur:
            cur.executemany(RAW_INSERT.format(p="%s"), params)
        conn.commit()
        return time.perf_counter() - started


def warm_up_csv(regions: list[str]) -> bytes:
    """A few rows on days before the benchmark's: nothing they write meets the timed payload."""
    rows = [
        (code, region, day - timedelta(days=400), value)
        for code, region, day, value in rows_for(INDICATORS * len(regions) * 2, regions)
    ]
    return csv_bytes(rows)


def odsk_ingest(
    database_url: str, config: Path, data_dir: Path, content: bytes, warm_up: bytes
) -> tuple[float, dict, float]:
    upgrade(database_url)
    rt = Runtime.from_settings(
        Settings(database_url=database_url, config_dir=config, data_dir=data_dir)
    )
    sync_catalogue(rt.engine, rt.catalogue)
    started = time.perf_counter()
    warm = collect(
        rt, "bench-csv", payload=Payload(warm_up, "text/csv"), trigger="upload", today=date.today()
    )
    if warm.status != "ok":
        raise RuntimeError(f"the warm-up ingest did not succeed: {warm.as_dict()}")
    warm_seconds = time.perf_counter() - started
    PHASES.clear()
    os.sync()
    started = time.perf_counter()
    summary = collect(
        rt, "bench-csv", payload=Payload(content, "text/csv"), trigger="upload", today=date.today()
    )
    elapsed = time.perf_counter() - started
    rt.close()
    return elapsed, summary.as_dict(), warm_seconds


PHASES: dict[str, float] = {}


def timed(name: str, function):
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            PHASES[name] = PHASES.get(name, 0.0) + time.perf_counter() - started

    return wrapper


def time_phases() -> None:
    CsvKind.parse = timed("parse", CsvKind.parse)
    ingest_module.validate = timed("validate", ingest_module.validate)
    ingest_module.upsert_observations = timed("upsert", ingest_module.upsert_observations)


def pg_database(name: str) -> str:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + name


def drop_pg(name: str) -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def report(store: str, count: int, raw: float, ours: float, summary: dict, warm: float) -> None:
    raw_rate, our_rate = count / raw, count / ours
    print(
        f"{store:<11} raw executemany {raw:7.2f} s {raw_rate:>10,.0f} rows/s | "
        f"odsk ingest {ours:7.2f} s {our_rate:>10,.0f} rows/s | ratio {our_rate / raw_rate:4.2f}× "
        f"(status {summary['status']}, accepted {summary['accepted']:,}, rejected {summary['rejected']}; "
        f"warm-up {warm:.1f} s, not counted)",
        flush=True,
    )
    if PHASES:
        shown = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in PHASES.items())
        print(
            f"{'':<11} odsk phases: {shown}, the rest {ours - sum(PHASES.values()):.2f} s",
            flush=True,
        )
    if summary["status"] != "ok" or summary["accepted"] != count:
        raise SystemExit(f"{store}: the ingest did not store every row: {summary}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--stores", default="sqlite,postgresql")
    parser.add_argument("--repeat", type=int, default=1, help="measure each store this many times")
    parser.add_argument(
        "--phases", action="store_true", help="also print where the ingest's time went"
    )
    args = parser.parse_args()
    if args.phases:
        time_phases()
    with tempfile.TemporaryDirectory(prefix="odsk-bench-") as tmp:
        tmp = Path(tmp)
        config = tmp / "config"
        config.mkdir()
        regions = [
            r["code"]
            for r in yaml.safe_load((ROOT / "config" / "regions.yaml").read_text())["regions"]
        ]
        rows = rows_for(args.rows, regions)
        bench_catalogue(config, len(rows))
        content = csv_bytes(rows)
        warm_up = warm_up_csv(regions)
        print(
            f"{len(rows):,} rows, CSV of {len(content) / 2**20:.1f} MiB; machine: {os.cpu_count()} cores",
            flush=True,
        )
        for _ in range(args.repeat):
            for store in args.stores.split(","):
                run_dir = Path(tempfile.mkdtemp(prefix=f"{store}-", dir=tmp))
                if store == "sqlite":
                    raw = raw_sqlite(run_dir / "raw.sqlite3", rows)
                    ours, summary, warm = odsk_ingest(
                        f"sqlite:///{run_dir / 'odsk.sqlite3'}",
                        config,
                        run_dir / "var",
                        content,
                        warm_up,
                    )
                else:
                    # Named per process: two benchmarks at once must not drop each other's databases.
                    raw_db, odsk_db = (
                        f"odsk_bench_raw_{os.getpid()}",
                        f"odsk_bench_store_{os.getpid()}",
                    )
                    raw_url, odsk_url = pg_database(raw_db), pg_database(odsk_db)
                    try:
                        raw = raw_postgres(raw_url, rows)
                        ours, summary, warm = odsk_ingest(
                            odsk_url, config, run_dir / "var", content, warm_up
                        )
                    finally:
                        drop_pg(raw_db)
                        drop_pg(odsk_db)
                shutil.rmtree(run_dir, ignore_errors=True)
                report(store, len(rows), raw, ours, summary, warm)


if __name__ == "__main__":
    main()
