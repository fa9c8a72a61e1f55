"""Raw payload archive: every payload is kept, content-addressed by sha256, before parsing."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite

from dashboard.store.blobs import write_once
from dashboard.store.schema import RawPayload


def payload_path(payload_dir: Path, sha256: str) -> Path:
    return payload_dir / sha256[:2] / f"{sha256}.bin"


def archive_payload(conn: Connection, payload_dir: Path, content: bytes, content_type: str) -> str:
    """Write the bytes once (atomically) and record them; returns the sha256."""
    sha = hashlib.sha256(content).hexdigest()
    path = payload_path(payload_dir, sha)
    write_once(path, content)
    # Two sources (or schedulers) may archive the same bytes at once: first one wins.
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(
        dialect.insert(RawPayload)
        .values(
            sha256=sha,
            path=str(path.relative_to(payload_dir)),
            size_bytes=len(content),
            content_type=content_type[:200],
        )
        .on_conflict_do_nothing(index_elements=["sha256"])
    )
    return sha


def read_payload(payload_dir: Path, sha256: str) -> bytes:
    content = payload_path(payload_dir, sha256).read_bytes()
    if hashlib.sha256(content).hexdigest() != sha256:
        raise ValueError(f"archived payload {sha256} is corrupt (hash mismatch)")
    return content


def archive_health(payload_dir: Path, min_free_bytes: int) -> dict[str, Any]:
    """Can a payload be archived now? The folder takes a file (a read-only mount or a
    permission says no at once) and its disk keeps ``min_free_bytes`` free."""
    try:
        payload_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=payload_dir, prefix=".health-"):
            pass
        free = shutil.disk_usage(payload_dir).free
    except OSError as exc:
        return {"ok": False, "error": f"not writable: {exc.strerror or type(exc).__name__}"}
    report: dict[str, Any] = {
        "ok": free >= min_free_bytes,
        "free_mb": round(free / 2**20),
        "min_free_mb": round(min_free_bytes / 2**20),
    }
    if not report["ok"]:
        report["error"] = "free space below the threshold"
    return report
