"""config/wall.yaml: the model, its checks against the catalogue, schedules in WITA, and
what a wall URL resolves to."""

from datetime import UTC, datetime

import pytest
import yaml

from dashboard.catalogue import CatalogueError
from dashboard.settings import PROJECT_ROOT
from dashboard.views.wall_plan import grid_cells, grid_size, plan_data, resolve_plan
from dashboard.views.wall_screens import load_wall_config, screen_types
from dashboard.wall_config import WallConfig

FRIDAY_11_WITA = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
FRIDAY_23_WITA = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
SATURDAY_03_WITA = datetime(2026, 11, 27, 19, 0, tzinfo=UTC)
SATURDAY_11_WITA = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
MONDAY_0559_WITA = datetime(2026, 11, 29, 21, 59, tzinfo=UTC)
MONDAY_0600_WITA = datetime(2026, 11, 29, 22, 0, tzinfo=UTC)


def _write(tmp_path, data) -> str:
    (tmp_path / "wall.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    return str(tmp_path)


def test_the_shipped_wall_yaml_is_valid(catalogue):
    config = load_wall_config(PROJECT_ROOT / "config", catalogue)
    assert set(config.playlists) >= {"utama", "malam"}
    shown = {item.screen for p in config.playlists.values() for item in p.items}
    assert shown == set(screen_types(catalogue))  # every screen is on some playlist
    assert config.takeover.earthquake.min_magnitude == 5.0
    assert config.takeover.earthquake.max_distance_km == 300
    assert config.takeover.origin.name == "Manado"


def test_screens_are_the_overview_the_domains_in_order_disaster_and_alerts(catalogue):
    assert list(screen_types(catalogue)) == [
        "overview",
        "living",
        "society",
        "branding",
        "governance",
        "environment",
        "economy",
        "disaster",
        "alerts",
    ]


def test_without_a_wall_yaml_every_screen_plays(tmp_path, catalogue):
    config = load_wall_config(tmp_path, catalogue)
    shown = [i.screen for i in config.playlists[config.default_playlist].items]
    assert shown == list(screen_types(catalogue))


@pytest.mark.parametrize(
    "moment, expected",
    [
        (FRIDAY_11_WITA, "utama"),
        (FRIDAY_23_WITA, "malam"),
        (SATURDAY_03_WITA, "malam"),  # Friday night's slot runs past midnight
        (SATURDAY_11_WITA, "malam"),  # weekends: the night playlist all day
        (MONDAY_0559_WITA, "malam"),
        (MONDAY_0600_WITA, "utama"),
    ],
)
def test_the_schedule_is_in_wita_and_runs_over_midnight(catalogue, moment, expected):
    config = load_wall_config(PROJECT_ROOT / "config", catalogue)
    assert config.playlist_at(moment) == expected


def test_an_overnight_slot_belongs_to_the_day_it_starts(tmp_path, catalogue):
    config = load_wall_config(
        _write(
            tmp_path,
            {
                "default_playlist": "day",
                "playlists": {
                    "day": {"items": [{"screen": "overview"}]},
                    "night": {"items": [{"screen": "alerts"}]},
                },
                "schedule": [
                    {"playlist": "night", "from": "22:00", "to": "06:00", "days": ["fri"]}
                ],
            },
        ),
        catalogue,
    )
    assert config.playlist_at(FRIDAY_23_WITA) == "night"
    assert config.playlist_at(SATURDAY_03_WITA) == "night"  # still Friday's night
    assert config.playlist_at(MONDAY_0559_WITA) == "day"  # Sunday's night is not scheduled


def test_every_problem_is_reported_with_its_place(tmp_path, catalogue):
    with pytest.raises(CatalogueError) as caught:
        load_wall_config(
            _write(
                tmp_path,
                {
                    "default_playlist": "nope",
                    "playlists": {
                        "a": {
                            "items": [
                                {"screen": "overview"},
                                {"screen": "weather", "dwell_seconds": 10},
                            ]
                        }
                    },
                    "schedule": [{"playlist": "b", "from": "08:00", "to": "17:00"}],
                    "monitors": [{"id": "m1", "screen": "alerts"}, {"id": "m1", "playlist": "c"}],
                },
            ),
            catalogue,
        )
    text = str(caught.value)
    assert "wall.yaml: default_playlist: playlist 'nope' is not defined" in text
    assert "wall.yaml: playlists.a.items[1].screen: unknown screen 'weather'" in text
    assert "wall.yaml: schedule[0].playlist: playlist 'b' is not defined" in text
    assert "wall.yaml: monitors[1].id: 'm1' is defined more than once" in text
    assert "wall.yaml: monitors[1].playlist: playlist 'c' is not defined" in text


@pytest.mark.parametrize(
    "slot, message",
    [
        (
            {"playlist": "a", "from": "8:00", "to": "25:00"},
            "must be a time between 00:00 and 24:00",
        ),
        ({"playlist": "a", "from": "08.00", "to": "17:00"}, "must be a time HH:MM"),
        ({"playlist": "a", "from": "08:00", "to": "08:00"}, "the slot would be empty"),
        ({"playlist": "a", "from": "08:00", "to": "17:00", "days": ["monday"]}, "must be one of"),
    ],
)
def test_schedule_slots_are_checked(tmp_path, catalogue, slot, message):
    with pytest.raises(CatalogueError) as caught:
        load_wall_config(
            _write(
                tmp_path,
                {
                    "default_playlist": "a",
                    "playlists": {"a": {"items": [{"screen": "overview"}]}},
                    "schedule": [slot],
                },
            ),
            catalogue,
        )
    assert message in str(caught.value)


def test_dwell_times_have_bounds(tmp_path, catalogue):
    with pytest.raises(CatalogueError) as caught:
        load_wall_config(
            _write(
                tmp_path,
                {
                    "default_playlist": "a",
                    "playlists": {"a": {"items": [{"screen": "overview", "dwell_seconds": 0}]}},
                },
            ),
            catalogue,
        )
    assert "playlists.a.items[0].dwell_seconds" in str(caught.value)


# --- what a URL plays ------------------------------------------------------------------


@pytest.fixture
def config(catalogue):
    return load_wall_config(PROJECT_ROOT / "config", catalogue)


def test_the_schedule_decides_and_every_scheduled_screen_is_drawn(config, catalogue):
    plan = resolve_plan(config, catalogue, FRIDAY_11_WITA)
    assert plan.initial_playlist == "utama" and plan.initial_screen == "overview"
    assert plan.playlists == ("utama", "malam")
    assert plan.screens == tuple(screen_types(catalogue))


def test_a_pinned_screen_is_the_only_one(config, catalogue):
    plan = resolve_plan(config, catalogue, FRIDAY_11_WITA, screen="disaster", playlist="malam")
    assert plan.screens == ("disaster",) and plan.pinned_screen == "disaster"
    data = plan_data(plan, config, catalogue, "id")
    assert data["pinnedScreen"] == "disaster" and data["playlists"] == {}


def test_a_playlist_parameter_ignores_the_schedule(config, catalogue):
    plan = resolve_plan(config, catalogue, FRIDAY_11_WITA, playlist="malam", start="1")
    assert plan.pinned_playlist == "malam" and plan.screens == ("overview", "disaster", "alerts")
    assert plan.initial_screen == "disaster"  # starts one item on
    data = plan_data(plan, config, catalogue, "en")
    assert data["schedule"] == [] and list(data["playlists"]) == ["malam"]
    assert data["playlists"]["malam"][0] == ["overview", 60000]
    assert data["labels"]["disaster"] == "e-Disaster — Earthquakes"


def test_unknown_names_fall_back_to_the_schedule(config, catalogue):
    plan = resolve_plan(
        config,
        catalogue,
        FRIDAY_11_WITA,
        playlist="nope",
        screen="weather",
        monitor="x",
        start="-3",
        device="bad id!",
    )
    assert plan.pinned_screen is None and plan.pinned_playlist is None
    assert plan.initial_playlist == "utama" and plan.start == 0 and plan.device is None


def test_a_monitor_brings_its_playlist_start_and_name(config, catalogue):
    plan = resolve_plan(config, catalogue, FRIDAY_11_WITA, monitor="dinding-4")
    assert (plan.pinned_playlist, plan.start, plan.device) == ("utama", 3, "dinding-4")
    assert (
        resolve_plan(config, catalogue, FRIDAY_11_WITA, monitor="dinding-3").pinned_screen
        == "disaster"
    )
    # The URL wins over the monitor.
    assert resolve_plan(
        config, catalogue, FRIDAY_11_WITA, monitor="dinding-3", screen="alerts"
    ).screens == ("alerts",)


def test_grid_cells_are_the_monitors_then_staggered_playlists(config):
    assert (
        grid_size("3", "2") == (3, 2)
        and grid_size("99", "x") == (8, 2)
        and grid_size(None, "0") == (3, 1)
    )
    cells = grid_cells(config, 4, 2, "id")
    assert cells[:6] == [f"/wall?monitor=dinding-{i}&cell={i}" for i in range(1, 7)]
    assert cells[6:] == ["/wall?start=6&cell=7", "/wall?start=7&cell=8"]
    # An enrolled canvas hands its device token to every cell.
    assert grid_cells(config, 2, 1, "en", playlist="malam", token="odskdev_x-Y") == [
        "/wall?playlist=malam&start=0&device=odskdev_x-Y&cell=1&lang=en",
        "/wall?playlist=malam&start=1&device=odskdev_x-Y&cell=2&lang=en",
    ]


def test_the_fingerprint_follows_the_configuration(config):
    other = WallConfig.model_validate({**config.model_dump(by_alias=True), "heartbeat_seconds": 30})
    assert other.fingerprint() != config.fingerprint()
    assert (
        WallConfig.model_validate(config.model_dump(by_alias=True)).fingerprint()
        == config.fingerprint()
    )
