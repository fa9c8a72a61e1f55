"""What the follow-up page (``/followup``) shows, and its Excel export.

Pure: follow-up records, the reader's catalogue, the time and the language in; rows,
filters, an item's detail with its steps, the form that opens one. The labels of this
page are kept here (``label``), in Bahasa Indonesia and English.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from dashboard import i18n
from dashboard.catalogue.models import Catalogue
from dashboard.catalogue.periods import local_today
from dashboard.scorecard import labels as score_labels
from dashboard.scorecard.owners import indicator_skpd, short_name, source_skpd
from dashboard.store.followups import (
    ANSWERS,
    KINDS,
    MAX_ATTACHMENT_BYTES,
    PRIORITIES,
    STATUSES,
    FollowupError,
    FollowupRecord,
    Step,
)

DEFAULT_DUE_DAYS = 14
STATUS_FILTERS = ("pending", *STATUSES)  # "pending": open or in progress

LABELS: dict[str, dict[str, str]] = {
    "id": {
        "title": "Tindak lanjut",
        "intro": "Apa yang diminta dari SKPD atas setiap pengecualian, siapa yang menjawab, dan "
        "apakah sudah ditutup.",
        "filter.skpd": "SKPD",
        "filter.all_skpd": "Semua SKPD",
        "filter.status": "Status",
        "filter.all_status": "Semua status",
        "filter.pending": "Belum selesai (terbuka atau dikerjakan)",
        "filter.overdue": "Hanya yang lewat batas waktu",
        "kind.behind": "Di bawah target",
        "kind.at_risk": "Berisiko",
        "kind.stale": "Data terlambat",
        "kind.missing": "Data belum dikirim",
        "kind.alert": "Peringatan",
        "priority.high": "Tinggi",
        "priority.normal": "Sedang",
        "priority.low": "Rendah",
        "col.id": "No.",
        "col.skpd": "SKPD",
        "col.exception": "Pengecualian",
        "col.request": "Yang diminta",
        "col.due": "Batas waktu",
        "col.age": "Dibuka",
        "col.status": "Status",
        "col.priority": "Prioritas",
        "col.opened_by": "Dibuka oleh",
        "col.last_step": "Langkah terakhir",
        "overdue": "lewat batas waktu",
        "back_on_target": "kembali sesuai target {when}; menunggu ditutup",
        "export": "Unduh Excel",
        "none": "Tidak ada tindak lanjut yang cocok.",
        "none.hint": "Tindak lanjut dibuka dari peringatan atau dari baris kartu skor "
        "(tautan “Tindak lanjut”).",
        "count": "{n} tindak lanjut, {overdue} lewat batas waktu",
        "open.title": "Buka tindak lanjut",
        "open.exception": "Pengecualian",
        "open.skpd": "SKPD yang ditugasi",
        "open.request": "Yang diminta",
        "open.request.default": "Mohon ditindaklanjuti: {name} ({kind}). Sampaikan langkah dan "
        "jadwalnya.",
        "open.due": "Batas waktu",
        "open.priority": "Prioritas",
        "open.submit": "Buka tindak lanjut",
        "open.done": "Tindak lanjut #{id} dibuka.",
        "open.cancel": "Batal",
        "detail.title": "Tindak lanjut #{id}",
        "detail.back": "Kembali ke daftar",
        "answer.title": "Jawaban SKPD",
        "answer.status": "Status",
        "answer.note": "Keterangan (wajib bila tidak dapat ditindaklanjuti)",
        "answer.attachment": "Lampiran (opsional, paling besar {limit})",
        "answer.attachment.pick": "Pilih berkas atau tarik ke sini",
        "answer.submit": "Kirim jawaban",
        "answer.done": "Jawaban tersimpan.",
        "office.title": "Kantor Gubernur",
        "office.note": "Catatan (opsional)",
        "office.close": "Tutup",
        "office.reopen": "Buka kembali",
        "office.closed": "Tindak lanjut #{id} ditutup.",
        "office.reopened": "Tindak lanjut #{id} dibuka kembali.",
        "steps": "Riwayat",
        "step.open": "dibuka oleh {who}",
        "step.answer": "{who} menjawab: {status}",
        "step.close": "ditutup oleh {who}",
        "step.reopen": "dibuka kembali oleh {who}",
        "step.back_on_target": "indikator kembali sesuai target (ditandai otomatis)",
        "step.attachment": "lampiran: {name} ({size})",
        "error.request_required": "Isian “Yang diminta” kosong: tuliskan apa yang diminta dari "
        "SKPD.",
        "error.request_too_long": "Isian “Yang diminta” terlalu panjang: {length} karakter, "
        "paling banyak {limit}.",
        "error.note_too_long": "Keterangan terlalu panjang: {length} karakter, paling banyak "
        "{limit}.",
        "error.reason_too_long": "Alasan terlalu panjang: {length} karakter, paling banyak "
        "{limit}.",
        "error.reason_required": "Status “tidak dapat ditindaklanjuti” memerlukan alasan: isi "
        "keterangan.",
        "error.attachment_too_big": "Lampiran terlalu besar: {size}, paling besar {limit}.",
        "error.attachment_empty": "Lampiran kosong: pilih berkas yang berisi.",
        "error.attachment_unreadable": "Lampiran tidak dapat dibaca: unggah ulang berkasnya.",
        "error.due_in_past": "Batas waktu {due} sudah lewat: pilih hari ini atau sesudahnya.",
        "error.due_invalid": "Batas waktu tidak valid: isi tanggal (TTTT-BB-HH).",
        "error.bad_kind": "Jenis pengecualian tidak dikenal: {value}.",
        "error.bad_subject_kind": "Jenis pokok tidak dikenal: {value}.",
        "error.bad_priority": "Prioritas tidak dikenal: {value}.",
        "error.bad_status": "Status jawaban tidak dikenal: {value}.",
        "error.bad_subject": "Indikator atau sumber tidak dikenal: {value}.",
        "error.skpd_required": "Pilih SKPD yang ditugasi.",
        "error.unknown_skpd": "SKPD tidak dikenal: {value}.",
        "error.not_found": "Tindak lanjut #{id} tidak ditemukan.",
        "error.closed_already": "Tindak lanjut #{id} sudah ditutup: buka kembali dahulu.",
        "error.open_already": "Tindak lanjut #{id} masih terbuka.",
        "error.forbidden": "Anda tidak berwenang atas tindak lanjut ini.",
    },
    "en": {
        "title": "Follow-ups",
        "intro": "What each SKPD was asked to do about an exception, who answered, and whether it "
        "was closed.",
        "filter.skpd": "SKPD",
        "filter.all_skpd": "All SKPDs",
        "filter.status": "Status",
        "filter.all_status": "Every status",
        "filter.pending": "Not finished (open or in progress)",
        "filter.overdue": "Only those past their due date",
        "kind.behind": "Behind target",
        "kind.at_risk": "At risk",
        "kind.stale": "Late data",
        "kind.missing": "Data not delivered",
        "kind.alert": "Alert",
        "priority.high": "High",
        "priority.normal": "Normal",
        "priority.low": "Low",
        "col.id": "No.",
        "col.skpd": "SKPD",
        "col.exception": "Exception",
        "col.request": "Asked",
        "col.due": "Due",
        "col.age": "Opened",
        "col.status": "Status",
        "col.priority": "Priority",
        "col.opened_by": "Opened by",
        "col.last_step": "Last step",
        "overdue": "overdue",
        "back_on_target": "back on target {when}; waiting to be closed",
        "export": "Download Excel",
        "none": "No follow-up matches.",
        "none.hint": "A follow-up is opened from an alert or from a scorecard row (its "
        "“Follow up” link).",
        "count": "{n} follow-ups, {overdue} overdue",
        "count.one": "{n} follow-up, {overdue} overdue",
        "open.title": "Open a follow-up",
        "open.exception": "Exception",
        "open.skpd": "Assigned SKPD",
        "open.request": "Asked",
        "open.request.default": "Please follow up: {name} ({kind}). Tell us the steps and "
        "their schedule.",
        "open.due": "Due date",
        "open.priority": "Priority",
        "open.submit": "Open follow-up",
        "open.done": "Follow-up #{id} opened.",
        "open.cancel": "Cancel",
        "detail.title": "Follow-up #{id}",
        "detail.back": "Back to the list",
        "answer.title": "The SKPD's answer",
        "answer.status": "Status",
        "answer.note": "Note (a reason is required when it cannot be followed up)",
        "answer.attachment": "Attachment (optional, at most {limit})",
        "answer.attachment.pick": "Choose a file or drop it here",
        "answer.submit": "Send answer",
        "answer.done": "Answer saved.",
        "office.title": "Governor's office",
        "office.note": "Note (optional)",
        "office.close": "Close",
        "office.reopen": "Reopen",
        "office.closed": "Follow-up #{id} closed.",
        "office.reopened": "Follow-up #{id} reopened.",
        "steps": "History",
        "step.open": "opened by {who}",
        "step.answer": "{who} answered: {status}",
        "step.close": "closed by {who}",
        "step.reopen": "reopened by {who}",
        "step.back_on_target": "indicator back on target (marked automatically)",
        "step.attachment": "attachment: {name} ({size})",
        "error.request_required": "“Asked” is empty: write what the SKPD is asked to do.",
        "error.request_too_long": "“Asked” is too long: {length} characters, at most {limit}.",
        "error.note_too_long": "The note is too long: {length} characters, at most {limit}.",
        "error.reason_too_long": "The reason is too long: {length} characters, at most {limit}.",
        "error.reason_required": "“Cannot be followed up” needs a reason: fill in the note.",
        "error.attachment_too_big": "The attachment is too large: {size}, at most {limit}.",
        "error.attachment_empty": "The attachment is empty: choose a file with content.",
        "error.attachment_unreadable": "The attachment could not be read: upload it again.",
        "error.due_in_past": "The due date {due} has passed: choose today or later.",
        "error.due_invalid": "The due date is not valid: enter a date (YYYY-MM-DD).",
        "error.bad_kind": "Unknown kind of exception: {value}.",
        "error.bad_subject_kind": "Unknown kind of subject: {value}.",
        "error.bad_priority": "Unknown priority: {value}.",
        "error.bad_status": "Unknown answer status: {value}.",
        "error.bad_subject": "Unknown indicator or source: {value}.",
        "error.skpd_required": "Choose the SKPD it is assigned to.",
        "error.unknown_skpd": "Unknown SKPD: {value}.",
        "error.not_found": "Follow-up #{id} was not found.",
        "error.closed_already": "Follow-up #{id} is closed already: reopen it first.",
        "error.open_already": "Follow-up #{id} is open already.",
        "error.forbidden": "You may not act on this follow-up.",
    },
}


def label(key: str, lang: str, **values: Any) -> str:
    if key.startswith("status."):  # shared with the brief
        return score_labels.label(f"followup.{key}", lang, **values)
    return i18n.lookup(LABELS, key, lang, **values)


def size_text(size: int, lang: str) -> str:
    """Bytes as "4,8 MB" / "12 KB"."""
    if size >= 1024 * 1024:
        return f"{i18n.number(size / 1024 / 1024, lang, 1)} MB"
    return f"{i18n.number(max(size / 1024, 0.1), lang, 0 if size >= 10240 else 1)} KB"


def error_text(error: FollowupError, lang: str) -> str:
    values = dict(error.values)
    for key in ("size", "limit"):
        if key in values and error.code.startswith("attachment"):
            values[key] = size_text(int(values[key]), lang)
    return label(f"error.{error.code}", lang, **values)


def subject_name(record_subject: str, subject_kind: str, catalogue: Catalogue, lang: str) -> str:
    if subject_kind == "indicator":
        ind = catalogue.indicators_by_code.get(record_subject)
        return ind.name.get(lang) if ind else record_subject
    source = next((s for s in catalogue.sources if s.id == record_subject), None)
    return source.name if source else record_subject


def visible(record: FollowupRecord, catalogue: Catalogue) -> bool:
    """Items about an indicator the reader may not read are left out (the catalogue is
    already cut to the reader)."""
    return record.subject_kind != "indicator" or record.subject in catalogue.indicators_by_code


@dataclass(frozen=True)
class FollowupRow:
    id: int
    skpd: str
    skpd_name: str
    kind: str
    kind_label: str
    subject: str
    subject_name: str
    request: str
    due: str
    due_on: date
    overdue: bool
    age: str
    opened: str
    status: str
    status_label: str
    priority: str
    priority_label: str
    back_on_target: str | None
    opened_by: str
    last_step: str


@dataclass(frozen=True)
class StepView:
    when: str
    text: str
    note: str | None
    attachment: str | None
    attachment_sha: str | None


@dataclass(frozen=True)
class DetailView:
    row: FollowupRow
    steps: tuple[StepView, ...]
    can_answer: bool
    can_close: bool
    can_reopen: bool
    answers: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class NewForm:
    kind: str
    kind_label: str
    subject_kind: str
    subject: str
    subject_name: str
    skpd: str | None
    request: str
    due: str  # ISO date
    region: str | None
    alert_id: int | None


@dataclass(frozen=True)
class Filters:
    skpd: str | None
    status: str | None
    overdue: bool
    skpds: tuple[tuple[str, str], ...]
    statuses: tuple[tuple[str, str], ...]


def _day(d: date, lang: str) -> str:
    return i18n.period(d, "day", lang)


def step_text(step: Step, lang: str) -> str:
    if step.action == "answer":
        return label(
            "step.answer", lang, who=step.actor, status=label(f"status.{step.status}", lang)
        )
    return label(f"step.{step.action}", lang, who=step.actor)


def followup_row(
    record: FollowupRecord, catalogue: Catalogue, now: datetime, lang: str
) -> FollowupRow:
    today = local_today(now)
    last = record.steps[-1] if record.steps else None
    return FollowupRow(
        id=record.id,
        skpd=record.skpd_id,
        skpd_name=short_name(record.skpd_id, catalogue) or record.skpd_id,
        kind=record.kind,
        kind_label=label(f"kind.{record.kind}", lang),
        subject=record.subject,
        subject_name=subject_name(record.subject, record.subject_kind, catalogue, lang),
        request=record.request,
        due=_day(record.due_on, lang),
        due_on=record.due_on,
        overdue=record.overdue(today),
        age=i18n.age(record.opened_at, now, lang),
        opened=i18n.wita_datetime(record.opened_at, lang),
        status=record.status,
        status_label=label(f"status.{record.status}", lang),
        priority=record.priority,
        priority_label=label(f"priority.{record.priority}", lang),
        back_on_target=label(
            "back_on_target", lang, when=i18n.wita_date(record.back_on_target_at, lang)
        )
        if record.back_on_target_at and record.status != "closed"
        else None,
        opened_by=record.opened_by,
        last_step=f"{step_text(last, lang)} · {i18n.wita_datetime(last.at, lang)}" if last else "",
    )


def sort_rows(rows: list[FollowupRow]) -> list[FollowupRow]:
    """Overdue first, then not closed by due date, closed last."""
    return sorted(rows, key=lambda r: (not r.overdue, r.status == "closed", r.due_on, r.id))


def select_rows(
    records: list[FollowupRecord],
    catalogue: Catalogue,
    now: datetime,
    lang: str,
    *,
    skpd: str | None = None,
    status: str | None = None,
    overdue: bool = False,
) -> list[FollowupRow]:
    rows = [followup_row(r, catalogue, now, lang) for r in records if visible(r, catalogue)]
    if skpd:
        rows = [r for r in rows if r.skpd == skpd]
    if status == "pending":
        rows = [r for r in rows if r.status in ("open", "in_progress")]
    elif status:
        rows = [r for r in rows if r.status == status]
    if overdue:
        rows = [r for r in rows if r.overdue]
    return sort_rows(rows)


def filters(
    catalogue: Catalogue,
    lang: str,
    skpd: str | None,
    status: str | None,
    overdue: bool,
    scope: frozenset[str] | None,
) -> Filters:
    skpds = [s for s in catalogue.skpd if scope is None or s.id in scope]
    return Filters(
        skpd if skpd in {s.id for s in skpds} else None,
        status if status in STATUS_FILTERS else None,
        overdue,
        tuple((s.id, s.short_name) for s in sorted(skpds, key=lambda s: s.short_name)),
        tuple(
            (s, label("filter.pending" if s == "pending" else f"status.{s}", lang))
            for s in STATUS_FILTERS
        ),
    )


def detail_view(
    record: FollowupRecord,
    catalogue: Catalogue,
    now: datetime,
    lang: str,
    *,
    can_answer: bool,
    can_manage: bool,
) -> DetailView:
    steps = tuple(
        StepView(
            i18n.wita_datetime(s.at, lang),
            step_text(s, lang),
            s.note,
            label(
                "step.attachment",
                lang,
                name=s.attachment_name,
                size=size_text(s.attachment_size or 0, lang),
            )
            if s.attachment_name
            else None,
            s.attachment_sha256,
        )
        for s in record.steps
    )
    closed = record.status == "closed"
    return DetailView(
        followup_row(record, catalogue, now, lang),
        steps,
        can_answer and not closed,
        can_manage and not closed,
        can_manage and record.status != "open",
        tuple((s, label(f"status.{s}", lang)) for s in ANSWERS),
    )


def new_form(
    catalogue: Catalogue,
    now: datetime,
    lang: str,
    *,
    kind: str | None,
    subject: str | None,
    region: str | None = None,
    alert_id: int | None = None,
    skpd: str | None = None,
) -> NewForm | None:
    """The form that opens a follow-up on an exception named in the URL; None when the URL
    names no indicator or source the reader may see."""
    if kind not in KINDS or not subject:
        return None
    if subject.startswith("source:"):
        subject_kind, code = "source", subject[7:]
        owner = source_skpd(code, catalogue)
        if owner is None:
            return None
    else:
        subject_kind, code = "indicator", subject
        owner = indicator_skpd(code, catalogue)
        if owner is None:
            return None
    skpd = skpd if skpd in {s.id for s in catalogue.skpd} else owner
    name = subject_name(code, subject_kind, catalogue, lang)
    kind_label = label(f"kind.{kind}", lang)
    due = local_today(now) + timedelta(days=DEFAULT_DUE_DAYS)
    return NewForm(
        kind,
        kind_label,
        subject_kind,
        code,
        name,
        skpd,
        label("open.request.default", lang, name=name, kind=kind_label.lower()),
        due.isoformat(),
        region if region in catalogue.regions_by_code else None,
        alert_id,
    )


def parse_due(value: str | None) -> date:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        raise FollowupError("due_invalid") from None


def attachment_limit(lang: str) -> str:
    return size_text(MAX_ATTACHMENT_BYTES, lang)


# --- Excel -------------------------------------------------------------------------

HEADER_FILL = PatternFill("solid", fgColor="1F2933")
HEADER_FONT = Font(bold=True, color="FFFFFF")
OVERDUE_FILL = PatternFill("solid", fgColor="FFC7CE")
COLUMNS = (
    "col.id",
    "col.skpd",
    "col.exception",
    "col.request",
    "col.priority",
    "col.due",
    "col.status",
    "col.age",
    "col.opened_by",
    "col.last_step",
)


def workbook(rows: list[FollowupRow], lang: str, now: datetime) -> bytes:
    """The listed follow-ups as a workbook: due dates as real dates, overdue rows marked."""
    wb = Workbook()
    ws = wb.worksheets[0]
    ws.title = label("title", lang)[:31]
    ws["A1"] = label("title", lang)
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = i18n.wita_datetime(now, lang)
    header = 4
    for col, key in enumerate(COLUMNS, start=1):
        cell = ws.cell(header, col, label(key, lang))
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
    for i, r in enumerate(rows, start=header + 1):
        status = r.status_label + (f" ({label('overdue', lang)})" if r.overdue else "")
        values: list[int | str | date] = [
            r.id,
            r.skpd_name,
            f"{r.kind_label}: {r.subject_name}",
            r.request,
            r.priority_label,
            r.due_on,
            status,
            r.opened,
            r.opened_by,
            r.last_step,
        ]
        for col, value in enumerate(values, start=1):
            written = ws.cell(i, col, value)
            written.alignment = Alignment(wrap_text=True, vertical="top")
        ws.cell(i, 6).number_format = "yyyy-mm-dd"
        if r.overdue:
            ws.cell(i, 7).fill = OVERDUE_FILL
    ws.freeze_panes = f"A{header + 1}"
    for col, width in enumerate((6, 16, 40, 50, 10, 12, 24, 30, 18, 40), start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def workbook_name(now: datetime, lang: str) -> str:
    stem = "tindak-lanjut" if i18n.language(lang) == "id" else "follow-ups"
    return f"{stem}-{local_today(now).isoformat()}.xlsx"


__all__ = [
    "PRIORITIES",
    "DetailView",
    "Filters",
    "FollowupRow",
    "NewForm",
    "attachment_limit",
    "detail_view",
    "error_text",
    "filters",
    "followup_row",
    "label",
    "new_form",
    "parse_due",
    "select_rows",
    "workbook",
    "workbook_name",
]


def decode_attachment(contents: str, filename: str | None) -> tuple[str, bytes]:
    """dcc.Upload's ``data:<type>;base64,<data>`` into (name, bytes); size checked before
    decoding, so an oversized upload is refused without being held twice in memory."""
    import base64
    import binascii

    try:
        _, data = contents.split(",", 1)
    except ValueError:
        raise FollowupError("attachment_unreadable") from None
    if len(data) * 3 // 4 > MAX_ATTACHMENT_BYTES + 2:
        raise FollowupError(
            "attachment_too_big", size=len(data) * 3 // 4, limit=MAX_ATTACHMENT_BYTES
        )
    try:
        raw = base64.b64decode(data, validate=True)
    except (ValueError, binascii.Error):
        raise FollowupError("attachment_unreadable") from None
    name = (filename or "lampiran").replace("/", "_").replace("\\", "_").strip() or "lampiran"
    return name[-200:], raw
