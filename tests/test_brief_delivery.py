"""The Monday brief delivered: by e-mail to the recipients in alerts.yaml (``notify.brief``),
the PDF attached in each one's language, through the notification outbox, and a webhook
with the links; a scheduler that dies in the middle of sending and starts again sends
every mail once (aiosmtpd and a stdlib HTTP receiver on loopback, SQLite and PostgreSQL)."""

import io
import shutil
from datetime import UTC, datetime

import pytest
import yaml
from pypdf import PdfReader
from scorecard_kit import put_sample
from sqlalchemy import select
from test_notify import Mailbox, Receiver, free_port

from dashboard.alerts.tables import AlertNotification
from dashboard.brief.weekly import run_weekly_brief
from dashboard.catalogue import load_catalogue
from dashboard.notify import outbox
from dashboard.runtime import Runtime
from dashboard.settings import PROJECT_ROOT, Settings
from dashboard.store.catalogue_sync import sync_catalogue
from dashboard.store.engine import make_engine

WEEK = "2026-W48"
MONDAY = "2026-11-23T07:00+08:00"


class Crash(BaseException):
    """The scheduler process killed: nothing catches it."""


@pytest.fixture
def receivers(smtp):
    hook = Receiver()
    yield hook
    hook.close()


@pytest.fixture
def smtp():
    from aiosmtpd.controller import Controller

    mailbox, port = Mailbox(), free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield mailbox, port
    controller.stop()


@pytest.fixture
def settings(database_url, tmp_path, smtp, receivers):
    _mailbox, port = smtp
    config = tmp_path / "config"
    shutil.copytree(PROJECT_ROOT / "config", config)
    (config / "alerts.yaml").write_text(
        yaml.safe_dump(
            {
                "staleness": {"enabled": False},
                "failing": {"enabled": False},
                "notify": {
                    "webhooks": [{"id": "ops-chat", "url": receivers.url()}],
                    "email": {
                        "host": "127.0.0.1",
                        "port": port,
                        "sender": "cc@sulutprov.go.id",
                    },
                    "delivery": {"attempts": 2, "wait_initial_seconds": 0.1},
                    "brief": {
                        "recipients": [
                            {"address": "gubernur@sulutprov.go.id", "lang": "id"},
                            {"address": "advisor@example.org", "lang": "en"},
                        ],
                        "webhooks": ["ops-chat"],
                        "base_url": "https://cc.sulutprov.go.id",
                    },
                },
            }
        )
    )
    settings = Settings(database_url=database_url, data_dir=tmp_path / "data", config_dir=config)
    catalogue = load_catalogue(config)
    engine = make_engine(database_url)
    sync_catalogue(engine, catalogue)
    put_sample(engine, catalogue)
    engine.dispose()
    return settings


def _rows(rt):
    t = AlertNotification.__table__
    with rt.engine.connect() as conn:
        return conn.execute(select(t).where(t.c.brief_week.is_not(None)).order_by(t.c.id)).all()


@pytest.mark.clock(MONDAY)
def test_the_brief_arrives_once_after_a_restart_in_the_middle_of_sending(
    settings, smtp, receivers, clock, monkeypatch
):
    mailbox, _port = smtp
    rt = Runtime.from_settings(settings)
    real_send, calls = outbox._send, []

    def dies_on_the_second(*args, **kwargs):
        calls.append(args[0].target)
        if len(calls) == 2:
            raise Crash()  # the second mail claimed, not sent: the process is gone
        return real_send(*args, **kwargs)

    monkeypatch.setattr(outbox, "_send", dies_on_the_second)
    with pytest.raises(Crash):
        run_weekly_brief(rt)
    rt.close()
    assert len(mailbox.messages) == 1
    assert [r.status for r in _rows(rt)] == ["sent", "pending", "pending"]

    # The scheduler starts again after the claim's lease has run out; the job runs again
    # (a missed Monday run is caught up): nothing is queued twice, nothing is sent twice.
    monkeypatch.setattr(outbox, "_send", real_send)
    clock.shift(outbox.LEASE.total_seconds() + 60)
    rt = Runtime.from_settings(settings)
    run_weekly_brief(rt)
    run_weekly_brief(rt)
    rows = _rows(rt)
    rt.close()
    assert [(r.channel, r.target, r.lang, r.status) for r in rows] == [
        ("email", "gubernur@sulutprov.go.id", "id", "sent"),
        ("email", "advisor@example.org", "en", "sent"),
        ("webhook", "ops-chat", None, "sent"),
    ]
    assert sorted(to for _sender, (to,), _m in mailbox.messages) == [
        "advisor@example.org",
        "gubernur@sulutprov.go.id",
    ]
    for _sender, (to,), message in mailbox.messages:
        lang = "id" if to.endswith("sulutprov.go.id") else "en"
        expected = (
            f"Ringkasan pengecualian mingguan {WEEK}"
            if lang == "id"
            else f"Weekly exceptions brief {WEEK}"
        )
        assert message["Subject"].startswith(expected)
        body = message.get_body(("plain",)).get_content()
        assert f"https://cc.sulutprov.go.id/brief/archive/brief-{WEEK}-{lang}.pdf" in body
        (attachment,) = list(message.iter_attachments())
        assert attachment.get_filename() == f"brief-{WEEK}-{lang}.pdf"
        pdf = attachment.get_content()
        text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
        title = "Ringkasan Pengecualian Mingguan" if lang == "id" else "Weekly exceptions brief"
        assert f"{title} {WEEK}" in text
    ((_path, _type, payload),) = receivers.bodies
    assert payload["kind"] == "brief" and payload["week"] == WEEK
    assert payload["links"]["en"] == f"https://cc.sulutprov.go.id/brief/archive/brief-{WEEK}-en.pdf"


@pytest.mark.clock(MONDAY)
def test_a_mail_server_down_is_retried_by_the_alert_rounds(settings, smtp, monkeypatch):
    """The outbox keeps the brief while the mail server refuses; a later round sends it."""
    mailbox, _port = smtp
    mailbox.refusals = 10**6  # 451 for now
    rt = Runtime.from_settings(settings)
    run_weekly_brief(rt)
    assert {r.status for r in _rows(rt) if r.channel == "email"} == {"pending"}
    mailbox.refusals = 0
    from dashboard.alerts.config import load_alerts_config

    config = load_alerts_config(settings.config_dir)
    report = outbox.deliver_pending(
        rt.engine, config, now=datetime(2026, 11, 23, 1, tzinfo=UTC), data_dir=settings.data_dir
    )
    later = outbox.deliver_pending(
        rt.engine, config, now=datetime(2026, 11, 23, 2, tzinfo=UTC), data_dir=settings.data_dir
    )
    rt.close()
    assert len(report.sent) + len(later.sent) == 2 and len(mailbox.messages) == 2
