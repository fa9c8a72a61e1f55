"""One freshness rule: the wall, the scorecard, /ops, the metrics and the alerts judge a source
late by the same ``staleness`` limits of alerts.yaml, counted from the last success (or, never
successful, the first attempt). Change ``after_gaps`` and every surface moves together."""

import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from dashboard.alerts.config import load_alerts_config
from dashboard.alerts.inputs import source_facts
from dashboard.alerts.source_rules import stale_findings
from dashboard.catalogue import load_catalogue
from dashboard.scorecard.lists import stale_indicators
from dashboard.store.catalogue_sync import sync_catalogue
from dashboard.store.engine import begin_write
from dashboard.store.queries import collector_health, source_runs
from dashboard.store.schema import CollectionRun
from dashboard.views.ops import load_source_health
from dashboard.views.wall import freshness

SMALL = Path(__file__).parent / "catalogue_small"
NOW = datetime(2026, 11, 28, 4, 0, tzinfo=UTC)
SOURCE = "dinkes-feed"  # every 60 s, feeds LIV.STUNTING and LIV.BOR


@pytest.fixture(autouse=True)
def synced(engine):
    sync_catalogue(engine, load_catalogue(SMALL))


def config_with(tmp_path, staleness: dict) -> Path:
    target = tmp_path / "config"
    shutil.copytree(SMALL, target)
    (target / "alerts.yaml").write_text(yaml.safe_dump({"staleness": staleness}))
    return target


def add_run(engine, status, started):
    with begin_write(engine) as conn:
        conn.execute(
            CollectionRun.__table__.insert().values(
                source_id=SOURCE,
                trigger="schedule",
                started_at=started,
                finished_at=started + timedelta(seconds=1),
                status=status,
                rows_accepted=1 if status == "ok" else 0,
                rows_rejected=0,
            )
        )


def judgements(engine, config_dir) -> dict[str, bool]:
    """Whether each surface calls the source late / its figures stale."""
    catalogue = load_catalogue(config_dir)
    alerts = load_alerts_config(config_dir, catalogue)
    with engine.connect() as conn:
        runs = source_runs(conn)
        ops = {h.source_id: h.health for h in load_source_health(conn, catalogue, NOW)}
        wall_strip = collector_health(conn, catalogue, NOW, runs)
        facts = source_facts(conn, [SOURCE], alerts.failing.consecutive)
    tile = freshness(SOURCE, None, runs, catalogue, NOW, "id")
    held = {code: date(2026, 10, 1) for code in ("LIV.STUNTING", "LIV.BOR")}
    indicators = [catalogue.indicator(c) for c in held]
    listed = stale_indicators(indicators, held, catalogue, runs, NOW)
    findings = stale_findings(alerts.staleness, catalogue, facts, NOW)
    return {
        "wall tile": tile.stale,
        "wall strip": SOURCE in wall_strip.attention,
        "scorecard": any(SOURCE in s.stale_sources for s in listed),
        "ops": ops[SOURCE] == "late",
        "alert": any(f.subject == f"source:{SOURCE}" for f in findings),
    }


@pytest.mark.parametrize("after_gaps, late", [(3, True), (5, False)])
def test_every_surface_moves_with_after_gaps(engine, tmp_path, after_gaps, late):
    add_run(engine, "ok", NOW - timedelta(seconds=4 * 60))  # four 60 s gaps ago
    verdicts = judgements(engine, config_with(tmp_path, {"after_gaps": after_gaps}))
    assert verdicts == dict.fromkeys(verdicts, late)


@pytest.mark.parametrize("after_gaps, late", [(3, True), (5, False)])
def test_a_source_never_successful_counts_from_its_first_attempt(
    engine, tmp_path, after_gaps, late
):
    add_run(engine, "failed", NOW - timedelta(seconds=4 * 60))  # the first attempt
    add_run(engine, "failed", NOW - timedelta(seconds=30))
    verdicts = judgements(engine, config_with(tmp_path, {"after_gaps": after_gaps}))
    # /ops and the wall's strip call it failing whatever the clock (its last run failed).
    assert not verdicts.pop("ops") and not verdicts.pop("wall strip")
    assert verdicts == dict.fromkeys(verdicts, late)


def test_low_uptime_is_not_ok_anywhere(engine, tmp_path):
    """63 % of the last 30 days' runs succeeded, the latest one too: unstable, not a green OK."""
    for i in range(100):
        add_run(engine, "failed" if i % 100 < 37 else "ok", NOW - timedelta(minutes=100 - i))
    config_dir = config_with(tmp_path, {"after_gaps": 3, "min_uptime": 0.9})
    catalogue = load_catalogue(config_dir)
    with engine.connect() as conn:
        ops = {h.source_id: h for h in load_source_health(conn, catalogue, NOW)}
        strip = collector_health(conn, catalogue, NOW)
    assert ops[SOURCE].uptime == pytest.approx(0.63)
    assert ops[SOURCE].health == "unstable"
    assert SOURCE in strip.attention and SOURCE not in strip.ok
