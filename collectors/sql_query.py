"""A query against an SKPD application's own database (e-Office letters, for one).

The SQLAlchemy URL comes from the environment variable ``url_env`` names: no password
in YAML. The query runs in a read-only transaction where the dialect has one
(PostgreSQL ``SET TRANSACTION READ ONLY``, MySQL ``START TRANSACTION READ ONLY``,
SQLite ``PRAGMA query_only``), under a statement timeout, and is always rolled back.
It may use ``:bookmark`` — the largest ``bookmark_column`` value of the last stored
run, or ``initial_bookmark`` — for incremental pulls, and ``:today`` / ``:month_start``
(the date and the first of the month in WITA, ISO text) to leave out the month in progress.

``fetch`` serialises the rows to JSON ``{"columns": [...], "rows": [[...]]}``; ``parse``
maps them like any table and returns the new bookmark, which the ingest commits with
the data only.
"""

from __future__ import annotations

import json
import sqlite3
import time
from datetime import UTC, date, datetime
from datetime import time as dtime
from decimal import Decimal
from typing import Any

from pydantic import Field, field_validator
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    NoSuchModuleError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.pool import NullPool

from collectors import limits
from collectors.base import (
    CollectorError,
    ParseError,
    ParseResult,
    Payload,
    PermanentFetchError,
    SourceContext,
    TransientFetchError,
)
from collectors.records import RecordMapper, TableMapping, paused_gc
from dashboard.catalogue.periods import WITA

SUPPORTED = ("postgresql", "sqlite", "mysql", "mariadb")


class SqlQueryOptions(TableMapping):
    url_env: str = Field(pattern=r"^[A-Z_][A-Z0-9_]*$")
    query: str = Field(min_length=1)
    # The result column whose largest value becomes the next run's :bookmark.
    bookmark_column: str | None = None
    initial_bookmark: str | None = None
    statement_timeout_seconds: float = Field(default=30, gt=0, le=3600)

    @field_validator("query")
    @classmethod
    def _one_statement(cls, v: str) -> str:
        if ";" in v.strip().rstrip(";"):
            raise ValueError("one statement only (no ';' inside the query)")
        return v.strip().rstrip(";")


class SqlQueryKind:
    name = "sql_query"
    options_model = SqlQueryOptions

    def fetch(self, ctx: SourceContext) -> Payload:
        opts: SqlQueryOptions = ctx.options
        url = _url_from_env(opts.url_env, ctx)
        bookmark = ctx.bookmark if ctx.bookmark is not None else opts.initial_bookmark
        try:
            engine = create_engine(
                _with_driver(url), poolclass=NullPool, connect_args=_connect_args(url, ctx)
            )
        except (ArgumentError, NoSuchModuleError) as exc:
            raise PermanentFetchError(
                f"{opts.url_env} is not a usable database URL: {type(exc).__name__}",
                f"{opts.url_env} bukan URL basis data yang dapat dipakai: {type(exc).__name__}",
                error_class="config",
            ) from None
        try:
            with engine.connect() as conn:
                columns, rows = _run(conn, opts, bookmark)
        except CollectorError:
            raise
        except SQLAlchemyError as exc:
            raise _classify(exc, opts) from None
        finally:
            engine.dispose()
        body = json.dumps(
            {"columns": columns, "rows": rows, "bookmark_in": bookmark},
            default=_json_value,
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()
        return Payload(
            body,
            "application/json",
            {"dialect": engine.dialect.name, "rows": len(rows), "bookmark_in": bookmark},
        )

    def parse(self, payload: Payload, ctx: SourceContext) -> ParseResult:
        opts: SqlQueryOptions = ctx.options
        with paused_gc():  # many rows are many small lists (see records.paused_gc)
            return _parse(payload, opts, ctx)


def _parse(payload: Payload, opts: SqlQueryOptions, ctx: SourceContext) -> ParseResult:
    doc = limits.load_json(payload.content, opts.limits)
    if not (
        isinstance(doc, dict)
        and isinstance(doc.get("columns"), list)
        and isinstance(doc.get("rows"), list)
    ):
        raise ParseError(
            "payload is not {columns, rows}", "muatan bukan {columns, rows}", error_class="schema"
        )
    columns = [str(c) for c in doc["columns"]]
    limits.check_rows(len(doc["rows"]), opts.limits)
    rows = []
    for number, row in enumerate(doc["rows"], start=1):
        if not isinstance(row, list) or len(row) != len(columns):
            raise ParseError(
                f"row {number} does not have {len(columns)} values",
                f"baris {number} tidak berisi {len(columns)} nilai",
                error_class="schema",
            )
        rows.append((number, row))
    result = RecordMapper(opts, ctx, columns).map(rows).result(ctx.bookmark)
    result.bookmark = _next_bookmark(rows, opts, columns, ctx)
    return result


def _url_from_env(var: str, ctx: SourceContext) -> str:
    url = ctx.env(var)
    if not url:
        raise PermanentFetchError(
            f"environment variable {var} (database URL) is not set",
            f"variabel lingkungan {var} (URL basis data) belum diisi",
            error_class="config",
        )
    return url


def _with_driver(url: str) -> URL:
    # Plain postgresql:// means psycopg2 to SQLAlchemy; this project ships psycopg 3.
    # (Not dashboard.store.make_engine: its SQLite pragmas would switch the SKPD's file to WAL.)
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        return parsed.set(drivername="postgresql+psycopg")
    if (
        parsed.get_backend_name() == "sqlite"
        and parsed.database
        and not parsed.database.startswith("file:")
        and parsed.database != ":memory:"
    ):
        # Opened read-only at the file level too: a wrong path must not create an empty database.
        return parsed.set(
            database=f"file:{parsed.database}", query={**parsed.query, "mode": "ro", "uri": "true"}
        )
    return parsed


def _connect_args(url: str, ctx: SourceContext) -> dict[str, Any]:
    backend = make_url(url).get_backend_name()
    wait = max(1, int(min(ctx.source.timeout_seconds, 30)))
    if backend == "postgresql":
        return {"connect_timeout": wait}
    if backend == "sqlite":
        return {"timeout": wait}
    if backend in ("mysql", "mariadb"):
        return {"connect_timeout": wait}
    return {}


def _run(
    conn: Connection, opts: SqlQueryOptions, bookmark: str | None
) -> tuple[list[str], list[list[Any]]]:
    dialect = conn.dialect.name
    if dialect not in SUPPORTED:
        raise PermanentFetchError(
            f"dialect '{dialect}' cannot be made read-only here; supported: {', '.join(SUPPORTED)}",
            f"dialek '{dialect}' tidak dapat dibuat hanya-baca; yang didukung: {', '.join(SUPPORTED)}",
            error_class="config",
        )
    timeout_ms = int(opts.statement_timeout_seconds * 1000)
    if dialect == "sqlite":
        _sqlite_guard(conn, opts.statement_timeout_seconds)
    trans = conn.begin()
    try:
        if dialect == "postgresql":
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
            conn.exec_driver_sql(f"SET LOCAL statement_timeout = {timeout_ms}")
        elif dialect in ("mysql", "mariadb"):
            conn.exec_driver_sql("SET SESSION TRANSACTION READ ONLY")
            conn.exec_driver_sql(f"SET SESSION max_execution_time = {timeout_ms}")
        result = conn.execute(text(opts.query), _bind(opts.query, bookmark))
        columns = list(result.keys())
        rows = []
        for row in result:
            rows.append(list(row))
            limits.check_rows(len(rows), opts.limits)
        return columns, rows
    except ParseError as exc:  # too many rows: a fetch failure here
        raise PermanentFetchError(
            exc.message_en, exc.message_id, error_class=exc.error_class
        ) from None
    finally:
        trans.rollback()  # read-only by intent: nothing is ever committed


def _bind(query: str, bookmark: str | None) -> dict[str, Any]:
    """The parameters the query names, of the ones this kind offers."""
    today = datetime.now(WITA).date()
    offered = {
        "bookmark": bookmark,
        "today": today.isoformat(),
        "month_start": today.replace(day=1).isoformat(),
    }
    return {name: value for name, value in offered.items() if f":{name}" in query}


def _sqlite_guard(conn: Connection, seconds: float) -> None:
    """SQLite has no read-only transaction or statement timeout: query_only and a progress handler."""
    raw = conn.connection.dbapi_connection
    if not isinstance(raw, sqlite3.Connection):  # pysqlite hands over sqlite3's own connection
        raise TypeError(f"expected a sqlite3 connection, got {type(raw).__name__}")
    raw.execute("PRAGMA query_only = ON")
    deadline = time.monotonic() + seconds
    # Returning non-zero makes SQLite abort the statement ("interrupted").
    raw.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)


def _classify(exc: SQLAlchemyError, opts: SqlQueryOptions) -> CollectorError:
    detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:300]
    lowered = detail.lower()
    if (
        "statement timeout" in lowered
        or "interrupted" in lowered
        or "max_execution_time" in lowered
        or "canceling statement" in lowered
    ):
        return PermanentFetchError(
            f"query exceeded {opts.statement_timeout_seconds:g} s: {detail}",
            f"kueri melebihi {opts.statement_timeout_seconds:g} dtk: {detail}",
            error_class="timeout",
        )
    if "read-only" in lowered or "readonly" in lowered or "read only" in lowered:
        return PermanentFetchError(
            f"the query tried to write: {detail}",
            f"kueri mencoba menulis: {detail}",
            error_class="query",
        )
    if (
        isinstance(exc, OperationalError)
        and getattr(exc, "connection_invalidated", False) is False
        and _looks_like_connection(lowered)
    ):
        return TransientFetchError(
            f"cannot reach the database: {detail}",
            f"tidak dapat terhubung ke basis data: {detail}",
            error_class="connection",
        )
    if "password authentication failed" in lowered or "access denied" in lowered:
        return PermanentFetchError(
            f"database refused the login: {detail}",
            f"basis data menolak login: {detail}",
            error_class="auth",
        )
    if isinstance(exc, DBAPIError):
        return PermanentFetchError(
            f"query failed: {detail}", f"kueri gagal: {detail}", error_class="query"
        )
    return PermanentFetchError(
        f"database error: {detail}", f"galat basis data: {detail}", error_class="query"
    )


def _looks_like_connection(message: str) -> bool:
    return any(
        s in message
        for s in (
            "could not connect",
            "connection refused",
            "connection timed out",
            "timeout expired",
            "unable to open database",
            "can't connect",
            "server closed the connection",
            "could not translate host",
        )
    )


def _json_value(value: Any) -> Any:
    """What JSON cannot hold as is: times as ISO text (UTC when aware), decimals as numbers."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, (date, dtime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value) if value.is_finite() else str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    return str(value)


def _next_bookmark(
    rows: list[tuple[int, list[Any]]], opts: SqlQueryOptions, columns: list[str], ctx: SourceContext
) -> str | None:
    """Largest bookmark_column value seen; unchanged when the query returned nothing."""
    if not opts.bookmark_column:
        return ctx.bookmark
    if opts.bookmark_column not in columns:
        raise ParseError(
            f"bookmark column '{opts.bookmark_column}' is not in the result",
            f"kolom bookmark '{opts.bookmark_column}' tidak ada di hasil kueri",
            error_class="schema",
        )
    at = columns.index(opts.bookmark_column)
    values = [cells[at] for _, cells in rows if cells[at] is not None]
    if not values:
        return ctx.bookmark
    numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
    # ISO timestamps of one column share a format, so their text order is their time order.
    best = max(values) if numeric else max(str(v) for v in values)
    return str(best)


KIND = SqlQueryKind()
