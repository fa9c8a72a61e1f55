"""``/metrics`` (Prometheus text format) and ``/healthz`` (200 / 503).

Several gunicorn workers serve the app, so nothing is counted in a worker's memory
and read back from it:
- collection, source and alert metrics are computed from the store at scrape time by
  a custom collector, in a ``CollectorRegistry`` built for that request;
- the request latency histogram is a prometheus_client ``Histogram`` which, when
  ``PROMETHEUS_MULTIPROC_DIR`` is set (``prepare_multiprocess_dir`` before gunicorn
  starts), lives in files every worker shares and ``MultiProcessCollector`` adds up.
  Without it (development server, tests) it is the one process's own.
The histogram object hangs off the Flask app (``server.extensions``), not a module global.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import flask
from prometheus_client import CollectorRegistry, Histogram, generate_latest, values
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from dashboard import runtime
from dashboard.access import Permission, Rule, allow, current_principal, route
from dashboard.alerts.config import SEVERITIES
from dashboard.alerts.lifecycle import STATES, alert_counts
from dashboard.archive import archive_health
from dashboard.catalogue.freshness import HEALTHS
from dashboard.notify.outbox import notification_counts
from dashboard.store import health as store
from dashboard.store.heartbeats import beat
from dashboard.store.schema import DataVersion, utcnow
from dashboard.views.ops import load_source_health

log = logging.getLogger(__name__)

EXTENSION_KEY = "odsk_observability"
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
REQUEST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
RUN_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 900.0)


# --- store-backed metrics -----------------------------------------------------------------


class StoreCollector:
    """Computes the collection, source and alert metrics from the store at each scrape."""

    def __init__(self, engine, catalogue, config_dir, now: datetime | None = None):
        self.engine, self.catalogue, self.config_dir = engine, catalogue, config_dir
        self.now = now

    def describe(self):
        return []  # computed on demand; nothing to register up front

    def collect(self):
        up = GaugeMetricFamily("odsk_store_up", "1 when the store answered this scrape.")
        try:
            families = self._families(self.now or utcnow())
        except SQLAlchemyError as exc:
            log.warning("metrics: store unavailable: %s", exc)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _families(self, now: datetime) -> list:
        with self.engine.connect() as conn:
            totals = store.run_totals(conn)
            durations = store.duration_histogram(conn, RUN_BUCKETS)
            healths = load_source_health(conn, self.catalogue, now)
            alerts = alert_counts(conn)
            notifications = notification_counts(conn)
            heartbeat, _ = store.scheduler_next_runs(conn)
            version = conn.execute(
                select(func.max(DataVersion.version)).where(DataVersion.scope == "all")
            ).scalar()
        return [
            *_run_families(totals, durations),
            *_source_families(healths),
            *_alert_families(alerts, notifications),
            *_process_families(heartbeat, version),
        ]


def _run_families(totals: list[store.RunTotals], durations) -> list:
    runs = CounterMetricFamily(
        "odsk_collector_runs",
        "Finished collection runs by source and status.",
        labels=["source", "status"],
    )
    running = GaugeMetricFamily(
        "odsk_collector_runs_in_progress",
        "Collection runs started and not finished.",
        labels=["source"],
    )
    accepted = CounterMetricFamily(
        "odsk_collector_rows_accepted", "Rows stored by collection runs.", labels=["source"]
    )
    rejected = CounterMetricFamily(
        "odsk_collector_rows_rejected", "Rows quarantined by collection runs.", labels=["source"]
    )
    rows: dict[str, list[int]] = {}
    for t in totals:
        if t.status == "running":
            running.add_metric([t.source_id], t.runs)
            continue
        runs.add_metric([t.source_id, t.status], t.runs)
        acc = rows.setdefault(t.source_id, [0, 0])
        acc[0] += t.rows_accepted
        acc[1] += t.rows_rejected
    for source_id, (a, r) in sorted(rows.items()):
        accepted.add_metric([source_id], a)
        rejected.add_metric([source_id], r)
    seconds = HistogramMetricFamily(
        "odsk_collector_run_duration_seconds",
        "Duration of finished collection runs.",
        labels=["source"],
    )
    for source_id, (cumulative, count, total) in sorted(durations.items()):
        buckets = [(_le(b), c) for b, c in zip(RUN_BUCKETS, cumulative)] + [("+Inf", count)]
        seconds.add_metric([source_id], buckets, sum_value=total)
    return [runs, running, accepted, rejected, seconds]


def _le(bound: float) -> str:
    return repr(float(bound))


def _source_families(healths) -> list:
    up = GaugeMetricFamily(
        "odsk_source_up",
        "1 when the source's last finished run stored data, 0 when it failed.",
        labels=["source", "skpd"],
    )
    state = GaugeMetricFamily("odsk_sources", "Sources by health.", labels=["health"])
    last_success = GaugeMetricFamily(
        "odsk_source_last_success_timestamp_seconds",
        "When the source last stored data (Unix time).",
        labels=["source"],
    )
    failures = GaugeMetricFamily(
        "odsk_source_consecutive_failures", "Failed runs since the last success.", labels=["source"]
    )
    counts = dict.fromkeys(HEALTHS, 0)
    for h in healths:
        counts[h.health] += 1
        if h.enabled and h.health != "unknown":
            up.add_metric([h.source_id, h.skpd_id], 0 if h.health == "failing" else 1)
        if h.last_success_at:
            last_success.add_metric([h.source_id], h.last_success_at.timestamp())
        failures.add_metric([h.source_id], h.consecutive_failures)
    for health, n in counts.items():
        state.add_metric([health], n)
    return [up, state, last_success, failures]


def _alert_families(alerts: dict, notifications: dict) -> list:
    family = GaugeMetricFamily(
        "odsk_alerts",
        "Alerts by state and severity (resolved ones are history).",
        labels=["state", "severity"],
    )
    for state in STATES:
        for severity in SEVERITIES:
            family.add_metric([state, severity], alerts.get((state, severity), 0))
    sent = GaugeMetricFamily(
        "odsk_alert_notifications",
        "Alert notifications by channel and delivery status.",
        labels=["channel", "status"],
    )
    for (channel, status), n in sorted(notifications.items()):
        sent.add_metric([channel, status], n)
    return [family, sent]


def _process_families(heartbeat: datetime | None, version: int | None) -> list:
    out = []
    if heartbeat is not None:
        beat = GaugeMetricFamily(
            "odsk_scheduler_last_heartbeat_timestamp_seconds",
            "When a scheduler process last reported (Unix time).",
        )
        beat.add_metric([], heartbeat.timestamp())
        out.append(beat)
    data = GaugeMetricFamily(
        "odsk_data_version", "The data version counter (moves with every data change)."
    )
    data.add_metric([], version or 0)
    out.append(data)
    return out


# --- request latency ----------------------------------------------------------------------


def _request_histogram() -> Histogram:
    if os.environ.get(MULTIPROC_ENV):
        # prometheus_client picks its value storage when first imported; a gunicorn master
        # that imported it before the directory was named would leave workers counting
        # in memory. Pick again now that the environment is known.
        values.ValueClass = values.get_value_class()
    # registry=None: registered into each scrape's own registry (or read from the
    # multiprocess files), never into prometheus_client's global one.
    return Histogram(
        "odsk_http_request_duration_seconds",
        "Time to answer an HTTP request.",
        ["method", "route", "status"],
        buckets=REQUEST_BUCKETS,
        registry=None,
    )


def _before_request() -> None:
    flask.g.odsk_request_started = time.perf_counter()


def _after_request(response: flask.Response) -> flask.Response:
    started = getattr(flask.g, "odsk_request_started", None)
    if started is not None:
        # The rule, not the path: "/<path:path>" stays one series however many URLs are asked for.
        rule = flask.request.url_rule.rule if flask.request.url_rule is not None else "unmatched"
        flask.current_app.extensions[EXTENSION_KEY].labels(
            flask.request.method, rule, str(response.status_code)
        ).observe(time.perf_counter() - started)
    return response


# --- views --------------------------------------------------------------------------------


def metrics_registry(app: flask.Flask) -> CollectorRegistry:
    """A fresh registry for one scrape."""
    context = app.extensions[runtime.EXTENSION_KEY]
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get(MULTIPROC_ENV):
        MultiProcessCollector(registry)
    else:
        registry.register(app.extensions[EXTENSION_KEY])
    registry.register(
        StoreCollector(context.engine, context.catalogue, context.settings.config_dir)
    )
    return registry


def metrics_view():
    # The classic 0.0.4 text format: every Prometheus version reads it, and our names need nothing newer.
    body = generate_latest(metrics_registry(flask.current_app))
    return flask.Response(body, mimetype=None, content_type=CONTENT_TYPE_PLAIN_0_0_4)


def heartbeat_limit_seconds(settings) -> float:
    """A scheduler silent for three beats (at least a minute) is taken for dead."""
    return max(3 * settings.scheduler_heartbeat_seconds, 60.0)


def health_report(context, now: datetime | None = None) -> tuple[dict, int]:
    """Store (it answers and takes a write), archive (writable, free space), Redis and
    scheduler checks; 503 when no data can be stored or the scheduler is down.

    Redis down is reported but not fatal: the app falls back to the store (DESIGN)."""
    now = now or utcnow()
    checks: dict[str, dict[str, Any]] = {"store": {"ok": True}, "scheduler": {"ok": False}}
    try:
        with context.engine.connect() as conn:
            conn.execute(select(func.count()).select_from(DataVersion)).scalar_one()
            heartbeat, _ = store.scheduler_next_runs(conn)
    except SQLAlchemyError as exc:
        log.warning("health: store unreachable: %s", exc)
        checks["store"] = {"ok": False, "error": type(getattr(exc, "orig", None) or exc).__name__}
        heartbeat = None
    if heartbeat is not None:
        age = (now - heartbeat).total_seconds()
        limit = heartbeat_limit_seconds(context.settings)
        checks["scheduler"] = {
            "ok": age <= limit,
            "last_heartbeat": heartbeat.isoformat(),
            "age_seconds": round(age, 1),
            "limit_seconds": limit,
        }
    elif checks["store"]["ok"]:
        checks["scheduler"] = {"ok": False, "error": "no heartbeat yet"}
    if checks["store"]["ok"]:
        checks["store_write"] = _check_store_write(context.engine)
    settings = context.settings
    checks["archive"] = archive_health(settings.payload_dir, int(settings.min_free_disk_mb * 2**20))
    redis = getattr(context.signal, "redis", None)
    if redis is not None:
        checks["redis"] = _check_redis(redis)
    fatal = not all(
        checks[k]["ok"] for k in ("store", "store_write", "archive", "scheduler") if k in checks
    )
    degraded = "redis" in checks and not checks["redis"]["ok"]
    body = {
        "status": "fail" if fatal else "degraded" if degraded else "ok",
        "read_only": getattr(context, "read_only", False),
        "checks": checks,
        "catalogue": {
            "indicators": len(context.catalogue.indicators),
            "sources": len(context.catalogue.sources),
        },
    }
    return body, 503 if fatal else 200


def _check_store_write(engine) -> dict:
    """A tiny heartbeat row of this web host: a full disk, a read-only database or a
    standby answers reads and refuses this."""
    try:
        beat(engine, f"web:{socket.gethostname()}", "web", {"pid": os.getpid()})
    except SQLAlchemyError as exc:
        log.warning("health: the store refuses a write: %s", getattr(exc, "orig", None) or exc)
        return {"ok": False, "error": type(getattr(exc, "orig", None) or exc).__name__}
    return {"ok": True}


def _check_redis(client) -> dict:
    import redis

    try:
        client.ping()
    except (redis.RedisError, OSError) as exc:
        log.warning("health: redis unreachable: %s", exc)
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True}


def healthz_view():
    """Anyone (a load balancer) gets the status; the details only who may read metrics."""
    body, status = health_report(flask.current_app.extensions[runtime.EXTENSION_KEY])
    if not current_principal().can(Permission.METRICS_READ):
        body = {"status": body["status"]}
    return flask.jsonify(body), status


def register_observability(server: flask.Flask) -> None:
    """Add ``/metrics``, the request-latency hooks, and the full ``/healthz`` to the app.

    Call after the app's context is in ``server.extensions["odsk"]``. An existing
    ``/healthz`` rule keeps its URL and gets this view. A second call changes nothing
    (the hooks would otherwise count every request twice)."""
    if EXTENSION_KEY in server.extensions:
        return
    server.extensions[EXTENSION_KEY] = _request_histogram()
    server.before_request(_before_request)
    server.after_request(_after_request)
    route(server, Rule(Permission.METRICS_READ), "/metrics", "odsk_metrics", metrics_view)
    existing = next((r for r in server.url_map.iter_rules() if r.rule == "/healthz"), None)
    if existing is not None:
        server.view_functions[existing.endpoint] = healthz_view
        allow(server, existing.endpoint, Rule(Permission.PUBLIC))
    else:
        route(server, Rule(Permission.PUBLIC), "/healthz", "odsk_healthz", healthz_view)


# --- gunicorn --------------------------------------------------------------------------------


def prepare_multiprocess_dir(data_dir: Path) -> Path:
    """Before gunicorn starts (and before prometheus_client is imported): an empty
    directory for the workers' shared metric files, named in the environment."""
    path = Path(os.environ.get(MULTIPROC_ENV) or Path(data_dir) / "prometheus")
    try:
        if path.exists():
            shutil.rmtree(path)  # files of a previous run would be added up with ours
        path.mkdir(parents=True)
    except OSError:  # a read-only data dir (read-only mode): a directory of our own
        path = Path(tempfile.mkdtemp(prefix="odsk-prometheus-"))
    os.environ[MULTIPROC_ENV] = str(path)
    return path


def gunicorn_child_exit(_server, worker) -> None:
    """gunicorn's ``child_exit`` hook: drop a dead worker's live gauges."""
    if os.environ.get(MULTIPROC_ENV):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
