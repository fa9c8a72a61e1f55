"""A full disk under the payload archive, in the middle of work (issue 17's chaos faults):
the run fails with a reason, nothing is half-stored and no run is left running, /healthz's
archive check says why, and once space is freed the next run collects by itself.

The data directory is a small tmpfs mounted for the test (root only, as CI runs: skipped
otherwise, with the reason).
"""

from __future__ import annotations

import errno
import shutil
import subprocess

import pytest
from sqlalchemy import func, select
from test_run_ownership import SMALL, SOURCES, _Feeds, _runs

from dashboard.archive import archive_health
from dashboard.ingest import collect
from dashboard.runtime import Runtime
from dashboard.settings import Settings
from dashboard.store.catalogue_sync import sync_catalogue
from dashboard.store.schema import CollectionRun, Observation

pytestmark = pytest.mark.chaos


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "data"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {done.stderr.decode()[:200]}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.fixture
def rt(tmp_path, database_url, small_disk):
    import threading
    from http.server import ThreadingHTTPServer

    _Feeds.stop = threading.Event()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Feeds)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    config = tmp_path / "config"
    shutil.copytree(SMALL, config)
    (config / "sources.yaml").write_text(
        SOURCES.format(base=f"http://127.0.0.1:{server.server_port}")
    )
    runtime = Runtime.from_settings(
        Settings(database_url=database_url, config_dir=config, data_dir=small_disk)
    )
    sync_catalogue(runtime.engine, runtime.catalogue)
    yield runtime
    _Feeds.stop.set()
    server.shutdown()
    runtime.close()


def _fill(folder) -> None:
    """Write until the disk says it is full."""
    with open(folder / "filler.bin", "wb") as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC


def _observations(rt) -> int:
    with rt.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Observation)).scalar_one()


def test_a_full_archive_disk_fails_the_run_with_a_reason_and_the_next_run_recovers(rt, small_disk):
    payloads = rt.settings.payload_dir
    payloads.mkdir(parents=True, exist_ok=True)
    _fill(small_disk)

    summary = collect(rt, "quick", trigger="schedule")
    assert summary.status == "failed"
    assert summary.message, "a failed run says why"
    assert "no space left" in summary.message.lower(), summary.message
    assert _observations(rt) == 0  # nothing stored without its archived payload
    with rt.engine.connect() as conn:
        assert (
            conn.execute(
                select(func.count())
                .select_from(CollectionRun)
                .where(CollectionRun.status == "running")
            ).scalar_one()
            == 0
        )
    health = archive_health(payloads, min_free_bytes=2**20)
    assert health["ok"] is False and health["error"]

    (small_disk / "filler.bin").unlink()  # the operator frees space: nobody restarts anything
    assert collect(rt, "quick", trigger="schedule").status == "ok"
    assert _observations(rt) == 1
    assert [r.status for r in _runs(rt)] == ["failed", "ok"]
    assert archive_health(payloads, min_free_bytes=2**20)["ok"] is True
