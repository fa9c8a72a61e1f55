"""One look for every analyst figure: Bootstrap's dark mode, colour-blind-safe series colours."""

from __future__ import annotations

from datetime import date

from dashboard import i18n
from dashboard.catalogue import periods

TEXT = "#dee2e6"
MUTED = "#adb5bd"
GRID = "rgba(222, 226, 230, 0.12)"
PROVINCE = "#f8f9fa"
# Okabe–Ito, without its dark blue (unreadable on a dark page): one colour per compared region.
SERIES = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#CC79A7", "#D55E00")
NO_DATA = "#495057"
FONT = '"Liberation Sans", "Helvetica Neue", Arial, "Noto Sans", sans-serif'
# Sequential scale (colour-blind safe), reversed when lower is better: "better" is always the bright end.
# (Plotly.js knows only a few scales by name; these are among them or spelled out.)
SEQUENTIAL = "Viridis"
# A band: brightest in its middle, darkening with a different hue on each side (below / above).
BAND = [[0.0, "#31688e"], [0.3, "#35b779"], [0.5, "#fde725"], [0.7, "#f98e09"], [1.0, "#b12a90"]]
GRAPH_CONFIG = {
    "displaylogo": False,
    "responsive": True,
    # Sending a chart to Plotly's cloud needs the internet and would publish the data.
    "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d", "sendChartToCloud"],
}


def graph_config(lang: str, **extra) -> dict:
    """A ``dcc.Graph`` config in the page's language: mode-bar tips and dates from the
    locale ``dashboard.plotly_locale`` serves."""
    return {**GRAPH_CONFIG, "locale": i18n.language(lang), **extra}


# Numbers on axes and colour bars in full, grouped in the page's language ("70.000"), never
# with SI suffixes ("70k" reads as nothing in Indonesian).
NUMBERS = {"exponentformat": "none", "separatethousands": True}


def separators(lang: str) -> str:
    """Plotly's decimal and group marks: "," and "." in Indonesian."""
    return ",." if lang == "id" else ".,"


def colorbar(y: float) -> dict:
    """The maps' colour bar: a thin bar under the map, full numbers in the page's language."""
    return {
        **NUMBERS,
        "orientation": "h",
        "thickness": 10,
        "y": y,
        "yanchor": "top",
        "len": 0.8,
        "tickfont": {"color": TEXT},
        "outlinewidth": 0,
    }


def base_layout(height: int, **extra) -> dict:
    layout = {
        "height": height,
        "margin": {"l": 56, "r": 16, "t": 36, "b": 40},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "font": {"family": FONT, "color": TEXT, "size": 13},
        "hoverlabel": {"font": {"family": FONT}},
        "legend": {
            "orientation": "h",
            "y": 1.02,
            "yanchor": "bottom",
            "x": 0,
            "bgcolor": "rgba(0,0,0,0)",
        },
        "xaxis": {"gridcolor": GRID, "zeroline": False, "showline": False},
        "yaxis": {"gridcolor": GRID, "zerolinecolor": GRID},
    }
    layout.update(extra)
    for key, axis in layout.items():
        if key.startswith(("xaxis", "yaxis")) and isinstance(axis, dict):
            layout[key] = {**NUMBERS, **axis}
    return layout


def region_color(index: int) -> str:
    return SERIES[index % len(SERIES)]


def time_ticks(
    first: date, last: date, grain: str, lang: str, most: int = 12
) -> tuple[list[str], list[str]]:
    """Tick positions and labels on a date axis in the page's language (Plotly's own are English)."""
    if last < first:
        return [], []
    span_years = last.year - first.year
    if span_years >= 3 or grain == "year":
        starts = [date(y, 1, 1) for y in range(first.year, last.year + 1)]
        labels = [str(s.year) for s in starts]
    else:
        tick_grain = "quarter" if span_years >= 1 else "month"
        starts = periods.starts(first, last, tick_grain)
        labels = [i18n.period(s, "month", lang) for s in starts]
    stride = max(1, -(-len(starts) // most))
    starts, labels = starts[::stride], labels[::stride]
    return [s.isoformat() for s in starts], labels
