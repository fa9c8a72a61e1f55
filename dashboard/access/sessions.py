"""Sessions of people: Flask's signed cookie, checked against the account on every request.

The cookie carries the account id, the account's ``session_epoch`` when it signed in and
the time of its last activity. The epoch makes a password change (or disable, or role
change) sign the account out everywhere; the activity time makes an idle session end.
A tampered or expired cookie is simply no session: the request is anonymous.
"""

from __future__ import annotations

import logging
import os
import secrets
import time
from pathlib import Path

import flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import TimestampSigner
from itsdangerous.encoding import base64_encode, int_to_bytes, want_bytes
from sqlalchemy import Engine

from dashboard.access.accounts import AccountRow, account_by_id
from dashboard.access.cache import lookups
from dashboard.access.principal import ANONYMOUS, Principal
from dashboard.web_weight import is_fingerprinted

log = logging.getLogger(__name__)

SEEN_EVERY_SECONDS = 30  # the cookie is rewritten at most this often
COOKIE_NAME = "odsk_session"
# How far apart the clocks of two web nodes may be (NTP keeps them within milliseconds).
CLOCK_SKEW_SECONDS = 5


class _SkewTolerantSigner(TimestampSigner):
    """Dates what it signs ``CLOCK_SKEW_SECONDS`` back. itsdangerous refuses a signature from
    the future, and a cookie just signed by one web node is from the future for a node whose
    clock is a little behind: the browser's next request would be signed out."""

    def sign(self, value: str | bytes) -> bytes:
        value = want_bytes(value)
        timestamp = base64_encode(int_to_bytes(self.get_timestamp() - CLOCK_SKEW_SECONDS))
        value = value + want_bytes(self.sep) + timestamp
        return value + want_bytes(self.sep) + self.get_signature(value)


class NodeSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, readable by every web node behind the proxy."""

    def get_signing_serializer(self, app: flask.Flask):
        serializer = super().get_signing_serializer(app)
        if serializer is not None:
            serializer.signer = _SkewTolerantSigner
        return serializer

    def save_session(self, app: flask.Flask, session, response) -> None:
        super().save_session(app, session, response)
        # The access check reads the session on every request, so Flask adds "Vary: Cookie";
        # a fingerprinted bundle is the same for everyone, and with that header a browser
        # whose session cookie was renewed would download every bundle again.
        if is_fingerprinted(flask.request.path, flask.request.args):
            kept = [v for v in response.vary if v.lower() != "cookie"]  # (HeaderSet.discard
            if kept:  # leaves a header it did not parse itself in place)
                response.headers["Vary"] = ", ".join(kept)
            else:
                response.headers.pop("Vary", None)


def load_secret_key(data_dir: Path, configured: str | None) -> str:
    """ODSK_SECRET_KEY, or one kept in the data dir (created once, readable by us only),
    so every gunicorn worker and every restart signs with the same key."""
    if configured:
        return configured
    path = data_dir / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker won the race
        return path.read_text().strip()
    except OSError as exc:  # a read-only data dir: this process's own key, sessions per worker
        log.warning("no session key can be kept in %s (%s): set ODSK_SECRET_KEY", data_dir, exc)
        return secrets.token_urlsafe(48)
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def account_principal(row: AccountRow, address: str | None) -> Principal:
    return Principal(
        "account",
        row.id,
        row.username,
        row.role,
        row.display_name or row.username,
        frozenset(row.skpds),
        "restricted",
        address,
    )


def sign_in(row: AccountRow) -> None:
    """A fresh session (a new cookie: a session fixed before sign-in is not reused)."""
    flask.session.clear()
    flask.session.permanent = True
    flask.session["uid"] = row.id
    flask.session["ep"] = row.session_epoch
    flask.session["seen"] = int(time.time())


def sign_out() -> None:
    flask.session.clear()


def session_principal(
    engine: Engine, idle_seconds: float, now: float | None = None
) -> tuple[Principal, bool]:
    """(principal, ended): ``ended`` is True when a session existed but is no longer valid."""
    session = flask.session
    uid = session.get("uid")
    if uid is None:
        return ANONYMOUS, False
    now = time.time() if now is None else now
    seen = session.get("seen")
    if not isinstance(uid, int) or not isinstance(seen, int) or now - seen > idle_seconds:
        sign_out()
        return ANONYMOUS, True

    def load() -> AccountRow | None:
        with engine.connect() as conn:
            return account_by_id(conn, uid)

    row = lookups().get(("account", uid), load)
    if row is None or row.disabled or row.session_epoch != session.get("ep"):
        sign_out()
        return ANONYMOUS, True
    if now - seen >= SEEN_EVERY_SECONDS:
        session["seen"] = int(now)
    return account_principal(row, flask.request.remote_addr), False
