"""Files SKPDs deliver instead of running an API: a watched folder, and the upload page.

Under the drop folder (``ODSK_DROP_DIR``, default ``<data dir>/drop``)::

    inbox/       files arrive here, named <source id>_<anything>.<ext>
                 (disperindag-harga_2026-03.csv, dinkes-bor_maret.xlsx)
    processing/  a file being ingested (moved here first: that claims it)
    done/        ingested, whole or in part, next to its receipt
    rejected/    refused as a whole (name, source, size, empty, unreadable), with its receipt

A file is picked up once it has not changed for ``SETTLE_SECONDS`` (a copy still being
written is left alone), goes through its source's parser exactly as a scheduled run
(archived, validated, quarantined, stored, recorded as a ``drop`` run), and is moved
with a receipt: ``<name>.receipt.json`` (machine-readable, both languages) and
``<name>.receipt.txt`` (a short note in Bahasa Indonesia for the officer). An upload
through ``/ops/upload`` gets the same receipt, in the same folders.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from collectors.base import Payload
from dashboard import i18n
from dashboard.access.audit import Actor
from dashboard.ingest import RunSummary, collect
from dashboard.runtime import Runtime

log = logging.getLogger(__name__)

INBOX, PROCESSING, DONE, REJECTED = "inbox", "processing", "done", "rejected"
SETTLE_SECONDS = 2.0
# A file left in processing/ this long belonged to a process that died: it goes back.
STALE_SECONDS = 15 * 60
MAX_FILE_BYTES = 50 * 1024 * 1024
RECEIPT_ERRORS = 50
# Which files each kind reads.
EXTENSIONS = {
    "csv": (".csv", ".txt"),
    "excel": (".xlsx",),
    "bmkg": (".json", ".xml"),
}
DEFAULT_EXTENSIONS = (".json",)
CONTENT_TYPES = {
    ".csv": "text/csv",
    ".txt": "text/csv",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".json": "application/json",
    ".xml": "application/xml",
}
_NAME = re.compile(r"^(?P<source>[a-z0-9][a-z0-9.-]*)_(?P<rest>[^/\\]+)$")
STATUS_ID = {
    "ok": "DITERIMA",
    "partial": "DITERIMA SEBAGIAN",
    "failed": "DITOLAK",
    "refused": "DITOLAK",
}


def folders(drop_dir: Path) -> dict[str, Path]:
    out = {name: drop_dir / name for name in (INBOX, PROCESSING, DONE, REJECTED)}
    for path in out.values():
        path.mkdir(parents=True, exist_ok=True)
    return out


def expected_name(source_id: str, kind: str) -> str:
    return f"{source_id}_<keterangan>{EXTENSIONS.get(kind, DEFAULT_EXTENSIONS)[0]}"


@dataclass
class Receipt:
    file: str
    received_at: datetime
    via: str  # drop | upload
    status: str  # ok | partial | failed | refused
    source: str | None = None
    run_id: int | None = None
    accepted: int = 0
    rejected: int = 0
    changed: int = 0
    events: int = 0
    sha256: str | None = None
    error_class: str | None = None
    message_en: str | None = None
    message_id: str | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)
    stored_as: str | None = None  # done/… or rejected/…

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "received_at": self.received_at.isoformat(timespec="seconds"),
            "via": self.via,
            "status": self.status,
            "source": self.source,
            "run_id": self.run_id,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "changed": self.changed,
            "events": self.events,
            "payload_sha256": self.sha256,
            "error_class": self.error_class,
            "message_en": self.message_en,
            "message_id": self.message_id,
            "errors": self.errors,
            "stored_as": self.stored_as,
        }

    def text(self) -> str:
        """The officer's note, in Bahasa Indonesia."""
        lines = [
            "TANDA TERIMA BERKAS - Command Centre ODSK",
            f"Berkas   : {self.file}",
            f"Diterima : {i18n.wita_datetime(self.received_at, 'id')}",
            f"Melalui  : {'folder kiriman' if self.via == 'drop' else 'halaman unggah'}",
            f"Sumber   : {self.source or '-'}",
        ]
        verdict = STATUS_ID[self.status]
        if self.status in ("ok", "partial"):
            verdict += (
                f" - {self.accepted} baris disimpan ({self.changed} baru atau berubah), "
                f"{self.rejected} baris ditolak"
            )
            if self.events:
                verdict += f", {self.events} kejadian"
        elif self.message_id:
            verdict += f" - {self.message_id}"
        lines.append(f"Hasil    : {verdict}")
        if self.run_id is not None:
            lines.append(f"Proses   : #{self.run_id} (lihat /ops/sources)")
        if self.errors:
            lines.append("Baris yang ditolak:")
            for err in self.errors:
                lines.append(
                    f"  baris {err['row']}, kolom {err['column'] or '-'}: {err['reason_id']}"
                )
            if self.rejected > len(self.errors):
                lines.append(f"  … dan {self.rejected - len(self.errors)} baris lainnya")
        if self.status in ("failed", "refused"):
            lines.append("Perbaiki berkas lalu kirim kembali ke folder inbox.")
        return "\n".join(lines) + "\n"


def _refused(name: str, now: datetime, via: str, en: str, id_: str, source=None) -> Receipt:
    return Receipt(
        name, now, via, "refused", source, error_class="refused", message_en=en, message_id=id_
    )


def _source_for(
    rt: Runtime, name: str, now: datetime, via: str
) -> tuple[str | None, Receipt | None]:
    """The source a file name names, or the receipt refusing it."""
    match = _NAME.match(name)
    if match is None:
        return None, _refused(
            name,
            now,
            via,
            "the file name does not follow the convention <source id>_<description>.<ext> "
            "(e.g. disperindag-harga_2026-03.csv)",
            "nama berkas tidak mengikuti ketentuan <id sumber>_<keterangan>.<ekstensi> "
            "(mis. disperindag-harga_2026-03.csv)",
        )
    source_id = match["source"]
    sources = {s.id: s for s in rt.catalogue.sources}
    if source_id not in sources:
        return None, _refused(
            name,
            now,
            via,
            f"no source '{source_id}' in the catalogue",
            f"tidak ada sumber '{source_id}' di katalog",
        )
    source = sources[source_id]
    allowed = EXTENSIONS.get(source.kind, DEFAULT_EXTENSIONS)
    if Path(name).suffix.lower() not in allowed:
        return source_id, _refused(
            name,
            now,
            via,
            f"source '{source_id}' reads {', '.join(allowed)} files, not '{Path(name).suffix}'",
            f"sumber '{source_id}' membaca berkas {', '.join(allowed)}, bukan "
            f"'{Path(name).suffix}'",
            source_id,
        )
    return source_id, None


def receive(
    rt: Runtime,
    name: str,
    content: bytes,
    *,
    via: str,
    source_id: str | None = None,
    now: datetime | None = None,
    actor: Actor | None = None,
) -> Receipt:
    """Ingest one delivered file (its source from the name, unless the upload page chose it)."""
    now = now or datetime.now(UTC)
    name = Path(name).name
    refusal = None
    if source_id is None:
        source_id, refusal = _source_for(rt, name, now, via)
    if refusal is not None:
        return refusal
    if len(content) > MAX_FILE_BYTES:
        return _refused(
            name,
            now,
            via,
            f"the file is {len(content)} bytes, more than {MAX_FILE_BYTES}",
            f"berkas berukuran {len(content)} bita, melebihi {MAX_FILE_BYTES}",
            source_id,
        )
    content_type = CONTENT_TYPES.get(Path(name).suffix.lower(), "application/octet-stream")
    summary = collect(
        rt,
        str(source_id),
        trigger=via,
        payload=Payload(content, content_type, {"file": name}),
        file_name=name,
        actor=actor,
    )
    return _from_summary(name, now, via, summary)


def _from_summary(name: str, now: datetime, via: str, summary: RunSummary) -> Receipt:
    errors = [
        {
            "row": e["row"],
            "column": e["column"],
            "value": e["value"],
            "reason_en": e["reason"],
            "reason_id": e["reason_id"],
        }
        for e in summary.errors[:RECEIPT_ERRORS]
    ]
    return Receipt(
        name,
        now,
        via,
        summary.status,
        summary.source,
        summary.run_id,
        summary.accepted,
        summary.rejected,
        summary.changed,
        summary.events_read,
        summary.payload_sha256,
        summary.error_class,
        summary.message,
        summary.message_id,
        errors,
    )


def store(
    receipt: Receipt, content: bytes, drop_dir: Path, original: Path | None = None
) -> Receipt:
    """Put the file into done/ or rejected/ with its two receipts (the file last: when it is
    there, so are they). ``original`` (a claimed file) is moved rather than written again."""
    place = folders(drop_dir)[DONE if receipt.status in ("ok", "partial") else REJECTED]
    stamp = receipt.received_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = place / f"{stamp}_{receipt.file}"
    n = 1
    while target.exists():
        n += 1
        target = place / f"{stamp}-{n}_{receipt.file}"
    receipt.stored_as = f"{place.name}/{target.name}"
    _write(
        target.with_name(target.name + ".receipt.json"),
        json.dumps(receipt.as_dict(), ensure_ascii=False, indent=2).encode("utf-8"),
    )
    _write(target.with_name(target.name + ".receipt.txt"), receipt.text().encode("utf-8"))
    if original is not None:
        os.replace(original, target)
    else:
        _write(target, content)
    return receipt


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def waiting(drop_dir: Path, now: float | None = None) -> list[Path]:
    """Files in the inbox ready to be read: settled, not hidden, not an editor's lock file."""
    now = time.time() if now is None else now
    inbox = folders(drop_dir)[INBOX]
    ready = []
    for path in sorted(inbox.iterdir()):
        name = path.name
        if not path.is_file() or name.startswith((".", "~$")) or name.endswith((".tmp", ".part")):
            continue
        try:
            if now - path.stat().st_mtime < SETTLE_SECONDS:
                continue
        except FileNotFoundError:
            continue
        ready.append(path)
    return ready


def _requeue_stale(drop_dir: Path, now: float) -> None:
    place = folders(drop_dir)
    for path in place[PROCESSING].iterdir():
        try:
            if now - path.stat().st_mtime > STALE_SECONDS:
                os.replace(path, place[INBOX] / path.name)
                log.warning("drop: %s was left in processing/; back to the inbox", path.name)
        except FileNotFoundError:
            pass


def scan(rt: Runtime, *, only_source: str | None = None, now: float | None = None) -> list[Receipt]:
    """Ingest every settled file in the inbox (or only ``only_source``'s); one receipt each."""
    drop_dir = rt.settings.resolved_drop_dir
    moment = time.time() if now is None else now
    _requeue_stale(drop_dir, moment)
    processing = folders(drop_dir)[PROCESSING]
    receipts = []
    for path in waiting(drop_dir, moment):
        if only_source is not None and not path.name.startswith(f"{only_source}_"):
            continue
        claimed = processing / path.name
        try:
            os.replace(path, claimed)  # atomic: a second scanner finds it gone
        except FileNotFoundError:
            continue
        os.utime(claimed)  # processing/ ages from the claim, not from the delivery
        try:
            size = claimed.stat().st_size
            if size > MAX_FILE_BYTES:  # not read into memory at all
                receipt = _refused(
                    path.name,
                    datetime.now(UTC),
                    "drop",
                    f"the file is {size} bytes, more than {MAX_FILE_BYTES}",
                    f"berkas berukuran {size} bita, melebihi {MAX_FILE_BYTES}",
                )
            else:
                receipt = receive(rt, path.name, claimed.read_bytes(), via="drop")
        except Exception:  # a bug must not leave the file claimed forever
            log.exception("drop: %s could not be processed", path.name)
            os.replace(claimed, path)
            continue
        receipts.append(store(receipt, b"", drop_dir, original=claimed))
        log.info("drop: %s -> %s (%s)", path.name, receipt.stored_as, receipt.status)
    return receipts
