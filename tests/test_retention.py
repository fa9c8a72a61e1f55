"""Retention: quiet old runs and their payloads go, runs that stored something stay,
quarantine is kept a year; the dry run's figures are exactly what a prune frees."""

import json
import shutil
from datetime import date, timedelta
from pathlib import Path

import clock_kit
import pytest
from click.testing import CliRunner
from sqlalchemy import func, insert, select

from dashboard.archive import archive_payload, payload_path
from dashboard.retention import RetentionPolicy, load_policy, prune
from dashboard.runtime import Runtime
from dashboard.settings import Settings
from dashboard.store.catalogue_sync import sync_catalogue
from dashboard.store.engine import begin_write
from dashboard.store.schema import CollectionRun, Observation, QuarantinedRow, RawPayload

SMALL = Path(__file__).parent / "catalogue_small"
SOURCE = "dinkes-feed"


@pytest.fixture
def rt(tmp_path, database_url):
    config = tmp_path / "config"
    shutil.copytree(SMALL, config)
    runtime = Runtime.from_settings(
        Settings(database_url=database_url, config_dir=config, data_dir=tmp_path)
    )
    sync_catalogue(runtime.engine, runtime.catalogue)
    yield runtime
    runtime.close()


def _run(rt, days_ago, *, changed=0, status="ok", content=None, quarantined=0, observed=False):
    now = clock_kit.now()
    with begin_write(rt.engine) as conn:
        sha = (
            archive_payload(conn, rt.settings.payload_dir, content, "application/json")
            if content
            else None
        )
        if sha:  # the payload arrived with the run
            conn.execute(
                RawPayload.__table__.update()
                .where(RawPayload.sha256 == sha)
                .values(first_seen_at=now - timedelta(days=days_ago))
            )
        run_id = conn.execute(
            insert(CollectionRun)
            .values(
                source_id=SOURCE,
                trigger="schedule",
                status=status,
                started_at=now - timedelta(days=days_ago),
                finished_at=now - timedelta(days=days_ago) + timedelta(seconds=2),
                rows_changed=changed,
                payload_sha256=sha,
            )
            .returning(CollectionRun.id)
        ).scalar_one()
        for row in range(quarantined):
            conn.execute(
                insert(QuarantinedRow).values(
                    run_id=run_id, source_id=SOURCE, row_number=row, raw={}, reasons=[]
                )
            )
        if observed:
            conn.execute(
                insert(Observation).values(
                    indicator_code="LIV.BOR",
                    region_code="71",
                    period_start=date(2026, 1, 1),
                    grain="month",
                    value=1.0,
                    source_id=SOURCE,
                    run_id=run_id,
                    ingested_at=now,
                )
            )
    return run_id, sha


def _state(rt):
    with rt.engine.connect() as conn:
        runs = set(conn.execute(select(CollectionRun.id)).scalars())
        quarantined = conn.execute(select(func.count()).select_from(QuarantinedRow)).scalar()
        payloads = set(conn.execute(select(RawPayload.sha256)).scalars())
    return runs, quarantined, payloads


def test_dry_run_figures_are_what_the_prune_frees(rt):
    _, quiet_sha = _run(rt, 100, content=b'{"quiet": 1}')
    stored, stored_sha = _run(rt, 100, changed=3, content=b'{"stored": 1}')
    observed, _ = _run(rt, 100, observed=True)
    recent_quarantine, _ = _run(rt, 100, status="partial", quarantined=2)
    _, ancient_sha = _run(rt, 400, status="failed", quarantined=3, content=b"ancient")
    recent, recent_sha = _run(rt, 10, content=b'{"recent": 1}')
    before = _state(rt)

    dry = prune(rt, dry_run=True)
    assert _state(rt) == before  # nothing deleted
    assert all(payload_path(rt.settings.payload_dir, s).exists() for s in before[2])
    expected_bytes = len(b'{"quiet": 1}') + len(b"ancient")
    assert (dry.runs, dry.quarantined_rows, dry.payload_files, dry.payload_bytes) == (
        2,
        3,
        2,
        expected_bytes,
    )

    done = prune(rt)
    assert done.as_dict() == {**dry.as_dict(), "dry_run": False}
    runs, quarantined, payloads = _state(rt)
    assert runs == {stored, observed, recent_quarantine, recent}
    assert quarantined == 2
    assert payloads == {stored_sha, recent_sha}
    assert not payload_path(rt.settings.payload_dir, quiet_sha).exists()
    assert not payload_path(rt.settings.payload_dir, ancient_sha).exists()
    assert payload_path(rt.settings.payload_dir, stored_sha).exists()
    assert prune(rt).as_dict() == {
        "dry_run": False,
        "runs": 0,
        "quarantined_rows": 0,
        "payload_files": 0,
        "payload_bytes": 0,
    }


def test_a_sources_latest_run_and_latest_success_stay_however_old(rt):
    success, _ = _run(rt, 300)
    latest, _ = _run(rt, 200, status="failed")
    older, _ = _run(rt, 400)
    report = prune(rt, policy=RetentionPolicy(runs_full_days=90))
    assert report.runs == 1
    assert _state(rt)[0] == {success, latest}
    assert older not in _state(rt)[0]


def test_the_policy_comes_from_config_and_the_cli_dry_run_prints_it(rt, tmp_path, sqlite_url):
    config = Path(rt.settings.config_dir)
    (config / "retention.yaml").write_text("runs_full_days: 5\nquarantine_days: 30\n")
    assert load_policy(config) == RetentionPolicy(runs_full_days=5, quarantine_days=30)
    if not rt.settings.resolved_database_url.startswith("sqlite"):
        return  # the command line once is enough
    _run(rt, 10, content=b"x" * 1000)
    _run(rt, 1)
    from dashboard import cli

    env = {
        "ODSK_DATABASE_URL": rt.settings.resolved_database_url,
        "ODSK_CONFIG_DIR": str(config),
        "ODSK_DATA_DIR": str(tmp_path),
    }
    result = CliRunner().invoke(cli.main, ["prune", "--dry-run", "--json"], env=env)
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output.strip().splitlines()[-1])
    assert figures == {
        "dry_run": True,
        "runs": 1,
        "quarantined_rows": 0,
        "payload_files": 1,
        "payload_bytes": 1000,
    }
    result = CliRunner().invoke(cli.main, ["prune", "--dry-run"], env=env)
    assert "would free: 1 payload files (1000 bytes), 1 run records" in result.output


def test_a_bad_policy_is_refused_by_check_config_naming_the_key(tmp_path):
    from dashboard import cli

    config = tmp_path / "config"
    shutil.copytree(SMALL, config)
    (config / "retention.yaml").write_text("runs_full_days: 0\n")
    result = CliRunner().invoke(cli.main, ["check-config", "--config-dir", str(config)])
    assert result.exit_code == 1
    assert "retention.yaml" in result.output and "runs_full_days" in result.output
