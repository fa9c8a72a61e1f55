"""Charts of the brief as PNG bytes: matplotlib's Agg canvas, no pyplot state, no browser."""

from __future__ import annotations

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from dashboard import i18n
from dashboard.catalogue.models import Catalogue
from dashboard.scorecard import format as fmt
from dashboard.scorecard.build import Scorecard
from dashboard.scorecard.labels import label
from dashboard.scorecard.rows import IndicatorRow

# Print colours: readable on white, distinct in lightness as well as hue.
PRINT = {
    "on_track": "#1b9e77",
    "at_risk": "#e6a100",
    "behind": "#d9482b",
    "none": "#9aa5b1",
    "text": "#1f2933",
}
MAX_BARS = 10
DPI = 150


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    FigureCanvasAgg(fig).print_png(buffer)
    return buffer.getvalue()


def _score_colour(score: float | None) -> str:
    if score is None:
        return PRINT["none"]
    return (
        PRINT["on_track"] if score >= 75 else PRINT["at_risk"] if score >= 50 else PRINT["behind"]
    )


def domain_scores_png(card: Scorecard, catalogue: Catalogue, lang: str) -> bytes:
    names = [catalogue.domain(d.domain_id).name.get(lang) for d in card.domains]
    scores = [d.score for d in card.domains]
    fig = Figure(figsize=(7.0, 2.6), dpi=DPI)
    ax = fig.add_subplot()
    ax.barh(names, [s or 0 for s in scores], color=[_score_colour(s) for s in scores], height=0.6)
    for y, score in enumerate(scores):
        ax.text(
            (score or 0) + 1.5,
            y,
            fmt.score_text(score, lang),
            va="center",
            fontsize=9,
            color=PRINT["text"],
        )
    ax.set_xlim(0, 110)
    ax.invert_yaxis()
    ax.set_title(label("score.sheet.domains", lang), fontsize=10, loc="left", color=PRINT["text"])
    _tidy(ax)
    fig.tight_layout()
    return _png(fig)


def achievement(row: IndicatorRow) -> float | None:
    """How much of its reference a value reaches, in percent (100 = on target or plan)."""
    j, value = row.judgement, row.latest.value if row.latest else None
    if value is None:
        return None
    if row.indicator.direction == "band":
        return 100.0 - (j.gap_pct or 0.0)
    if not j.reference or not value:
        return None
    return (
        value / j.reference * 100 if row.indicator.direction == "up" else j.reference / value * 100
    )


def behind_png(card: Scorecard, lang: str) -> bytes | None:
    rows = [(r, a) for r in card.behind if (a := achievement(r)) is not None][:MAX_BARS]
    if not rows:
        return None
    fig = Figure(figsize=(7.0, 0.42 * len(rows) + 1.0), dpi=DPI)
    ax = fig.add_subplot()
    labels = [_short(r.indicator.name.get(lang)) for r, _ in rows]
    values = [a for _, a in rows]
    ax.barh(labels, values, color=[PRINT[r.status] for r, _ in rows], height=0.6)
    ax.axvline(100, color=PRINT["text"], linestyle="--", linewidth=0.8)
    for y, (_row, value) in enumerate(rows):
        ax.text(
            value + 1,
            y,
            f"{i18n.number(value, lang, 0)}%",
            va="center",
            fontsize=8,
            color=PRINT["text"],
        )
    ax.set_xlim(min(50.0, min(values) - 5), max(110.0, max(values) + 8))
    ax.invert_yaxis()
    ax.set_xlabel(label("brief.chart.behind_axis", lang), fontsize=8, color=PRINT["text"])
    ax.set_title(label("brief.chart.behind", lang), fontsize=10, loc="left", color=PRINT["text"])
    _tidy(ax)
    fig.tight_layout()
    return _png(fig)


def _short(name: str, limit: int = 42) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def _tidy(ax) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=8, colors=PRINT["text"])
