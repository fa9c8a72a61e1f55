"""The SKPD simulator over HTTP: every catalogue source in its own protocol, and a control API.

Stdlib ``ThreadingHTTPServer`` on loopback. Routes:

    GET  /<path of an http_json source's url>  the feed (?history=N months, ?since=ISO date)
    GET  /<path of an excel/csv source's url>  the SKPD's workbook or CSV (title rows and all)
    GET  /bps/v1/api/list/model/data/…         BPS WebAPI dynamic tables (bps sources)
    GET  /satudata/api/3/action/{package_show,datastore_search}   a CKAN portal (ckan sources)
    GET  /bmkg/DataMKG/TEWS/{autogempa,gempaterkini,gempadirasakan}.{json,xml}
    GET  /                                     the list of feeds
    GET  /_health                              liveness
    POST /_control/override                    {indicator, region, period, value}  (value null clears)
    POST /_control/outage                      {source_path | source, seconds}
    POST /_control/quake                       {magnitude, lat, lon, depth_km, potensi, felt}: a quake now
    POST /_control/drop                        {source}: the SKPD officer drops a file now
    POST /_control/reset                       forget overrides, outages, quakes and request counts

Besides answering, ``tick`` (every few seconds in ``serve``) keeps the e-office database
current and drops the file-delivering SKPDs' files into the drop folder's inbox.
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
from dashboard.catalogue.periods import local_today
from dashboard.regions import RegionRegistry
from dashboard.simulator import bmkg_feed, bps_api, ckan_api, files
from dashboard.simulator.ckan_api import Portal
from dashboard.simulator.drops import DropOfficer
from dashboard.simulator.eoffice import EofficeDatabase, kept_database
from dashboard.simulator.faults import FaultPlan, decide, plan_from, spoil
from dashboard.simulator.files import FILE_KINDS
from dashboard.simulator.generator import Generator
from dashboard.simulator.quakes import STRONG_PER_DAY, QuakeStream, make_quake
from dashboard.simulator.shapes import Cell, build_document, period_label, region_label, value_label

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
# Kinds served at their own URL path (an http_json feed, an SKPD's file).
SERVED_KINDS = ("http_json", *FILE_KINDS)
BPS_PREFIX = "/bps"
CKAN_PREFIX = "/satudata"
BMKG_PREFIX = "/bmkg/DataMKG/TEWS/"
PROXY_PAGE = (
    b"<!DOCTYPE html><html><head><title>Pemeliharaan Sistem</title></head><body>"
    b"<h1>Layanan sedang dalam pemeliharaan</h1><p>Silakan coba beberapa saat lagi.</p>"
    b"</body></html>"
)


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
        url = getattr(catalogue.source_options[source.id], "url", None)
        if source.kind not in SERVED_KINDS or not url:
            continue
        path = _normal_path(urlsplit(url).path)
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
        *,
        drop_dir: Path | None = None,
        eoffice_url: str | None = None,
        strong_quakes_per_day: float = STRONG_PER_DAY,
        drop_every_seconds: float = 900.0,
    ):
        self.catalogue = catalogue
        self.feeds = feed_paths(catalogue)
        self.generator = Generator(catalogue, seed=seed)
        self.registry = RegionRegistry(catalogue.regions)
        self.plan = plan_from(faults)
        self.seed = seed
        self.clock = clock
        self.quakes = QuakeStream(seed, strong_per_day=strong_quakes_per_day)
        self.drops = DropOfficer(
            catalogue, self.generator.value, drop_dir, self.plan, seed, drop_every_seconds
        )
        self.eoffice = (
            EofficeDatabase(eoffice_url, catalogue, self.generator.value, seed)
            if eoffice_url
            else None
        )
        self._lock = threading.Lock()
        self._requests: Counter[str] = Counter()
        self._outages: dict[str, datetime] = {}
        super().__init__((host, port), _Handler)
        self.portal = Portal(catalogue, self.generator.value, self.base_url + CKAN_PREFIX)

    @property
    def base_url(self) -> str:
        host, port = self.socket.getsockname()[:2]
        return f"http://{host}:{port}"

    # --- routing and faults ----------------------------------------------------------------

    def route(self, path: str, query: dict[str, list[str]]) -> tuple[int, bytes, str, float]:
        """(HTTP status, body, content type, seconds to wait) for a GET of a feed."""
        if path in self.feeds:
            key = path
        elif path.startswith(BPS_PREFIX + bps_api.BASE):
            key = f"{BPS_PREFIX}/var/{bps_api.parse_path(path.removeprefix(BPS_PREFIX)).get('var', '')}"
        elif path.startswith(CKAN_PREFIX + "/api/3/action/"):
            key = f"{CKAN_PREFIX}/{(query.get('resource_id') or query.get('id') or [''])[-1]}"
        elif path.startswith(BMKG_PREFIX):
            key = path
        else:
            raise RequestError(404, f"no feed at {path}")
        now = self.clock()
        with self._lock:
            self._requests[key] += 1
            number = self._requests[key]
            decision = decide(self.plan, self.seed, key, number)
            if decision.outage_seconds:
                self._outages[key] = now + timedelta(seconds=decision.outage_seconds)
                log.info("simulated outage of %s for %.0f s", key, decision.outage_seconds)
            down_until = self._outages.get(key)
        if down_until is not None and now < down_until:
            down = {"error": "Service Unavailable", "pesan": "layanan sedang dalam pemeliharaan"}
            return 503, _json(down), JSON_TYPE, 0.0
        if decision.proxy_page:
            log.info("simulated proxy page for %s", key)
            return 200, PROXY_PAGE, "text/html; charset=utf-8", decision.delay_seconds
        status, body, content_type = self._answer(path, query, now, decision, number)
        return status, body, content_type, decision.delay_seconds

    def _answer(
        self, path: str, query: dict[str, list[str]], now: datetime, decision, number: int
    ) -> tuple[int, bytes, str]:
        if path in self.feeds:
            source = self.feeds[path]
            if source.kind in FILE_KINDS:
                content, content_type, _ = files.file_for(
                    self.catalogue, source, self.generator.value, local_today(now)
                )
                return 200, content, content_type
            return (
                200,
                _json(self.answer_feed(source, path, query, now, decision, number)),
                JSON_TYPE,
            )
        if path.startswith(BPS_PREFIX):
            document = bps_api.answer(
                self.catalogue, self.generator.value, path.removeprefix(BPS_PREFIX), now
            )
            return 200, _json(document), JSON_TYPE
        if path.startswith(CKAN_PREFIX):
            action = path.rsplit("/", 1)[-1]
            status, document = self.portal.answer(action, query, now)
            return status, _json(document), JSON_TYPE
        name = path.removeprefix(BMKG_PREFIX)
        feed, _, fmt = name.partition(".")
        if feed not in bmkg_feed.FEEDS or fmt not in ("json", "xml"):
            raise RequestError(404, f"no BMKG feed {name}")
        with self._lock:
            body, content_type = bmkg_feed.document(self.quakes, feed, fmt, now)
        return 200, body, content_type

    def answer_feed(
        self,
        source: Source,
        path: str,
        query: dict[str, list[str]],
        now: datetime,
        decision,
        number: int,
    ) -> Any:
        """The JSON document of an http_json feed."""
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
        return build_document(options, cells, meta)

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

    # --- what happens between requests ------------------------------------------------------

    def tick(self, now: datetime | None = None) -> dict[str, Any]:
        """Keep the e-office database current and drop the files that are due."""
        now = now or self.clock()
        done: dict[str, Any] = {"dropped": []}
        if self.eoffice is not None:
            done["letters"] = self.eoffice.refresh(now)
        done["dropped"] = [str(p) for p in self.drops.due(now)]
        return done

    def run_ticks(self, every_seconds: float, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                self.tick()
            except Exception:  # a full disk or a locked file must not stop the feeds
                log.exception("simulator tick failed")
            stop.wait(every_seconds)

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

    def _route_key_of(self, source_id: str) -> str | None:
        path = next((p for p, s in self.feeds.items() if s.id == source_id), None)
        if path is not None:
            return path
        source = next((s for s in self.catalogue.sources if s.id == source_id), None)
        if source is None:
            return None
        options = self.catalogue.source_options[source.id]
        if source.kind == "bps":
            return f"{BPS_PREFIX}/var/{options.var}"
        if source.kind == "ckan":
            return f"{CKAN_PREFIX}/{ckan_api.resource_id(source)}"
        if source.kind == "bmkg":
            return f"{BMKG_PREFIX}{options.feed}.{options.format}"
        return None

    def outage(self, body: dict[str, Any]) -> dict[str, Any]:
        path = body.get("source_path")
        if path is None and body.get("source") is not None:
            path = self._route_key_of(str(body["source"]))
        elif path is not None:
            path = _normal_path(urlsplit(str(path)).path)
        known = set(self.feeds) | {
            k for s in self.catalogue.sources if (k := self._route_key_of(s.id))
        }
        if path not in known:
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

    def quake(self, body: dict[str, Any]) -> dict[str, Any]:
        """A quake now (or ``minutes_ago``): by default an M 5.6 150 km north-east of Manado."""
        numbers = {"magnitude": 5.6, "lat": 2.35, "lon": 125.75, "depth_km": 25, "minutes_ago": 0}
        values: dict[str, float] = {}
        for name, default in numbers.items():
            value = body.get(name, default)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise RequestError(400, f"{name} must be a number")
            values[name] = float(value)
        if not (0 < values["magnitude"] < 10 and -90 <= values["lat"] <= 90):
            raise RequestError(400, "magnitude must be 0-10 and lat -90..90")
        for text in ("potensi", "felt", "wilayah"):
            if body.get(text) is not None and not isinstance(body[text], str):
                raise RequestError(400, f"{text} must be text")
        at = self.clock() - timedelta(minutes=values["minutes_ago"])
        made = make_quake(
            at,
            values["lat"],
            values["lon"],
            values["magnitude"],
            int(values["depth_km"]),
            potensi=body.get("potensi"),
            felt=body.get("felt"),
            wilayah=body.get("wilayah"),
        )
        with self._lock:
            self.quakes.inject(made)
        return {
            "DateTime": made.at.isoformat(),
            "Magnitude": f"{made.magnitude:.1f}",
            "Coordinates": f"{made.lat:.2f},{made.lon:.2f}",
            "Wilayah": made.wilayah,
            "Potensi": made.potensi,
            "Dirasakan": made.felt,
        }

    def drop(self, body: dict[str, Any]) -> dict[str, Any]:
        source = body.get("source")
        try:
            path = self.drops.drop(str(source), self.clock(), bad=bool(body.get("bad")))
        except KeyError:
            raise RequestError(400, f"{source!r} is not a source that delivers files") from None
        except RuntimeError as exc:
            raise RequestError(409, str(exc)) from None
        return {"source": source, "file": str(path)}

    def reset(self) -> dict[str, Any]:
        with self._lock:
            self.generator.overrides.clear()
            self._outages.clear()
            self._requests.clear()
            self.quakes.injected.clear()
        return {"reset": True}

    def health(self) -> dict[str, Any]:
        return {
            "status": "ok",
            "feeds": len(self.index()["feeds"]),
            "faults": self.plan is not None,
            "overrides": len(self.generator.overrides),
            "quakes_injected": len(self.quakes.injected),
            "drop_dir": str(self.drops.drop_dir) if self.drops.drop_dir else None,
            "eoffice": self.eoffice is not None,
            "now": self.clock().isoformat(timespec="seconds"),
        }

    def index(self) -> dict[str, Any]:
        feeds = []
        for source in self.catalogue.sources:
            key = self._route_key_of(source.id)
            if source.kind == "bps":
                options = self.catalogue.source_options[source.id]
                key = f"{BPS_PREFIX}{bps_api.BASE}lang/ind/domain/{options.domain}/var/{options.var}/key/…/"
            elif source.kind == "ckan":
                key = f"{CKAN_PREFIX}/api/3/action/datastore_search?resource_id={ckan_api.resource_id(source)}"
            elif source.id in self.drops.sources:
                key = f"drop: {self.drops.drop_dir or '(no drop folder)'}"
            elif source.kind == "sql_query":
                key = f"database: {self.eoffice.url if self.eoffice else '(not kept)'}"
            if key is None:
                continue
            feeds.append(
                {
                    "source": source.id,
                    "kind": source.kind,
                    "skpd": source.skpd,
                    "path": key,
                    "indicators": source.indicators,
                }
            )
        return {"feeds": sorted(feeds, key=lambda f: f["source"])}


def _json(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


JSON_TYPE = "application/json; charset=utf-8"


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
                return self._send(200, _json(self.server.health()))
            if path == "/":
                return self._send(200, _json(self.server.index()))
            status, body, content_type, delay = self.server.route(path, parse_qs(url.query))
        except RequestError as err:
            return self._send(err.status, _json({"error": err.message}))
        if delay:
            time.sleep(delay)
        self._send(status, body, content_type, retry_after=status == 503)

    def do_POST(self) -> None:
        path = _normal_path(urlsplit(self.path).path)
        # Read the body first: on a kept-alive connection it must not be left behind.
        raw = self.rfile.read(min(int(self.headers.get("Content-Length") or 0), 1 << 20))
        actions = {
            "/_control/override": self.server.override,
            "/_control/outage": self.server.outage,
            "/_control/quake": self.server.quake,
            "/_control/drop": self.server.drop,
            "/_control/reset": lambda body: self.server.reset(),
        }
        if path not in actions:
            return self._send(404, _json({"error": f"no control action at {path}"}))
        try:
            body = json.loads(raw or b"{}")
            if not isinstance(body, dict):
                raise RequestError(400, "the body must be a JSON object")
            self._send(200, _json({"ok": True, **actions[path](body)}))
        except json.JSONDecodeError:
            self._send(400, _json({"error": "the body is not JSON"}))
        except RequestError as err:
            self._send(err.status, _json({"error": err.message}))

    def _send(
        self, status: int, data: bytes, content_type: str = JSON_TYPE, retry_after: bool = False
    ) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
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
    drop_dir: Path | None = None,
    eoffice_url: str | None = None,
    strong_quakes_per_day: float = STRONG_PER_DAY,
    drop_every_seconds: float = 900.0,
) -> SimulatorServer:
    """A bound, not yet running simulator; ``serve_forever()`` it (in a thread) and ``shutdown()``."""
    return SimulatorServer(
        catalogue,
        host,
        port,
        faults,
        seed,
        clock or _utcnow,
        drop_dir=drop_dir,
        eoffice_url=eoffice_url,
        strong_quakes_per_day=strong_quakes_per_day,
        drop_every_seconds=drop_every_seconds,
    )


def serve(
    config_dir: Path | str = "config",
    host: str = "127.0.0.1",
    port: int = 8051,
    faults: bool | FaultPlan | None = True,
    seed: int = 0,
    *,
    drop_dir: Path | None = None,
    eoffice_url: str | None = None,
    tick_seconds: float = 10.0,
) -> None:
    """Run the simulator until Ctrl-C or SIGTERM (``odsk simulate``)."""
    catalogue = load_catalogue(config_dir)
    server = make_server(
        catalogue,
        host,
        port,
        faults=faults,
        seed=seed,
        drop_dir=drop_dir,
        eoffice_url=eoffice_url or kept_database(catalogue),
    )
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _raise_interrupt)
    stop = threading.Event()
    ticker = threading.Thread(target=server.run_ticks, args=(tick_seconds, stop), daemon=True)
    ticker.start()
    print(
        f"SKPD simulator: {server.base_url} ({len(server.index()['feeds'])} feeds, "
        f"faults {'on' if server.plan else 'off'}); list of feeds at {server.base_url}/",
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.server_close()
        if server.eoffice is not None:
            server.eoffice.close()


def _raise_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt
