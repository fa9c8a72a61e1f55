"""Observation upsert: idempotent, and a changed value keeps the old one as a revision."""

from datetime import UTC, date, datetime

from sqlalchemy import select

from dashboard.store.observations import ObservationRow, upsert_observations
from dashboard.store.schema import Observation, ObservationRevision

T0 = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)
T1 = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)


def rows(value_manado=21.5):
    return [
        ObservationRow("LIV.STUNTING", "71", date(2026, 9, 1), "month", 20.1),
        ObservationRow("LIV.STUNTING", "71.71", date(2026, 9, 1), "month", value_manado),
    ]


def stored(engine):
    with engine.connect() as conn:
        obs = conn.execute(
            select(
                Observation.region_code, Observation.value, Observation.revision, Observation.run_id
            ).order_by(Observation.region_code)
        ).all()
        revs = conn.execute(
            select(
                ObservationRevision.revision, ObservationRevision.value, ObservationRevision.run_id
            )
        ).all()
    return [tuple(o) for o in obs], [tuple(r) for r in revs]


def test_first_write_inserts_every_row(engine):
    with engine.begin() as conn:
        stats = upsert_observations(conn, rows(), source_id="s", run_id=1, ingested_at=T0)
    assert (stats.inserted, stats.updated, stats.unchanged) == (2, 0, 0)
    assert stored(engine) == ([("71", 20.1, 1, 1), ("71.71", 21.5, 1, 1)], [])


def test_same_payload_twice_changes_nothing(engine):
    with engine.begin() as conn:
        upsert_observations(conn, rows(), source_id="s", run_id=1, ingested_at=T0)
    before = stored(engine)
    with engine.begin() as conn:
        stats = upsert_observations(conn, rows(), source_id="s", run_id=2, ingested_at=T1)
    assert (stats.inserted, stats.updated, stats.unchanged) == (0, 0, 2)
    assert stored(engine) == before  # run_id and revision untouched


def test_changed_value_becomes_a_new_revision_and_keeps_the_old(engine):
    with engine.begin() as conn:
        upsert_observations(conn, rows(21.5), source_id="s", run_id=1, ingested_at=T0)
    with engine.begin() as conn:
        stats = upsert_observations(conn, rows(19.0), source_id="s", run_id=2, ingested_at=T1)
    assert (stats.inserted, stats.updated, stats.unchanged) == (0, 1, 1)
    current, revisions = stored(engine)
    assert current == [("71", 20.1, 1, 1), ("71.71", 19.0, 2, 2)]
    assert revisions == [(1, 21.5, 1)]


def test_a_failed_transaction_leaves_no_trace(engine):
    try:
        with engine.begin() as conn:
            upsert_observations(conn, rows(), source_id="s", run_id=1, ingested_at=T0)
            raise RuntimeError("crash mid-run")
    except RuntimeError:
        pass
    assert stored(engine) == ([], [])
