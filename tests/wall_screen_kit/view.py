"""The view half of the ``tally`` screen: its loader reads the store; ``SCREEN`` declares
its id, the data-version scope that redraws it (``events``: a quake was stored), its loader
and its label."""

from dataclasses import dataclass
from datetime import timedelta

from dashboard import i18n
from dashboard.store.queries import recent_quakes
from dashboard.views.wall_screens import Load, ScreenType

LABELS = {
    "id": {"name": "Gempa 24 jam", "count": "{n} gempa dalam 24 jam terakhir"},
    "en": {
        "name": "Earthquakes, 24 hours",
        "count": "{n} earthquakes in the last 24 hours",
        "count.one": "{n} earthquake in the last 24 hours",
    },
}


@dataclass(frozen=True)
class TallyView:
    count: int
    text: str


def load_tally(at: Load, keys: list[str]) -> dict[str, object]:
    quakes = recent_quakes(at.conn, ["earthquake"], at.now - timedelta(days=1))
    view = TallyView(len(quakes), i18n.lookup(LABELS, "count", at.lang, n=len(quakes)))
    return dict.fromkeys(keys, view)


SCREEN = ScreenType(
    "tally", "events", load_tally, label=lambda _s, _c, lang: i18n.lookup(LABELS, "name", lang)
)
