"""Run Alembic migrations from code (``odsk db upgrade``, the demo, the tests)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


# pg_advisory_lock key of start-up (migrations, catalogue sync): "odsk" in ASCII.
STARTUP_LOCK_KEY = 0x6F64736B


@contextmanager
def startup_lock(engine: Engine) -> Iterator[None]:
    """Processes starting together (two schedulers, web nodes) migrate and sync one at a
    time on PostgreSQL, instead of racing into duplicate-key errors. SQLite: no-op (its
    write transactions are serial already)."""
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": STARTUP_LOCK_KEY})
        conn.commit()
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": STARTUP_LOCK_KEY})
            conn.commit()
