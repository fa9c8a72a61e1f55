"""``odsk demo``: the whole product on the embedded defaults, stopped cleanly on Ctrl-C."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import click
import httpx
from sqlalchemy import func, select

from dashboard.store.schema import Observation


def _spawn(args: list[str], env: dict[str, str]) -> subprocess.Popen:
    # Own process group, so Ctrl-C reaches us once and we stop the children in order.
    return subprocess.Popen(
        [sys.executable, "-m", "dashboard.cli", *args], env=env, start_new_session=True
    )


def _subcommand(proc: subprocess.Popen) -> str:
    """The odsk subcommand a child of ``_spawn`` runs (python -m dashboard.cli SUBCOMMAND …)."""
    return str(proc.args[3]) if isinstance(proc.args, list) else str(proc.args)


def _wait_http(url: str, seconds: float, proc: subprocess.Popen) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    return False


def _stop(procs: list[subprocess.Popen]) -> None:
    for proc in reversed(procs):
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    for proc in reversed(procs):
        try:
            proc.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


@dataclass(frozen=True)
class DemoSignIn:
    lines: list[str]
    wall_token: str | None


def demo_accounts(engine) -> DemoSignIn:
    """On a store without accounts: a demo admin with a password printed once, and an
    enrolled demo wall screen. Never a fixed password; later runs create nothing."""
    from dashboard.access.accounts import add_account, list_accounts
    from dashboard.access.audit import Actor
    from dashboard.access.devices import enrol

    with engine.connect() as conn:
        existing = list_accounts(conn)
    if existing:
        return DemoSignIn(
            [
                "with an existing account; a new password for the demo admin:",
                "odsk user reset-password demo-admin --generate",
            ],
            None,
        )
    password = secrets.token_urlsafe(15)
    actor = Actor.cli("odsk-demo")
    add_account(
        engine, "demo-admin", "admin", password=password, display_name="Demo admin", actor=actor
    )
    _device, token = enrol(engine, "demo-wall", "internal", actor=actor)
    return DemoSignIn(
        [f"user demo-admin, password {password}  (shown once; odsk user … for more accounts)"],
        token,
    )


def run_demo(port: int = 8050, simulator_port: int = 8051) -> None:
    from dashboard.runtime import prepared_runtime

    started = time.monotonic()
    from dashboard.settings import get_settings

    env = dict(
        os.environ, ODSK_SIMULATOR_URL=f"http://127.0.0.1:{simulator_port}", PYTHONUNBUFFERED="1"
    )
    # Absolute, so the catalogue's default e-office URL (under the data dir) is the same
    # file for the simulator that writes it and the scheduler that reads it.
    env.setdefault("ODSK_DATA_DIR", str(get_settings().data_dir.resolve()))
    # The access log (a line per request, the wall polls every few seconds) in a file, not
    # in the terminal the demo talks through.
    env.setdefault("ODSK_ACCESS_LOG", str(Path(env["ODSK_DATA_DIR"]) / "access.jsonl"))
    os.environ.update(env)
    rt = prepared_runtime()  # migrate, load and check the catalogue, sync it into the store
    procs: list[subprocess.Popen] = []
    interrupted = False

    def on_signal(signum, _frame):
        nonlocal interrupted
        interrupted = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        sim = _spawn(["simulate", "--port", str(simulator_port)], env)
        procs.append(sim)
        if not _wait_http(f"http://127.0.0.1:{simulator_port}/_health", 30, sim):
            raise click.ClickException("the SKPD simulator did not start")
        # Migrated and synced once above; the children need not do it again.
        procs.append(_spawn(["scheduler", "--no-migrate"], env))
        web = _spawn(["serve", "--port", str(port), "--no-migrate"], env)
        procs.append(web)
        if not _wait_http(f"http://127.0.0.1:{port}/healthz", 60, web):
            raise click.ClickException("the web app did not start")
        base = f"http://127.0.0.1:{port}"
        sign_in = demo_accounts(rt.engine)
        click.echo("\nCommand Centre ODSK is running:")
        click.echo(f"  sign in           {base}/login")
        for line in sign_in.lines:
            click.echo(f"                    {line}")
        if sign_in.wall_token:
            click.echo(f"  video wall        {base}/wall?device={sign_in.wall_token}")
        else:
            click.echo(
                f"  video wall        {base}/wall (signed in, or enrol a screen on /ops/screens)"
            )
        click.echo(f"  health            {base}/healthz")
        click.echo(f"  SKPD simulator    http://127.0.0.1:{simulator_port}/")
        click.echo(f"  source health     {base}/ops/sources")
        click.echo(f"  drop folder       {rt.settings.resolved_drop_dir}/inbox")
        click.echo(f"  store             {rt.settings.resolved_database_url}")
        click.echo("Press Ctrl-C to stop.\n")
        first_data = None
        while not interrupted:
            if any(p.poll() is not None for p in procs):
                dead = [_subcommand(p) for p in procs if p.poll() is not None]
                raise click.ClickException(f"stopped unexpectedly: {', '.join(dead)}")
            if first_data is None:
                with rt.engine.connect() as conn:
                    if conn.execute(select(func.count()).select_from(Observation)).scalar_one():
                        first_data = time.monotonic() - started
                        click.echo(f"first data in the store after {first_data:.1f} s")
            time.sleep(0.5)
    finally:
        click.echo("stopping …")
        _stop(procs)
        rt.close()
        click.echo("stopped.")
