"""The data table as an Excel workbook: exactly the rows and columns the grid shows.

AG Grid's own Excel export is an Enterprise feature, so the server writes the same rows
(after the analyst's sort and filter, as the grid reports them). The workbook is written
directly as SpreadsheetML (a zip of a few XML parts): a general-purpose writer spends
tens of microseconds per cell, which a table of thousands of rows cannot afford inside a
100 ms callback. Numbers stay numbers; text is inline (no shared-string table); the
header is bold and frozen. ``read_back`` (openpyxl) is what the tests check it with.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Mapping, Sequence
from xml.sax.saxutils import escape

_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_SHEET_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"

_STYLES = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="{_MAIN}">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '</fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)


class _Cells:
    """Cell XML without cell references (they are optional: cells sit in order, an empty one is ``<c/>``).

    Distinct texts are escaped once: a table repeats its region names, periods and notes.
    """

    def __init__(self, bold: bool = False):
        self.style = ' s="1"' if bold else ""
        self.texts: dict[str, str] = {}

    def __call__(self, value) -> str:
        if value is None or value == "":
            return "<c/>"
        kind = type(value)
        if kind is float:
            return f"<c{self.style}><v>{value!r}</v></c>" if math.isfinite(value) else "<c/>"
        if kind is int:
            return f"<c{self.style}><v>{value}</v></c>"
        if kind is bool:
            return f'<c t="b"{self.style}><v>{int(value)}</v></c>'
        text = str(value)
        cached = self.texts.get(text)
        if cached is None:
            clean = escape(_ILLEGAL.sub("", text))
            space = ' xml:space="preserve"' if clean != clean.strip() else ""
            cached = self.texts[text] = (
                f'<c t="inlineStr"{self.style}><is><t{space}>{clean}</t></is></c>'
            )
        return cached


def _sheet(header: Sequence[str] | None, rows: Sequence[Sequence], widths: Sequence[float]) -> str:
    out = [
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">'
    ]
    if header is not None:
        out.append(
            '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
            'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
        )
    if widths:
        out.append(
            "<cols>"
            + "".join(
                f'<col min="{i}" max="{i}" width="{w:.1f}" customWidth="1"/>'
                for i, w in enumerate(widths, start=1)
            )
            + "</cols>"
        )
    out.append("<sheetData>")
    if header is not None:
        bold = _Cells(bold=True)
        out.append("<row>" + "".join(bold(h) for h in header) + "</row>")
    cell = _Cells()
    out.extend("<row>" + "".join(map(cell, row)) + "</row>" for row in rows)
    out.append("</sheetData></worksheet>")
    return "".join(out)


def workbook_bytes(
    rows: Sequence[Mapping],
    columns: Sequence[tuple[str, str]],
    *,
    sheet: str,
    meta: Sequence[tuple[str, str]] = (),
) -> bytes:
    """``columns``: (field, header) pairs in grid order. ``meta``: lines for a second sheet ("Info")."""
    fields = [f for f, _ in columns]
    header = [h for _, h in columns]
    values = [[row.get(f) for f in fields] for row in rows]
    widths = (
        [
            min(
                48.0,
                max(
                    8.0,
                    max([len(str(h))] + [len(str(v)) for v in col[:200] if v is not None]) + 2.0,
                ),
            )
            for h, col in zip(header, zip(*values))
        ]
        if values
        else [max(8.0, len(h) + 2.0) for h in header]
    )
    sheets = [(_name(sheet), _sheet(header, values, widths))]
    if meta:
        sheets.append(("Info", _sheet(None, [[k, v] for k, v in meta], [24.0, 80.0])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, len(sheets) + 1)
        )
        z.writestr(
            "[Content_Types].xml",
            (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                '<Default Extension="xml" ContentType="application/xml"/>'
                '<Override PartName="/xl/workbook.xml" '
                'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                '<Override PartName="/xl/styles.xml" '
                'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
                f"{overrides}</Types>"
            ),
        )
        z.writestr(
            "_rels/.rels",
            (
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{_PKG_REL}">'
                '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                'officeDocument" Target="xl/workbook.xml"/></Relationships>'
            ),
        )
        z.writestr(
            "xl/workbook.xml",
            (
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
                "<sheets>"
                + "".join(
                    f'<sheet name="{escape(name)}" sheetId="{i}" r:id="rId{i}"/>'
                    for i, (name, _) in enumerate(sheets, start=1)
                )
                + "</sheets></workbook>"
            ),
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            (
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{_PKG_REL}">'
                + "".join(
                    f'<Relationship Id="rId{i}" Type="{_SHEET_TYPE}" Target="worksheets/sheet{i}.xml"/>'
                    for i in range(1, len(sheets) + 1)
                )
                + f'<Relationship Id="rId{len(sheets) + 1}" Type="http://schemas.openxmlformats.org/officeDocument/'
                '2006/relationships/styles" Target="styles.xml"/></Relationships>'
            ),
        )
        z.writestr("xl/styles.xml", _STYLES)
        for i, (_, xml) in enumerate(sheets, start=1):
            z.writestr(f"xl/worksheets/sheet{i}.xml", xml)
    return buffer.getvalue()


def _name(sheet: str) -> str:
    """A legal sheet name: at most 31 characters, none of : \\ / ? * [ ]."""
    return re.sub(r"[:\\/?*\[\]]", "-", sheet)[:31] or "Data"


def read_back(content: bytes, sheet: str | None = None) -> list[list]:
    """The cells of a workbook's first (or named) sheet, for checks."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content), read_only=True)
    data = book[sheet] if sheet else book.worksheets[0]
    return [list(r) for r in data.iter_rows(values_only=True)]
