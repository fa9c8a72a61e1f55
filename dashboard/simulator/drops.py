"""The SKPD officer who cannot run an API: drops the agency's file into the drop folder.

For every ``excel`` or ``csv`` source with neither a ``path`` nor a ``url`` (its files
are delivered), a file named by the convention ``<source id>_<period>.<ext>`` is written
into ``<drop dir>/inbox/``: the last twelve periods on the first drop, the latest ones
after that, again whenever a new period has ended or ``drop_every_seconds`` have passed.
Written under a hidden name and renamed, so the watcher never reads half a file. With
faults on, now and then a file has its header and nothing below it (it must come back
rejected, with a receipt that says so).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from dashboard.catalogue.models import Catalogue, Source
from dashboard.catalogue.periods import local_today
from dashboard.simulator import files
from dashboard.simulator.faults import FaultPlan
from dashboard.simulator.periods import latest_complete

BAD_FILE_RATE = 0.1
Value = Callable[[str, str, date], float | int]


def delivered_sources(catalogue: Catalogue) -> dict[str, Source]:
    out = {}
    for source in catalogue.sources:
        options = catalogue.source_options[source.id]
        if source.kind in files.FILE_KINDS and not options.path and not options.url:
            out[source.id] = source
    return out


class DropOfficer:
    def __init__(
        self,
        catalogue: Catalogue,
        value: Value,
        drop_dir: Path | None,
        plan: FaultPlan | None,
        seed: int,
        every_seconds: float,
    ):
        self.catalogue = catalogue
        self.value = value
        self.drop_dir = drop_dir
        self.plan = plan
        self.seed = seed
        self.every_seconds = every_seconds
        self.sources = delivered_sources(catalogue)
        self._last: dict[str, tuple[datetime, date]] = {}
        self._count = 0

    def due(self, now: datetime) -> list[Path]:
        if self.drop_dir is None:
            return []
        written = []
        for source_id, source in self.sources.items():
            grain = self.catalogue.indicator(source.indicators[0]).grain
            latest = latest_complete(local_today(now), grain)
            last = self._last.get(source_id)
            if (
                last is None
                or last[1] != latest
                or (now - last[0]).total_seconds() >= self.every_seconds
            ):
                written.append(self.drop(source_id, now))
        return written

    def drop(self, source_id: str, now: datetime, bad: bool = False) -> Path:
        if self.drop_dir is None:
            raise RuntimeError("the simulator has no drop folder (--drop-dir)")
        source = self.sources[source_id]
        today = local_today(now)
        grain = self.catalogue.indicator(source.indicators[0]).grain
        latest = latest_complete(today, grain)
        first = source_id not in self._last
        self._count += 1
        content, _, ext = files.file_for(
            self.catalogue, source, self.value, today, 12 if first else 2
        )
        if bad or self._spoiled(source_id):
            content = _header_only(content, ext)
        inbox = self.drop_dir / "inbox"
        inbox.mkdir(parents=True, exist_ok=True)
        name = f"{source_id}_{files.period_text(latest, grain).lower().replace(' ', '-')}.{ext}"
        target = inbox / name
        if target.exists():  # the previous one is not picked up yet: keep both
            target = (
                inbox
                / f"{source_id}_{files.period_text(latest, grain).lower().replace(' ', '-')}-{self._count}.{ext}"
            )
        tmp = inbox / f".{target.name}.part"
        tmp.write_bytes(content)
        os.replace(tmp, target)
        self._last[source_id] = (now, latest)
        return target

    def _spoiled(self, source_id: str) -> bool:
        if self.plan is None or self._count <= 2:
            return False
        text = f"{self.seed}|{source_id}|{self._count}|bad-file".encode()
        u = int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big") / 2**64
        return u < BAD_FILE_RATE


def _header_only(content: bytes, ext: str) -> bytes:
    """The same file with its header and nothing under it (a template sent back empty)."""
    if ext == "csv":
        return content.split(b"\n", 1)[0] + b"\n"
    import io

    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book.worksheets[0]
    header_row = next(
        i for i, row in enumerate(sheet.iter_rows(values_only=True), start=1) if row[0] == "(1)"
    )
    sheet.delete_rows(header_row, sheet.max_row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
