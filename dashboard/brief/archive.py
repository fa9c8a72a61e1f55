"""The brief archive: ``data_dir/briefs``, one set of files per ISO week.

    brief-2026-W48-id.pdf, brief-2026-W48-en.pdf, scorecard-2026-W48.xlsx, brief-2026-W48.json

The JSON manifest is written last (atomically), so a brief is listed only once all its
files are there; a second scheduler making the same week's brief replaces the files
atomically and changes nothing for a reader.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from dashboard.access.clearance import filtered_catalogue
from dashboard.brief.excel import scorecard_workbook
from dashboard.brief.narrative import build_brief
from dashboard.brief.pdf import brief_pdf
from dashboard.catalogue.models import Catalogue, Plans
from dashboard.catalogue.periods import WITA
from dashboard.scorecard.build import Scorecard, load_scorecard
from dashboard.scorecard.followups import FollowupSummary, load_summary
from dashboard.scorecard.labels import label
from dashboard.scorecard.periods import AsOf

FOLDER = "briefs"
LANGS = ("id", "en")
FILE_NAME = re.compile(
    r"^(brief-\d{4}-W\d{2}-(id|en)\.pdf|scorecard-\d{4}-W\d{2}-(id|en)\.xlsx"
    r"|brief-\d{4}-W\d{2}\.json)$"
)
MANIFEST = re.compile(r"^brief-(\d{4}-W\d{2})\.json$")


def archive_dir(data_dir: Path | str) -> Path:
    return Path(data_dir) / FOLDER


def week_of(moment: datetime) -> str:
    year, week, _ = moment.astimezone(WITA).isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class Manifest:
    week: str
    made_at: str  # ISO, UTC
    as_of: str  # YYYY-MM
    region: str
    counts: dict[str, int]
    missing_skpd: int
    files: dict[str, str] = field(
        default_factory=dict
    )  # pdf-id, pdf-en, xlsx-id, xlsx-en → file name

    @property
    def made(self) -> datetime:
        return datetime.fromisoformat(self.made_at)


def _write_atomic(path: Path, content: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; the web workers may run as another user
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_brief(
    folder: Path,
    week: str,
    card: Scorecard,
    catalogue: Catalogue,
    followups: FollowupSummary | None = None,
) -> Manifest:
    """Every language's PDF and workbook for ``card``, then the manifest."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for lang in LANGS:
        brief = build_brief(
            card,
            catalogue,
            lang,
            title=label("brief.weekly_title", lang, week=week),
            followups=followups,
        )
        pdf_name, xlsx_name = f"brief-{week}-{lang}.pdf", f"scorecard-{week}-{lang}.xlsx"
        _write_atomic(folder / pdf_name, brief_pdf(brief, card, catalogue))
        _write_atomic(folder / xlsx_name, scorecard_workbook(card, catalogue, brief))
        files[f"pdf-{lang}"], files[f"xlsx-{lang}"] = pdf_name, xlsx_name
    manifest = Manifest(
        week=week,
        made_at=card.generated_at.isoformat(),
        as_of=card.as_of.key,
        region=card.region.code,
        counts=card.counts(),
        missing_skpd=len(card.missing),
        files=files,
    )
    _write_atomic(folder / f"brief-{week}.json", json.dumps(asdict(manifest), indent=2).encode())
    return manifest


def produce_brief(
    engine: Engine,
    catalogue: Catalogue,
    plans: Plans,
    data_dir: Path | str,
    now: datetime,
    *,
    replace: bool = False,
) -> Manifest | None:
    """This week's brief of the province as of today; None when it exists (unless ``replace``).

    The archive is read by every role, so it leaves restricted indicators out (the live
    export on /brief includes those its reader may read)."""
    catalogue = filtered_catalogue(
        catalogue,
        frozenset(i.code for i in catalogue.indicators if i.classification != "restricted"),
    )
    week = week_of(now)
    folder = archive_dir(data_dir)
    if not replace and (folder / f"brief-{week}.json").exists():
        return None
    with engine.connect() as conn:
        card = load_scorecard(conn, catalogue, plans, AsOf.today(now), catalogue.province.code, now)
    return write_brief(folder, week, card, catalogue, load_summary(engine, catalogue, now))


def list_briefs(data_dir: Path | str) -> list[Manifest]:
    """Archived briefs, newest week first; unreadable manifests are skipped."""
    folder = archive_dir(data_dir)
    if not folder.is_dir():
        return []
    out = []
    for path in folder.iterdir():
        if not MANIFEST.match(path.name):
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            manifest = Manifest(**data)
        except (OSError, ValueError, TypeError):
            continue
        if all((folder / name).is_file() for name in manifest.files.values()):
            out.append(manifest)
    return sorted(out, key=lambda m: m.week, reverse=True)


def archived_file(data_dir: Path | str, name: str) -> Path | None:
    """The archive file called ``name``; None for any other name (no paths, no traversal)."""
    if not FILE_NAME.match(name or ""):
        return None
    path = archive_dir(data_dir) / name
    return path if path.is_file() else None
