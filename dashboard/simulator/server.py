"""The SKPD simulator over HTTP: every catalogue source at its own URL path, and a control API.

Stdlib ``ThreadingHTTPServer`` on loopback. Routes:

    GET  /<path of a source's options.url>   the feed (?history=N months, ?since=ISO date)
    GET  /                                   the list of feeds
    GET  /_health                            liveness
    POST /_control/override                  {indicator, region, period, value}  (value null clears)
    POST /_control/outage                    {source_path | source, seconds}
    POST /_control/reset                     forget overrides, outages and request counts
"""

from __future__ import annotations

import json
import logging
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from collectors.periods import period_for
from collectors.values import ValueProblem
from dashboard.catalogue import Catalogue, load_catalogue
from dashboard.catalogue.models import Source
from dashboard.regions import RegionRegistry
from dashboard.simulator.faults import FaultPlan, decide, plan_from, spoil
from dashboard.simulator.generator import Generator
from dashboard.simulator.periods import local_today
from dashboard.simulator.shapes import Cell, build_document, period_label, region_label, value_label

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
# Only kinds whose payload the simulator knows how to shape.
SERVED_KINDS = ("http_json",)


class RequestError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def _utcnow() -> datetime:
    return datetime.now(UTC)


def feed_paths(catalogue: Catalogue) -> dict[str, Source]:
    """URL path -> source, for every source the simulator can serve."""
    feeds: dict[str, Source] = {}
    for source in catalogue.sources:
        if source.kind not in SERVED_KINDS:
            continue
        path = _normal_path(urlsplit(catalogue.source_options[source.id].url).path)
        if path in feeds:
            raise ValueError(
                f"sources '{feeds[path].id}' and '{source.id}' use the same URL path {path}"
            )
        feeds[path] = source
    return feeds


def _normal_path(path: str) -> str:
    return "/" + path.strip("/")


class SimulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        catalogue: Catalogue,
        host: str,
        port: int,
        faults: bool | FaultPlan | None,
        seed: int,
        clock: Clock,
    ):
        self.catalogue = catalogue
        self.feeds = feed_paths(catalogue)
        self.generator = Generator(catalogue, seed=seed)
        self.registry = RegionRegistry(catalogue.regions)
        self.plan = plan_from(faults)
        self.seed = seed
        self.clock = clock
        self._lock = threading.Lock()
        self._requests: Counter[str] = Counter()
        self._outages: dict[str, datetime] = {}
        super().__init__((host, port), _Handler)

    @property
    def base_url(self) -> str:
        host, port = self.socket.getsockname()[:2]
        return f"http://{host}:{port}"

    # --- feeds ---------------------------------------------------------------------

    def answer_feed(self, path: str, query: dict[str, list[str]]) -> tuple[int, Any, float]:
        """(HTTP status, JSON body, seconds to wait before answering) for a feed request."""
        source = self.feeds[path]
        now = self.clock()
        with self._lock:
            self._requests[path] += 1
            decision = decide(self.plan, self.seed, path, self._requests[path])
            if decision.outage_seconds:
                self._outages[path] = now + timedelta(seconds=decision.outage_seconds)
                log.info("simulated outage of %s for %.0f s", path, decision.outage_seconds)
            down_until = self._outages.get(path)
            number = self._requests[path]
        if down_until is not None and now < down_until:
            return (
                503,
                {"error": "Service Unavailable", "pesan": "layanan sedang dalam pemeliharaan"},
                0.0,
            )
        history, since = _window(query)
        cells = self._cells(source, local_today(now), history, since)
        options = self.catalogue.source_options[source.id]
        if decision.bad_row:
            log.info("simulated bad row (%s) in %s", decision.bad_row, path)
            cells = spoil(
                cells,
                decision.bad_row,
                self.catalogue.indicators_by_code,
                options.region_system,
                options.locale,
                self.seed,
                (path, number),
            )
        meta = {
            "sumber": source.name,
            "skpd": source.skpd,
            "dibuat_pada": now.isoformat(timespec="seconds"),
            "jumlah_baris": len(cells),
        }
        return 200, build_document(options, cells, meta), decision.delay_seconds

    def _cells(
        self, source: Source, today: date, history: int | None, since: date | None
    ) -> list[Cell]:
        options = self.catalogue.source_options[source.id]
        regions = self.catalogue.regions_by_code
        cells = []
        for code in source.indicators:
            indicator = self.catalogue.indicator(code)
            for row in self.generator.rows(code, today, history, since):
                cells.append(
                    Cell(
                        indicator=code,
                        region=region_label(regions[row.region], options.region_system, source.id),
                        period=period_label(row.start, indicator.grain, source.id),
                        value=value_label(row.value, indicator.decimals, options.locale),
                    )
                )
        return cells

    # --- control API -----------------------------------------------------------------

    def override(self, body: dict[str, Any]) -> dict[str, Any]:
        code = body.get("indicator")
        if code not in self.catalogue.indicators_by_code:
            raise RequestError(400, f"unknown indicator {code!r}")
        indicator = self.catalogue.indicator(code)
        region = body.get("region")
        resolved = self.registry.from_kemendagri(str(region)) or self.registry.from_name(
            str(region)
        )
        if region is None or resolved is None:
            raise RequestError(400, f"unknown region {region!r}")
        try:
            start = period_for(body.get("period"), indicator.grain, locale="en")
        except ValueProblem as problem:
            raise RequestError(400, f"period: {problem.reason_en}") from None
        value = body.get("value")
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise RequestError(400, "value must be a number, or null to remove the override")
        key = (code, resolved, start)
        with self._lock:
            if value is None:
                self.generator.overrides.pop(key, None)
            else:
                self.generator.overrides[key] = value
        return {"indicator": code, "region": resolved, "period": start.isoformat(), "value": value}

    def outage(self, body: dict[str, Any]) -> dict[str, Any]:
        path = body.get("source_path")
        if path is None and body.get("source") is not None:
            path = next((p for p, s in self.feeds.items() if s.id == body["source"]), None)
        path = _normal_path(urlsplit(str(path)).path) if path is not None else None
        if path not in self.feeds:
            raise RequestError(400, f"no feed at {body.get('source_path') or body.get('source')!r}")
        seconds = body.get("seconds")
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
            raise RequestError(400, "seconds must be a number")
        until = self.clock() + timedelta(seconds=seconds)
        with self._lock:
            if seconds <= 0:
                self._outages.pop(path, None)
            else:
                self._outages[path] = until
        return {
            "source_path": path,
            "until": until.isoformat(timespec="seconds") if seconds > 0 else None,
        }

    def reset(self) -> dict[str, Any]:
        with self._lock:
            self.generator.overrides.clear()
            self._outages.clear()
            self._requests.clear()
        return {"reset": True}

    def health(self) -> dict[str, Any]:
        return {
            "status": "ok",
            "feeds": len(self.feeds),
            "faults": self.plan is not None,
            "overrides": len(self.generator.overrides),
            "now": self.clock().isoformat(timespec="seconds"),
        }

    def index(self) -> dict[str, Any]:
        return {
            "feeds": [
                {"source": s.id, "skpd": s.skpd, "path": p, "indicators": s.indicators}
                for p, s in sorted(self.feeds.items())
            ]
        }


def _window(query: dict[str, list[str]]) -> tuple[int | None, date | None]:
    history = since = None
    if "history" in query:
        text = query["history"][-1]
        if not text.isdigit():
            raise RequestError(400, f"history must be a whole number of months, not {text!r}")
        history = int(text)
    if "since" in query:
        text = query["since"][-1]
        try:
            since = date.fromisoformat(text[:10])
        except ValueError:
            raise RequestError(400, f"since must be an ISO date, not {text!r}") from None
    return history, since


class _Handler(BaseHTTPRequestHandler):
    server: SimulatorServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        path = _normal_path(url.path)
        try:
            if path == "/_health":
                return self._send(200, self.server.health())
            if path == "/":
                return self._send(200, self.server.index())
            if path not in self.server.feeds:
                return self._send(404, {"error": f"no feed at {path}"})
            status, body, delay = self.server.answer_feed(path, parse_qs(url.query))
        except RequestError as err:
            return self._send(err.status, {"error": err.message})
        if delay:
            time.sleep(delay)
        self._send(status, body, retry_after=status == 503)

    def do_POST(self) -> None:
        path = _normal_path(urlsplit(self.path).path)
        # Read the body first: on a kept-alive connection it must not be left behind.
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        actions = {
            "/_control/override": self.server.override,
            "/_control/outage": self.server.outage,
            "/_control/reset": lambda body: self.server.reset(),
        }
        if path not in actions:
            return self._send(404, {"error": f"no control action at {path}"})
        try:
            body = json.loads(raw or b"{}")
            if not isinstance(body, dict):
                raise RequestError(400, "the body must be a JSON object")
            self._send(200, {"ok": True, **actions[path](body)})
        except json.JSONDecodeError:
            self._send(400, {"error": "the body is not JSON"})
        except RequestError as err:
            self._send(err.status, {"error": err.message})

    def _send(self, status: int, body: Any, retry_after: bool = False) -> None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            if retry_after:
                self.send_header("Retry-After", "60")
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the collector gave up (timeout) before a slow answer was ready

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)


def make_server(
    catalogue: Catalogue,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    faults: bool | FaultPlan | None = False,
    seed: int = 0,
    clock: Clock | None = None,
) -> SimulatorServer:
    """A bound, not yet running simulator; ``serve_forever()`` it (in a thread) and ``shutdown()``."""
    return SimulatorServer(catalogue, host, port, faults, seed, clock or _utcnow)


def serve(
    config_dir: Path | str = "config",
    host: str = "127.0.0.1",
    port: int = 8051,
    faults: bool | FaultPlan | None = True,
    seed: int = 0,
) -> None:
    """Run the simulator until Ctrl-C or SIGTERM (``odsk simulate``)."""
    server = make_server(load_catalogue(config_dir), host, port, faults=faults, seed=seed)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _raise_interrupt)
    print(
        f"SKPD simulator: {server.base_url} ({len(server.feeds)} feeds, "
        f"faults {'on' if server.plan else 'off'}); list of feeds at {server.base_url}/",
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def _raise_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt
