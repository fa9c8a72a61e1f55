"""The wall's data, without a browser: queries and view data on SQLite and PostgreSQL."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import insert

from dashboard import i18n
from dashboard.store import queries
from dashboard.store.catalogue_sync import sync_catalogue
from dashboard.store.observations import ObservationRow, upsert_observations
from dashboard.store.queries import collector_health, latest_with_previous, source_runs
from dashboard.store.schema import CollectionRun
from dashboard.versions import ChangeSignal, bump
from dashboard.views.wall import headline_indicators, refresh_freshness, wall_domains
from dashboard.views.wall_screens import load_parts, moved_parts
from dashboard.wall_config import WallConfig

NOW = datetime(2026, 10, 20, 4, 0, tzinfo=UTC)
STORED_AT = NOW - timedelta(hours=6)


def _headlines(catalogue):
    return [i for d in wall_domains(catalogue) for i in headline_indicators(catalogue, d)]


def _pick(catalogue, wanted, avoid_sources=()):
    """A monthly, non-cumulative headline indicator matching ``wanted``, fed by a source not in ``avoid_sources``."""
    for ind in _headlines(catalogue):
        sources = [s.id for s in catalogue.sources_feeding(ind.code)]
        if (
            ind.grain == "month"
            and not ind.cumulative
            and wanted(ind)
            and sources
            and sources[0] not in avoid_sources
        ):
            return ind, sources[0]
    pytest.fail("the catalogue has no headline indicator for this scenario")


def _run(conn, source_id, status, ended, **extra):
    conn.execute(
        insert(CollectionRun).values(
            source_id=source_id,
            trigger="schedule",
            status=status,
            started_at=ended - timedelta(seconds=2),
            finished_at=None if status == "running" else ended,
            **extra,
        )
    )


@pytest.fixture
def scenario(engine, catalogue):
    """A store with a few headline series and runs that are fresh, stale, failing and running."""
    sync_catalogue(engine, catalogue)
    down, down_src = _pick(
        catalogue, lambda i: i.direction == "down" and i.target_for(2026) is not None
    )
    up, up_src = _pick(
        catalogue,
        lambda i: i.direction == "up" and i.target_for(2026) is not None,
        avoid_sources={down_src},
    )
    band, band_src = _pick(catalogue, lambda i: i.direction == "band")
    target_down, target_up = down.target_for(2026), up.target_for(2026)
    with engine.begin() as conn:
        upsert_observations(
            conn,
            [
                ObservationRow(down.code, "71", date(2026, 7, 1), "month", target_down + 5),
                ObservationRow(down.code, "71", date(2026, 8, 1), "month", target_down + 3),
                ObservationRow(down.code, "71", date(2026, 9, 1), "month", target_down - 1),
                # A regency's newer figure must not leak into the province tile.
                ObservationRow(down.code, "71.71", date(2026, 10, 1), "month", 99.0),
            ],
            source_id=down_src,
            run_id=None,
            ingested_at=STORED_AT,
        )
        upsert_observations(
            conn,
            [
                ObservationRow(up.code, "71", date(2026, 8, 1), "month", target_up * 0.90),
                ObservationRow(up.code, "71", date(2026, 9, 1), "month", target_up * 0.97),
            ],
            source_id=up_src,
            run_id=None,
            ingested_at=STORED_AT,
        )
        upsert_observations(
            conn,
            [
                ObservationRow(
                    band.code, "71", date(2026, 9, 1), "month", (band.band.low + band.band.high) / 2
                ),
            ],
            source_id=band_src,
            run_id=None,
            ingested_at=STORED_AT,
        )

        _run(conn, down_src, "ok", NOW - timedelta(seconds=30), rows_accepted=3)
        _run(conn, down_src, "running", NOW - timedelta(seconds=5))  # not a verdict yet
        gap = catalogue.source(up_src).schedule.expected_gap_seconds
        _run(
            conn,
            up_src,
            "partial",
            NOW - timedelta(seconds=catalogue.staleness.after_gaps * gap + 60),
            rows_rejected=1,
        )
        _run(
            conn,
            up_src,
            "failed",
            NOW - timedelta(seconds=20),
            error_class="timeout",
            message="read timed out",
        )
    return {"down": (down, down_src), "up": (up, up_src), "band": (band, band_src)}


# --- queries ------------------------------------------------------------------------


def test_latest_and_previous_per_indicator_for_the_province(engine, scenario):
    down, down_src = scenario["down"]
    band, _ = scenario["band"]
    with engine.connect() as conn:
        result = latest_with_previous(conn, [down.code, band.code, "NO.SUCH.CODE"])
    assert set(result) == {down.code, band.code}  # no observation, no entry
    pair = result[down.code]
    assert pair.region_code == "71"
    assert pair.latest.period_start == date(2026, 9, 1)
    assert pair.latest.value == pytest.approx(down.target_for(2026) - 1)
    assert pair.latest.grain == "month"
    assert pair.latest.source_id == down_src
    assert pair.latest.ingested_at == STORED_AT
    assert pair.previous.period_start == date(2026, 8, 1)
    assert result[band.code].previous is None


def test_latest_for_a_regency_and_by_grain(engine, scenario):
    down, _ = scenario["down"]
    with engine.connect() as conn:
        regency = latest_with_previous(conn, [down.code], region_code="71.71")
        wrong_grain = latest_with_previous(conn, [down.code], grains={down.code: "quarter"})
    assert regency[down.code].latest.value == 99.0
    assert regency[down.code].previous is None
    assert wrong_grain == {}


def test_many_indicators_are_read_in_chunks(engine, scenario, monkeypatch):
    monkeypatch.setattr(queries, "_UNION_CHUNK", 2)
    codes = [scenario[k][0].code for k in ("down", "up", "band")]
    with engine.connect() as conn:
        assert set(latest_with_previous(conn, codes)) == set(codes)


def test_last_run_and_last_success_per_source(engine, scenario):
    _, down_src = scenario["down"]
    _, up_src = scenario["up"]
    with engine.connect() as conn:
        runs = source_runs(conn)
    assert runs[down_src].last_run.status == "ok"  # the running one is no verdict
    assert runs[down_src].last_success.rows_accepted == 3
    assert runs[up_src].last_run.status == "failed"
    assert runs[up_src].last_run.error_class == "timeout"
    assert runs[up_src].last_success.status == "partial"  # partial runs stored data
    with engine.connect() as conn:
        only = source_runs(conn, [up_src])
    assert list(only) == [up_src]


def test_collector_health_counts_ok_failing_and_never_run(engine, scenario, catalogue):
    with engine.connect() as conn:
        health = collector_health(conn, catalogue, NOW)
    assert health.ok == [scenario["down"][1]]
    assert health.failing == [scenario["up"][1]]
    enabled = [s.id for s in catalogue.sources if s.enabled]
    assert health.attention == []
    assert len(health.never_run) == len(enabled) - 2
    assert health.total == len(enabled)


# --- view data --------------------------------------------------------------------


def _tiles(engine, catalogue, lang="id", now=NOW):
    with engine.connect() as conn:
        keys = [f"overview/{d}" for d in wall_domains(catalogue)]
        views = load_parts(conn, catalogue, WallConfig(), keys, now, lang)
    panels = {k.removeprefix("overview/"): views[k] for k in keys}
    return panels, {t.code: t for p in panels.values() for t in p.tiles}


def test_every_domain_gets_a_panel_with_its_headline_tiles(engine, scenario, catalogue):
    panels, _ = _tiles(engine, catalogue)
    assert list(panels) == ["living", "society", "branding", "governance", "environment", "economy"]
    for domain_id, panel in panels.items():
        assert panel.name == catalogue.domain(domain_id).name.id
        assert [t.code for t in panel.tiles] == [
            i.code for i in headline_indicators(catalogue, domain_id)
        ]
        assert len(panel.tiles) == 3


def test_tile_value_change_status_period_and_fresh_age(engine, scenario, catalogue):
    down, _ = scenario["down"]
    _, tiles = _tiles(engine, catalogue)
    tile = tiles[down.code]
    assert tile.value == i18n.number(down.target_for(2026) - 1, "id", down.decimals)
    assert tile.unit == down.unit.id
    assert tile.status == "on_track" and tile.status_label == "Sesuai target"
    assert tile.change_arrow == "down"
    assert tile.change_tone == "good"  # falling is good for a down indicator
    assert tile.change_amount == i18n.number(4, "id", down.decimals)
    assert tile.change_label == "vs Agu 2026"
    assert tile.period == "Sep 2026"
    assert tile.target == "target " + i18n.number(down.target_for(2026), "id", down.decimals)
    # Fetched = the source's last successful run, not when the row was first stored.
    assert tile.freshness.text == "diambil 30 detik lalu"
    assert tile.freshness.stale is False


def test_a_source_behind_its_schedule_makes_its_tiles_stale(engine, scenario, catalogue):
    up, _ = scenario["up"]
    _, tiles = _tiles(engine, catalogue, lang="en")
    tile = tiles[up.code]
    assert tile.status == "at_risk"  # 97 % of target, within the 5 % margin
    assert tile.change_arrow == "up" and tile.change_tone == "good"
    assert tile.period == "Sep 2026"
    assert tile.freshness.stale is True
    assert tile.freshness.text.startswith("fetched ") and tile.freshness.text.endswith(" ago")


def test_single_value_and_missing_series(engine, scenario, catalogue):
    band, _ = scenario["band"]
    _, tiles = _tiles(engine, catalogue)
    assert tiles[band.code].change_arrow is None
    assert tiles[band.code].change_label == "belum ada pembanding"
    assert tiles[band.code].status == "on_track"
    assert tiles[band.code].target.startswith("rentang ")
    seeded = {scenario[k][0].code for k in scenario}
    empty = next(t for code, t in tiles.items() if code not in seeded)
    assert empty.value is None and empty.status == "no_data" and empty.period is None


def test_freshness_refresh_needs_no_observation_query(engine, scenario, catalogue):
    down, _ = scenario["down"]
    _, tiles = _tiles(engine, catalogue)
    inputs = {down.code: tiles[down.code].freshness_inputs()}
    with engine.connect() as conn:
        runs = source_runs(conn)
    later = refresh_freshness(inputs, runs, catalogue, NOW + timedelta(minutes=4, seconds=30), "id")
    assert later[down.code].text == "diambil 5 menit lalu"
    gap = catalogue.source(scenario["down"][1]).schedule.expected_gap_seconds
    much_later = refresh_freshness(
        inputs,
        runs,
        catalogue,
        NOW + timedelta(seconds=catalogue.staleness.after_gaps * gap + 60),
        "id",
    )
    assert much_later[down.code].stale is True  # the collector stopped: time alone makes it stale


def test_moved_parts_follow_the_data_versions(engine, scenario):
    signal = ChangeSignal(engine, None)
    with engine.begin() as conn:
        bump(conn, ["domain:living", "domain:economy"])
    seen = signal.current()
    keys = ["overview/living", "overview/economy", "economy"]
    assert moved_parts(keys, seen, signal.current()) == []
    with engine.begin() as conn:
        bump(conn, ["domain:economy"])
    assert moved_parts(keys, seen, signal.current()) == ["overview/economy", "economy"]
    assert moved_parts(keys, None, {"all": 3, "domain:living": 1, "domain:economy": 2}) == keys
