"""The brief as a PDF, made on the server without the internet (reportlab).

Fonts: DejaVu Sans from matplotlib's own data folder, embedded, so "µg/m³", "≥" and
"−" print everywhere and the text can be extracted again (tests read it with pypdf).
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import matplotlib
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    ListFlowable,
    ListItem,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from dashboard.brief.charts import behind_png, domain_scores_png
from dashboard.brief.narrative import Brief
from dashboard.catalogue.models import Catalogue
from dashboard.scorecard import format as fmt
from dashboard.scorecard.build import Scorecard
from dashboard.scorecard.labels import label

FONT, BOLD = "OdskSans", "OdskSans-Bold"
STATUS_COLOURS = {
    "on_track": "#1b9e77",
    "at_risk": "#b37d00",
    "behind": "#c0392b",
    "no_target": "#6b7785",
    "no_data": "#6b7785",
}


@lru_cache(maxsize=1)
def register_fonts() -> None:
    """Register DejaVu Sans once per process (read-only after that: safe across threads)."""
    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdfmetrics.registerFont(TTFont(FONT, str(folder / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(folder / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=FONT, boldItalic=BOLD)


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=13, alignment=TA_LEFT)
    return {
        "title": ParagraphStyle(
            "title", parent=base, fontName=BOLD, fontSize=17, leading=21, spaceAfter=2
        ),
        "subtitle": ParagraphStyle(
            "subtitle", parent=base, fontSize=11, textColor=colors.HexColor("#3e4c59")
        ),
        "h2": ParagraphStyle(
            "h2", parent=base, fontName=BOLD, fontSize=12, leading=15, spaceBefore=10, spaceAfter=4
        ),
        "body": base,
        "small": ParagraphStyle(
            "small", parent=base, fontSize=7.5, leading=9.5, textColor=colors.HexColor("#52606d")
        ),
        "cell": ParagraphStyle("cell", parent=base, fontSize=7.5, leading=9),
        "cellb": ParagraphStyle("cellb", parent=base, fontName=BOLD, fontSize=7.5, leading=9),
    }


def _p(value: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(value), style)


def _image(png: bytes, width: float) -> Image:
    img = Image(io.BytesIO(png))
    ratio = img.imageHeight / img.imageWidth
    img.drawWidth, img.drawHeight = width, width * ratio
    return img


def _bullets(items, style) -> ListFlowable:
    return ListFlowable(
        # reportlab takes ListItems here (its docs do); the stubs' _NestedFlowable leaves them out.
        [ListItem(_p(i, style), leftIndent=10) for i in items],  # type: ignore[misc]
        bulletType="bullet",
        start="•",
        leftIndent=10,
        bulletFontName=FONT,
    )


def _scorecard_table(card: Scorecard, catalogue: Catalogue, lang: str, s) -> Table:
    heads = [
        "score.col.indicator",
        "score.col.value",
        "score.col.period",
        "score.col.target",
        "score.col.status",
        "score.col.prev",
        "score.col.year",
        "score.col.points",
    ]
    data: list[list[Flowable | str]] = [[_p(label(k, lang), s["cellb"]) for k in heads]]
    style: list[tuple[Any, ...]] = [
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.HexColor("#52606d")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 2.5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
    ]
    for domain in card.domains:
        data.append(
            [
                _p(
                    catalogue.domain(domain.domain_id).name.get(lang)
                    + f" — {label('score.domain_score', lang)} "
                    f"{fmt.score_text(domain.score, lang)}",
                    s["cellb"],
                ),
                *[""] * 7,
            ]
        )
        row_index = len(data) - 1
        style += [
            ("SPAN", (0, row_index), (-1, row_index)),
            ("BACKGROUND", (0, row_index), (-1, row_index), colors.HexColor("#e4e7eb")),
        ]
        for r in domain.rows:
            ind, latest = r.indicator, r.latest
            change = [
                fmt.signed(c.delta, ind, lang) if c else "—" for c in (r.vs_previous, r.vs_year_ago)
            ]
            status = _p(
                fmt.status_label(r.status, lang),
                ParagraphStyle(
                    "st", parent=s["cellb"], textColor=colors.HexColor(STATUS_COLOURS[r.status])
                ),
            )
            data.append(
                [
                    _p(ind.name.get(lang), s["cell"]),
                    _p(fmt.with_unit(latest.value, ind, lang) if latest else "—", s["cell"]),
                    _p(
                        fmt.period_text(latest.period_start, latest.grain, lang) if latest else "—",
                        s["cell"],
                    ),
                    _p(
                        fmt.target_text(ind, r.judgement, lang)
                        + (f" ({fmt.plan_text(r, lang)})" if fmt.plan_text(r, lang) else ""),
                        s["cell"],
                    ),
                    status,
                    _p(change[0], s["cell"]),
                    _p(change[1], s["cell"]),
                    _p("—" if r.points is None else str(r.points), s["cell"]),
                ]
            )
    widths = [44 * mm, 24 * mm, 19 * mm, 26 * mm, 21 * mm, 16 * mm, 16 * mm, 12 * mm]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle(style))
    return table


def brief_pdf(brief: Brief, card: Scorecard, catalogue: Catalogue) -> bytes:
    """The brief, its charts, and the full scorecard table, as PDF bytes."""
    register_fonts()
    lang = brief.lang
    s = _styles()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=16 * mm,
        rightMargin=16 * mm,
        topMargin=14 * mm,
        bottomMargin=16 * mm,
        title=brief.title,
        author="Command Centre ODSK",
        subject=brief.subtitle,
        lang=lang,
    )
    width = doc.width
    story: list[Flowable] = [
        _p(brief.title, s["title"]),
        _p(brief.subtitle, s["subtitle"]),
        Spacer(1, 6),
        _p(brief.intro, s["body"]),
        Spacer(1, 3),
        _p(brief.domains, s["body"]),
        Spacer(1, 4),
        _image(domain_scores_png(card, catalogue, lang), width * 0.85),
    ]
    behind_chart = behind_png(card, lang)
    for section in brief.sections:
        block: list[Flowable] = [_p(f"{section.heading} ({len(section.items)})", s["h2"])]
        block.append(
            _bullets(section.items, s["body"]) if section.items else _p(section.empty, s["body"])
        )
        if section.key == "behind" and behind_chart:
            block += [Spacer(1, 4), _image(behind_chart, width * 0.85)]
        # A short section stays on one page with its heading; a long one may break.
        story += [KeepTogether(block)] if len(section.items) < 6 else block
    story += [
        _p(label("score.scorecard", lang), s["h2"]),
        _scorecard_table(card, catalogue, lang, s),
        Spacer(1, 6),
        _p(label("score.points_rule", lang), s["small"]),
        Spacer(1, 4),
        _p(brief.footer, s["small"]),
    ]

    def footer(canvas, document):
        canvas.saveState()
        canvas.setFont(FONT, 7.5)
        canvas.setFillColor(colors.HexColor("#52606d"))
        canvas.drawString(16 * mm, 9 * mm, f"Command Centre ODSK · {brief.subtitle}")
        canvas.drawRightString(A4[0] - 16 * mm, 9 * mm, label("brief.page", lang, n=document.page))
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
