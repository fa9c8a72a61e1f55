"""Words for severities, states and transitions, in Bahasa Indonesia and English
(shared by the pages and the notifications, so both say the same thing)."""

from __future__ import annotations

SEVERITY = {
    "id": {"info": "Info", "warning": "Waspada", "critical": "Kritis"},
    "en": {"info": "Info", "warning": "Warning", "critical": "Critical"},
}
STATE = {
    "id": {"firing": "Aktif", "acknowledged": "Diakui", "resolved": "Selesai"},
    "en": {"firing": "Firing", "acknowledged": "Acknowledged", "resolved": "Resolved"},
}
EVENT = {
    "id": {"fired": "AKTIF", "escalated": "MENINGKAT", "resolved": "SELESAI"},
    "en": {"fired": "FIRING", "escalated": "ESCALATED", "resolved": "RESOLVED"},
}


def label(table: dict[str, dict[str, str]], key: str, lang: str) -> str:
    return table["en" if lang == "en" else "id"].get(key, key)
