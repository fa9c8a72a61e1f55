"""Find, or start, the PostgreSQL and Redis servers the test suite runs against.

Order of preference, for each service:

1. the URL in ``ODSK_TEST_DATABASE_URL`` / ``ODSK_TEST_REDIS_URL`` when set
   (it must answer: a set but dead URL is an error, never a silent fallback);
2. the local server: PostgreSQL at 127.0.0.1:5432 as user ``postgres``,
   Redis at 127.0.0.1:6379;
3. a private, throw-away instance started from the installed server binaries
   (``initdb`` + ``pg_ctl`` from ``/usr/lib/postgresql/*/bin``; ``redis-server``)
   on a free loopback port in a temporary directory, stopped and removed afterwards.

When none of these is possible a :class:`ServiceError` says exactly what is
missing (for instance ``apt-get install postgresql``).

``tests/conftest.py`` uses this module at session start. It also runs as a
script: ``python tests/services.py preflight`` reports what the tests would use
(without starting anything) and exits non-zero when a service cannot be had;
``python tests/services.py up`` starts whatever is needed, prints the URLs and
keeps the servers until Ctrl-C.

Standalone on purpose: it imports neither the ``dashboard`` package nor pytest.
"""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

PG_ENV = "ODSK_TEST_DATABASE_URL"
REDIS_ENV = "ODSK_TEST_REDIS_URL"
LOCAL_PG_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
LOCAL_REDIS_URL = "redis://127.0.0.1:6379/0"
PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"
CONNECT_TIMEOUT = 3  # seconds; a local server answers in milliseconds

# Test db numbers handed out on a shared Redis, and the keys (in db 0) that claim them.
REDIS_TEST_DBS = range(15, 0, -1)
REDIS_CLAIM_KEY = "odsk-test:claim:db{}"
REDIS_CLAIM_TTL = 3600


class ServiceError(RuntimeError):
    """A service the tests need can be neither found nor started."""


@dataclass
class Service:
    name: str  # "PostgreSQL" / "Redis"
    url: str
    origin: str  # human-readable: where the URL came from
    private: bool = False
    _stop: Callable[[], None] | None = field(default=None, repr=False)
    # Private PostgreSQL only: stop fast (dropping every connection) and start again.
    _restart: Callable[[], None] | None = field(default=None, repr=False)

    def restart(self) -> None:
        if self._restart is None:
            raise ServiceError(f"{self.name} at {mask_url(self.url)} is not ours to restart")
        self._restart()

    def stop(self) -> None:
        stop, self._stop = self._stop, None
        if stop is not None:
            stop()

    def describe(self) -> str:
        return f"{self.name}: {mask_url(self.url)} ({self.origin})"


# --- small helpers ---------------------------------------------------------------


def mask_url(url: str) -> str:
    """The URL with any password replaced by ``***`` (for messages)."""
    return re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", url)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


_cleanups: list[Service] = []
_sigterm_installed = False


def _register(service: Service) -> Service:
    """Make sure a private server is stopped even if the caller forgets or is killed by SIGTERM."""
    global _sigterm_installed
    _cleanups.append(service)
    if not _sigterm_installed:
        _sigterm_installed = True
        atexit.register(stop_all)
        try:
            if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
                # KeyboardInterrupt lets pytest run its finalizers (and atexit runs anyway).
                signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
        except ValueError:  # not the main thread
            pass
    return service


def _raise_keyboard_interrupt(signum, frame):  # pragma: no cover - signal handler
    raise KeyboardInterrupt(f"signal {signum}")


def stop_all() -> None:
    while _cleanups:
        try:
            _cleanups.pop().stop()
        except Exception as exc:
            print(f"tests/services.py: could not stop a test server: {exc}", file=sys.stderr)


# --- PostgreSQL ------------------------------------------------------------------


def _libpq_url(url: str) -> str:
    """SQLAlchemy URL (``postgresql+psycopg://…``) → libpq URI (``postgresql://…``)."""
    return re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql://", url)


def pg_ping(url: str, timeout: float = CONNECT_TIMEOUT) -> str | None:
    """None when ``SELECT 1`` works at ``url``, else the reason it does not."""
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a project dependency
        return "the psycopg package is not installed (pip install -e '.[test]')"
    try:
        with psycopg.connect(_libpq_url(url), connect_timeout=max(1, int(timeout))) as conn:
            conn.execute("SELECT 1").fetchone()
    except Exception as exc:
        return f"{type(exc).__name__}: {str(exc).strip() or exc!r}"
    return None


def find_pg_bindir() -> Path | None:
    """The newest ``/usr/lib/postgresql/N/bin`` (or a PATH dir) with initdb, pg_ctl, postgres."""

    def version(path: str) -> tuple[int, ...]:
        return tuple(int(p) for p in re.findall(r"\d+", Path(path).parent.name)) or (0,)

    candidates = sorted(glob.glob(PG_BIN_GLOB), key=version, reverse=True)
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(str(Path(on_path).resolve().parent))
    for cand in candidates:
        d = Path(cand)
        if all(os.access(d / exe, os.X_OK) for exe in ("initdb", "pg_ctl", "postgres")):
            return d
    return None


def _unprivileged_user() -> pwd.struct_passwd | None:
    """initdb refuses to run as root: the user to run the private server as (None = ourselves)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise ServiceError(
        "running as root and there is neither a 'postgres' nor a 'nobody' user to run a "
        "private PostgreSQL as (initdb refuses root): apt-get install postgresql"
    )


def start_private_postgres(bindir: Path, attempts: int = 3) -> Service:
    user = _unprivileged_user()
    tmp = Path(tempfile.mkdtemp(prefix="odsk-test-pg-"))
    run_as: dict = {}
    if user is not None:
        os.chown(tmp, user.pw_uid, user.pw_gid)
        run_as = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}
    env = {**os.environ, "HOME": str(tmp), "LC_ALL": "C", "LANG": "C"}
    env.pop("PGDATA", None)
    data = tmp / "data"
    log = tmp / "postgres.log"

    def run(args: list[str], what: str, timeout: float = 120) -> None:
        proc = subprocess.run(
            args, cwd=tmp, env=env, capture_output=True, text=True, timeout=timeout, **run_as
        )
        if proc.returncode != 0:
            raise ServiceError(
                f"private PostgreSQL: {what} failed (exit {proc.returncode}):\n"
                f"{proc.stdout}{proc.stderr}\n{_tail(log)}"
            )

    def remove() -> None:
        shutil.rmtree(tmp, ignore_errors=True)

    try:
        run(
            [
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
            ],
            "initdb",
        )
        for attempt in range(1, attempts + 1):
            port = free_port()
            opts = " ".join(
                shlex.quote(o)
                for o in [
                    "-p",
                    str(port),
                    "-c",
                    "listen_addresses=127.0.0.1",
                    "-c",
                    f"unix_socket_directories={tmp}",
                    # A throw-away cluster: durability buys nothing here, speed does.
                    "-c",
                    "fsync=off",
                    "-c",
                    "synchronous_commit=off",
                    "-c",
                    "full_page_writes=off",
                    "-c",
                    "max_connections=200",
                ]
            )
            try:
                run(
                    [
                        str(bindir / "pg_ctl"),
                        "-D",
                        str(data),
                        "-l",
                        str(log),
                        "-w",
                        "-t",
                        "60",
                        "-o",
                        opts,
                        "start",
                    ],
                    "pg_ctl start",
                )
                break
            except ServiceError:
                if attempt == attempts or "could not bind" not in _tail(log, 40):
                    raise
    except BaseException:
        remove()
        raise

    url = f"postgresql://postgres@127.0.0.1:{port}/postgres"

    def stop() -> None:
        proc = subprocess.run(
            [str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "-t", "30", "stop"],
            cwd=tmp,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            **run_as,
        )
        if proc.returncode != 0:
            _kill_postmaster(data)
        remove()

    def restart() -> None:
        run(
            [
                str(bindir / "pg_ctl"),
                *("-D", str(data), "-l", str(log), "-m", "fast", "-w", "-t", "60"),
                *("-o", opts, "restart"),
            ],
            "pg_ctl restart",
        )

    service = _register(
        Service(
            "PostgreSQL",
            url,
            f"private instance from {bindir}, data in {tmp}",
            private=True,
            _stop=stop,
            _restart=restart,
        )
    )
    err = pg_ping(url, timeout=10)
    if err:
        service.stop()
        raise ServiceError(f"private PostgreSQL started but does not answer: {err}")
    return service


def _kill_postmaster(data: Path) -> None:
    try:
        pid = int((data / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return
    for sig in (signal.SIGQUIT, signal.SIGKILL):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        # Give it a second to go before the harder signal; polling, so a quick exit is quick.
        deadline = time.monotonic() + 1
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)


def postgres_plan() -> tuple[str, str | Path]:
    """What the tests would use, without starting anything: ("env"|"local", url) or ("private", bindir)."""
    env_url = os.environ.get(PG_ENV)
    if env_url:
        err = pg_ping(env_url)
        if err:
            raise ServiceError(f"{PG_ENV}={mask_url(env_url)} does not answer: {err}")
        return "env", env_url
    local_err = pg_ping(LOCAL_PG_URL)
    if local_err is None:
        return "local", LOCAL_PG_URL
    bindir = find_pg_bindir()
    if bindir is None:
        raise ServiceError(
            "PostgreSQL for the tests: missing. "
            f"{PG_ENV} is not set; nothing usable at 127.0.0.1:5432 as user postgres "
            f"({local_err}); and no server binaries (initdb, pg_ctl, postgres) in "
            f"{PG_BIN_GLOB} or on PATH to start a private one. "
            f"Install them with: apt-get install postgresql   (or set {PG_ENV})"
        )
    return "private", bindir


def resolve_postgres() -> Service:
    kind, where = postgres_plan()
    if kind == "env":
        return Service("PostgreSQL", str(where), f"from {PG_ENV}")
    if kind == "local":
        return Service("PostgreSQL", str(where), "local server")
    return start_private_postgres(Path(where))


# --- Redis -----------------------------------------------------------------------


def _redis_client(url: str, timeout: float = CONNECT_TIMEOUT):
    import redis

    return redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)


def redis_ping(url: str, timeout: float = CONNECT_TIMEOUT) -> str | None:
    """None when PING works at ``url``, else the reason it does not."""
    try:
        client = _redis_client(url, timeout)
    except ImportError:  # pragma: no cover - redis is a project dependency
        return "the redis package is not installed (pip install -e '.[test]')"
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    try:
        client.ping()
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    finally:
        client.close()
    return None


def find_redis_server() -> Path | None:
    found = shutil.which("redis-server")
    if found:
        return Path(found)
    for cand in ("/usr/bin/redis-server", "/usr/local/bin/redis-server", "/usr/sbin/redis-server"):
        if os.access(cand, os.X_OK):
            return Path(cand)
    return None


def start_private_redis(binary: Path, attempts: int = 3) -> Service:
    """redis-server as our own child process (not daemonized: we hold its pid, nothing to
    look up in a pidfile), no persistence, loopback only."""
    tmp = Path(tempfile.mkdtemp(prefix="odsk-test-redis-"))
    log = tmp / "redis.log"
    proc = None
    try:
        for attempt in range(1, attempts + 1):
            port = free_port()
            proc = subprocess.Popen(
                [
                    str(binary),
                    "--port",
                    str(port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--daemonize",
                    "no",
                    "--dir",
                    str(tmp),
                    "--logfile",
                    str(log),
                    "--databases",
                    "16",
                ],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.STDOUT,
                cwd=tmp,
            )
            url = f"redis://127.0.0.1:{port}/0"
            deadline = time.monotonic() + 15
            while proc.poll() is None and time.monotonic() < deadline:
                if redis_ping(url, timeout=0.5) is None:
                    break
                time.sleep(0.05)
            if proc.poll() is None and redis_ping(url) is None:
                break
            _stop_process(proc)
            if attempt == attempts:
                raise ServiceError(f"private Redis from {binary} did not start:\n{_tail(log)}")
    except BaseException:
        if proc is not None:
            _stop_process(proc)
        shutil.rmtree(tmp, ignore_errors=True)
        raise

    def stop() -> None:
        _stop_process(proc)
        shutil.rmtree(tmp, ignore_errors=True)

    return _register(
        Service(
            "Redis",
            url,
            f"private instance from {binary}, pid {proc.pid}",
            private=True,
            _stop=stop,
        )
    )


def _stop_process(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


def redis_plan() -> tuple[str, str | Path]:
    env_url = os.environ.get(REDIS_ENV)
    if env_url:
        err = redis_ping(env_url)
        if err:
            raise ServiceError(f"{REDIS_ENV}={mask_url(env_url)} does not answer: {err}")
        return "env", env_url
    local_err = redis_ping(LOCAL_REDIS_URL)
    if local_err is None:
        return "local", LOCAL_REDIS_URL
    binary = find_redis_server()
    if binary is None:
        raise ServiceError(
            "Redis for the tests: missing. "
            f"{REDIS_ENV} is not set; nothing answers at 127.0.0.1:6379 ({local_err}); and "
            "there is no redis-server binary to start a private one. "
            f"Install it with: apt-get install redis-server   (or set {REDIS_ENV})"
        )
    return "private", binary


def resolve_redis() -> Service:
    kind, where = redis_plan()
    if kind == "env":
        return Service("Redis", str(where), f"from {REDIS_ENV}")
    if kind == "local":
        return Service("Redis", str(where), "local server")
    return start_private_redis(Path(where))


def _explicit_db(url: str) -> bool:
    """True when the URL names a db number (``redis://host:6379/5`` or ``?db=5``)."""
    from urllib.parse import parse_qs, urlsplit

    parts = urlsplit(url)
    return parts.path.strip("/") != "" or "db" in parse_qs(parts.query)


def _with_db(url: str, db: int) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", parts.query, parts.fragment))


@dataclass
class RedisDb:
    """One db number of a Redis server, held for this test session."""

    url: str
    _base: str | None = None
    _key: str | None = None
    _token: str | None = None

    def refresh(self) -> None:
        if self._key:
            client = _redis_client(self._base)
            try:
                client.expire(self._key, REDIS_CLAIM_TTL)
            finally:
                client.close()

    def release(self) -> None:
        key, self._key = self._key, None
        if not key:
            return
        client = _redis_client(self._base)
        try:
            if client.get(key) == self._token.encode():
                client.delete(key)
        finally:
            client.close()


def claim_redis_db(service: Service) -> RedisDb:
    """A db number nobody else's test session uses.

    A URL from ``ODSK_TEST_REDIS_URL`` that names a db is taken as dedicated to us.
    Otherwise (a shared local server, several sessions at once) a free number from
    15 down to 1 is claimed with ``SET NX EX`` on a key in db 0; the claim expires by
    itself if the session dies, and is refreshed while it lives.
    """
    if service.origin == f"from {REDIS_ENV}" and _explicit_db(service.url):
        return RedisDb(service.url)
    base = _with_db(service.url, 0)
    token = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
    client = _redis_client(base)
    try:
        for db in REDIS_TEST_DBS:
            key = REDIS_CLAIM_KEY.format(db)
            if client.set(key, token, nx=True, ex=REDIS_CLAIM_TTL):
                return RedisDb(_with_db(service.url, db), base, key, token)
    finally:
        client.close()
    raise ServiceError(
        f"Redis at {mask_url(base)}: every test db number (1-15) is claimed by another test "
        f"session (keys {REDIS_CLAIM_KEY.format('N')} in db 0); wait, or set {REDIS_ENV} "
        "to a URL with a db number of its own"
    )


# --- command line ----------------------------------------------------------------


def _preflight() -> int:
    problems = []
    for name, plan in (("PostgreSQL", postgres_plan), ("Redis", redis_plan)):
        try:
            kind, where = plan()
        except ServiceError as exc:
            problems.append(str(exc))
            continue
        if kind == "private":
            print(f"{name}: will start a private instance from {where}")
        else:
            print(
                f"{name}: {mask_url(str(where))} ({'from environment' if kind == 'env' else 'local server'})"
            )
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    return 1 if problems else 0


def _up() -> int:
    try:
        services = [resolve_postgres(), resolve_redis()]
    except ServiceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        stop_all()
        return 1
    for svc in services:
        print(svc.describe(), flush=True)
    print(f"export {PG_ENV}={services[0].url} {REDIS_ENV}={services[1].url}")
    print("Ctrl-C stops private instances.", flush=True)
    try:
        signal.pause()  # until Ctrl-C
    except KeyboardInterrupt:
        pass
    finally:
        stop_all()
    return 0


def main(argv: list[str]) -> int:
    commands = {"preflight": _preflight, "up": _up}
    if len(argv) != 1 or argv[0] not in commands:
        print(f"usage: python {sys.argv[0]} {{{'|'.join(commands)}}}", file=sys.stderr)
        return 2
    return commands[argv[0]]()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
