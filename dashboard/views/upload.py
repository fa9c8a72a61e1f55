"""Prepared data for the upload page: a payload's preview and its recorded run."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from typing import Any

from collectors.base import Payload
from dashboard import i18n
from dashboard.access.audit import Actor
from dashboard.filedrop import Receipt, receive, store
from dashboard.ingest import preview
from dashboard.runtime import Runtime

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
PREVIEW_ROWS = 50

LABELS = {
    "id": {
        "title": "Unggah data SKPD",
        "source": "Sumber",
        "drop": "Seret berkas Excel/CSV/JSON ke sini, atau klik untuk memilih",
        "summary": "{accepted} baris akan diterima, {rejected} baris ditolak",
        "confirm": "Simpan sebagai proses pengumpulan",
        "rejected": "Baris yang ditolak",
        "accepted": "Contoh baris yang diterima (maks. {n})",
        "col.row": "Baris",
        "col.column": "Kolom",
        "col.value": "Nilai",
        "col.reason": "Alasan",
        "col.indicator": "Indikator",
        "col.region": "Wilayah",
        "col.period": "Periode",
        "error.decode": "Berkas tidak dapat dibaca dari unggahan.",
        "error.size": "Berkas melebihi {mb} MB.",
        "error.payload": "Berkas ditolak seluruhnya ({cls}): {msg}",
        "choose": "Pilih sumber lalu unggah berkas.",
        "done": "Proses #{run} tercatat: {status} — {accepted} diterima, {rejected} ditolak, {changed} berubah.",
        "receipt": "Tanda terima disimpan di folder kiriman: {where}",
        "none": "Tidak ada baris yang ditolak.",
    },
    "en": {
        "title": "Upload SKPD data",
        "source": "Source",
        "drop": "Drop an Excel/CSV/JSON file here, or click to choose",
        "summary": "{accepted} rows will be accepted, {rejected} rows rejected",
        "confirm": "Store as a collection run",
        "rejected": "Rejected rows",
        "accepted": "Sample of accepted rows (max. {n})",
        "col.row": "Row",
        "col.column": "Column",
        "col.value": "Value",
        "col.reason": "Reason",
        "col.indicator": "Indicator",
        "col.region": "Region",
        "col.period": "Period",
        "error.decode": "The file could not be read from the upload.",
        "error.size": "The file exceeds {mb} MB.",
        "error.payload": "The file is refused as a whole ({cls}): {msg}",
        "choose": "Choose a source, then upload a file.",
        "done": "Run #{run} recorded: {status} — {accepted} accepted, {rejected} rejected, {changed} changed.",
        "receipt": "Receipt kept in the drop folder: {where}",
        "none": "No rows were rejected.",
    },
}


def label(key: str, lang: str, **values: Any) -> str:
    return i18n.lookup(LABELS, key, lang, **values)


class UploadError(ValueError):
    pass


def decode_upload(contents: str, filename: str | None) -> Payload:
    """dcc.Upload's ``data:<type>;base64,<data>`` into a payload; size-limited."""
    if not isinstance(contents, str):
        raise UploadError("decode")
    if (
        len(contents) > MAX_UPLOAD_BYTES * 4 // 3 + 1024
    ):  # base64 of the largest file, and its header
        raise UploadError("size")
    try:
        header, data = contents.split(",", 1)
        raw = base64.b64decode(data, validate=True)
    except (ValueError, binascii.Error):
        raise UploadError("decode") from None
    if len(raw) > MAX_UPLOAD_BYTES:
        raise UploadError("size")
    content_type = header.removeprefix("data:").split(";")[0] or "application/octet-stream"
    return Payload(raw, content_type, {"file": filename or ""})


@dataclass
class PreviewView:
    accepted: int
    rejected: int
    error: str | None
    rejected_rows: list[dict[str, Any]] = field(default_factory=list)
    sample: list[dict[str, Any]] = field(default_factory=list)


def preview_view(rt: Runtime, source_id: str, payload: Payload, lang: str) -> PreviewView:
    result = preview(rt, source_id, payload)
    if result.error is not None:
        message = result.error.message_en if lang == "en" else result.error.message_id
        return PreviewView(
            0, 0, label("error.payload", lang, cls=result.error.error_class, msg=message)
        )
    rows = [
        {
            "row": c.row,
            "column": r.column or "",
            "value": "" if r.value is None else str(r.value),
            "reason": r.en if lang == "en" else r.id,
        }
        for c in result.rejected
        for r in c.reasons
    ]
    sample = [
        {
            "row": int(r.row),
            "indicator": r.indicator_code,
            "region": r.region_code,
            "period": r.period_start.date().isoformat(),
            "value": float(r.value),
        }
        for r in result.accepted.head(PREVIEW_ROWS).itertuples(index=False)
    ]
    return PreviewView(len(result.accepted), len(result.rejected), None, rows, sample)


def store_upload(
    rt: Runtime, source_id: str, payload: Payload, actor: Actor | None = None
) -> Receipt:
    """Ingest the uploaded file as a run of ``source_id``, with its audit row (who uploaded)
    in the same transaction; the file is kept in the drop folder's done/ or rejected/ with
    its receipt, exactly as a dropped file is."""
    name = str(payload.meta.get("file") or f"{source_id}_unggahan")
    receipt = receive(rt, name, payload.content, via="upload", source_id=source_id, actor=actor)
    return store(receipt, payload.content, rt.settings.resolved_drop_dir)
