"""Roles, their labels in both languages, and what each may do (DESIGN.md "Who may do what").

A permission is a verb the server checks; a role is a bundle of them. An ``skpd_officer``
holds some permissions only for the SKPDs bound to the account (``SCOPED``).
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    VIEWER = "viewer"
    ANALYST = "analyst"
    OPERATOR = "operator"
    SKPD_OFFICER = "skpd_officer"
    ADMIN = "admin"


class Permission(StrEnum):
    PUBLIC = "public"  # anyone, anonymous included (sign-in page, public data later)
    READ = "read"  # scorecard, brief, drill-down, provenance, alerts (read only)
    WALL = "wall"  # the video wall's pages and callbacks (people and enrolled screens)
    COMPLIANCE_READ = "compliance.read"
    EXPORT_INTERNAL = "export.internal"  # downloads of internal (or restricted) data
    ANNOTATE = "annotate"  # notes on charts
    PAYLOAD_READ = "payload.read"  # archived raw payloads
    OPS_READ = "ops.read"  # source health and quarantined rows
    UPLOAD = "upload"
    ALERTS_ACT = "alerts.act"  # acknowledge, silence, lift a silence, shift log
    SCREENS_COMMAND = "screens.command"  # reload or pin a wall screen
    SCREENS_ENROL = "screens.enrol"  # enrol a wall screen (device token)
    SCREENS_MANAGE = "screens.manage"  # revoke a token, forget a screen
    AUDIT_READ = "audit.read"
    USERS_MANAGE = "users.manage"
    METRICS_READ = "metrics.read"  # /metrics and /healthz details (or the scrape token)
    FOLLOWUP_READ = "followup.read"  # follow-ups (tindak lanjut); an SKPD officer: their own
    FOLLOWUP_MANAGE = "followup.manage"  # the governor's office opens, closes, reopens
    FOLLOWUP_ANSWER = "followup.answer"  # the SKPD answers (status, reason, attachment)


P = Permission

_VIEWER = frozenset({P.PUBLIC, P.READ, P.WALL, P.COMPLIANCE_READ, P.FOLLOWUP_READ})
GRANTS: dict[Role, frozenset[Permission]] = {
    Role.VIEWER: _VIEWER,
    # Analysts are the governor's office staff who run follow-ups.
    Role.ANALYST: _VIEWER | {P.ANNOTATE, P.EXPORT_INTERNAL, P.PAYLOAD_READ, P.FOLLOWUP_MANAGE},
    Role.OPERATOR: _VIEWER
    | {P.ALERTS_ACT, P.SCREENS_COMMAND, P.SCREENS_ENROL, P.OPS_READ, P.METRICS_READ},
    Role.SKPD_OFFICER: _VIEWER | {P.UPLOAD, P.OPS_READ, P.PAYLOAD_READ, P.FOLLOWUP_ANSWER},
    Role.ADMIN: frozenset(Permission),
}
# Held by an skpd_officer for the account's own SKPDs only.
SCOPED: frozenset[Permission] = frozenset(
    {P.UPLOAD, P.OPS_READ, P.COMPLIANCE_READ, P.PAYLOAD_READ, P.FOLLOWUP_READ, P.FOLLOWUP_ANSWER}
)
DEVICE_GRANTS: frozenset[Permission] = frozenset({P.PUBLIC, P.WALL})
ANONYMOUS_GRANTS: frozenset[Permission] = frozenset({P.PUBLIC})
# The Prometheus scraper, by the bearer token ODSK_METRICS_TOKEN.
SERVICE_GRANTS: frozenset[Permission] = frozenset({P.PUBLIC, P.METRICS_READ})

ROLE_LABELS: dict[Role, dict[str, str]] = {
    Role.VIEWER: {"id": "Pimpinan (lihat saja)", "en": "Viewer (governor's office)"},
    Role.ANALYST: {"id": "Analis", "en": "Analyst"},
    Role.OPERATOR: {"id": "Operator jaga", "en": "Shift operator"},
    Role.SKPD_OFFICER: {"id": "Petugas data SKPD", "en": "SKPD data officer"},
    Role.ADMIN: {"id": "Administrator (walidata)", "en": "Administrator (data steward)"},
}
DEVICE_LABEL = {"id": "Layar dinding terdaftar", "en": "Enrolled wall screen"}
SYSTEM_LABEL = {"id": "Sistem", "en": "System"}
SERVICE_LABEL = {"id": "Layanan (pengambil metrik)", "en": "Service (metrics scraper)"}
ANONYMOUS_LABEL = {"id": "Tamu (belum masuk)", "en": "Guest (not signed in)"}


def role_label(role: str, lang: str) -> str:
    labels = ROLE_LABELS.get(Role(role)) if role in Role._value2member_map_ else None
    if labels is None:
        labels = {
            "device": DEVICE_LABEL,
            "service": SERVICE_LABEL,
            "system": SYSTEM_LABEL,
        }.get(role, ANONYMOUS_LABEL)
    return labels["en" if lang == "en" else "id"]


def parse_role(value: str) -> Role:
    """A role from text (CLI, OIDC mapping); ValueError naming the known roles."""
    try:
        return Role(value.strip().lower())
    except ValueError:
        raise ValueError(
            f"unknown role {value!r}; one of: {', '.join(r.value for r in Role)}"
        ) from None
