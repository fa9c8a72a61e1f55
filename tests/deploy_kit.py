"""The production layout of deploy/ for tests: a fresh PostgreSQL database of its own and
deploy/local_layout.py's nginx + web nodes + schedulers, every process at the test's instant."""

from __future__ import annotations

import os
import re
import secrets
import sys
from pathlib import Path

import clock_kit
import pytest
from clock_kit import frozen_command

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "deploy"))

from local_layout import Layout, LayoutError, free_port  # noqa: E402

__all__ = ["Layout", "LayoutError", "free_port", "fresh_database", "layout_env", "start_layout"]

PG_DB_PREFIX = "odsk_test_"  # as conftest's: a database a dead session left is dropped later


@pytest.fixture
def fresh_database(pg_server_url):
    """An empty database (not migrated: the layout's odsk-migrate does it), dropped afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    stamp = clock_kit.now().strftime("%Y%m%d%H%M%S")
    name = f"{PG_DB_PREFIX}{stamp}_{os.getpid()}_{secrets.token_hex(3)}"
    assert re.fullmatch(r"[a-z0-9_]+", name)
    admin_url = make_url(pg_server_url).set(drivername="postgresql+psycopg")
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'"))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def layout_env(database_url: str, redis_url: str, data_dir: Path, **extra: str) -> dict[str, str]:
    """What /etc/odsk/odsk.env would hold (deploy/odsk.env.example), for this machine."""
    return {
        "ODSK_DATABASE_URL": database_url,
        "ODSK_REDIS_URL": redis_url,
        "ODSK_DATA_DIR": str(data_dir),
        "ODSK_PROXY_HOPS": "1",
        "ODSK_SECURE_COOKIES": "true",
        "ODSK_SECRET_KEY": secrets.token_urlsafe(32),
        # The demo catalogue's feeds point at a port nobody serves: every run fails fast
        # with a reason, which is all a scheduler needs to show it is alive.
        "ODSK_SIMULATOR_URL": f"http://127.0.0.1:{free_port()}",
        **extra,
    }


def start_layout(root: Path, env: dict[str, str], **kwargs) -> Layout:
    layout = Layout(root, env, wrap=frozen_command, **kwargs)
    try:
        layout.start()
    except LayoutError as exc:
        layout.stop()
        pytest.fail(str(exc), pytrace=False)
    except BaseException:
        layout.stop()
        raise
    return layout
