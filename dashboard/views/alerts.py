"""Prepared data for ``/alerts``: active and recent alerts, and the operators' shift log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from dashboard import i18n
from dashboard.access.clearance import subject_visible
from dashboard.alerts import wording
from dashboard.alerts.lifecycle import AlertRecord, alert_by_id, open_alerts, recent_alerts
from dashboard.alerts.shiftlog import ShiftEntry, recent_notes
from dashboard.alerts.silences import Silence, active_silences, silence_for
from dashboard.catalogue.models import Catalogue
from dashboard.scorecard.owners import subject_owner

RECENT_DAYS = 7

LABELS = {
    "id": {
        "title": "Peringatan dan catatan piket",
        "active": "Peringatan aktif",
        "recent": "Selesai 7 hari terakhir",
        "none_active": "Tidak ada peringatan aktif.",
        "followup": "Tindak lanjut",
        "none_recent": "Belum ada peringatan yang selesai.",
        "col.severity": "Tingkat",
        "col.alert": "Peringatan",
        "col.since": "Mulai",
        "col.state": "Status",
        "col.ack": "Pengakuan",
        "col.resolved": "Selesai",
        "ack.button": "Akui",
        "ack.title": "Akui peringatan",
        "ack.who": "Dicatat atas nama",
        "ack.note": "Catatan (tindakan yang diambil)",
        "ack.confirm": "Simpan",
        "ack.cancel": "Batal",
        "ack.done": "Peringatan #{id} diakui.",
        "ack.not_firing": "Peringatan #{id} sudah tidak aktif.",
        "ack.by": "{who}, {when}",
        "shift.title": "Buku catatan piket",
        "shift.text": "Catatan",
        "shift.kind": "Jenis catatan",
        "col.actions": "Tindakan",
        "shift.kind.note": "Catatan",
        "shift.kind.handover": "Serah terima",
        "shift.kind.ack": "Pengakuan",
        "shift.add": "Tambah ke catatan piket",
        "shift.need": "Isi catatan.",
        "shift.none": "Belum ada catatan.",
        "shift.done": "Catatan disimpan.",
        "counts": "{critical} kritis · {warning} waspada · {info} info",
        "shift.kind.silence": "Senyap",
        "shift.kind.unsilence": "Senyap dicabut",
        "clearing": "kondisi normal sejak {when}; selesai bila bertahan",
        "silence.button": "Senyapkan",
        "silence.title": "Senyapkan peringatan",
        "silence.scope": "Yang disenyapkan",
        "silence.scope.subject": "Hanya {subject}",
        "silence.scope.rule": "Semua subjek aturan {rule}",
        "silence.hours": "Lama",
        "silence.reason": "Alasan (mis. pemeliharaan server SKPD)",
        "silence.need": "Isi alasan.",
        "silence.done": "Senyap #{id} berlaku sampai {until}.",
        "silence.active": "Senyap yang berlaku",
        "silence.none": "Tidak ada senyap yang berlaku.",
        "silence.until": "disenyapkan s.d. {until}",
        "silence.by": "{who}: {reason}",
        "silence.lift": "Cabut",
        "silence.lifted": "Senyap #{id} dicabut.",
        "silence.gone": "Senyap #{id} sudah berakhir.",
        "silence.col.scope": "Aturan · subjek",
        "silence.col.until": "Berlaku s.d.",
        "silence.col.why": "Oleh · alasan",
        "hours.1": "1 jam",
        "hours.4": "4 jam",
        "hours.12": "12 jam",
        "hours.24": "24 jam",
        "hours.72": "3 hari",
    },
    "en": {
        "title": "Alerts and shift log",
        "active": "Active alerts",
        "recent": "Resolved in the last 7 days",
        "none_active": "No active alerts.",
        "followup": "Follow up",
        "none_recent": "No resolved alerts yet.",
        "col.severity": "Severity",
        "col.alert": "Alert",
        "col.since": "Since",
        "col.state": "State",
        "col.ack": "Acknowledgement",
        "col.resolved": "Resolved",
        "ack.button": "Acknowledge",
        "ack.title": "Acknowledge alert",
        "ack.who": "Recorded as",
        "ack.note": "Note (action taken)",
        "ack.confirm": "Save",
        "ack.cancel": "Cancel",
        "ack.done": "Alert #{id} acknowledged.",
        "ack.not_firing": "Alert #{id} is no longer firing.",
        "ack.by": "{who}, {when}",
        "shift.title": "Shift log",
        "shift.text": "Note",
        "shift.kind": "Entry kind",
        "col.actions": "Actions",
        "shift.kind.note": "Note",
        "shift.kind.handover": "Handover",
        "shift.kind.ack": "Acknowledgement",
        "shift.add": "Add to the shift log",
        "shift.need": "Enter a note.",
        "shift.none": "No notes yet.",
        "shift.done": "Note saved.",
        "counts": "{critical} critical · {warning} warning · {info} info",
        "shift.kind.silence": "Silence",
        "shift.kind.unsilence": "Silence lifted",
        "clearing": "clear since {when}; resolves if it stays so",
        "silence.button": "Silence",
        "silence.title": "Silence alert",
        "silence.scope": "What to silence",
        "silence.scope.subject": "Only {subject}",
        "silence.scope.rule": "Every subject of rule {rule}",
        "silence.hours": "For",
        "silence.reason": "Reason (e.g. SKPD server maintenance)",
        "silence.need": "Enter a reason.",
        "silence.done": "Silence #{id} holds until {until}.",
        "silence.active": "Silences in force",
        "silence.none": "No silences in force.",
        "silence.until": "silenced until {until}",
        "silence.by": "{who}: {reason}",
        "silence.lift": "Lift",
        "silence.lifted": "Silence #{id} lifted.",
        "silence.gone": "Silence #{id} had ended.",
        "silence.col.scope": "Rule · subject",
        "silence.col.until": "Until",
        "silence.col.why": "By · reason",
        "hours.1": "1 hour",
        "hours.4": "4 hours",
        "hours.12": "12 hours",
        "hours.24": "24 hours",
        "hours.72": "3 days",
    },
}


def label(key: str, lang: str, **values: Any) -> str:
    return i18n.lookup(LABELS, key, lang, **values)


@dataclass(frozen=True)
class AlertRow:
    id: int
    severity: str
    severity_label: str
    state: str
    state_label: str
    title: str
    rule: str
    subject: str
    fired: str
    fired_age: str
    acknowledgement: str
    resolved: str
    can_acknowledge: bool
    silenced: str = ""  # "silenced until …" and by whom, why; empty when no silence covers it
    clearing: str = ""  # "clear since …": its condition has cleared, it waits before resolving
    owner: str | None = None  # the responsible SKPD's short name (indicator's, or source's)


@dataclass(frozen=True)
class SilenceRow:
    id: int
    scope: str
    until: str
    why: str


@dataclass(frozen=True)
class ShiftRow:
    id: int
    when: str
    author: str
    kind: str
    kind_label: str
    text: str


@dataclass(frozen=True)
class AlertsPage:
    active: tuple[AlertRow, ...]
    recent: tuple[AlertRow, ...]
    shift: tuple[ShiftRow, ...]
    counts: str
    silences: tuple[SilenceRow, ...] = ()


def alert_row(
    a: AlertRecord,
    now: datetime,
    lang: str,
    silences: list[Silence] | None = None,
    catalogue: Catalogue | None = None,
) -> AlertRow:
    ack = ""
    if a.acknowledged_by and a.acknowledged_at is not None:
        ack = label(
            "ack.by", lang, who=a.acknowledged_by, when=i18n.wita_datetime(a.acknowledged_at, lang)
        )
        if a.ack_note:
            ack += f" — {a.ack_note}"
    return AlertRow(
        id=a.id,
        severity=a.severity,
        severity_label=wording.label(wording.SEVERITY, a.severity, lang),
        state=a.state,
        state_label=wording.label(wording.STATE, a.state, lang),
        title=a.title(lang),
        rule=a.rule_id,
        subject=a.subject,
        fired=i18n.wita_datetime(a.fired_at, lang),
        fired_age=i18n.age(a.fired_at, now, lang),
        acknowledgement=ack,
        resolved=i18n.wita_datetime(a.resolved_at, lang) if a.resolved_at else "",
        can_acknowledge=a.state == "firing",
        silenced=_silenced(a, silences or [], lang),
        clearing=label("clearing", lang, when=i18n.wita_datetime(a.clear_since, lang))
        if a.clear_since is not None and a.state != "resolved"
        else "",
        owner=subject_owner(a.subject, catalogue, a.details),
    )


def _silenced(a: AlertRecord, silences: list[Silence], lang: str) -> str:
    silence = silence_for(silences, a.rule_id, a.subject) if a.state != "resolved" else None
    if silence is None:
        return ""
    return (
        label("silence.until", lang, until=i18n.wita_datetime(silence.ends_at, lang))
        + " — "
        + label("silence.by", lang, who=silence.created_by, reason=silence.reason)
    )


def silence_row(s: Silence, lang: str) -> SilenceRow:
    return SilenceRow(
        s.id,
        f"{s.rule_id} · {s.subject}" if s.subject else s.rule_id,
        i18n.wita_datetime(s.ends_at, lang),
        label("silence.by", lang, who=s.created_by, reason=s.reason),
    )


def shift_row(e: ShiftEntry, lang: str) -> ShiftRow:
    return ShiftRow(
        e.id,
        i18n.wita_datetime(e.created_at, lang),
        e.author,
        e.kind,
        label(f"shift.kind.{e.kind}", lang),
        e.text,
    )


def alerts_page(
    active: list[AlertRecord],
    recent: list[AlertRecord],
    notes: list[ShiftEntry],
    now: datetime,
    lang: str,
    silences: list[Silence] | None = None,
    catalogue: Catalogue | None = None,
) -> AlertsPage:
    counts = {s: sum(a.severity == s for a in active) for s in ("critical", "warning", "info")}
    return AlertsPage(
        tuple(alert_row(a, now, lang, silences, catalogue) for a in active),
        tuple(alert_row(a, now, lang, catalogue=catalogue) for a in recent),
        tuple(shift_row(e, lang) for e in notes),
        label("counts", lang, **counts),
        tuple(silence_row(s, lang) for s in silences or []),
    )


def load_alerts_page(
    engine: Engine, now: datetime, lang: str, catalogue: Catalogue | None = None
) -> AlertsPage:
    """With ``catalogue`` (the reader's), alerts, silences and shift notes about indicators
    it does not hold are left out: their titles carry the values."""
    with engine.connect() as conn:
        active = open_alerts(conn)
        recent = recent_alerts(conn, now - timedelta(days=RECENT_DAYS))
        notes = recent_notes(conn)
        silences = active_silences(conn, now)
        if catalogue is not None:
            hidden = {a.id for a in active + recent if not subject_visible(a.subject, catalogue)}
            known = {a.id for a in active + recent}
            for alert_id in {n.alert_id for n in notes if n.alert_id} - known:
                alert = alert_by_id(conn, alert_id)
                if alert is not None and not subject_visible(alert.subject, catalogue):
                    hidden.add(alert_id)
            active = [a for a in active if a.id not in hidden]
            recent = [a for a in recent if a.id not in hidden]
            notes = [n for n in notes if n.alert_id not in hidden]
            silences = [s for s in silences if subject_visible(s.subject, catalogue)]
    return alerts_page(active, recent, notes, now, lang, silences, catalogue)
