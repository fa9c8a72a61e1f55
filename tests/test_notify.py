"""Notifications reach real receivers on loopback (a stdlib HTTP server, an aiosmtpd
SMTP server) and are retried with backoff while the receiver fails or is not there yet."""

import json
import socket
import threading
from datetime import date, timedelta
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from dashboard.alerts.config import AlertsConfig
from dashboard.alerts.evaluate import evaluate
from dashboard.alerts.tables import AlertNotification
from dashboard.catalogue import load_catalogue
from dashboard.notify.outbox import deliver_pending
from dashboard.store.catalogue_sync import sync_catalogue
from dashboard.store.engine import begin_write, make_engine
from dashboard.store.schema import Observation, utcnow

SMALL = Path(__file__).parent / "catalogue_small"
QUIET = {
    "catalogue_thresholds": {"enabled": False},
    "staleness": {"enabled": False},
    "failing": {"enabled": False},
    "earthquakes": {"enabled": False},
}
RULE = {
    "id": "bor-full",
    "type": "comparison",
    "indicator": "LIV.BOR",
    "op": ">",
    "value": 90,
    "severity": "critical",
}
FAST = {"attempts": 6, "wait_initial_seconds": 0.2, "wait_max_seconds": 0.5, "give_up_after": 20}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def store(database_url):
    engine = make_engine(database_url)
    sync_catalogue(engine, load_catalogue(SMALL))
    yield engine
    engine.dispose()


def fire_alert(engine, notify: dict) -> AlertsConfig:
    """A critical alert on LIV.BOR, with its notifications queued."""
    cfg = AlertsConfig.model_validate({**QUIET, "rules": [RULE], "notify": notify})
    with begin_write(engine) as conn:
        conn.execute(
            Observation.__table__.insert().values(
                indicator_code="LIV.BOR",
                region_code="71",
                period_start=date(2026, 10, 1),
                grain="month",
                value=96.0,
                source_id="dinkes-feed",
                ingested_at=utcnow(),
                revision=1,
            )
        )
    evaluate(engine, load_catalogue(SMALL), cfg)
    return cfg


def notifications(engine):
    with engine.connect() as conn:
        return conn.execute(
            select(AlertNotification.__table__).order_by(AlertNotification.id)
        ).all()


# --- a webhook receiver ----------------------------------------------------------------


class Receiver:
    """An HTTP server on loopback that answers ``failures`` requests with 503, then 200."""

    def __init__(self, port: int = 0, failures: int = 0, status: int = 200):
        self.bodies, self.requests = [], 0
        self.failures, self.status = failures, status
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests += 1
                if receiver.requests <= receiver.failures:
                    code = 503
                else:
                    code = receiver.status
                    if code == 200:
                        receiver.bodies.append(
                            (self.path, self.headers["Content-Type"], json.loads(body))
                        )
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path="/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receivers():
    started = []

    def start(**kwargs) -> Receiver:
        receiver = Receiver(**kwargs)
        started.append(receiver)
        return receiver

    yield start
    for receiver in started:
        receiver.close()


def test_webhook_receives_the_alert_as_json(store, receivers):
    receiver = receivers()
    cfg = fire_alert(
        store,
        {
            "webhooks": [{"id": "ops", "url": receiver.url(), "min_severity": "warning"}],
            "delivery": FAST,
        },
    )
    report = deliver_pending(store, cfg)
    assert len(report.sent) == 1
    path, content_type, body = receiver.bodies[0]
    assert (path, content_type) == ("/hook", "application/json")
    assert body["event"] == "fired"
    assert body["alert"]["rule"] == "bor-full" and body["alert"]["subject"] == "LIV.BOR@71"
    assert body["alert"]["severity"] == "critical" and body["alert"]["state"] == "firing"
    assert body["alert"]["title"]["id"].startswith("Tingkat hunian tempat tidur (Sulawesi Utara)")
    (row,) = notifications(store)
    assert (row.status, row.attempts, row.sent_at is not None) == ("sent", 1, True)
    assert deliver_pending(store, AlertsConfig()).sent == []  # nothing is sent twice


def test_webhook_is_retried_with_backoff_while_the_receiver_answers_503(store, receivers):
    receiver = receivers(failures=2)
    cfg = fire_alert(store, {"webhooks": [{"id": "ops", "url": receiver.url()}], "delivery": FAST})
    waits = []
    report = deliver_pending(store, cfg, sleep=waits.append)
    assert len(report.sent) == 1 and receiver.requests == 3 and len(receiver.bodies) == 1
    assert waits == [0.2, 0.4]  # exponential, from wait_initial_seconds
    assert notifications(store)[0].attempts == 3


def test_webhook_is_retried_until_a_receiver_that_was_down_comes_up(store, receivers):
    port = free_port()
    cfg = fire_alert(
        store,
        {"webhooks": [{"id": "ops", "url": f"http://127.0.0.1:{port}/hook"}], "delivery": FAST},
    )
    late, waits = [], []

    def sleep(seconds: float) -> None:
        # The receiver comes up while delivery waits for its second try.
        waits.append(seconds)
        if not late:
            late.append(receivers(port=port))

    report = deliver_pending(store, cfg, sleep=sleep)
    assert len(report.sent) == 1 and waits == [0.2]
    assert len(late[0].bodies) == 1
    row = notifications(store)[0]
    assert row.status == "sent" and row.attempts == 2


def test_a_receiver_down_for_the_whole_round_is_tried_again_at_a_later_round(store, receivers):
    port = free_port()
    cfg = fire_alert(
        store,
        {
            "webhooks": [{"id": "ops", "url": f"http://127.0.0.1:{port}/hook"}],
            "delivery": {**FAST, "attempts": 2},
        },
    )
    report = deliver_pending(store, cfg, sleep=lambda _s: None)
    row = notifications(store)[0]
    assert report.retry_later == [row.id] and row.status == "pending" and row.attempts == 2
    assert "ConnectError" in row.last_error and row.next_attempt_at > utcnow()
    assert deliver_pending(store, cfg).sent == []  # not due yet

    receiver = receivers(port=port)
    report = deliver_pending(store, cfg, now=row.next_attempt_at + timedelta(seconds=1))
    assert len(report.sent) == 1 and len(receiver.bodies) == 1
    assert notifications(store)[0].attempts == 3


def test_a_refusing_receiver_is_not_retried(store, receivers):
    receiver = receivers(status=400)
    cfg = fire_alert(store, {"webhooks": [{"id": "ops", "url": receiver.url()}], "delivery": FAST})
    report = deliver_pending(store, cfg, sleep=lambda _s: None)
    row = notifications(store)[0]
    assert report.failed == [row.id] and receiver.requests == 1
    assert (row.status, row.last_error) == ("failed", "HTTP 400")


def test_give_up_after_the_configured_number_of_tries(store):
    port = free_port()
    cfg = fire_alert(
        store,
        {
            "webhooks": [{"id": "ops", "url": f"http://127.0.0.1:{port}/hook"}],
            "delivery": {**FAST, "attempts": 2, "give_up_after": 4},
        },
    )
    deliver_pending(store, cfg, sleep=lambda _s: None)
    later = utcnow() + timedelta(days=1)
    report = deliver_pending(store, cfg, sleep=lambda _s: None, now=later)
    row = notifications(store)[0]
    assert report.failed == [row.id] and (row.status, row.attempts) == ("failed", 4)


# --- an SMTP receiver ---------------------------------------------------------------------


class Mailbox:
    """aiosmtpd handler: keeps every message; answers ``reply`` for the first ``refusals``."""

    def __init__(self, refusals: int = 0, reply: str = "451 4.3.0 try again later"):
        self.messages, self.calls = [], 0
        self.refusals, self.reply = refusals, reply

    async def handle_DATA(self, server, session, envelope):
        self.calls += 1
        if self.calls <= self.refusals:
            return self.reply
        self.messages.append(
            (
                envelope.mail_from,
                list(envelope.rcpt_tos),
                message_from_bytes(envelope.content, policy=policy.default),
            )
        )
        return "250 OK"


@pytest.fixture
def smtp_servers():
    started = []

    def start(mailbox: Mailbox, port: int) -> Controller:
        controller = Controller(mailbox, hostname="127.0.0.1", port=port)
        controller.start()
        started.append(controller)
        return controller

    yield start
    for controller in started:
        controller.stop()


def email_notify(port: int, **delivery) -> dict:
    return {
        "email": {
            "host": "127.0.0.1",
            "port": port,
            "sender": "cc@sulutprov.go.id",
            "recipients": "piket@sulutprov.go.id, kadis@sulutprov.go.id",
            "min_severity": "critical",
        },
        "delivery": {**FAST, **delivery},
    }


def test_email_arrives_in_both_languages(store, smtp_servers):
    port, mailbox = free_port(), Mailbox()
    smtp_servers(mailbox, port)
    cfg = fire_alert(store, email_notify(port))
    assert len(deliver_pending(store, cfg).sent) == 1
    sender, recipients, message = mailbox.messages[0]
    assert sender == "cc@sulutprov.go.id"
    assert recipients == ["piket@sulutprov.go.id", "kadis@sulutprov.go.id"]
    assert message["Subject"].startswith(
        "[ODSK] AKTIF · Kritis: Tingkat hunian tempat tidur (Sulawesi Utara)"
    )
    body = message.get_content()
    assert "Kritis · Aktif" in body and "Critical · Firing" in body and "WITA" in body


def test_email_is_retried_while_the_smtp_server_is_down_then_delivered(store, smtp_servers):
    port, mailbox = free_port(), Mailbox()
    cfg = fire_alert(store, email_notify(port))
    started = []

    def sleep(seconds: float) -> None:
        # The mail server comes up while delivery waits for its second try.
        if not started:
            started.append(smtp_servers(mailbox, port))

    report = deliver_pending(store, cfg, sleep=sleep)
    assert len(report.sent) == 1 and len(mailbox.messages) == 1
    assert notifications(store)[0].attempts == 2


def test_email_temporary_refusal_is_retried_permanent_one_is_not(store, smtp_servers):
    port, mailbox = free_port(), Mailbox(refusals=1)
    smtp_servers(mailbox, port)
    cfg = fire_alert(store, email_notify(port))
    assert len(deliver_pending(store, cfg, sleep=lambda _s: None).sent) == 1
    assert mailbox.calls == 2 and notifications(store)[0].attempts == 2

    mailbox.refusals, mailbox.reply, mailbox.calls = 99, "550 5.7.1 rejected", 0
    with begin_write(store) as conn:  # a second notification of the same alert
        conn.execute(
            AlertNotification.__table__.insert().values(
                alert_id=notifications(store)[0].alert_id,
                event="fired",
                channel="email",
                target="email",
                status="pending",
                attempts=0,
                created_at=utcnow(),
                next_attempt_at=utcnow(),
            )
        )
    report = deliver_pending(store, cfg, sleep=lambda _s: None)
    assert len(report.failed) == 1 and mailbox.calls == 1
    assert notifications(store)[1].last_error.startswith("SMTP 550")
