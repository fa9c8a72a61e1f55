"""Silences: a silenced alert still opens and resolves and stays in the history, but notifies
no one and does not take over the wall; silences expire or are lifted, and the shift log
says who silenced what and why. On SQLite and PostgreSQL."""

from datetime import date, timedelta

import pytest
from alert_kit import NOW, alerts, config, observe
from sqlalchemy import select

from dashboard.alerts import active_critical
from dashboard.alerts.evaluate import evaluate
from dashboard.alerts.shiftlog import recent_notes
from dashboard.alerts.silences import MAX_HOURS, active_silences, add_silence, lift_silence
from dashboard.alerts.tables import AlertNotification
from dashboard.store.engine import begin_write
from dashboard.store.schema import Alert
from dashboard.versions import ChangeSignal
from dashboard.views.alerts import load_alerts_page
from dashboard.views.wall_live import live_state
from dashboard.wall_config import WallConfig

BOR_FULL = {
    "id": "bor-full",
    "type": "comparison",
    "indicator": "LIV.BOR",
    "regions": "all",
    "op": ">",
    "value": 90,
    "severity": "warning",
}
HOOK = {"webhooks": [{"id": "all", "url": "http://127.0.0.1:9/hook", "min_severity": "info"}]}


def queued(engine) -> list[tuple[int, str]]:
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                select(AlertNotification.alert_id, AlertNotification.event).order_by(
                    AlertNotification.id
                )
            )
        ]


def alert_ids(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {r.subject: r.id for r in conn.execute(select(Alert.id, Alert.subject))}


def test_a_silenced_subject_fires_and_resolves_without_notifying_while_others_do(store, small):
    cfg = config(rules=[BOR_FULL], notify=HOOK)
    add_silence(
        store,
        "bor-full",
        "LIV.BOR@71.71",
        4,
        "Server SIRS Manado dalam pemeliharaan",
        "Budi",
        now=NOW - timedelta(minutes=5),
    )
    observe(store, "LIV.BOR", "71.71", date(2026, 10, 1), 96.0)
    observe(store, "LIV.BOR", "71.02", date(2026, 10, 1), 95.0)
    evaluate(store, small, cfg, NOW)
    ids = alert_ids(store)
    assert {s for _, s, _, state in alerts(store) if state == "firing"} == {
        "LIV.BOR@71.71",
        "LIV.BOR@71.02",
    }
    assert queued(store) == [(ids["LIV.BOR@71.02"], "fired")]  # Manado's is recorded, not announced

    observe(store, "LIV.BOR", "71.71", date(2026, 11, 1), 70.0)
    evaluate(store, small, cfg, NOW + timedelta(hours=1))
    assert ("bor-full", "LIV.BOR@71.71", "warning", "resolved") in alerts(store)
    assert queued(store) == [(ids["LIV.BOR@71.02"], "fired")]


def test_a_rule_wide_silence_covers_every_subject_until_it_expires(store, small):
    cfg = config(rules=[BOR_FULL], notify=HOOK)
    add_silence(
        store,
        "bor-full",
        None,
        1,
        "Ambang sedang ditinjau",
        "Sari",
        now=NOW - timedelta(minutes=30),
    )
    observe(store, "LIV.BOR", "71.71", date(2026, 10, 1), 96.0)
    evaluate(store, small, cfg, NOW)
    assert queued(store) == []
    observe(store, "LIV.BOR", "71.02", date(2026, 10, 1), 97.0)
    evaluate(
        store, small, cfg, NOW + timedelta(hours=1)
    )  # the hour is over: both are announced now
    ids = alert_ids(store)
    assert sorted(queued(store)) == sorted(
        [(ids["LIV.BOR@71.71"], "fired"), (ids["LIV.BOR@71.02"], "fired")]
    )


def test_lifting_ends_a_silence_once_and_the_shift_log_tells_the_story(store):
    first = add_silence(
        store, "source-failing", "source:dlh-ispu", 24, "Pemeliharaan server DLH", "Budi", now=NOW
    )
    add_silence(store, "bor-full", None, 2, "Ditinjau", "Sari", now=NOW)
    with store.connect() as conn:
        assert [s.id for s in active_silences(conn, NOW + timedelta(minutes=1))] == [
            first + 1,
            first,
        ]
    assert lift_silence(store, first, "Andi", now=NOW + timedelta(hours=1))
    assert not lift_silence(store, first, "Andi", now=NOW + timedelta(hours=2))  # already lifted
    assert not lift_silence(
        store, first + 1, "Andi", now=NOW + timedelta(hours=3)
    )  # already expired
    with store.connect() as conn:
        assert active_silences(conn, NOW + timedelta(hours=1, minutes=1)) == [
            s for s in active_silences(conn, NOW + timedelta(minutes=1)) if s.id != first
        ]
        notes = [(n.kind, n.author, n.text) for n in reversed(recent_notes(conn))]
    assert notes == [
        ("silence", "Budi", f"#{first} source-failing · source:dlh-ispu — Pemeliharaan server DLH"),
        ("silence", "Sari", f"#{first + 1} bor-full — Ditinjau"),
        ("unsilence", "Andi", f"#{first} source-failing · source:dlh-ispu"),
    ]


@pytest.mark.parametrize(
    "rule, who, reason, hours, problem",
    [
        ("", "Budi", "alasan", 4, "names the rule"),
        ("bor-full", " ", "alasan", 4, "name and a reason"),
        ("bor-full", "Budi", "", 4, "name and a reason"),
        ("bor-full", "Budi", "alasan", 0, "at most"),
        ("bor-full", "Budi", "alasan", MAX_HOURS + 1, "at most"),
    ],
)
def test_a_silence_needs_a_rule_a_name_a_reason_and_a_bounded_length(
    store, rule, who, reason, hours, problem
):
    with pytest.raises(ValueError, match=problem):
        add_silence(store, rule, None, hours, reason, who, now=NOW)


def test_a_silenced_critical_alert_takes_nothing_over_but_stays_listed(store, small):
    with begin_write(store) as conn:
        conn.execute(
            Alert.__table__.insert().values(
                rule_id="bor-critical",
                subject="LIV.BOR@71.71",
                severity="critical",
                state="firing",
                title_id="Rumah sakit hampir penuh",
                title_en="Hospitals nearly full",
                fired_at=NOW,
                details={},
            )
        )
    wall = WallConfig()
    signal = ChangeSignal(store, None)
    assert [a.subject for a in active_critical(store, NOW)] == ["LIV.BOR@71.71"]
    assert live_state(store, signal, wall, ["alerts"], NOW).triggers != []

    silence = add_silence(
        store, "bor-critical", "LIV.BOR@71.71", 4, "Sudah ditangani Dinkes", "Budi", now=NOW
    )
    assert active_critical(store, NOW + timedelta(minutes=1)) == []
    assert live_state(store, signal, wall, ["alerts"], NOW + timedelta(minutes=1)).triggers == []
    page = load_alerts_page(store, NOW + timedelta(minutes=1), "id")
    assert [r.id for r in page.silences] and "Sudah ditangani Dinkes" in page.active[0].silenced
    assert page.active[0].silenced.startswith("disenyapkan s.d. ")
    # lifted, the takeover is back (for what remains of its time)
    lift_silence(store, silence, "Budi", now=NOW + timedelta(minutes=2))
    assert live_state(store, signal, wall, ["alerts"], NOW + timedelta(minutes=2)).triggers != []


def test_an_alert_still_open_when_its_silence_ends_is_announced_then(store, small):
    cfg = config(rules=[BOR_FULL], notify=HOOK)
    silence = add_silence(
        store,
        "bor-full",
        "LIV.BOR@71.71",
        4,
        "Pemeliharaan",
        "Budi",
        now=NOW - timedelta(minutes=5),
    )
    observe(store, "LIV.BOR", "71.71", date(2026, 10, 1), 96.0)
    evaluate(store, small, cfg, NOW)
    assert queued(store) == []
    lift_silence(store, silence, "Andi", now=NOW + timedelta(minutes=10))
    evaluate(store, small, cfg, NOW + timedelta(minutes=11))
    manado = alert_ids(store)["LIV.BOR@71.71"]
    assert queued(store) == [(manado, "fired")]
    evaluate(store, small, cfg, NOW + timedelta(minutes=12))  # once
    assert queued(store) == [(manado, "fired")]
    observe(store, "LIV.BOR", "71.71", date(2026, 11, 1), 70.0)
    evaluate(store, small, cfg, NOW + timedelta(minutes=13))
    assert queued(store) == [(manado, "fired"), (manado, "resolved")]
