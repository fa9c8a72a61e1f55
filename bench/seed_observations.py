"""Fill a store with millions of synthetic observations, fast: the analyst benchmark's data.

    .venv/bin/python bench/seed_observations.py [--url sqlite:////tmp/big.sqlite3] [--rows 5000000] [--json]

Without ``--url`` it seeds a temporary SQLite store and removes it: a benchmark of the load.

What goes in (sorted by the unique key, so index pages fill in order):
- every catalogue indicator for the province and its 15 kab/kota, at its own grain, from
  2010 (daily indicators from 2015; ``seed(since=…, daily_since=…)``) to the last complete
  period; the province value follows the indicator's rule (cumulative ones grow through the year);
- ballast up to ``--rows``: daily series of synthetic indicator codes (``BENCH.Dnnnn``,
  not in the catalogue) so the table and its indexes have production size;
- one collection run per source, each with an archived raw payload, and one value
  revised by a second run (revision 2), as a real store would hold.

Loading goes through the driver: COPY on PostgreSQL, executemany on SQLite, with the
secondary indexes (whatever the migrations created) dropped during the load and built
once afterwards, then ANALYZE.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sqlite3
import sys
import time
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import chain, repeat
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from sqlalchemy import insert, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from dashboard.archive import archive_payload  # noqa: E402
from dashboard.catalogue import load_catalogue  # noqa: E402
from dashboard.catalogue.models import Catalogue, Indicator  # noqa: E402
from dashboard.store.catalogue_sync import sync_catalogue  # noqa: E402
from dashboard.store.engine import begin_write, make_engine  # noqa: E402
from dashboard.store.migrate import upgrade  # noqa: E402
from dashboard.store.observations import ObservationRow, upsert_observations  # noqa: E402
from dashboard.store.schema import CollectionRun  # noqa: E402

BALLAST_DAYS = 3650
CHUNK = 400_000
_NP_UNIT = {"day": "D", "month": "M", "year": "Y"}


@dataclass
class SeedStats:
    rows: int
    catalogue_rows: int
    ballast_rows: int
    ballast_codes: int
    seconds_generate_and_load: float
    seconds_index: float
    backend: str
    revised_observation_id: int | None = None


def _last_complete(today: date, grain: str) -> date:
    if grain == "day":
        return today - timedelta(days=1)
    if grain == "month":
        return (np.datetime64(today, "M") - 1).astype("datetime64[D]").item()
    if grain == "quarter":
        first = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
        return (np.datetime64(first, "M") - 3).astype("datetime64[D]").item()
    return date(today.year - 1, 1, 1)


def period_starts(grain: str, first: date, last: date) -> np.ndarray:
    """Period starts (datetime64[D]) of ``grain`` from ``first`` to ``last`` inclusive."""
    if grain == "quarter":
        months = np.arange(np.datetime64(first, "M"), np.datetime64(last, "M") + 1, 3)
        return months.astype("datetime64[D]")
    unit = _NP_UNIT[grain]
    return np.arange(np.datetime64(first, unit), np.datetime64(last, unit) + 1).astype(
        "datetime64[D]"
    )


def _base(ind: Indicator) -> float:
    if ind.band:
        return (ind.band.low + ind.band.high) / 2
    if ind.targets:
        return float(next(iter(ind.targets.values())))
    return 100.0


def indicator_frame(ind: Indicator, regions, first: date, last: date, rng: np.random.Generator):
    """(region codes, period starts, values) of one indicator, sorted by region then period."""
    starts = period_starts(ind.grain, first, last)
    subs = [r for r in regions if r.kind != "province"]
    base = _base(ind)
    share = np.array([r.population for r in subs], dtype=float)
    share /= share.sum()
    season = np.sin(
        np.arange(len(starts))
        * 2
        * np.pi
        / {"day": 365, "month": 12, "quarter": 4, "year": 1}[ind.grain]
    )
    values = np.empty((len(subs), len(starts)))
    for i, _ in enumerate(subs):
        scale = base * share[i] if ind.aggregation.method == "sum" else base
        level = scale * (1 + rng.normal(0, 0.08))
        values[i] = level * (1 + 0.04 * season + rng.normal(0, 0.03, len(starts)))
    if ind.cumulative:  # year to date: grows through the year along the plan curve
        months = (
            np.full(len(starts), 12)
            if ind.grain == "year"
            else starts.astype("datetime64[M]").astype(int) % 12 + 1
        )
        values = values * (months / 12.0)[None, :]
    low, high = ind.valid_range.min, ind.valid_range.max
    values = np.clip(
        values, low if low is not None else -np.inf, high if high is not None else np.inf
    )
    method = ind.aggregation.method
    if method == "sum":
        province = values.sum(axis=0)
    elif method == "weighted_mean":
        weights = np.array([r.population for r in subs], dtype=float)
        province = (values * weights[:, None]).sum(axis=0) / weights.sum()
    elif method == "mean":
        province = values.mean(axis=0)
    else:
        province = base * (1 + 0.04 * season + rng.normal(0, 0.03, len(starts)))
        if ind.cumulative:
            province = province * (months / 12.0)
    if ind.decimals == 0:
        values, province = np.round(values), np.round(province)
    codes = ["71"] + [r.code for r in subs]
    all_values = np.vstack([province[None, :], values])
    order = np.argsort(codes, kind="stable")
    return [codes[i] for i in order], starts, all_values[order]


def _ballast_frame(regions, last: date, rng: np.random.Generator):
    starts = period_starts("day", last - timedelta(days=BALLAST_DAYS - 1), last)
    codes = sorted(r.code for r in regions)
    values = rng.normal(50, 10, (len(codes), len(starts))).round(2)
    return codes, starts, values


class _Sink:
    """Writes sorted blocks of rows through the driver of the store."""

    def __init__(self, url: str, ingested: datetime):
        self.url = url
        self.backend = make_url(url).get_backend_name()
        self.ingested = ingested
        self.rows = 0
        if self.backend == "sqlite":
            self.con = sqlite3.connect(make_url(url).database, isolation_level=None)
            self.con.execute("PRAGMA journal_mode=OFF")
            self.con.execute("PRAGMA synchronous=OFF")
            self.con.execute("PRAGMA cache_size=-400000")
            # Secondary indexes (whatever the migrations made) are built once, after the load.
            self.indexes = [
                sql
                for name, sql in self.con.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'observation' "
                    "AND sql IS NOT NULL"
                )
            ]
            for name, _ in self.con.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                "AND tbl_name = 'observation' AND sql IS NOT NULL"
            ).fetchall():
                self.con.execute(f'DROP INDEX "{name}"')
            self.con.execute("BEGIN")
        else:
            import psycopg

            self.con = psycopg.connect(
                make_url(url).set(drivername="postgresql").render_as_string(False)
            )
            self.indexes = [
                row[0]
                for row in self.con.execute(
                    "SELECT indexdef FROM pg_indexes WHERE tablename = 'observation' AND indexname NOT IN "
                    "(SELECT conname FROM pg_constraint WHERE conrelid = 'observation'::regclass)"
                )
            ]
            for (name,) in self.con.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'observation' AND indexname NOT IN "
                "(SELECT conname FROM pg_constraint WHERE conrelid = 'observation'::regclass)"
            ).fetchall():
                self.con.execute(f'DROP INDEX "{name}"')
            self.con.execute("ALTER TABLE observation DROP CONSTRAINT IF EXISTS uq_observation_key")
            self.copy_cm = self.con.cursor().copy(
                "COPY observation (indicator_code, region_code, period_start, grain, value, source_id, run_id, "
                "ingested_at, revision) FROM STDIN"
            )
            self.copy = self.copy_cm.__enter__()
        stamp = ingested.astimezone(UTC)
        self.stamp = (
            stamp.strftime("%Y-%m-%d %H:%M:%S.%f")
            if self.backend == "sqlite"
            else stamp.isoformat()
        )

    def write(
        self,
        code: str,
        grain: str,
        regions: list[str],
        starts: np.ndarray,
        values: np.ndarray,
        source: str,
        run_id: int,
    ) -> None:
        days = starts.astype(str).tolist()
        n = len(days)
        if self.backend == "sqlite":
            # zip over repeat() keeps the per-row work in C.
            rows = chain.from_iterable(
                zip(
                    repeat(code),
                    repeat(region),
                    days,
                    repeat(grain),
                    values[i].tolist(),
                    repeat(source),
                    repeat(run_id),
                    repeat(self.stamp),
                    repeat(1),
                )
                for i, region in enumerate(regions)
            )
            self.con.executemany(
                "INSERT INTO observation (indicator_code, region_code, period_start, grain, value, "
                "source_id, run_id, ingested_at, revision) VALUES (?,?,?,?,?,?,?,?,?)",
                rows,
            )
        else:
            buffer = io.StringIO()
            tail = f"\t{grain}\t"
            run_text = "\\N" if run_id is None else str(run_id)  # COPY's NULL
            suffix = f"\t{source}\t{run_text}\t{self.stamp}\t1\n"
            for i, region in enumerate(regions):
                head = f"{code}\t{region}\t"
                buffer.write(
                    "".join(
                        f"{head}{day}{tail}{value!r}{suffix}"
                        for day, value in zip(days, values[i].tolist())
                    )
                )
            self.copy.write(buffer.getvalue())
        self.rows += n * len(regions)

    def finish(self) -> float:
        """Commit, build the indexes, ANALYZE; returns the seconds the index build took."""
        started = time.perf_counter()
        if self.backend == "sqlite":
            self.con.execute("COMMIT")
            for sql in self.indexes:
                self.con.execute(sql)
            self.con.execute("ANALYZE")
            self.con.execute("PRAGMA journal_mode=WAL")
        else:
            self.copy_cm.__exit__(None, None, None)
            self.con.execute("SET maintenance_work_mem = '512MB'")
            self.con.execute(
                "ALTER TABLE observation ADD CONSTRAINT uq_observation_key "
                "UNIQUE (indicator_code, region_code, period_start, grain)"
            )
            for sql in self.indexes:
                self.con.execute(sql)
            self.con.commit()
            self.con.autocommit = True
            self.con.execute("VACUUM ANALYZE observation")
        self.con.close()
        return time.perf_counter() - started


def _runs(
    engine, catalogue: Catalogue, payload_dir: Path, now: datetime
) -> dict[str, tuple[str, int]]:
    """One finished run per source with an archived payload; returns indicator → (source, run)."""
    out = {}
    with begin_write(engine) as conn:
        for source in catalogue.sources:
            content = json.dumps(
                {"source": source.id, "note": "synthetic backfill for the benchmark"}
            ).encode()
            sha = archive_payload(conn, payload_dir, content, "application/json")
            run_id = conn.execute(
                insert(CollectionRun)
                .values(
                    source_id=source.id,
                    trigger="backfill",
                    started_at=now - timedelta(minutes=5),
                    finished_at=now,
                    status="ok",
                    payload_sha256=sha,
                )
                .returning(CollectionRun.id)
            ).scalar_one()
            for code in source.indicators:
                out.setdefault(code, (source.id, run_id))
    return out


def seed(
    url: str,
    rows: int = 5_000_000,
    *,
    config_dir: Path = REPO / "config",
    payload_dir: Path,
    today: date | None = None,
    since: int = 2010,
    daily_since: int = 2015,
    seed_value: int = 7,
) -> SeedStats:
    """Migrate ``url`` (an empty store), load the catalogue and ``rows`` observations."""
    today = today or date.today()
    catalogue = load_catalogue(config_dir)
    upgrade(url)
    engine = make_engine(url)
    sync_catalogue(engine, catalogue)
    now = datetime.now(UTC)
    runs = _runs(engine, catalogue, payload_dir, now)
    engine.dispose()
    rng = np.random.default_rng(seed_value)
    sink = _Sink(url, now - timedelta(hours=1))
    started = time.perf_counter()
    for ind in sorted(catalogue.indicators, key=lambda i: i.code):
        first = date(daily_since if ind.grain == "day" else since, 1, 1)
        regions, starts, values = indicator_frame(
            ind, catalogue.regions, first, _last_complete(today, ind.grain), rng
        )
        source, run_id = runs.get(ind.code, (catalogue.sources[0].id, None))
        sink.write(ind.code, ind.grain, regions, starts, values, source, run_id)
    catalogue_rows = sink.rows
    per_code = len(catalogue.regions) * BALLAST_DAYS
    ballast_codes = max(0, -(-(rows - catalogue_rows) // per_code))
    remaining = max(0, rows - catalogue_rows)
    last_day = today - timedelta(days=1)
    for index in range(ballast_codes):
        regions, starts, values = _ballast_frame(catalogue.regions, last_day, rng)
        take = min(remaining, per_code)
        full, part = divmod(take, len(starts))
        code = f"BENCH.D{index:04d}"
        sink.write(
            code, "day", regions[:full], starts, values[:full], catalogue.sources[0].id, None
        )
        if part:  # the last code lands exactly on the requested count
            sink.write(
                code,
                "day",
                [regions[full]],
                starts[:part],
                values[full : full + 1, :part],
                catalogue.sources[0].id,
                None,
            )
        remaining -= take
    loaded = time.perf_counter() - started
    index_seconds = sink.finish()
    revised = _revise_one(url, catalogue, runs, payload_dir, today)
    return SeedStats(
        rows=sink.rows,
        catalogue_rows=catalogue_rows,
        ballast_rows=sink.rows - catalogue_rows,
        ballast_codes=ballast_codes,
        seconds_generate_and_load=round(loaded, 1),
        seconds_index=round(index_seconds, 1),
        backend=sink.backend,
        revised_observation_id=revised,
    )


def _revise_one(url: str, catalogue: Catalogue, runs, payload_dir: Path, today: date) -> int | None:
    """A second run revises the province's latest stunting value: revision 2, old value kept."""
    from sqlalchemy import select

    from dashboard.store.schema import Observation

    code = "LIV.STUNTING"
    if code not in runs:
        return None
    engine = make_engine(url)
    try:
        with begin_write(engine) as conn:
            obs = Observation.__table__
            row = conn.execute(
                select(obs.c.id, obs.c.period_start, obs.c.value)
                .where(
                    obs.c.indicator_code == code,
                    obs.c.region_code == "71",
                    obs.c.grain == "month",
                )
                .order_by(obs.c.period_start.desc())
                .limit(1)
            ).first()
            if row is None:
                return None
            source = runs[code][0]
            sha = archive_payload(
                conn,
                payload_dir,
                b'{"revision": "correction of the latest month"}',
                "application/json",
            )
            now = datetime.now(UTC)
            run_id = conn.execute(
                insert(CollectionRun)
                .values(
                    source_id=source,
                    trigger="manual",
                    started_at=now,
                    finished_at=now,
                    status="ok",
                    payload_sha256=sha,
                    rows_accepted=1,
                    rows_changed=1,
                )
                .returning(CollectionRun.id)
            ).scalar_one()
            upsert_observations(
                conn,
                [ObservationRow(code, "71", row.period_start, "month", row.value + 0.4)],
                source_id=source,
                run_id=run_id,
                ingested_at=now,
            )
            return row.id
    finally:
        engine.dispose()


def count_rows(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM observation")).scalar_one()
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    """Seed a given store, or (no ``--url``: as ``make bench`` runs it) a temporary SQLite one, timing the load."""
    import shutil
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--url",
        help="SQLAlchemy URL of an EMPTY store (migrated here); "
        "default: a temporary SQLite store, removed afterwards",
    )
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument(
        "--payload-dir", type=Path, help="where archived payloads go (default: next to SQLite)"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    workdir = None
    url = args.url
    if url is None:
        workdir = Path(tempfile.mkdtemp(prefix="odsk-seed-"))
        url = f"sqlite:///{workdir / 'seed.sqlite3'}"
    payload_dir = args.payload_dir
    if payload_dir is None:
        database = make_url(url).database
        payload_dir = (
            Path(database).parent / "payloads" if database and "/" in database else Path("payloads")
        )
    try:
        stats = seed(url, args.rows, payload_dir=payload_dir)
    finally:
        if workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)
    if args.json:
        print(json.dumps({**asdict(stats), "cpus": os.cpu_count()}))
    else:
        print(f"machine: {os.cpu_count()} CPUs; backend: {stats.backend}")
        for key, value in asdict(stats).items():
            print(f"{key}: {value}")
        rate = stats.rows / max(stats.seconds_generate_and_load, 1e-9)
        print(
            f"load rate: {rate:,.0f} rows/s (indexes built afterwards in {stats.seconds_index} s)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
