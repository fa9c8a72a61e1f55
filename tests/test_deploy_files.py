"""deploy/'s files say what the code does: every setting documented in the environment file,
the units' commands accepted by the ``odsk`` command line, the nginx site rendered whole and
accepted by nginx, and the app trusting exactly the proxy hops it is told to."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess

import pytest
from deploy_kit import REPO, free_port
from local_layout import (
    MIME_TYPES,
    NGINX,
    NGINX_MAIN,
    Unit,
    nginx_temp_dirs,
    self_signed,
    unit_commands,
)
from render_nginx import PLACEHOLDER, TEMPLATE, render

from dashboard.settings import Settings

DEPLOY = REPO / "deploy"
ENV_EXAMPLE = DEPLOY / "odsk.env.example"


def _documented() -> set[str]:
    return set(re.findall(r"^#? ?(ODSK_[A-Z0-9_]+)=", ENV_EXAMPLE.read_text(), re.M))


def test_every_setting_is_in_the_environment_file():
    names = {f"ODSK_{name.upper()}" for name in Settings.model_fields}
    assert names - _documented() == set()


def test_every_variable_the_catalogue_reads_is_in_the_environment_file():
    named = set()
    for path in (REPO / "config").glob("*.yaml"):
        text = path.read_text()
        named |= set(re.findall(r"\$\{(ODSK_[A-Z0-9_]+)", text))
        named |= set(re.findall(r"(?:key_env|url_env|header_env|password_env): *(ODSK_\w+)", text))
        named |= set(re.findall(r"^  (ODSK_\w+):", text, re.M))  # sources.yaml's environment:
    assert named, "the catalogue names no variable: the pattern is wrong"
    assert named - _documented() == set()


@pytest.mark.parametrize(
    "unit,instance",
    [("odsk-web@.service", "8001"), ("odsk-scheduler@.service", "1"), ("odsk-migrate.service", "")],
)
def test_the_units_run_commands_odsk_accepts(unit, instance, tmp_path):
    from dashboard.cli import main

    argvs, env = unit_commands(unit, instance, {"PATH": "/usr/bin"}, tmp_path)
    assert argvs
    for argv in argvs:
        assert argv[1:3] == ["-m", "dashboard.cli"], argv
        args = argv[3:]
        command = main
        while hasattr(command, "get_command"):  # the group(s): odsk, odsk db
            name, args = args[0], args[1:]
            command = command.get_command(None, name)
            assert command is not None, f"odsk has no command {name!r}: {argv}"
        command.make_context(name, list(args))  # raises on an unknown option or value
    if unit == "odsk-web@.service":
        assert "--port" in argvs[0] and argvs[0][argvs[0].index("--port") + 1] == "8001"
        assert env["PROMETHEUS_MULTIPROC_DIR"] == f"{tmp_path}/run/odsk-web-8001/prometheus"
    for text in Unit.read(unit).commands:
        assert shlex.split(text)[0] == "/opt/odsk/.venv/bin/odsk"


def test_the_nginx_site_needs_every_value_and_refuses_a_broken_one():
    text = render(["127.0.0.1:8001", "127.0.0.1:8002"], server_name="cc.example.go.id")
    assert not PLACEHOLDER.search(text)
    assert "server 127.0.0.1:8001 " in text and "server 127.0.0.1:8002 " in text
    assert "client_max_body_size 32m;" in text
    with pytest.raises(ValueError, match="web node"):
        render([])
    with pytest.raises(ValueError, match="single nginx token"):
        render(["127.0.0.1:8001"], server_name="x; include /etc/passwd")
    with pytest.raises(ValueError, match="no value for NOPE"):
        broken = TEMPLATE.with_name("broken.template")
        try:
            broken.write_text(TEMPLATE.read_text() + "# {{NOPE}}\n")
            render(["127.0.0.1:8001"], template=broken)
        finally:
            broken.unlink()


def test_nginx_accepts_the_rendered_site(tmp_path, request):
    cert, key = self_signed(tmp_path)
    (tmp_path / "logs").mkdir()
    (tmp_path / "odsk.conf").write_text(
        render(
            ["127.0.0.1:8001", "127.0.0.1:8002"],
            http_listen=f"127.0.0.1:{free_port()}",
            https_listen=f"127.0.0.1:{free_port()}",
            tls_certificate=str(cert),
            tls_certificate_key=str(key),
            log_dir=str(tmp_path / "logs"),
        )
    )
    user, temp = nginx_temp_dirs(tmp_path)
    request.addfinalizer(lambda: shutil.rmtree(temp, ignore_errors=True))
    (tmp_path / "nginx.conf").write_text(
        NGINX_MAIN.format(root=tmp_path, user=user, mime=MIME_TYPES, temp=temp)
    )
    done = subprocess.run(
        [NGINX, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")]
        + ["-e", str(tmp_path / "logs" / "main.log")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("hops,expected", [(0, "10.0.0.5"), (1, "192.0.2.10")])
def test_the_app_trusts_exactly_its_proxy_hops(hops, expected, sqlite_url, tmp_path):
    """Behind one proxy the rightmost X-Forwarded-For entry is the client (anything left of it
    is the client's own claim); without a proxy the header is ignored."""
    from access_kit import add_user, login
    from sqlalchemy import select

    from dashboard.store.access_tables import AuditEntry
    from dashboard.webapp import context_of, create_app

    app = create_app(Settings(database_url=sqlite_url, data_dir=tmp_path, proxy_hops=hops))
    client = app.server.test_client()
    client.environ_base.update(
        REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.7, 192.0.2.10"
    )
    engine = context_of(app).engine
    name = add_user(engine, "viewer")
    assert login(client, name).status_code == 302
    with engine.connect() as conn:
        addresses = conn.execute(
            select(AuditEntry.address).where(AuditEntry.actor == name)
        ).scalars()
        assert set(addresses) == {expected}


def test_a_web_node_whose_clock_is_a_little_behind_keeps_the_session(sqlite_url, tmp_path, clock):
    """A cookie signed by one node is read by the next, whose clock may be behind by a little:
    not "from the future", so not a sign-out."""
    from access_kit import client_as

    from dashboard.webapp import create_app

    app = create_app(Settings(database_url=sqlite_url, data_dir=tmp_path, secret_key="k" * 40))
    client = client_as(app, "viewer")
    assert client.get("/alerts").status_code == 200
    clock.shift(-3)  # the other node
    assert client.get("/alerts").status_code == 200
