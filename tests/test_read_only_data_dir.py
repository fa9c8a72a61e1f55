"""A read-only data directory (a disk remounted read-only): the web serves what is stored
with a bilingual banner, /healthz says no data can be stored, and the scheduler refuses to
start with one clear line instead of a traceback.

The directory is a tmpfs mounted read-only for the test (root only: skipped otherwise).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from access_kit import add_user, call, login
from analyst_kit import route
from wall_kit import add_alert

from dashboard.settings import Settings
from dashboard.store.migrate import upgrade
from dashboard.webapp import context_of, create_app


@pytest.fixture
def read_only_dir(tmp_path):
    mount = tmp_path / "data"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {done.stderr.decode()[:200]}")
    try:
        url = f"sqlite:///{mount / 'odsk.sqlite3'}"
        upgrade(url)
        writable = create_app(Settings(data_dir=mount, access_log=""))
        user = add_user(context_of(writable).engine, "admin")
        add_alert(context_of(writable).engine, severity="warning", title="BOR")
        context_of(writable).engine.dispose()
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        yield mount, user
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_the_web_serves_read_only_with_a_banner(read_only_dir):
    mount, user = read_only_dir
    app = create_app(Settings(data_dir=mount, access_log=""))
    assert context_of(app).read_only
    client = app.server.test_client()
    assert login(client, user).status_code == 302  # accounts are read from the store
    for lang, words in (("id", "Mode baca saja"), ("en", "Read-only mode")):
        page = route(client, "/ops/sources", f"?lang={lang}")
        assert page.status_code == 200 and words in page.get_data(as_text=True)
    health = client.get("/healthz").json
    assert health["status"] == "fail" and health["read_only"] is True
    assert health["checks"]["store"]["ok"] is True
    assert health["checks"]["store_write"]["ok"] is False
    assert health["checks"]["archive"]["error"].startswith("not writable")


def test_the_scheduler_refuses_with_one_line(read_only_dir):
    mount, _user = read_only_dir
    env = {**os.environ, "ODSK_DATA_DIR": str(mount)}
    env.pop("ODSK_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "dashboard.cli", "scheduler"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert lines == [
        f"odsk scheduler: refusing to start: the data directory {mount} is not writable "
        "(Read-only file system)"
    ]


def test_an_upload_in_read_only_mode_says_it_was_not_stored(read_only_dir):
    mount, user = read_only_dir
    app = create_app(Settings(data_dir=mount, access_log=""))
    client = app.server.test_client()
    assert login(client, user).status_code == 302
    key = next(k for k in app.callback_map if "upload-result.children@" in k)
    response = call(
        client,
        key,
        inputs=[("upload-confirm", "n_clicks", 1)],
        state=[
            ("upload-file", "contents", "data:text/csv;base64,YQ=="),
            ("upload-file", "filename", "dinkes-sik.csv"),
            ("upload-source", "value", "dinkes-sik"),
            ("upload-lang", "data", "en"),
        ],
        changed=["upload-confirm.n_clicks"],
    )
    assert response.status_code == 200
    assert "Not stored" in json.dumps(response.json["response"])


def test_an_acknowledgement_in_read_only_mode_says_it_was_not_stored(read_only_dir):
    mount, user = read_only_dir
    app = create_app(Settings(data_dir=mount, access_log=""))
    client = app.server.test_client()
    assert login(client, user).status_code == 302
    key = next(k for k in app.callback_map if "alerts-ack-note.value" in k)
    response = call(
        client,
        key,
        inputs=[("alerts-tick", "n_intervals", 1), ("alerts-ack-confirm", "n_clicks", 1)],
        state=[
            ("alerts-ack-target", "data", 1),
            ("alerts-ack-note", "value", "seen"),
            ("alerts-lang", "data", "en"),
        ],
        changed=["alerts-ack-confirm.n_clicks"],
    )
    assert response.status_code == 200
    assert response.json["response"]["alerts-ack-error"]["children"].startswith("Not stored")
