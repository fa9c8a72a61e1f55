"""API keys of the open-data API: made and revoked by an admin (``odsk apikey``), each bound
to a role and a clearance, the secret shown once and stored as an argon2 hash.

A key only ever speaks for ``/api/`` requests (``guard.resolve_principal``); its principal
holds no permission beyond ``public``, so it opens no page: what it changes is which
indicators ``may_read`` lets the API show (its clearance and role).
"""

from __future__ import annotations

import re
import secrets
from typing import get_args

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, Engine, insert, update

from dashboard.access.principal import Principal
from dashboard.access.roles import Role
from dashboard.catalogue.models import Classification
from dashboard.store import audit
from dashboard.store.api_keys import ApiKey, ApiKeyRow, active_key, key_named
from dashboard.store.audit import Actor
from dashboard.store.engine import begin_write
from dashboard.store.schema import utcnow

PREFIX = "odskapi_"
HEADER = "X-API-Key"
CLASSIFICATIONS: tuple[str, ...] = get_args(Classification)
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,99}$")
_KEY = re.compile(r"^odskapi_([0-9a-f]{16})\.([A-Za-z0-9_-]{20,100})$")
_HASHER = PasswordHasher()


class ApiKeyError(ValueError):
    pass


def create_key(
    engine: Engine, name: str, role: str, clearance: str = "internal", *, actor: Actor
) -> tuple[ApiKeyRow, str]:
    """A new key (returned once, never stored in clear) and its audit row."""
    name = (name or "").strip().lower()
    if not _NAME.match(name):
        raise ApiKeyError("a key's name is 2-100 characters: a-z, 0-9, '.', '_', '-'")
    if role not in Role._value2member_map_:
        raise ApiKeyError(f"unknown role {role!r}")
    if clearance not in CLASSIFICATIONS:
        raise ApiKeyError(f"unknown clearance {clearance!r}")
    key_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    with begin_write(engine) as conn:
        if key_named(conn, name) is not None:
            raise ApiKeyError(f"a key named {name!r} exists")
        conn.execute(
            insert(ApiKey).values(
                name=name,
                key_id=key_id,
                secret_hash=_HASHER.hash(secret),
                role=role,
                clearance=clearance,
                created_by=actor.name,
                created_at=utcnow(),
            )
        )
        audit.record(
            conn,
            "apikey.create",
            name,
            after={"role": role, "clearance": clearance, "key_id": key_id},
            actor=actor,
        )
        row = key_named(conn, name)
    assert row is not None
    return row, f"{PREFIX}{key_id}.{secret}"


def revoke_key(engine: Engine, name: str, *, actor: Actor) -> bool:
    t = ApiKey.__table__
    with begin_write(engine) as conn:
        done = conn.execute(
            update(ApiKey)
            .where(t.c.name == name, t.c.revoked_at.is_(None))
            .values(revoked_at=utcnow(), revoked_by=actor.name)
        ).rowcount
        if done:
            audit.record(conn, "apikey.revoke", name, before={"active": True}, actor=actor)
    return bool(done)


def principal_for_key(conn: Connection, key: str, address: str | None) -> Principal | None:
    """The principal of an active key; None for a malformed, unknown, revoked or wrong one."""
    found = _KEY.match(key.strip()) if key and len(key) < 200 else None
    if found is None:
        return None
    row = active_key(conn, found.group(1))
    if row is None:
        return None
    try:
        _HASHER.verify(row.secret_hash, found.group(2))
    except (VerificationError, InvalidHashError):
        return None
    return Principal(
        "apikey", row.id, f"apikey:{row.name}", row.role, clearance=row.clearance, address=address
    )
