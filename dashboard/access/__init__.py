"""Who may see and do what: sign-in, roles, enrolled wall screens, classification, audit.

The small API the rest of the code uses (names are stable; other packages rely on them):

- ``current_principal()`` → ``Principal`` (account | device | anonymous) of this request;
  ``principal.can(Permission.X, skpd=None)``, ``principal.scope(Permission.X)``.
- ``Permission``, ``Role``, ``role_label(role, lang)``.
- ``may_read(principal, indicator)``; ``catalogue_for(principal, catalogue)`` — what the
  request's ``current_context().catalogue`` already is.
- ``audit.record(conn, action, subject, before=…, after=…)`` inside the caller's transaction;
  ``Actor`` / ``current_actor()`` for who did it.
- Declaring rules: ``register_page(..., access=Permission.X)``, ``callback(app, Rule(...), …)``
  instead of ``app.callback``, ``route(server, Rule(...), path, endpoint, view)``.
- ``install(app)`` (called by ``create_app``): guard, sign-in routes, SSO, CSRF, headers.
"""

from __future__ import annotations

from dashboard.access import audit
from dashboard.access.audit import Actor, current_actor
from dashboard.access.clearance import catalogue_for, may_read
from dashboard.access.principal import ANONYMOUS, Principal, current_principal
from dashboard.access.roles import Permission, Role, role_label

_RULES = ("Call", "Rule", "allow", "callback", "route")


def __getattr__(name: str):
    # The rule registry needs Dash; the store and the scheduler import this package
    # without it (they only record audit rows).
    if name in _RULES:
        from dashboard.access import rules

        return getattr(rules, name)
    raise AttributeError(name)


__all__ = [
    "ANONYMOUS",
    "Actor",
    "Call",
    "Permission",
    "Principal",
    "Role",
    "Rule",
    "allow",
    "audit",
    "callback",
    "catalogue_for",
    "current_actor",
    "current_principal",
    "may_read",
    "role_label",
    "route",
]
