"""The scorecard as an Excel workbook (openpyxl): real numbers with the indicator's
precision as number format, so the office can compute with them and they read as on the page."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from dashboard import i18n
from dashboard.brief.narrative import Brief, followup_note
from dashboard.catalogue.models import Catalogue, Indicator
from dashboard.scorecard import format as fmt
from dashboard.scorecard.build import Scorecard
from dashboard.scorecard.labels import label
from dashboard.scorecard.owners import short_name

HEADER_FILL = PatternFill("solid", fgColor="1F2933")
HEADER_FONT = Font(bold=True, color="FFFFFF")
STATUS_FILLS = {"on_track": "C6EFCE", "at_risk": "FFEB9C", "behind": "FFC7CE"}
HEADER_ROW = 4  # rows 1–3: title, subtitle, generated

SCORECARD_COLUMNS = (
    "score.col.domain",
    "code",
    "score.col.indicator",
    "score.col.unit",
    "score.col.direction",
    "score.col.period",
    "score.col.value",
    "score.col.target",
    "score.col.plan",
    "score.col.status",
    "score.col.gap",
    "score.col.gap_pct",
    "score.col.prev_value",
    "score.col.prev_delta",
    "score.col.year_value",
    "score.col.year_delta",
    "score.col.points",
)


def number_format(indicator: Indicator) -> str:
    return "#,##0" + ("." + "0" * indicator.decimals if indicator.decimals else "")


def _head(ws, title: str, brief: Brief, columns: list[str]) -> None:
    ws["A1"] = title
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = brief.subtitle
    ws["A3"] = brief.footer
    ws["A3"].font = Font(italic=True, size=9, color="52606D")
    for col, name in enumerate(columns, start=1):
        cell = ws.cell(HEADER_ROW, col, name)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1)


def _widths(ws, widths: list[int]) -> None:
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width


def _num(ws, row: int, col: int, value, indicator: Indicator) -> None:
    cell = ws.cell(row, col, value)
    if value is not None:
        cell.number_format = number_format(indicator)


def _label(key: str, lang: str) -> str:
    return (
        "Kode" if key == "code" and lang == "id" else "Code" if key == "code" else label(key, lang)
    )


def scorecard_sheet(ws, card: Scorecard, catalogue: Catalogue, brief: Brief, lang: str) -> None:
    _head(ws, label("score.title", lang), brief, [_label(k, lang) for k in SCORECARD_COLUMNS])
    row = HEADER_ROW
    for domain in card.domains:
        domain_name = catalogue.domain(domain.domain_id).name.get(lang)
        for r in domain.rows:
            row += 1
            ind, latest, j = r.indicator, r.latest, r.judgement
            values = [
                domain_name,
                ind.code,
                ind.name.get(lang),
                ind.unit.get(lang),
                label(f"score.direction.{ind.direction}", lang),
                fmt.period_text(latest.period_start, latest.grain, lang) if latest else None,
            ]
            for col, value in enumerate(values, start=1):
                ws.cell(row, col, value)
            _num(ws, row, 7, latest.value if latest else None, ind)
            target = fmt.target_text(ind, j, lang) if ind.direction == "band" else j.target
            if isinstance(target, float):
                _num(ws, row, 8, target, ind)
            else:
                ws.cell(row, 8, target)
            _num(
                ws, row, 9, j.reference if ind.cumulative and j.reference != j.target else None, ind
            )
            status = ws.cell(row, 10, fmt.status_label(r.status, lang))
            if r.status in STATUS_FILLS:
                status.fill = PatternFill("solid", fgColor=STATUS_FILLS[r.status])
            _num(ws, row, 11, j.gap if j.gap else None, ind)
            pct = ws.cell(row, 12, round(j.gap_pct, 1) if j.gap_pct else None)
            pct.number_format = "0.0"
            for col, change in ((13, r.vs_previous), (15, r.vs_year_ago)):
                _num(ws, row, col, change.against.value if change else None, ind)
                _num(ws, row, col + 1, change.delta if change else None, ind)
            ws.cell(row, 17, r.points)
    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(SCORECARD_COLUMNS))}{row}"
    _widths(ws, [18, 20, 44, 14, 14, 16, 14, 16, 14, 14, 11, 10, 14, 14, 14, 14, 7])


def domains_sheet(ws, card: Scorecard, catalogue: Catalogue, brief: Brief, lang: str) -> None:
    statuses = ("on_track", "at_risk", "behind", "no_target", "no_data")
    columns = (
        [
            label("score.col.domain", lang),
            label("score.col.score", lang),
            label("score.col.judged", lang),
        ]
        + [fmt.status_label(s, lang) for s in statuses]
        + [label("score.domain_score", lang)]
    )
    _head(ws, label("score.sheet.domains", lang), brief, columns)
    for i, d in enumerate(card.domains, start=HEADER_ROW + 1):
        ws.cell(i, 1, catalogue.domain(d.domain_id).name.get(lang))
        score = ws.cell(i, 2, round(d.score) if d.score is not None else None)
        score.number_format = "0"
        ws.cell(i, 3, len(d.judged))
        for col, s in enumerate(statuses, start=4):
            ws.cell(i, col, d.counts.get(s, 0))
        body, note = fmt.score_formula(d, lang)
        ws.cell(i, 9, body + (f"; {note}" if note else ""))
    _widths(ws, [20, 8, 9, 12, 10, 11, 12, 14, 60])


def list_sheet(
    ws, title: str, brief: Brief, columns: list[str], rows: list[list], widths: list[int]
) -> None:
    _head(ws, title, brief, columns)
    for i, values in enumerate(rows, start=HEADER_ROW + 1):
        for col, value in enumerate(values, start=1):
            if isinstance(value, tuple):  # (number, indicator)
                _num(ws, i, col, value[0], value[1])
            else:
                ws.cell(i, col, value)
    _widths(ws, widths)


def _flagged_sheet(ws, title: str, rows, catalogue: Catalogue, brief: Brief) -> None:
    """Indicators behind (or at risk), each with the SKPD that must act."""
    lang = brief.lang
    list_sheet(
        ws,
        title,
        brief,
        [
            label("score.col.skpd", lang),
            _label("code", lang),
            label("score.col.indicator", lang),
            label("score.col.value", lang),
            label("score.col.period", lang),
            label("score.col.status", lang),
            label("score.col.gap", lang),
        ],
        [
            [
                short_name(r.indicator.skpd, catalogue),
                r.code,
                r.indicator.name.get(lang),
                (r.held.value, r.indicator),
                fmt.period_text(r.held.period_start, r.held.grain, lang),
                fmt.status_label(r.status, lang),
                fmt.gap_text(r, lang),
            ]
            for r in rows
        ],
        [16, 20, 44, 14, 16, 14, 50],
    )


def scorecard_workbook(card: Scorecard, catalogue: Catalogue, brief: Brief) -> bytes:
    lang = brief.lang
    wb = Workbook()
    first = wb.worksheets[0]  # a new workbook's one (active) sheet
    scorecard_sheet(first, card, catalogue, brief, lang)
    first.title = label("score.scorecard", lang)
    domains_sheet(wb.create_sheet(label("score.sheet.domains", lang)), card, catalogue, brief, lang)
    code = _label("code", lang)
    for key, rows in (("score.list.behind", card.behind), ("score.list.at_risk", card.at_risk)):
        _flagged_sheet(wb.create_sheet(label(key, lang)), label(key, lang), rows, catalogue, brief)
    movers = [("good", r) for r in card.movers_good] + [("bad", r) for r in card.movers_bad]
    list_sheet(
        wb.create_sheet(label("score.sheet.movers", lang)),
        label("score.sheet.movers", lang),
        brief,
        [
            label("score.col.status", lang),
            code,
            label("score.col.indicator", lang),
            label("score.col.value", lang),
            "%",
            label("score.col.reason", lang),
        ],
        [
            [
                label(f"score.mover.{tone}", lang),
                r.code,
                r.indicator.name.get(lang),
                (r.held.value, r.indicator),
                round(r.move[1], 1),
                fmt.change_vs(r.move[0], lang),
            ]
            for tone, r in movers
        ],
        [12, 20, 44, 14, 9, 24],
    )
    list_sheet(
        wb.create_sheet(label("score.list.stale", lang)),
        label("score.list.stale", lang),
        brief,
        [
            label("score.col.skpd", lang),
            code,
            label("score.col.indicator", lang),
            label("score.col.latest_period", lang),
            label("score.col.expected", lang),
            label("score.col.lag", lang),
            label("score.col.sources", lang),
            label("score.col.reason", lang),
        ],
        [
            [
                short_name(s.indicator.skpd, catalogue),
                s.indicator.code,
                s.indicator.name.get(lang),
                fmt.period_text(s.latest, s.indicator.grain, lang) if s.latest else None,
                fmt.period_text(s.expected, s.indicator.grain, lang) if s.expected else None,
                s.lag,
                ", ".join(s.stale_sources) or None,
                fmt.stale_reason(s, card.generated_at, lang),
            ]
            for s in card.stale
        ],
        [16, 20, 44, 14, 14, 10, 24, 60],
    )
    list_sheet(
        wb.create_sheet(label("score.sheet.missing", lang)),
        label("score.list.missing", lang),
        brief,
        [
            label("score.col.skpd", lang),
            code,
            label("score.col.indicator", lang),
            label("score.col.period", lang),
            label("score.col.due", lang),
        ],
        [
            [
                m.short_name,
                i.indicator.code,
                i.indicator.name.get(lang),
                fmt.period_text(i.period_start, i.grain, lang),
                fmt.due_text(i.due, lang),
            ]
            for m in card.missing
            for i in m.items
        ],
        [24, 20, 44, 16, 16],
    )
    if brief.followups is not None:
        followups_sheet(wb.create_sheet(label("score.sheet.followups", lang)), catalogue, brief)
        for title in (
            "score.list.behind",
            "score.list.at_risk",
            "score.list.stale",
            "score.sheet.missing",
        ):
            add_followup_column(wb[label(title, lang)], brief)
    about = wb.create_sheet(label("score.sheet.about", lang))
    for i, line in enumerate(
        [
            brief.title,
            brief.subtitle,
            brief.intro,
            brief.domains,
            label("score.points_rule", lang),
            label("score.regional_note", lang),
            brief.footer,
        ],
        start=1,
    ):
        about.cell(i, 1, line).alignment = Alignment(wrap_text=True, vertical="top")
    about.column_dimensions["A"].width = 120
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def add_followup_column(ws, brief: Brief) -> None:
    """A last column on an exceptions sheet: the follow-up of the row's indicator, if any."""
    lang = brief.lang
    heads = [c.value for c in ws[HEADER_ROW]]
    code_col = heads.index(_label("code", lang)) + 1
    col = len(heads) + 1
    cell = ws.cell(HEADER_ROW, col, label("score.col.followup", lang))
    cell.fill, cell.font = HEADER_FILL, HEADER_FONT
    for row in range(HEADER_ROW + 1, ws.max_row + 1):
        code = ws.cell(row, code_col).value
        if code:
            ws.cell(row, col, followup_note(str(code), brief.followups, lang))
    ws.column_dimensions[get_column_letter(col)].width = 30


def followups_sheet(ws, catalogue: Catalogue, brief: Brief) -> None:
    """Open follow-ups by SKPD (overdue first), then those closed this week."""
    from dashboard.brief.narrative import subject_name

    lang, summary = brief.lang, brief.followups
    assert summary is not None
    columns = [
        label("score.col.skpd", lang),
        label("score.col.followup_id", lang),
        label("score.col.indicator", lang),
        label("score.col.request", lang),
        label("score.col.due", lang),
        label("score.col.age_days", lang),
        label("score.col.status", lang),
        label("score.col.overdue", lang),
        label("score.col.closed_at", lang),
    ]
    _head(ws, label("brief.followups.open.head", lang), brief, columns)
    names = {s.id: s.short_name for s in catalogue.skpd}
    rows = [(g.short_name, f) for g in summary.open_by_skpd for f in g.items] + [
        (names.get(f.skpd_id, f.skpd_id), f) for f in summary.closed_this_week
    ]
    today = summary.today
    for i, (skpd, f) in enumerate(rows, start=HEADER_ROW + 1):
        values = [
            skpd,
            f.id,
            subject_name(f.subject, f.subject_kind, catalogue, lang),
            f.request,
            f.due_on,
            (today - f.opened_at.astimezone(i18n.WITA).date()).days,
            label(f"followup.status.{f.status}", lang),
            label("score.yes", lang) if f.overdue(today) else None,
            f.closed_at.astimezone(i18n.WITA).replace(tzinfo=None) if f.closed_at else None,
        ]
        for col, value in enumerate(values, start=1):
            ws.cell(i, col, value)
        ws.cell(i, 5).number_format = "yyyy-mm-dd"
        ws.cell(i, 9).number_format = "yyyy-mm-dd hh:mm"
    _widths(ws, [16, 6, 40, 50, 12, 10, 22, 10, 18])


def workbook_name(card: Scorecard, lang: str) -> str:
    stem = "kartu-kinerja" if i18n.language(lang) == "id" else "scorecard"
    region = card.region.code.replace(".", "")
    return f"{stem}-{region}-{card.as_of.key}.xlsx"
