"""Alert-rule test kit: the small catalogue, a synced store, crafted observations and runs.

The fixtures ``small`` and ``store`` reach every test through ``pytest_plugins`` in
conftest.py; the helpers are imported by name.
"""

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from dashboard.alerts.config import AlertsConfig
from dashboard.catalogue import load_catalogue
from dashboard.store.catalogue_sync import sync_catalogue
from dashboard.store.engine import begin_write
from dashboard.store.schema import Alert, CollectionRun, Observation

SMALL = Path(__file__).parent / "catalogue_small"
NOW = datetime(2026, 11, 28, 4, 0, tzinfo=UTC)
# Only what a test switches on runs, so each test sees its own rule alone.
QUIET = {
    "catalogue_thresholds": {"enabled": False},
    "staleness": {"enabled": False},
    "failing": {"enabled": False},
    "earthquakes": {"enabled": False},
}


@pytest.fixture(scope="module")
def small():
    return load_catalogue(SMALL)


@pytest.fixture
def store(engine, small):
    sync_catalogue(engine, small)
    return engine


def config(**sections) -> AlertsConfig:
    return AlertsConfig.model_validate({**QUIET, **sections})


def observe(engine, code, region, period, value, grain="month", source="dinkes-feed"):
    with begin_write(engine) as conn:
        conn.execute(
            Observation.__table__.insert().values(
                indicator_code=code,
                region_code=region,
                period_start=period,
                grain=grain,
                value=value,
                source_id=source,
                ingested_at=NOW - timedelta(days=1),
                revision=1,
            )
        )


def monthly(engine, code, region, start: date, values, source="dinkes-feed"):
    year, month = start.year, start.month
    for value in values:
        observe(engine, code, region, date(year, month, 1), value, source=source)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def run(engine, source, status, ended, error_class=None):
    with begin_write(engine) as conn:
        conn.execute(
            CollectionRun.__table__.insert().values(
                source_id=source,
                trigger="schedule",
                started_at=ended - timedelta(seconds=2),
                finished_at=ended,
                status=status,
                rows_accepted=10 if status != "failed" else 0,
                rows_rejected=0,
                error_class=error_class,
                message="boom" if error_class else None,
            )
        )


def alerts(engine):
    with engine.connect() as conn:
        return conn.execute(
            select(Alert.rule_id, Alert.subject, Alert.severity, Alert.state).order_by(Alert.id)
        ).all()


def open_keys(engine):
    return {(a.rule_id, a.subject, a.severity) for a in alerts(engine) if a.state != "resolved"}
