"""The wall's screens without a browser, on SQLite and PostgreSQL: domain screens, the
e-disaster screen, alerts, the takeover rule, parts and versions, screens as devices."""

from datetime import timedelta
from urllib.parse import unquote

import clock_kit
import pytest
from sqlalchemy import insert
from wall_kit import HISTORY, add_alert, add_quake, resolve_alert, seed_store

from dashboard.settings import PROJECT_ROOT
from dashboard.store.queries import (
    heads_fingerprint,
    latest_points,
    open_alert_heads,
    recent_quakes,
    source_runs,
)
from dashboard.store.schema import CollectionRun, Event
from dashboard.store.screens import forget_screen, list_screens, record_beat, request_command
from dashboard.versions import ChangeSignal, bump
from dashboard.views.wall_alerts import alert_triggers, load_alerts, load_takeover, quake_triggers
from dashboard.views.wall_disaster import distance_km, load_disaster, tsunami_of, tsunami_words
from dashboard.views.wall_live import live_state
from dashboard.views.wall_map import sparkline
from dashboard.views.wall_screens import (
    domain_screen_indicators,
    load_parts,
    load_wall_config,
    moved_parts,
    parts_of,
    refresh_ages,
    scopes_of,
    screen_types,
)

MANADO = (1.4748, 124.8421)


@pytest.fixture
def config(catalogue):
    return load_wall_config(PROJECT_ROOT / "config", catalogue)


@pytest.fixture
def seeded(engine, catalogue):
    seed_store(engine, catalogue)
    return engine


def _now():
    return clock_kit.now()


# --- parts and versions -----------------------------------------------------------------


def test_parts_and_their_scopes(catalogue):
    keys = parts_of(list(screen_types(catalogue)), catalogue)
    assert keys[:6] == [
        f"overview/{d}"
        for d in ("living", "society", "branding", "governance", "environment", "economy")
    ]
    assert keys[6:] == [
        "living",
        "society",
        "branding",
        "governance",
        "environment",
        "economy",
        "disaster",
        "alerts",
    ]
    assert scopes_of(keys) == sorted(
        [
            "alerts",
            "events",
            *[
                f"domain:{d}"
                for d in ("living", "society", "branding", "governance", "environment", "economy")
            ],
        ]
    )
    assert scopes_of(parts_of(["disaster"], catalogue)) == ["events"]


def _live(engine, config, scopes, now=None, drawn=None):
    return live_state(engine, ChangeSignal(engine, None), config, scopes, now or _now(), drawn)


def test_only_the_parts_whose_scope_moved_are_redrawn(seeded, catalogue, config):
    keys = parts_of(["overview", "economy", "disaster", "alerts"], catalogue)
    seen = _live(seeded, config, scopes_of(keys)).versions
    assert moved_parts(keys, seen, seen) == []
    with seeded.begin() as conn:
        bump(conn, ["domain:economy"])
    now = _live(seeded, config, scopes_of(keys)).versions
    assert moved_parts(keys, seen, now) == ["overview/economy", "economy"]
    add_quake(seeded, magnitude=3.1, lat=1.0, lon=125.0)
    add_alert(seeded, severity="info", title="x")
    later = _live(seeded, config, scopes_of(keys)).versions
    assert moved_parts(keys, now, later) == ["disaster", "alerts"]
    assert moved_parts(keys, None, later) == keys  # nothing drawn yet: everything


def test_every_screen_watches_the_events_version(seeded, catalogue, config):
    live = _live(seeded, config, scopes_of(parts_of(["economy"], catalogue)))
    assert set(live.versions) == {"domain:economy", "events"}


def test_the_alert_fingerprint_moves_on_fire_ack_and_resolve(engine):
    def fingerprint():
        with engine.connect() as conn:
            return heads_fingerprint(open_alert_heads(conn))

    empty = fingerprint()
    alert_id = add_alert(engine, severity="warning", title="a")
    fired = fingerprint()
    with engine.begin() as conn:
        from dashboard.store.schema import Alert

        conn.execute(
            Alert.__table__.update()
            .where(Alert.__table__.c.id == alert_id)
            .values(state="acknowledged")
        )
    acked = fingerprint()
    resolve_alert(engine, alert_id)
    assert len({empty, fired, acked}) == 3 and fingerprint() == empty


# --- domain screens ------------------------------------------------------------------------


def test_a_domain_screen_has_every_indicator_headlines_first_with_its_trend(
    seeded, catalogue, config
):
    now = _now()
    with seeded.connect() as conn:
        views = load_parts(conn, catalogue, config, ["living", "overview/living"], now, "id")
    screen = views["living"]
    assert screen.name == "Smart Living" and screen.tagline
    expected = domain_screen_indicators(catalogue, "living")
    assert [t.code for t in screen.tiles] == [i.code for i in expected]
    assert [t.code for t in screen.tiles[:3]] == [t.code for t in views["overview/living"].tiles]
    tile = screen.tiles[0]
    assert len(tile.history) == HISTORY and tile.value is not None and tile.period
    assert tile.history[-1] == pytest.approx(
        float(tile.value.replace(".", "").replace(",", ".")), rel=1e-6
    )
    assert unquote(sparkline(tile.history)).startswith("data:image/svg+xml;charset=utf-8,<svg")
    assert sparkline([1.0]) is None


def test_latest_points_are_newest_first_and_limited(seeded, catalogue):
    code = domain_screen_indicators(catalogue, "economy")[0].code
    with seeded.connect() as conn:
        points = latest_points(conn, [code], per_indicator=4)[code]
    assert len(points) == 4
    assert [p.period_start for p in points] == sorted(
        (p.period_start for p in points), reverse=True
    )


# --- e-disaster ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "potensi, kind",
    [
        ("Tidak berpotensi tsunami", "none"),
        ("Gempa ini dirasakan untuk diteruskan pada masyarakat", "felt"),
        ("Berpotensi TSUNAMI untuk diteruskan pada masyarakat", "possible"),
        (None, "absent"),
    ],
)
def test_tsunami_potential_in_a_word(potensi, kind):
    assert tsunami_of({"Potensi": potensi} if potensi else {})[0] == kind


@pytest.mark.parametrize(
    "potensi, lang, words",
    [
        # BMKG's notice for a felt quake is shown as what it is, not as "unknown".
        (
            "Gempa ini dirasakan untuk diteruskan pada masyarakat",
            "id",
            "Gempa ini dirasakan untuk diteruskan pada masyarakat",
        ),
        (
            "Gempa ini dirasakan untuk diteruskan pada masyarakat",
            "en",
            "Felt earthquake: BMKG asks for the news to be passed on to the public",
        ),
        ("Tidak berpotensi tsunami", "en", "No tsunami potential"),
        # A felt-list entry states no potential: the card says nothing about one.
        (None, "id", None),
    ],
)
def test_the_card_words_the_tsunami_line_as_bmkg_does(potensi, lang, words):
    kind, raw = tsunami_of({"Potensi": potensi} if potensi else {})
    assert tsunami_words(kind, raw, lang) == words


def test_distance_from_manado():
    assert distance_km(*MANADO, *MANADO) == 0
    assert distance_km(*MANADO, 1.4748, 127.5) == pytest.approx(295.3, abs=1)


def test_the_disaster_screen_shows_the_latest_quake_in_full(seeded, catalogue, config):
    add_quake(seeded, magnitude=4.1, lat=2.2, lon=126.8, ago=timedelta(days=2), description="older")
    add_quake(
        seeded,
        magnitude=5.6,
        lat=1.62,
        lon=125.38,
        depth=35,
        ago=timedelta(minutes=12),
        description="Pusat gempa berada di laut 58 km Timur Laut Bitung",
        potensi="Tidak berpotensi tsunami",
    )
    add_quake(
        seeded, magnitude=6.0, lat=-6.0, lon=130.0, ago=timedelta(days=1), description="Laut Banda"
    )
    add_quake(
        seeded, magnitude=7.0, lat=1.0, lon=125.0, ago=timedelta(days=9), description="too old"
    )
    with seeded.connect() as conn:
        view = load_disaster(conn, config, catalogue, _now(), "id")
    latest = view.latest
    assert (latest.magnitude_text, latest.depth_text) == ("5,6", "35 km")
    assert latest.place == "Pusat gempa berada di laut 58 km Timur Laut Bitung"
    assert latest.distance_text == "62 km dari Manado"
    assert latest.tsunami == "none" and latest.tsunami_text == "Tidak berpotensi tsunami"
    assert latest.ago_text == "12 menit lalu" and latest.when_text.endswith("WITA")
    assert latest.strong is True
    assert [q.place for q in view.earlier] == [
        "Laut Banda",
        "older",
    ]  # newest first; 9 days ago is out
    assert view.earlier[0].strong is False  # M6 but far away
    assert view.summary == "3 gempa · 1 gempa M≥5,0 dalam 300 km · 1 di luar peta"
    assert view.period == "7 hari terakhir"
    svg = unquote(view.map_src)
    assert svg.count("<circle") >= 3 + 3  # three rings, two quakes on the map (+ the latest's halo)
    assert "M 5,6" in svg and "Manado" in svg and "300 km" in svg
    assert "http" not in svg.replace(
        "http://www.w3.org/2000/svg", ""
    )  # nothing loaded from anywhere


def test_a_quiet_week(seeded, catalogue, config):
    with seeded.connect() as conn:
        view = load_disaster(conn, config, catalogue, _now(), "en")
    assert view.latest is None and view.earlier == ()
    assert view.empty_text == "No earthquakes recorded in the last 7 days"


def test_recent_quakes_reads_the_store_time_of_the_run(engine, catalogue):
    from dashboard.store.catalogue_sync import sync_catalogue

    sync_catalogue(engine, catalogue)
    now = _now()
    source = catalogue.sources[0].id
    with engine.begin() as conn:
        run_id = conn.execute(
            insert(CollectionRun)
            .values(
                source_id=source,
                trigger="schedule",
                status="ok",
                started_at=now - timedelta(minutes=1),
                finished_at=now - timedelta(seconds=30),
            )
            .returning(CollectionRun.id)
        ).scalar_one()
        conn.execute(
            insert(Event).values(
                kind="earthquake",
                source_id=source,
                external_id="a",
                occurred_at=now - timedelta(minutes=20),
                lat=1.0,
                lon=125.0,
                magnitude=5.1,
                depth_km=10,
                description="",
                extra={},
                run_id=run_id,
            )
        )
        conn.execute(
            insert(Event).values(
                kind="flood",
                source_id=source,
                external_id="b",
                occurred_at=now - timedelta(minutes=5),
                lat=1.0,
                lon=125.0,
                magnitude=None,
                depth_km=None,
                description="",
                extra={},
            )
        )
    with engine.connect() as conn:
        rows = recent_quakes(conn, ["earthquake"], now - timedelta(hours=1))
        none = recent_quakes(conn, ["earthquake"], now - timedelta(hours=1), min_magnitude=5.5)
    assert [r.magnitude for r in rows] == [5.1] and none == []
    assert rows[0].stored_at == now - timedelta(seconds=30)


# --- takeover -----------------------------------------------------------------------------------


def test_a_strong_near_quake_takes_over_for_the_configured_time(seeded, catalogue, config):
    near = add_quake(seeded, magnitude=5.0, lat=1.62, lon=125.38, ago=timedelta(seconds=100))
    add_quake(seeded, magnitude=4.9, lat=1.62, lon=125.38)  # too weak
    add_quake(seeded, magnitude=6.5, lat=1.47, lon=128.2)  # 370 km away
    add_quake(
        seeded, magnitude=6.5, lat=1.6, lon=125.0, ago=timedelta(minutes=61)
    )  # too old to take over
    now = _now()
    live = _live(seeded, config, [], now)
    assert live.keys == [f"quake:{near}"]
    assert live.triggers[0].remaining_seconds == pytest.approx(
        config.takeover.duration_seconds - 100, abs=2
    )
    later = now + timedelta(seconds=config.takeover.duration_seconds)
    assert _live(seeded, config, [], later).keys == []
    # Nothing stored since and no quake on: the earthquake rule is not even read.
    drawn = {"versions": live.versions, "takeover": []}
    assert _live(seeded, config, [], now, drawn).keys == []
    assert _live(seeded, config, [], now, {**drawn, "takeover": live.keys}).keys == live.keys


def test_a_quake_stored_late_still_gets_its_full_time(config):
    from dashboard.store.queries import QuakeRow

    now = _now()
    row = QuakeRow(
        1,
        "bmkg",
        now - timedelta(minutes=20),
        now - timedelta(seconds=10),
        *MANADO,
        5.5,
        10,
        "",
        {},
    )
    (trigger,) = quake_triggers([row], config, now)
    assert trigger.remaining_seconds == pytest.approx(config.takeover.duration_seconds - 10)


def test_critical_alerts_take_over_until_the_time_is_up_or_they_resolve(seeded, catalogue, config):
    critical = add_alert(
        seeded, severity="critical", title="Rumah sakit hampir penuh", ago=timedelta(seconds=30)
    )
    add_alert(seeded, severity="warning", title="only a warning")
    add_alert(seeded, severity="critical", title="long ago", ago=timedelta(hours=2), subject="old")
    now = _now()
    live = _live(seeded, config, [], now)
    assert live.keys == [f"alert:{critical}"]
    with seeded.connect() as conn:
        view = load_takeover(seeded, conn, config, catalogue, live.triggers, now, "id")
    assert view.quake is None and view.heading == "PERINGATAN KRITIS"
    assert [a.title for a in view.alerts] == ["Rumah sakit hampir penuh"]
    resolve_alert(seeded, critical)
    assert _live(seeded, config, [], now).keys == []
    with seeded.connect() as conn:
        assert load_takeover(seeded, conn, config, catalogue, [], now, "id") is None
    assert alert_triggers([], config, now) == []


def test_the_takeover_view_of_a_quake_and_alerts(seeded, catalogue, config):
    add_quake(
        seeded,
        magnitude=6.1,
        lat=1.62,
        lon=125.38,
        depth=12,
        description="58 km TL Bitung",
        potensi="Berpotensi tsunami",
    )
    add_alert(seeded, severity="critical", title="Rumah sakit hampir penuh")
    live = _live(seeded, config, [])
    with seeded.connect() as conn:
        view = load_takeover(seeded, conn, config, catalogue, live.triggers, _now(), "en")
    assert len(live.triggers) == 2
    assert view.heading == "EARTHQUAKE" and view.quake.magnitude_text == "6.1"
    assert view.quake.tsunami == "possible" and view.quake.tsunami_text.startswith(
        "Possible tsunami"
    )
    assert "M 6.1" in unquote(view.map_src)
    assert [a.title for a in view.alerts] == ["Rumah sakit hampir penuh"]


def test_takeover_can_be_switched_off(seeded, catalogue, config):
    add_quake(seeded, magnitude=6.1, lat=1.62, lon=125.38)
    add_alert(seeded, severity="critical", title="x")
    off = config.model_copy(
        update={
            "takeover": config.takeover.model_copy(
                update={
                    "critical_alerts": False,
                    "earthquake": config.takeover.earthquake.model_copy(update={"enabled": False}),
                }
            )
        }
    )
    assert _live(seeded, off, []).keys == []


# --- alerts screen ---------------------------------------------------------------------------------


def test_the_alerts_screen_counts_and_lists_open_alerts(seeded, catalogue):
    add_alert(seeded, severity="info", title="info one", ago=timedelta(minutes=5))
    add_alert(seeded, severity="critical", title="critical one", ago=timedelta(minutes=50))
    for i in range(8):
        add_alert(seeded, severity="warning", title=f"warning {i}", ago=timedelta(minutes=i))
    now = _now()
    with seeded.connect() as conn:
        view = load_alerts(conn, now, "id")
    assert view.counts == (
        ("critical", "Kritis", 1),
        ("warning", "Waspada", 8),
        ("info", "Info", 1),
    )
    assert view.lines[0].title == "critical one" and view.lines[0].ago_text == "50 menit lalu"
    # Every open alert goes to the screen (up to 60); the browser fits what it can.
    assert len(view.lines) == 10 and view.more_text is None and view.total == 10
    assert view.more_template == "+{n} lainnya"
    assert view.evaluated_at is not None  # the seeded scheduler heartbeat
    with seeded.connect() as conn:
        fresh = refresh_ages(
            conn,
            {"alerts|evaluated": {"kind": "evaluated"}},
            catalogue,
            now + timedelta(minutes=10),
            "id",
            source_runs(conn),
        )
    assert fresh["alerts|evaluated"].stale is True and fresh["alerts|evaluated"].text.startswith(
        "dievaluasi 10 menit"
    )


def test_ages_of_every_kind_are_refreshed(seeded, catalogue):
    now = _now()
    inputs = {
        "disaster|latest": {"kind": "ago", "at": (now - timedelta(minutes=3)).isoformat()},
        "x|y": {"kind": "fetched", "source": catalogue.sources[1].id, "ingested_at": None},
    }
    with seeded.connect() as conn:
        fresh = refresh_ages(conn, inputs, catalogue, now, "en", source_runs(conn))
    assert (
        fresh["disaster|latest"].text == "3 minutes ago" and fresh["disaster|latest"].stale is False
    )
    assert fresh["x|y"].text.startswith("fetched ")


# --- screens as managed devices -------------------------------------------------------------------


def test_heartbeats_list_screens_and_a_reload_is_delivered_once(engine):
    t0 = _now()
    assert record_beat(engine, "dinding-1", {"w": 1920, "h": 1080, "screen": "overview"}, t0) == []
    record_beat(engine, "grid-2", {"w": 1920, "h": 1080}, t0 - timedelta(minutes=5))
    request_command(engine, "dinding-1", "reload", who="operator")
    (first, second) = list_screens(engine, t0)
    assert (first.screen_id, first.details["screen"], first.pending) == (
        "dinding-1",
        "overview",
        ("reload",),
    )
    assert first.online(t0, 50) and not second.online(t0, 50)
    assert record_beat(
        engine, "dinding-1", {"w": 1920, "h": 1080, "screen": "living"}, t0 + timedelta(seconds=15)
    ) == ["reload"]
    assert (
        record_beat(engine, "dinding-1", {"w": 1920, "h": 1080}, t0 + timedelta(seconds=30)) == []
    )  # once
    assert list_screens(engine, t0)[0].pending == ()
    assert forget_screen(engine, "grid-2") and [s.screen_id for s in list_screens(engine)] == [
        "dinding-1"
    ]
    with pytest.raises(ValueError):
        request_command(engine, "x y", "reload")
    with pytest.raises(ValueError):
        request_command(engine, "dinding-1", "format-disk")
