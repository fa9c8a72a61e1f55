"""Accounts: local ones with argon2 password hashes (argon2-cffi), SSO ones by OIDC subject.

Every change writes its audit row in the same transaction and bumps ``session_epoch``
where the account's sessions must end (password change, disable, role change).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import JSON, Boolean, Connection, Engine, insert, select, text, update

from dashboard.access import audit
from dashboard.access.audit import Actor
from dashboard.access.roles import Role, parse_role
from dashboard.store.access_tables import Account
from dashboard.store.engine import begin_write
from dashboard.store.schema import UtcDateTime, utcnow

MIN_PASSWORD = 12
MAX_PASSWORD = 1024
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,99}$")
_HASHER = PasswordHasher()
# Verified when the account does not exist, so both answers take as long.
_DUMMY_HASH = _HASHER.hash("odsk-no-such-account-padding")


class AccountError(ValueError):
    """A refused account change; the message says what and why (CLI and pages show it)."""


@dataclass(frozen=True)
class AccountRow:
    id: int
    username: str
    display_name: str
    role: str
    skpds: tuple[str, ...]
    origin: str
    disabled: bool
    session_epoch: int
    last_login_at: datetime | None


def _row(r) -> AccountRow:
    return AccountRow(
        r.id,
        r.username,
        r.display_name,
        r.role,
        tuple(r.skpds or ()),
        r.origin,
        bool(r.disabled),
        r.session_epoch,
        r.last_login_at,
    )


def normal_username(value: str) -> str:
    name = (value or "").strip().lower()
    if not _USERNAME.match(name):
        raise AccountError(
            "a username is 2-100 characters: lower-case letters, digits, '.', '_', '@', '-'"
        )
    return name


def check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise AccountError(f"a password has at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"a password has at most {MAX_PASSWORD} characters")


def _skpds(role: Role, skpds: list[str] | tuple[str, ...], known: set[str] | None) -> list[str]:
    skpds = sorted({s.strip() for s in skpds if s and s.strip()})
    if role == Role.SKPD_OFFICER and not skpds:
        raise AccountError("an skpd_officer is bound to at least one SKPD (--skpd)")
    if role != Role.SKPD_OFFICER and skpds:
        raise AccountError("only an skpd_officer is bound to SKPDs")
    unknown = [s for s in skpds if known is not None and s not in known]
    if unknown:
        raise AccountError(f"unknown SKPD: {', '.join(unknown)}")
    return skpds


def _insert(
    conn: Connection,
    name: str,
    role: Role,
    skpds: list[str],
    *,
    display_name: str,
    password_hash: str | None,
    origin: str,
    subject: str | None,
    actor: Actor | None,
) -> int:
    """One new account and its audit row, in the caller's transaction."""
    t = Account.__table__
    now = utcnow()
    account_id = conn.execute(
        insert(Account)
        .values(
            username=name,
            display_name=(display_name or name)[:200],
            role=role.value,
            skpds=skpds,
            password_hash=password_hash,
            origin=origin,
            oidc_subject=subject,
            disabled=False,
            session_epoch=0,
            created_at=now,
            updated_at=now,
        )
        .returning(t.c.id)
    ).scalar_one()
    after = {"role": role.value, "skpds": skpds} | ({"origin": origin} if origin != "local" else {})
    audit.record(conn, "account.add", name, after=after, actor=actor)
    return account_id


def add_account(
    engine: Engine,
    username: str,
    role: str,
    *,
    password: str | None,
    display_name: str = "",
    skpds: list[str] | tuple[str, ...] = (),
    known_skpds: set[str] | None = None,
    actor: Actor | None = None,
) -> AccountRow:
    name = normal_username(username)
    role_ = parse_role(role)
    if password is not None:
        check_password(password)
    bound = _skpds(role_, skpds, known_skpds)
    t = Account.__table__
    with begin_write(engine) as conn:
        if conn.execute(select(t.c.id).where(t.c.username == name)).first():
            raise AccountError(f"account {name!r} exists already")
        account_id = _insert(
            conn,
            name,
            role_,
            bound,
            display_name=display_name,
            password_hash=_HASHER.hash(password) if password else None,
            origin="local",
            subject=None,
            actor=actor,
        )
        return _row(conn.execute(select(t).where(t.c.id == account_id)).one())


def _change(
    engine: Engine,
    username: str,
    action: str,
    values: dict,
    *,
    before_keys: tuple[str, ...],
    actor: Actor | None,
    end_sessions: bool,
) -> AccountRow:
    name = normal_username(username)
    t = Account.__table__
    with begin_write(engine) as conn:
        row = conn.execute(select(t).where(t.c.username == name)).first()
        if row is None:
            raise AccountError(f"no account {name!r}")
        changes = {**values, "updated_at": utcnow()}
        if end_sessions:
            changes["session_epoch"] = row.session_epoch + 1
        conn.execute(update(Account).where(t.c.id == row.id).values(**changes))
        shown = {k: v for k, v in values.items() if k != "password_hash"}
        audit.record(
            conn,
            action,
            name,
            before={k: getattr(row, k) for k in before_keys},
            after=shown or None,
            actor=actor,
        )
        return _row(conn.execute(select(t).where(t.c.id == row.id)).one())


def set_role(
    engine: Engine,
    username: str,
    role: str,
    skpds: list[str] | tuple[str, ...] = (),
    *,
    known_skpds: set[str] | None = None,
    actor: Actor | None = None,
) -> AccountRow:
    role_ = parse_role(role)
    bound = _skpds(role_, skpds, known_skpds)
    return _change(
        engine,
        username,
        "account.set_role",
        {"role": role_.value, "skpds": bound},
        before_keys=("role", "skpds"),
        actor=actor,
        end_sessions=True,
    )


def set_disabled(
    engine: Engine, username: str, disabled: bool = True, *, actor: Actor | None = None
) -> AccountRow:
    return _change(
        engine,
        username,
        "account.disable" if disabled else "account.enable",
        {"disabled": disabled},
        before_keys=("disabled",),
        actor=actor,
        end_sessions=True,
    )


def reset_password(
    engine: Engine, username: str, password: str, *, actor: Actor | None = None
) -> AccountRow:
    """A new password; every session of the account ends (sign-out everywhere)."""
    check_password(password)
    return _change(
        engine,
        username,
        "account.reset_password",
        {"password_hash": _HASHER.hash(password)},
        before_keys=(),
        actor=actor,
        end_sessions=True,
    )


def verify_login(engine: Engine, username: str, password: str) -> AccountRow | None:
    """The account when the password is right and the account enabled; None otherwise.

    Unknown account, wrong password and disabled account look the same (and take as long)."""
    name: str | None
    try:
        name = normal_username(username)
    except AccountError:
        name = None
    t = Account.__table__
    row = None
    if name is not None and len(password or "") <= MAX_PASSWORD:
        with engine.connect() as conn:
            row = conn.execute(select(t).where(t.c.username == name)).first()
    stored = row.password_hash if row is not None and row.password_hash else _DUMMY_HASH
    ok: bool
    try:
        ok = _HASHER.verify(stored, (password or "")[:MAX_PASSWORD])
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or row is None or not row.password_hash or row.disabled:
        return None
    if _HASHER.check_needs_rehash(row.password_hash):
        with begin_write(engine) as conn:
            conn.execute(
                update(Account).where(t.c.id == row.id).values(password_hash=_HASHER.hash(password))
            )
    return _row(row)


# Built once: this runs on every request of a signed-in person (sessions.py).
_BY_ID = text(
    "SELECT id, username, display_name, role, skpds, origin, disabled, session_epoch,"
    " last_login_at FROM account WHERE id = :id"
).columns(skpds=JSON, disabled=Boolean, last_login_at=UtcDateTime())


def account_by_id(conn: Connection, account_id: int) -> AccountRow | None:
    row = conn.execute(_BY_ID, {"id": account_id}).first()
    return _row(row) if row is not None else None


def list_accounts(conn: Connection) -> list[AccountRow]:
    t = Account.__table__
    return [_row(r) for r in conn.execute(select(t).order_by(t.c.username))]


def mark_login(conn: Connection, account_id: int, how: str, actor: Actor) -> None:
    t = Account.__table__
    conn.execute(update(Account).where(t.c.id == account_id).values(last_login_at=utcnow()))
    audit.record(conn, "session.sign_in", actor.name, detail=how, actor=actor)


def upsert_oidc_account(
    engine: Engine,
    subject: str,
    username: str,
    display_name: str,
    role: Role,
    skpds: list[str],
    address: str | None,
) -> AccountRow:
    """The SSO account of ``subject``, created or brought in line with the issuer's groups."""
    t = Account.__table__
    now = utcnow()
    with begin_write(engine) as conn:
        row = conn.execute(select(t).where(t.c.oidc_subject == subject)).first()
        if row is None:
            base = normal_username(username) if _USERNAME.match(username.lower()) else "sso"
            name, n = base, 1
            while conn.execute(select(t.c.id).where(t.c.username == name)).first():
                n += 1
                name = f"{base}-{n}"[:100]
            account_id = _insert(
                conn,
                name,
                role,
                skpds,
                display_name=display_name,
                password_hash=None,
                origin="oidc",
                subject=subject,
                actor=Actor("account", name, role.value, address),
            )
        else:
            account_id = row.id
            if row.role != role.value or list(row.skpds or []) != skpds:
                conn.execute(
                    update(Account)
                    .where(t.c.id == row.id)
                    .values(role=role.value, skpds=skpds, updated_at=now)
                )
                audit.record(
                    conn,
                    "account.set_role",
                    row.username,
                    before={"role": row.role, "skpds": row.skpds},
                    after={"role": role.value, "skpds": skpds, "origin": "oidc"},
                    actor=Actor("account", row.username, role.value, address),
                )
        return _row(conn.execute(select(t).where(t.c.id == account_id)).one())
