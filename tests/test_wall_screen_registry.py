"""Wall screens are registered types: a screen type that lives only in the tests
(``wall_screen_kit``: a view module, a layout module) becomes a screen of the wall by one
registration on each side, and wall.yaml may name it only then."""

import json
from datetime import timedelta

import pytest
from wall_kit import add_quake, config_dir_with, make_app
from wall_screen_kit import layout as tally_layout
from wall_screen_kit import view as tally_view

from dashboard.catalogue import CatalogueError
from dashboard.store.engine import make_engine
from dashboard.store.schema import utcnow
from dashboard.views import wall_screens
from dashboard.views.wall_plan import SETUP_KEY, plan_data, resolve_plan
from dashboard.webapp import context_of

# A wall that plays the kit's screen only.
KIT_PLAYLIST = {
    "default_playlist": "kit",
    "playlists": {"kit": {"items": [{"screen": "tally"}]}},
    "schedule": [],
    "monitors": [],
}


@pytest.fixture
def registered(monkeypatch):
    """The tally type in the views registry (the renderer is registered once layouts exist)."""
    monkeypatch.setattr(
        wall_screens, "SCREEN_TYPES", (*wall_screens.SCREEN_TYPES, tally_view.SCREEN)
    )


def _find(component, wanted_id):
    """The component with ``wanted_id`` in a Dash tree, else None."""
    if getattr(component, "id", None) == wanted_id:
        return component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list | tuple) else [children]:
        if child is not None and not isinstance(child, str | int | float):
            found = _find(child, wanted_id)
            if found is not None:
                return found
    return None


def _texts(component) -> list[str]:
    children = getattr(component, "children", component)
    if isinstance(children, str):
        return [children]
    items = children if isinstance(children, list | tuple) else [children]
    return [t for c in items if c is not None for t in _texts(c)]


def test_wall_yaml_may_name_an_unregistered_screen_only_once_it_is_registered(
    tmp_path, catalogue, monkeypatch
):
    config_dir = config_dir_with(tmp_path, **KIT_PLAYLIST)
    with pytest.raises(CatalogueError) as refused:
        wall_screens.load_wall_config(config_dir, catalogue)
    message = str(refused.value)
    assert "playlists.kit.items[0].screen: unknown screen 'tally'" in message
    assert "(one of alerts, branding, disaster, economy," in message  # the known ones, listed
    monkeypatch.setattr(
        wall_screens, "SCREEN_TYPES", (*wall_screens.SCREEN_TYPES, tally_view.SCREEN)
    )
    config = wall_screens.load_wall_config(config_dir, catalogue)
    assert [i.screen for i in config.playlists["kit"].items] == ["tally"]


def test_a_registered_screen_has_its_place_scope_and_label(registered, catalogue, tmp_path):
    assert list(wall_screens.screen_types(catalogue))[-3:] == ["disaster", "alerts", "tally"]
    assert wall_screens.parts_of(["tally"], catalogue) == ["tally"]
    assert wall_screens.scopes_of(["tally", "living"]) == ["domain:living", "events"]
    assert wall_screens.moved_parts(["tally"], {"events": 1}, {"events": 2}) == ["tally"]
    config = wall_screens.load_wall_config(config_dir_with(tmp_path, **KIT_PLAYLIST), catalogue)
    plan = resolve_plan(config, catalogue, utcnow())
    assert plan.screens == ("tally",) and plan.initial_screen == "tally"
    assert plan_data(plan, config, catalogue, "id")["labels"] == {"tally": "Gempa 24 jam"}
    assert wall_screens.screen_label("tally", catalogue, "en") == "Earthquakes, 24 hours"


def test_the_wall_page_loads_and_draws_a_registered_screen(
    registered, sqlite_url, tmp_path, monkeypatch
):
    engine = make_engine(sqlite_url)
    add_quake(engine, magnitude=4.2, lat=1.6, lon=125.3, ago=timedelta(hours=2))
    add_quake(engine, magnitude=3.1, lat=1.2, lon=124.9, ago=timedelta(hours=30))  # too old
    engine.dispose()
    app = make_app(sqlite_url, tmp_path, config_dir_with(tmp_path, **KIT_PLAYLIST))
    from layouts import wall  # imported by the app (a Dash page)

    monkeypatch.setitem(wall.RENDERERS, "tally", tally_layout.RENDERER)
    with app.server.test_request_context("/wall?lang=en"):
        page = wall.layout(lang="en")
    screen = _find(page, {"type": "wall-screen", "screen": "tally"})
    part = _find(screen, {"type": "wall-part", "key": "tally"})
    assert "is-active" in screen.className and part.className == "wall-part part-tally"
    assert _texts(part) == ["1", "1 earthquake in the last 24 hours"]
    assert json.loads(page.to_plotly_json()["props"]["data-plan"])["labels"] == {
        "tally": "Earthquakes, 24 hours"
    }
    assert _texts(_find(page, "wall-screen-name")) == ["Earthquakes, 24 hours"]
    # The live refresh loads and redraws the part alone.
    context = context_of(app)
    with context.engine.connect() as conn:
        config = app.server.extensions[SETUP_KEY].config
        views = wall_screens.load_parts(conn, context.catalogue, config, ["tally"], utcnow(), "id")
    context.engine.dispose()
    assert _texts(wall.render_part("tally", views["tally"], "id")) == [
        "1",
        "1 gempa dalam 24 jam terakhir",
    ]
