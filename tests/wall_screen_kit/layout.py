"""The layout half of the ``tally`` screen: its part's children from its view, and the
section around them (``layouts.wall.RENDERERS`` holds the pair under the type's id)."""

from dash import html

from layouts import wall_parts as parts
from wall_screen_kit.view import TallyView


def tally_children(view: TallyView, lang: str) -> list:
    return [html.Div(str(view.count), className="value"), html.P(view.text, className="tally")]


def tally_part(key: str, children: list) -> html.Section:
    return html.Section(children, id=parts.part_id(key), className="wall-part part-tally")


RENDERER = (tally_children, tally_part)
