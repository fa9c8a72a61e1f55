"""The compliance page's three tables as an Excel workbook (openpyxl), in its language."""

from __future__ import annotations

import io
from typing import Any

from dashboard.views.compliance import CompliancePage


def compliance_workbook(page: CompliancePage) -> bytes:
    """The page's three tables as an .xlsx (openpyxl), in the page's language."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    L = page.labels
    book = Workbook()
    sheets: list[tuple[str, list[str], list[list[Any]]]] = [
        (
            L["sheet.ranking"],
            [
                L["col.rank"],
                L["col.skpd"],
                L["col.expected"],
                L["col.on_time"],
                L["col.late"],
                L["col.missing"],
                L["col.pending"],
                L["col.before"],
                L["col.score"],
            ],
            [
                [
                    r.rank,
                    r.skpd,
                    r.expected,
                    r.on_time,
                    r.late,
                    r.missing,
                    r.pending,
                    r.before,
                    None if r.score_value is None else round(r.score_value * 100, 1),
                ]
                for r in page.ranking
            ],
        ),
        (
            L["sheet.details"],
            [
                L["col.skpd"],
                L["col.indicator"],
                L["col.period"],
                L["col.due"],
                L["col.delivered"],
                L["col.status"],
            ],
            [
                [d.skpd, d.indicator, d.period, d.due, d.delivered, d.status_label]
                for d in page.details
            ],
        ),
        (
            L["sheet.history"],
            [L["col.skpd"], *page.history_months],
            [[skpd, *scores] for skpd, scores in page.history],
        ),
    ]
    for index, (title, header, rows) in enumerate(sheets):
        sheet = book.worksheets[0] if index == 0 else book.create_sheet()  # [0]: the active one
        sheet.title = title
        sheet.append([f"{L['compliance.title']} — {page.month_label}"])
        sheet["A1"].font = Font(bold=True)
        sheet.append(header)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
        for number, column in enumerate(sheet.columns, start=1):  # from A: A1 has the title
            width = (
                max(len(str(c.value or "")) for c in list(column)[1:]) if sheet.max_row > 1 else 10
            )
            sheet.column_dimensions[get_column_letter(number)].width = min(max(width + 2, 8), 70)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
