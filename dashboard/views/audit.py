"""The audit trail as the admin page and its export show it (filters from the URL)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Engine

from dashboard import i18n
from dashboard.access.audit import AuditRow, search
from dashboard.access.roles import role_label
from dashboard.catalogue.periods import WITA

LIMIT = 500
LABELS = {
    "id": {
        "title": "Jejak audit",
        "intro": "Setiap perubahan, ekspor, unduhan dan penolakan akses, terbaru di atas (maks. {n} baris).",
        "actor": "Pelaku (awalan)",
        "action": "Tindakan (awalan)",
        "outcome": "Hasil",
        "outcome.any": "semua",
        "outcome.ok": "berhasil",
        "outcome.denied": "ditolak",
        "since": "Dari tanggal",
        "until": "Sampai tanggal",
        "filter": "Saring",
        "date": "TTTT-BB-HH",
        "export": "Ekspor Excel",
        "none": "Tidak ada baris yang cocok.",
        "col.at": "Waktu (WITA)",
        "col.actor": "Pelaku",
        "col.role": "Peran",
        "col.action": "Tindakan",
        "col.subject": "Subjek",
        "col.outcome": "Hasil",
        "col.change": "Sebelum → sesudah",
        "col.address": "Alamat",
    },
    "en": {
        "title": "Audit trail",
        "intro": "Every change, export, download and access denial, newest first (at most {n} rows).",
        "actor": "Actor (prefix)",
        "action": "Action (prefix)",
        "outcome": "Outcome",
        "outcome.any": "any",
        "outcome.ok": "done",
        "outcome.denied": "denied",
        "since": "From date",
        "until": "To date",
        "filter": "Filter",
        "date": "YYYY-MM-DD",
        "export": "Export to Excel",
        "none": "No matching rows.",
        "col.at": "Time (WITA)",
        "col.actor": "Actor",
        "col.role": "Role",
        "col.action": "Action",
        "col.subject": "Subject",
        "col.outcome": "Outcome",
        "col.change": "Before → after",
        "col.address": "Address",
    },
}
COLUMNS = ("at", "actor", "role", "action", "subject", "outcome", "change", "address")


def label(key: str, lang: str, **values) -> str:
    return i18n.lookup(LABELS, key, lang, **values)


@dataclass(frozen=True)
class AuditFilter:
    actor: str | None = None
    action: str | None = None
    outcome: str | None = None
    since: date | None = None
    until: date | None = None

    @classmethod
    def from_query(cls, query: dict) -> AuditFilter:
        def text(key: str) -> str | None:
            value = query.get(key)
            return str(value).strip()[:100] or None if isinstance(value, str) else None

        def day(key: str) -> date | None:
            try:
                return date.fromisoformat(str(query.get(key) or ""))
            except ValueError:
                return None

        outcome = text("outcome")
        return cls(
            text("actor"),
            text("action"),
            outcome if outcome in ("ok", "denied") else None,
            day("since"),
            day("until"),
        )

    def query(self) -> dict[str, str]:
        return {
            k: (v.isoformat() if isinstance(v, date) else v)
            for k, v in vars(self).items()
            if v is not None
        }


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=WITA)


def load_audit(engine: Engine, flt: AuditFilter) -> list[AuditRow]:
    with engine.connect() as conn:
        return search(
            conn,
            actor=flt.actor,
            action=flt.action,
            outcome=flt.outcome,
            since=_start_of(flt.since) if flt.since else None,
            until=_start_of(flt.until + timedelta(days=1)) if flt.until else None,
            limit=LIMIT,
        )


def _change(row: AuditRow) -> str:
    def show(value) -> str:
        return json.dumps(value, ensure_ascii=False, default=str) if value is not None else "—"

    if row.before is None and row.after is None:
        return row.detail or ""
    text = f"{show(row.before)} → {show(row.after)}"
    return f"{text} ({row.detail})" if row.detail else text


def table_rows(rows: list[AuditRow], lang: str) -> list[dict[str, Any]]:
    return [
        {
            "at": i18n.wita_datetime(r.at, lang),
            "actor": r.actor,
            "role": role_label(r.role, lang),
            "action": r.action,
            "subject": r.subject,
            "outcome": label(f"outcome.{r.outcome}", lang)
            if r.outcome in ("ok", "denied")
            else r.outcome,
            "change": _change(r),
            "address": r.address or "",
            "denied": r.outcome == "denied",
        }
        for r in rows
    ]


def export_columns(lang: str) -> list[tuple[str, str]]:
    return [(c, label(f"col.{c}", lang)) for c in COLUMNS]
