"""SKPD workbooks as officers make them, built with openpyxl (xlsx is binary: built, not committed)."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
from openpyxl.styles import Font


def _title(ws, row: int, text: str, width: int) -> None:
    ws.cell(row, 1, text).font = Font(bold=True)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)


def stunting_workbook(path: Path) -> Path:
    """Long layout: title rows and merged cells, a column-number row, a total row, footnotes."""
    wb = openpyxl.Workbook()
    notes = wb.active
    notes.title = "Petunjuk"
    notes["A1"] = "Isi lembar 'Rekap'. Jangan mengubah judul kolom."
    ws = wb.create_sheet("Rekap")
    _title(ws, 1, "REKAPITULASI PREVALENSI STUNTING BALITA", 5)
    _title(ws, 2, "DINAS KESEHATAN DAERAH PROVINSI SULAWESI UTARA", 5)
    _title(ws, 3, "Keadaan s.d. Maret 2026", 5)
    ws.append([])
    ws.append(["No", "Kabupaten/Kota", "Bulan", "Jumlah Balita Diukur", "Prevalensi (%)"])  # row 5
    ws.append(["(1)", "(2)", "(3)", "(4)", "(5)"])  # row 6
    rows = [
        (1, "Bolaang Mongondow", "Januari 2026", 12040, 17.2),  # 7
        (2, "Minahasa", datetime(2026, 1, 1), 10400, 15.9),  # 8  a real Excel date
        (3, "KOTA MANADO", "Jan 2026", 30211, "12,5"),  # 9  a number typed as text
        (4, "Minut", "Okt 2025", 9800, 21.3),  # 10
        (5, "Sitaro", "Januari 2026", 3100, "-"),  # 11 missing
        (6, "Mitra", "Januari 2026", 4400, "12a"),  # 12 not a number
        (7, "Kab. Bolsel", "Februari 2026", 5200, 19.0),  # 13
        (8, "Kota Bolaang", "Januari 2026", 1000, 11.0),  # 14 unknown region
        (9, "Bitung", "Triwulan I 2026", 7000, 14.0),  # 15 a quarter, monthly indicator
        (10, "Tomohon", "Januari 2026", 2900, "n.a."),  # 16 missing
    ]
    for row in rows:
        ws.append(list(row))
    ws["C8"].number_format = "mmm-yy"
    ws.append([])  # 17
    ws.append([None, "Jumlah", "Januari 2026", 95000, 16.1])  # 18
    ws.append([None, "Sulawesi Utara", "Februari 2026", 96000, 15.8])  # 19
    ws.append([])
    ws.append(["Sumber: e-PPGBM, Dinas Kesehatan Daerah Provinsi Sulawesi Utara"])  # 21
    ws.merge_cells("A21:E21")
    ws.append(["Catatan: angka Januari 2026 sementara"])  # 22
    ws.append(["*) Kab. Sitaro belum melapor lengkap"])  # 23
    wb.save(path)
    return path


def tpk_workbook(path: Path, *, date_headers: bool = False) -> Path:
    """Wide layout: one column per month; April not filled in yet; a 'Keterangan' column."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "TPK"
    _title(ws, 1, "TINGKAT PENGHUNIAN KAMAR (TPK) HOTEL BERBINTANG MENURUT KABUPATEN/KOTA (%)", 6)
    _title(ws, 2, "Tahun 2026", 6)
    ws.append([])
    months = (
        [datetime(2026, m, 1) for m in range(1, 5)]
        if date_headers
        else ["Januari 2026", "Februari 2026", "Maret 2026", "April 2026"]
    )
    ws.append(["Wilayah", *months, "Keterangan"])  # row 4
    if date_headers:
        for col in "BCDE":
            ws[f"{col}4"].number_format = "mmm-yy"
    ws.append(["Manado", 61.2, 58.9, "63,4", None, None])  # 5
    ws.append(["Bitung", 44.0, "-", 47.5, None, "Februari: hotel direnovasi"])  # 6
    ws.append(["Kota Tomohon", 39.8, 41.2, 40.0, None, None])  # 7
    ws.append(["Jumlah", 55.1, 53.0, 57.2, None, None])  # 8
    ws.append([])
    ws.append(["Sumber: BPS Provinsi Sulawesi Utara (diolah)"])  # 10
    wb.save(path)
    return path


def zip_bomb(path: Path, *, unpacked_mib: int = 1024) -> Path:
    """A valid workbook plus a member of zeros that unpacks to ``unpacked_mib`` MiB."""
    buffer = io.BytesIO()
    tpk_workbook(path)
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item))
        with dst.open("xl/media/image1.bin", "w") as member:  # streamed: the test stays small too
            zeros = bytes(1024 * 1024)
            for _ in range(unpacked_mib):
                member.write(zeros)
    path.write_bytes(buffer.getvalue())
    return path


def lying_zip(path: Path) -> Path:
    """A workbook whose central directory understates one member's size (a header that lies)."""
    bomb = zip_bomb(path, unpacked_mib=64).read_bytes()
    data = bytearray(bomb)
    name = b"xl/media/image1.bin"
    at = data.find(b"PK\x01\x02" + bytes(0), 0)
    while at != -1:
        name_len = int.from_bytes(data[at + 28 : at + 30], "little")
        if bytes(data[at + 46 : at + 46 + name_len]) == name:
            data[at + 24 : at + 28] = (1000).to_bytes(4, "little")  # uncompressed size
        at = data.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))
    return path
