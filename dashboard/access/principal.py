"""Who is asking: an account (a person), an enrolled wall screen (a device) or nobody.

The guard (``guard.py``) puts the request's principal on ``flask.g``; everything else
asks ``current_principal()`` and ``Principal.can(...)`` instead of looking at sessions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import flask

from dashboard.access.roles import (
    ANONYMOUS_GRANTS,
    DEVICE_GRANTS,
    GRANTS,
    SCOPED,
    SERVICE_GRANTS,
    Permission,
    Role,
)

CLASSIFICATIONS = ("public", "internal", "restricted")
_G_KEY = "odsk_principal"


@dataclass(frozen=True)
class Principal:
    kind: str  # "account" | "device" | "service" (the metrics scraper) | "anonymous"
    id: int | None
    name: str  # username, screen name, or "anonymous"
    role: str  # a Role value, "device" or "anonymous"
    display: str = ""
    # SKPDs an skpd_officer is bound to; empty for every other role.
    skpds: frozenset[str] = field(default_factory=frozenset)
    # Highest classification readable (devices: chosen at enrolment).
    clearance: str = "public"
    address: str | None = None

    @property
    def grants(self) -> frozenset[Permission]:
        if self.kind == "account":
            return GRANTS[Role(self.role)]
        if self.kind == "service":
            return SERVICE_GRANTS
        return DEVICE_GRANTS if self.kind == "device" else ANONYMOUS_GRANTS

    @property
    def signed_in(self) -> bool:
        return self.kind == "account"

    def can(self, permission: Permission, skpd: str | None = None) -> bool:
        """Holds ``permission`` (for ``skpd`` when given and the permission is scoped)."""
        if permission not in self.grants:
            return False
        if skpd is None or self.scope(permission) is None:
            return True
        return skpd in self.skpds

    def scope(self, permission: Permission) -> frozenset[str] | None:
        """The SKPDs ``permission`` is limited to; None = all of them."""
        if self.role == Role.SKPD_OFFICER and permission in SCOPED:
            return self.skpds
        return None

    @property
    def label(self) -> str:
        """How the audit trail and the shift log name this principal."""
        return self.name if self.kind != "device" else f"device:{self.name}"


ANONYMOUS = Principal("anonymous", None, "anonymous", "anonymous")


def current_principal() -> Principal:
    """The principal of the request being served; anonymous outside a request."""
    if not flask.has_request_context():
        return ANONYMOUS
    return flask.g.get(_G_KEY) or ANONYMOUS


def set_principal(principal: Principal) -> None:
    setattr(flask.g, _G_KEY, principal)
