"""Each rule type fires on crafted data and resolves when the data says so; alerts are
de-duplicated by (rule, subject), acknowledged with a note, and kept as history."""

from datetime import date, timedelta

import pytest
from alert_kit import NOW, alerts, config, monthly, observe, open_keys, run
from sqlalchemy import select

from dashboard.alerts import acknowledge, active_critical
from dashboard.alerts.evaluate import evaluate
from dashboard.alerts.tables import AlertNotification, ShiftNote
from dashboard.store.engine import begin_write
from dashboard.store.schema import Alert, Event, Observation

# --- series rules -------------------------------------------------------------------


def test_catalogue_threshold_fires_when_behind_target_and_resolves_on_track(store, small):
    cfg = config(catalogue_thresholds={"enabled": True})
    observe(store, "LIV.STUNTING", "71", date(2026, 9, 1), 22.0)  # target 18, down: behind
    observe(
        store, "LIV.STUNTING", "71.71", date(2026, 9, 1), 30.0
    )  # not a province value: out of scope
    result = evaluate(store, small, cfg, NOW)
    assert open_keys(store) == {("catalogue-threshold", "LIV.STUNTING@71", "warning")}
    assert len(result.transitions.fired) == 1
    with store.connect() as conn:
        title_id, title_en = conn.execute(select(Alert.title_id, Alert.title_en)).one()
    assert (
        title_id
        == "Prevalensi stunting (Sulawesi Utara): Tertinggal — 22,0 % (Sep 2026; target 18,0)"
    )
    assert (
        title_en == "Stunting prevalence (Sulawesi Utara): Behind — 22.0 % (Sep 2026; target 18.0)"
    )

    observe(store, "LIV.STUNTING", "71", date(2026, 10, 1), 17.5)
    result = evaluate(store, small, cfg, NOW)
    assert result.transitions.resolved and open_keys(store) == set()


def test_catalogue_band_and_at_risk_severity(store, small):
    cfg = config(catalogue_thresholds={"enabled": True, "regions": "all", "at_risk": "info"})
    observe(store, "LIV.BOR", "71.02", date(2026, 9, 1), 87.0)  # 2 above the band's 85: at risk
    observe(store, "LIV.BOR", "71.71", date(2026, 9, 1), 40.0)  # far below 60: behind
    evaluate(store, small, cfg, NOW)
    assert open_keys(store) == {
        ("catalogue-threshold", "LIV.BOR@71.02", "info"),
        ("catalogue-threshold", "LIV.BOR@71.71", "warning"),
    }


def test_comparison_rule_per_region(store, small):
    cfg = config(
        rules=[
            {
                "id": "bor-full",
                "type": "comparison",
                "indicator": "LIV.BOR",
                "regions": "all",
                "op": ">=",
                "value": 95,
                "severity": "critical",
            }
        ]
    )
    observe(store, "LIV.BOR", "71.71", date(2026, 9, 1), 96.0)
    observe(store, "LIV.BOR", "71.02", date(2026, 9, 1), 80.0)
    evaluate(store, small, cfg, NOW)
    assert open_keys(store) == {("bor-full", "LIV.BOR@71.71", "critical")}
    assert [a.subject for a in active_critical(store)] == ["LIV.BOR@71.71"]

    observe(store, "LIV.BOR", "71.71", date(2026, 10, 1), 90.0)
    evaluate(store, small, cfg, NOW)
    assert open_keys(store) == set() and active_critical(store) == []


def test_rate_of_change_rule(store, small):
    cfg = config(
        rules=[
            {
                "id": "placements-drop",
                "type": "rate_of_change",
                "indicator": "ECO.PLACEMENTS",
                "max_change_pct": 30,
                "towards": "fall",
            }
        ]
    )
    monthly(
        store, "ECO.PLACEMENTS", "71", date(2026, 7, 1), [1000, 1100, 700], source="naker-feed"
    )  # -36 %
    result = evaluate(store, small, cfg, NOW)
    assert open_keys(store) == {("placements-drop", "ECO.PLACEMENTS@71", "warning")}
    assert result.findings[0].details["change_pct"] == pytest.approx(-36.3636, abs=1e-3)
    assert result.findings[0].title_en == (
        "Job placements (Sulawesi Utara), Sep 2026: fell 36.4 % since Aug 2026"
    )

    observe(store, "ECO.PLACEMENTS", "71", date(2026, 10, 1), 720, source="naker-feed")  # +3 %
    evaluate(store, small, cfg, NOW)
    assert open_keys(store) == set()


def test_rate_of_change_in_units_and_rising_only(store, small):
    cfg = config(
        rules=[
            {
                "id": "bor-jump",
                "type": "rate_of_change",
                "indicator": "LIV.BOR",
                "max_change": 10,
                "towards": "rise",
            }
        ]
    )
    monthly(store, "LIV.BOR", "71", date(2026, 8, 1), [80, 65])  # a fall of 15: not watched
    evaluate(store, small, cfg, NOW)
    assert open_keys(store) == set()
    observe(store, "LIV.BOR", "71", date(2026, 10, 1), 77)  # a rise of 12
    evaluate(store, small, cfg, NOW)
    assert open_keys(store) == {("bor-jump", "LIV.BOR@71", "warning")}


def test_anomaly_rule_uses_robust_z_against_own_history(store, small):
    cfg = config(
        rules=[
            {
                "id": "bor-anomaly",
                "type": "anomaly",
                "indicator": "LIV.BOR",
                "window": 12,
                "min_history": 8,
                "z": 3.5,
            }
        ]
    )
    usual = [70, 72, 71, 69, 70, 73, 71, 70, 72, 71, 69, 70]
    monthly(
        store, "LIV.BOR", "71", date(2025, 9, 1), usual + [84]
    )  # inside the band, far from its own history
    result = evaluate(store, small, cfg, NOW)
    assert open_keys(store) == {("bor-anomaly", "LIV.BOR@71", "warning")}
    details = result.findings[0].details
    assert details["median"] == 70.5 and details["z"] > 3.5 and details["history"] == 12

    observe(store, "LIV.BOR", "71", date(2026, 10, 1), 71)
    evaluate(store, small, cfg, NOW)
    assert open_keys(store) == set()


def test_anomaly_needs_enough_history(store, small):
    cfg = config(
        rules=[{"id": "bor-anomaly", "type": "anomaly", "indicator": "LIV.BOR", "min_history": 8}]
    )
    monthly(store, "LIV.BOR", "71", date(2026, 4, 1), [70, 71, 70, 99])
    evaluate(store, small, cfg, NOW)
    assert open_keys(store) == set()


def seasonal_series(december_peaks):
    """Monthly values around 100 with a little noise, and a peak every December."""
    values = []
    for year_index, peak in enumerate(december_peaks):
        for month in range(1, 13):
            noise = ((year_index * 12 + month) * 7) % 5 - 2
            values.append((peak if month == 12 else 100) + noise + 0.5 * year_index)
    return date(2021, 1, 1), values


def test_seasonal_rule_accepts_the_usual_peak_and_flags_an_unusual_one(store, small):
    seasonal = {
        "id": "bor-seasonal",
        "type": "seasonal",
        "indicator": "LIV.BOR",
        "years": 4,
        "z": 3.5,
    }
    plain = {"id": "bor-plain", "type": "anomaly", "indicator": "LIV.BOR", "window": 24, "z": 3.5}
    cfg = config(rules=[seasonal, plain])
    start, values = seasonal_series([140, 142, 141, 143, 142])  # five Decembers, the usual peak
    monthly(store, "LIV.BOR", "71", start, values)
    evaluate(store, small, cfg, NOW)
    # The plain anomaly rule sees a December spike; the seasonal one knows it happens every year.
    assert open_keys(store) == {("bor-plain", "LIV.BOR@71", "warning")}

    with begin_write(store) as conn:
        conn.execute(
            Observation.__table__.update()
            .where(Observation.period_start == date(2025, 12, 1))
            .values(value=190)
        )
    evaluate(store, small, cfg, NOW)
    assert ("bor-seasonal", "LIV.BOR@71", "warning") in open_keys(store)

    observe(store, "LIV.BOR", "71", date(2026, 1, 1), 106)  # a January like any other
    evaluate(store, small, cfg, NOW)
    assert ("bor-seasonal", "LIV.BOR@71", "warning") not in open_keys(store)


# --- source rules ------------------------------------------------------------------------


def test_staleness_fires_when_a_source_falls_behind_its_schedule(store, small):
    cfg = config(staleness={"enabled": True, "after_gaps": 3, "critical_after_gaps": 60})
    run(store, "dinkes-feed", "ok", NOW - timedelta(minutes=10))  # every 60 s: 10 min is 10 gaps
    run(store, "naker-feed", "ok", NOW - timedelta(seconds=30))
    evaluate(store, small, cfg, NOW)
    assert open_keys(store) == {("source-stale", "source:dinkes-feed", "warning")}
    evaluate(store, small, cfg, NOW + timedelta(hours=2))  # 120 gaps: critical, escalated in place
    assert ("source-stale", "source:dinkes-feed", "critical") in open_keys(store)
    assert len([a for a in alerts(store) if a.subject == "source:dinkes-feed"]) == 1

    run(store, "dinkes-feed", "ok", NOW + timedelta(hours=2))
    run(store, "naker-feed", "ok", NOW + timedelta(hours=2))
    evaluate(store, small, cfg, NOW + timedelta(hours=2, seconds=5))
    assert open_keys(store) == set()


def test_a_source_both_failing_and_late_raises_one_alert_that_says_why(store, small):
    cfg = config(
        staleness={"enabled": True, "after_gaps": 3, "critical_after_gaps": 60},
        failing={"enabled": True, "consecutive": 3},
    )
    run(store, "dinkes-feed", "ok", NOW - timedelta(minutes=10))  # every 60 s: 10 gaps late
    for minutes in (3, 2, 1):
        run(store, "dinkes-feed", "failed", NOW - timedelta(minutes=minutes), "http")
    result = evaluate(store, small, cfg, NOW)
    assert open_keys(store) == {("source-failing", "source:dinkes-feed", "warning")}
    assert result.findings[0].details["late_since"] == (NOW - timedelta(minutes=10)).isoformat()

    # Late long enough to be critical: the one alert escalates in place.
    run(store, "dinkes-feed", "failed", NOW + timedelta(hours=2), "http")
    evaluate(store, small, cfg, NOW + timedelta(hours=2, seconds=5))
    assert open_keys(store) == {("source-failing", "source:dinkes-feed", "critical")}

    # Collected again: nothing is left open.
    run(store, "dinkes-feed", "ok", NOW + timedelta(hours=2, minutes=1))
    evaluate(store, small, cfg, NOW + timedelta(hours=2, minutes=1, seconds=5))
    assert open_keys(store) == set()


def test_a_late_alert_gives_way_at_once_when_the_source_is_found_failing(store, small):
    cfg = config(
        staleness={"enabled": True, "after_gaps": 3},
        failing={"enabled": True, "consecutive": 3},
        resolve_after_seconds=600,
    )
    run(store, "dinkes-feed", "ok", NOW - timedelta(minutes=10))
    run(store, "dinkes-feed", "failed", NOW - timedelta(minutes=1), "http")
    evaluate(store, small, cfg, NOW)  # late, but one failure is not yet a failing source
    assert open_keys(store) == {("source-stale", "source:dinkes-feed", "warning")}

    for minutes in (2, 3):
        run(store, "dinkes-feed", "failed", NOW + timedelta(minutes=minutes), "http")
    evaluate(store, small, cfg, NOW + timedelta(minutes=4))
    # One alert at once, not the late one lingering for resolve_after beside it.
    assert open_keys(store) == {("source-failing", "source:dinkes-feed", "warning")}


def test_a_source_that_never_succeeded_is_late_from_its_first_attempt(store, small):
    cfg = config(staleness={"enabled": True})
    run(store, "naker-feed", "failed", NOW - timedelta(minutes=30), error_class="http")
    evaluate(store, small, cfg, NOW)
    assert open_keys(store) == {("source-stale", "source:naker-feed", "warning")}


def test_failing_collector_after_n_consecutive_failures(store, small):
    cfg = config(failing={"enabled": True, "consecutive": 3})
    run(store, "dinkes-feed", "ok", NOW - timedelta(minutes=5))
    run(store, "dinkes-feed", "failed", NOW - timedelta(minutes=4), "timeout")
    run(store, "dinkes-feed", "failed", NOW - timedelta(minutes=3), "timeout")
    evaluate(store, small, cfg, NOW)
    assert open_keys(store) == set()  # two in a row are not yet three

    run(store, "dinkes-feed", "failed", NOW - timedelta(minutes=2), "http")
    result = evaluate(store, small, cfg, NOW)
    assert open_keys(store) == {("source-failing", "source:dinkes-feed", "warning")}
    # Told as a person reads it, in each language, since the streak began; no raw message.
    finding = result.findings[0]
    assert finding.title_en.startswith("Source Dinkes e-Health feed cannot be reached since ")
    assert finding.title_en.endswith(" WITA · 3 times in a row")
    assert finding.title_id.startswith("Sumber Dinkes e-Health feed tidak dapat dihubungi sejak ")
    assert finding.title_id.endswith(" WITA · 3 kali berturut-turut")
    assert "boom" not in finding.title_en + finding.title_id

    run(store, "dinkes-feed", "partial", NOW - timedelta(minutes=1))
    evaluate(store, small, cfg, NOW)
    assert open_keys(store) == set()


def quake(
    engine, external_id, lat, lon, magnitude, occurred_at, kind="earthquake", source_id="bmkg"
):
    with begin_write(engine) as conn:
        conn.execute(
            Event.__table__.insert().values(
                kind=kind,
                source_id=source_id,
                external_id=external_id,
                occurred_at=occurred_at,
                lat=lat,
                lon=lon,
                magnitude=magnitude,
                depth_km=10.0,
                description=f"quake {external_id}",
                extra={},
            )
        )


def test_earthquake_rule_by_magnitude_and_distance_from_manado(store, small):
    cfg = config(
        earthquakes={
            "enabled": True,
            "within_hours": 24,
            "levels": [
                {"min_magnitude": 6.0, "max_distance_km": 300, "severity": "critical"},
                {"min_magnitude": 5.0, "max_distance_km": 300, "severity": "warning"},
            ],
        }
    )
    quake(store, "near-strong", 1.0, 125.5, 6.2, NOW - timedelta(hours=1))  # ~90 km from Manado
    quake(store, "near-moderate", 1.2, 124.6, 5.3, NOW - timedelta(hours=2))  # ~40 km
    quake(store, "far-strong", -3.0, 128.0, 6.8, NOW - timedelta(hours=1))  # ~600 km
    quake(store, "near-weak", 1.5, 124.9, 4.1, NOW - timedelta(hours=1))
    quake(store, "flood", 1.5, 124.9, 9.0, NOW - timedelta(hours=1), kind="flood")
    quake(store, "old", 1.5, 124.9, 6.5, NOW - timedelta(hours=30))
    result = evaluate(store, small, cfg, NOW)
    by_severity = {
        f.details["magnitude"]: (f.severity, f.details["distance_km"]) for f in result.findings
    }
    assert set(by_severity) == {6.2, 5.3}
    assert by_severity[6.2][0] == "critical" and 80 < by_severity[6.2][1] < 100
    assert by_severity[5.3][0] == "warning" and 25 < by_severity[5.3][1] < 50
    assert [a.severity for a in active_critical(store)] == ["critical"]
    assert result.findings[0].title_id.startswith("Gempa M")

    evaluate(store, small, cfg, NOW + timedelta(hours=25))  # out of the window: over
    assert open_keys(store) == set()


def test_one_quake_reported_by_three_bmkg_feeds_is_one_alert(store, small):
    cfg = config(
        earthquakes={
            "enabled": True,
            "within_hours": 24,
            "levels": [{"min_magnitude": 5.0, "max_distance_km": 300, "severity": "warning"}],
        }
    )
    same = "bmkg:2026-11-18T01:00:00Z@1.00,125.50"
    for feed in ("bmkg-autogempa", "bmkg-gempaterkini", "bmkg-gempadirasakan"):
        quake(store, same, 1.0, 125.5, 5.4, NOW - timedelta(hours=1), source_id=feed)
    quake(store, "another", 1.2, 124.6, 5.3, NOW - timedelta(hours=2), source_id="bmkg-autogempa")

    result = evaluate(store, small, cfg, NOW)

    assert sorted(f.details["magnitude"] for f in result.findings) == [5.3, 5.4]
    assert {f.details["source"] for f in result.findings} == {"bmkg-autogempa"}  # its owner
    assert len(open_keys(store)) == 2


# --- lifecycle ---------------------------------------------------------------------------


def test_deduplicated_acknowledged_and_history_kept(store, small):
    cfg = config(
        rules=[
            {"id": "bor-full", "type": "comparison", "indicator": "LIV.BOR", "op": ">", "value": 90}
        ]
    )
    observe(store, "LIV.BOR", "71", date(2026, 9, 1), 95.0)
    assert evaluate(store, small, cfg, NOW).transitions.fired
    for _ in range(2):
        assert not evaluate(
            store, small, cfg, NOW
        ).transitions.changed  # nothing new, nothing written
    assert len(alerts(store)) == 1
    with store.connect() as conn:
        alert_id = conn.execute(select(Alert.id)).scalar_one()

    assert acknowledge(store, alert_id, "Budi", "RSUD dihubungi", now=NOW)
    assert not acknowledge(
        store, alert_id, "Sari", "again"
    )  # only a firing alert can be acknowledged
    evaluate(store, small, cfg, NOW)
    with store.connect() as conn:
        row = conn.execute(select(Alert.__table__)).one()
        note = conn.execute(select(ShiftNote.kind, ShiftNote.author, ShiftNote.alert_id)).one()
    assert (row.state, row.acknowledged_by, row.ack_note) == (
        "acknowledged",
        "Budi",
        "RSUD dihubungi",
    )
    assert tuple(note) == ("ack", "Budi", alert_id)

    observe(store, "LIV.BOR", "71", date(2026, 10, 1), 80.0)
    evaluate(store, small, cfg, NOW)
    observe(store, "LIV.BOR", "71", date(2026, 11, 1), 93.0)
    evaluate(store, small, cfg, NOW)
    assert [a.state for a in alerts(store)] == [
        "resolved",
        "firing",
    ]  # a new alert, the old one kept


def test_the_store_refuses_a_second_open_alert_for_the_same_key(store):
    from sqlalchemy.exc import IntegrityError

    values = {
        "rule_id": "r",
        "subject": "s",
        "severity": "warning",
        "state": "firing",
        "title_id": "t",
        "title_en": "t",
        "fired_at": NOW,
        "details": {},
    }
    with begin_write(store) as conn:
        conn.execute(Alert.__table__.insert().values(**values))
    with pytest.raises(IntegrityError), begin_write(store) as conn:
        conn.execute(Alert.__table__.insert().values(**values))
    with begin_write(store) as conn:
        conn.execute(Alert.__table__.update().values(state="resolved", resolved_at=NOW))
        conn.execute(Alert.__table__.insert().values(**values))  # resolved ones do not count


def test_a_crashing_rule_keeps_its_alerts_and_a_removed_rule_resolves(store, small, monkeypatch):
    rule = {"id": "bor-full", "type": "comparison", "indicator": "LIV.BOR", "op": ">", "value": 90}
    observe(store, "LIV.BOR", "71", date(2026, 9, 1), 95.0)
    evaluate(store, small, config(rules=[rule]), NOW)

    import dashboard.alerts.evaluate as evaluation

    def broken(*_args, **_kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(evaluation, "custom_rule_findings", broken)
    result = evaluate(store, small, config(rules=[rule]), NOW)
    assert "bor-full" in result.errors and open_keys(store) == {
        ("bor-full", "LIV.BOR@71", "warning")
    }
    monkeypatch.undo()

    evaluate(store, small, config(), NOW)  # the rule is gone from the configuration
    assert open_keys(store) == set()


def test_notifications_are_queued_with_the_transition(store, small):
    cfg = config(
        rules=[
            {
                "id": "bor-full",
                "type": "comparison",
                "indicator": "LIV.BOR",
                "op": ">",
                "value": 90,
                "severity": "warning",
            }
        ],
        notify={
            "webhooks": [
                {"id": "all", "url": "http://127.0.0.1:9/hook", "min_severity": "info"},
                {"id": "crit", "url": "http://127.0.0.1:9/crit", "min_severity": "critical"},
                {"id": "off", "url": ""},
            ],
            "email": {
                "host": "127.0.0.1",
                "recipients": "a@example.org, b@example.org",
                "min_severity": "warning",
            },
        },
    )
    observe(store, "LIV.BOR", "71", date(2026, 9, 1), 95.0)
    evaluate(store, small, cfg, NOW)
    observe(store, "LIV.BOR", "71", date(2026, 10, 1), 70.0)
    evaluate(store, small, cfg, NOW)
    with store.connect() as conn:
        queued = conn.execute(
            select(
                AlertNotification.event,
                AlertNotification.channel,
                AlertNotification.target,
                AlertNotification.status,
            ).order_by(AlertNotification.id)
        ).all()
    assert [tuple(q) for q in queued] == [
        ("fired", "webhook", "all", "pending"),
        ("fired", "email", "email", "pending"),
        ("resolved", "webhook", "all", "pending"),
        ("resolved", "email", "email", "pending"),
    ]


def test_a_flapping_condition_keeps_one_alert_until_it_stays_clear(store, small):
    """With resolve_after_seconds, a value that dips under the threshold and comes back is
    one alert (one notification), resolved only once it has stayed clear long enough."""
    cfg = config(
        resolve_after_seconds=600,
        rules=[
            {
                "id": "bor-full",
                "type": "comparison",
                "indicator": "LIV.BOR",
                "op": ">",
                "value": 90,
                "severity": "warning",
            }
        ],
        notify={"webhooks": [{"id": "all", "url": "http://127.0.0.1:9/hook"}]},
    )
    observe(store, "LIV.BOR", "71", date(2026, 9, 1), 95.0)
    evaluate(store, small, cfg, NOW)
    observe(store, "LIV.BOR", "71", date(2026, 10, 1), 85.0)  # clears …
    evaluate(store, small, cfg, NOW + timedelta(minutes=1))
    assert open_keys(store) == {("bor-full", "LIV.BOR@71", "warning")}  # … but has not stayed clear
    from dashboard.views.alerts import load_alerts_page

    page = load_alerts_page(store, NOW + timedelta(minutes=2), "id")
    assert page.active[0].clearing.startswith("kondisi normal sejak ")
    observe(store, "LIV.BOR", "71", date(2026, 11, 1), 93.0)  # and is back: the same alert goes on
    evaluate(store, small, cfg, NOW + timedelta(minutes=5))
    assert load_alerts_page(store, NOW + timedelta(minutes=5), "en").active[0].clearing == ""
    observe(
        store, "LIV.BOR", "71", date(2026, 12, 1), 80.0
    )  # clears again, and this time stays clear
    evaluate(store, small, cfg, NOW + timedelta(minutes=6))
    evaluate(store, small, cfg, NOW + timedelta(minutes=15))
    assert open_keys(store) == {("bor-full", "LIV.BOR@71", "warning")}  # 9 minutes clear
    evaluate(store, small, cfg, NOW + timedelta(minutes=16, seconds=1))
    assert open_keys(store) == set()
    assert [a.state for a in alerts(store)] == ["resolved"]  # one alert all along
    with store.connect() as conn:
        events = (
            conn.execute(select(AlertNotification.event).order_by(AlertNotification.id))
            .scalars()
            .all()
        )
    assert events == ["fired", "resolved"]


def test_a_removed_rule_resolves_at_once_even_with_resolve_after(store, small):
    rule = {
        "id": "bor-full",
        "type": "comparison",
        "indicator": "LIV.BOR",
        "op": ">",
        "value": 90,
        "severity": "warning",
    }
    observe(store, "LIV.BOR", "71", date(2026, 9, 1), 95.0)
    evaluate(store, small, config(resolve_after_seconds=600, rules=[rule]), NOW)
    evaluate(store, small, config(resolve_after_seconds=600), NOW + timedelta(minutes=1))
    assert open_keys(store) == set()
