"""The production layout of deploy/ on one machine, in a temporary directory: a private nginx
(the site rendered from deploy/nginx/odsk.conf.template, TLS with a throw-away certificate) in
front of N web nodes, and M schedulers, on the PostgreSQL and Redis you name.

Each process is started with its systemd unit's own ``ExecStart=`` (deploy/systemd/*.service:
``%i`` and ``${VAR}`` expanded, ``/opt/odsk/.venv/bin/odsk`` run as ``python -m dashboard.cli``
and ``/run/``, ``/opt/odsk`` mapped into the temporary directory and this checkout), so what the
tests (tests/test_deploy_layout.py) and bench/load.py run is what the units run.

    .venv/bin/python deploy/local_layout.py --database-url postgresql://… --redis-url redis://…

starts it, prints the URL and waits for Ctrl-C. Needs nginx (``apt-get install nginx``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
UNITS = HERE / "systemd"
INSTALLED_ODSK = "/opt/odsk/.venv/bin/odsk"
INSTALL_DIR = "/opt/odsk"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
MIME_TYPES = Path("/etc/nginx/mime.types")

sys.path.insert(0, str(HERE))
from render_nginx import render  # noqa: E402


class LayoutError(RuntimeError):
    """A part of the layout could not be started."""


# --- the units' commands ------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """What a systemd unit runs: its ExecStart= lines and its Environment= defaults."""

    commands: list[str]
    environment: dict[str, str]

    @classmethod
    def read(cls, name: str) -> Unit:
        commands, environment = [], {}
        for line in (UNITS / name).read_text().splitlines():
            key, _, value = line.partition("=")
            if key == "ExecStart":
                commands.append(value)
            elif key == "Environment":
                name_, _, default = value.partition("=")
                environment[name_] = default
        return cls(commands, environment)


def expand(text: str, instance: str, env: Mapping[str, str], root: Path) -> str:
    """systemd's ``%i`` and ``${VAR}``, and the install paths mapped onto this machine."""
    text = text.replace("%i", instance)
    text = re.sub(r"\$\{(\w+)\}", lambda m: env[m.group(1)], text)
    return text.replace("/run/", f"{root}/run/").replace(INSTALL_DIR, str(ROOT))


def unit_commands(
    name: str, instance: str, env: Mapping[str, str], root: Path, python: str = sys.executable
) -> tuple[list[list[str]], dict[str, str]]:
    """(argv of each ExecStart, the unit's environment over ``env``) for ``name``@``instance``."""
    unit = Unit.read(name)
    unit_env = {k: expand(v, instance, env, root) for k, v in unit.environment.items()}
    full = {**unit_env, **env}  # EnvironmentFile= wins over Environment= (systemd.exec)
    argvs = []
    for line in unit.commands:
        argv = shlex.split(line.replace(INSTALLED_ODSK, "{odsk}"))
        argv = [expand(a, instance, full, root) for a in argv]
        if argv[0] == "{odsk}":
            argv = [python, "-m", "dashboard.cli", *argv[1:]]
        argvs.append(argv)
    return argvs, full


# --- processes ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Process:
    name: str
    argv: list[str]
    env: dict[str, str]
    log: Path
    proc: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(
                self.argv,
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own group: gunicorn's workers go with it
            )

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def signal(self, sig: int) -> None:
        if self.alive():
            try:
                os.killpg(self.pid, sig)
            except ProcessLookupError:
                pass

    def stop(self, timeout: float = 20) -> None:
        if not self.alive():
            return
        self.signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout)  # type: ignore[union-attr]
        except subprocess.TimeoutExpired:
            self.signal(signal.SIGKILL)
            self.proc.wait(10)  # type: ignore[union-attr]

    def group_pids(self) -> list[int]:
        """Every live process of its group (gunicorn's master and workers)."""
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[2]) == self.pid and fields[0] != "Z":  # pgrp, state
                pids.append(int(entry.name))
        return pids


def wait_for(condition: Callable[[], bool], timeout: float, what: Callable[[], str]) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise LayoutError(what())


def _status(url: str, timeout: float = 3) -> int | None:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with urllib.request.urlopen(url, timeout=timeout, context=context) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (OSError, ValueError):
        return None


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A throw-away certificate for 127.0.0.1/localhost (cryptography)."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "tls.pem", directory / "tls.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    return cert_path, key_path


NGINX_MAIN = """worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/logs/nginx-main.log warn;
{user}
events {{ worker_connections 1024; }}
http {{
    include {mime};
    default_type application/octet-stream;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {root}/odsk.conf;
}}
"""


def nginx_temp_dirs(root: Path) -> tuple[str, Path]:
    """(the ``user`` directive, nginx's directory for request bodies and buffered responses).

    Started as root, nginx's workers run as ``nobody``, which cannot enter a private temporary
    directory (pytest's are 0700): their files then go to a directory of their own in /tmp."""
    if os.geteuid() != 0:
        temp = root / "tmp"
        temp.mkdir(parents=True, exist_ok=True)
        return "", temp
    import grp
    import pwd

    nobody = pwd.getpwnam("nobody")
    group = grp.getgrgid(nobody.pw_gid).gr_name
    temp = Path(tempfile.mkdtemp(prefix="odsk-nginx-"))
    temp.chmod(0o755)
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (temp / sub).mkdir()
        os.chown(temp / sub, nobody.pw_uid, nobody.pw_gid)
    return f"user {nobody.pw_name} {group};", temp


@dataclass
class Layout:
    """nginx + ``web_nodes`` web nodes + ``schedulers`` schedulers under ``root``.

    ``env`` holds the ODSK_* settings every process reads (the units' EnvironmentFile);
    ``wrap`` turns a ``python …`` command into the one to run (the tests run each process at
    the test's instant with clock_kit.frozen_command).
    """

    root: Path
    env: dict[str, str]
    web_nodes: int = 2
    schedulers: int = 2
    workers: int = 1
    max_body: str = "32m"
    wrap: Callable[[list[str]], list[str]] = lambda argv: argv
    python: str = sys.executable
    processes: dict[str, Process] = field(default_factory=dict)
    web_ports: dict[str, int] = field(default_factory=dict)
    http_port: int = 0
    https_port: int = 0
    _cleanup: list[Path] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    def node_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.web_ports[name]}"

    def _env(self) -> dict[str, str]:
        base = {k: v for k, v in os.environ.items() if not k.startswith("ODSK_")}
        base.pop("PROMETHEUS_MULTIPROC_DIR", None)
        return {**base, "PYTHONUNBUFFERED": "1", "WEB_WORKERS": str(self.workers), **self.env}

    def _process(self, unit: str, instance: str, name: str, index: int = 0) -> Process:
        argvs, env = unit_commands(unit, instance, self._env(), self.root, self.python)
        return Process(name, self.wrap(argvs[index]), env, self.root / "logs" / f"{name}.log")

    def migrate(self) -> None:
        """odsk-migrate.service: check the catalogue, then bring the store to the head."""
        argvs, env = unit_commands("odsk-migrate.service", "", self._env(), self.root, self.python)
        for argv in argvs:
            done = subprocess.run(
                self.wrap(argv), cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
            )
            if done.returncode != 0:
                raise LayoutError(f"{shlex.join(argv)} failed:\n{done.stdout}{done.stderr}")

    def start(self, timeout: float = 180) -> None:
        for sub in ("logs", "run", "tmp", "data"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        self.migrate()
        for i in range(1, self.web_nodes + 1):
            name, port = f"web{i}", free_port()
            self.web_ports[name] = port
            (self.root / "run" / f"odsk-web-{port}").mkdir(exist_ok=True)  # RuntimeDirectory=
            self.processes[name] = self._process("odsk-web@.service", str(port), name)
        for i in range(1, self.schedulers + 1):
            name = f"scheduler{i}"
            self.processes[name] = self._process("odsk-scheduler@.service", str(i), name)
        for process in self.processes.values():
            process.start()
        self._start_nginx()
        for name in self.web_ports:
            self.wait_node(name, timeout)
        wait_for(
            lambda: _status(f"{self.url}/healthz") in (200, 503),
            timeout,
            lambda: f"nginx does not answer at {self.url}:\n{self.tail('nginx')}",
        )

    def _start_nginx(self) -> None:
        if not os.access(NGINX, os.X_OK):
            raise LayoutError("nginx is not installed: apt-get install nginx")
        self.http_port, self.https_port = free_port(), free_port()
        cert, key = self_signed(self.root)
        site = render(
            [f"127.0.0.1:{port}" for port in self.web_ports.values()],
            server_name="localhost",
            http_listen=f"127.0.0.1:{self.http_port}",
            https_listen=f"127.0.0.1:{self.https_port}",
            tls_certificate=str(cert),
            tls_certificate_key=str(key),
            max_body=self.max_body,
            log_dir=str(self.root / "logs"),
        )
        (self.root / "odsk.conf").write_text(site)
        user, temp = nginx_temp_dirs(self.root)
        self._cleanup.append(temp)
        (self.root / "nginx.conf").write_text(
            NGINX_MAIN.format(root=self.root, user=user, mime=MIME_TYPES, temp=temp)
        )
        argv = [
            NGINX,
            "-p",
            str(self.root),
            "-c",
            str(self.root / "nginx.conf"),
            "-e",
            str(self.root / "logs" / "nginx-main.log"),
            "-g",
            "daemon off;",
        ]
        process = Process("nginx", argv, self._env(), self.root / "logs" / "nginx.log")
        self.processes["nginx"] = process
        process.start()

    def wait_node(self, name: str, timeout: float = 180) -> None:
        process = self.processes[name]

        def up() -> bool:
            if not process.alive():
                raise LayoutError(f"{name} exited:\n{process.tail()}")
            return _status(f"{self.node_url(name)}/healthz") in (200, 503)

        wait_for(up, timeout, lambda: f"{name} did not answer:\n{process.tail()}")

    def tail(self, name: str) -> str:
        return self.processes[name].tail() if name in self.processes else "(not started)"

    def stop(self) -> None:
        for process in reversed(list(self.processes.values())):
            process.stop()
        for path in self._cleanup:
            shutil.rmtree(path, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url")
    parser.add_argument("--web-nodes", type=int, default=2)
    parser.add_argument("--schedulers", type=int, default=2)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="odsk-layout-"))
    env = {
        "ODSK_DATABASE_URL": args.database_url,
        "ODSK_DATA_DIR": str(root / "data"),
        "ODSK_PROXY_HOPS": "1",
        "ODSK_SECURE_COOKIES": "true",
        "ODSK_SECRET_KEY": os.urandom(24).hex(),
    }
    if args.redis_url:
        env["ODSK_REDIS_URL"] = args.redis_url
    layout = Layout(root, env, args.web_nodes, args.schedulers, args.workers)
    try:
        layout.start()
        print(f"{layout.url} (nodes {layout.web_ports}; logs in {root / 'logs'}); Ctrl-C stops")
        signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        layout.stop()
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
