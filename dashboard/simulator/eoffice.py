"""A paperless e-office database (naskah dinas), as the province's shared e-office
platform keeps it: the agencies (``instansi``, one per regional government, with its
Kemendagri code), letters (``surat``: incoming ``masuk`` and outgoing ``keluar``),
dispositions (``disposisi``: a superior forwarding an incoming letter, with its time)
and signatures (``tanda_tangan``: electronic ``elektronik`` (TTE) or wet ``basah``).
Times are local (WITA) without a zone, as the application writes them.

The same schema is created on SQLite (the demo) and PostgreSQL (the tests). Letters are
made so that each month's share of outgoing letters signed electronically, and the
median hours from an incoming letter to its first disposition, follow the simulator's
values for GOV.NASKAH-DIGITAL and GOV.DISPOSISI-JAM; the ``sql_query`` source computes
both from the rows, as it would on the real database.
"""

from __future__ import annotations

import hashlib
import math
import os
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from statistics import NormalDist

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    func,
    insert,
    select,
)
from sqlalchemy.engine import make_url

from dashboard.catalogue.models import Catalogue
from dashboard.catalogue.periods import WITA, add_months

DIGITAL = "GOV.NASKAH-DIGITAL"
DISPOSITION = "GOV.DISPOSISI-JAM"
OUTGOING_PER_MONTH = 40
# Odd, so the median is one letter's wait and equals the simulator's value.
INCOMING_PER_MONTH = 21
HISTORY_MONTHS = 25
_NORMAL = NormalDist()

metadata = MetaData()
instansi = Table(
    "instansi",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("nama", String(200), nullable=False),
    Column("kode_wilayah", String(8), nullable=False, unique=True),
)
surat = Table(
    "surat",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("instansi_id", ForeignKey("instansi.id"), nullable=False, index=True),
    Column("nomor", String(80), nullable=False),
    Column("arah", String(8), nullable=False),  # masuk | keluar
    Column("perihal", String(200), nullable=False),
    Column("diterima_pada", DateTime, index=True),  # masuk: when it arrived
    Column("dibuat_pada", DateTime, index=True),  # keluar: when it was drafted
)
disposisi = Table(
    "disposisi",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("surat_id", ForeignKey("surat.id"), nullable=False, index=True),
    Column("dari_jabatan", String(120), nullable=False),
    Column("kepada_jabatan", String(120), nullable=False),
    Column("didisposisi_pada", DateTime, nullable=False),
)
tanda_tangan = Table(
    "tanda_tangan",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("surat_id", ForeignKey("surat.id"), nullable=False, index=True),
    Column("penandatangan", String(120), nullable=False),
    Column("jenis", String(12), nullable=False),  # elektronik | basah
    Column("ditandatangani_pada", DateTime, nullable=False),
)

SUBJECTS = (
    "Undangan rapat koordinasi",
    "Laporan realisasi kegiatan",
    "Permohonan data",
    "Penyampaian hasil monitoring",
    "Surat edaran",
    "Nota dinas",
)

Value = Callable[[str, str, date], float | int]


def engine_for(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    return create_engine(parsed)


def kept_database(catalogue: Catalogue) -> str | None:
    """The SQLite e-office database a ``sql_query`` source reads, which the simulator keeps
    (its URL from the environment, else the catalogue's default for the variable)."""
    for source in catalogue.sources:
        if source.kind != "sql_query":
            continue
        var = catalogue.source_options[source.id].url_env
        url = os.environ.get(var) or catalogue.environment.get(var)
        if url and make_url(url).get_backend_name() == "sqlite":
            return url
    return None


class EofficeDatabase:
    """Fills and keeps current an e-office database at ``url``."""

    def __init__(self, url: str, catalogue: Catalogue, value: Value, seed: int = 0):
        self.url = url
        self.catalogue = catalogue
        self.value = value
        self.seed = seed
        self.engine = engine_for(url)

    def close(self) -> None:
        self.engine.dispose()

    def _u(self, *parts: object) -> float:
        text = "|".join(str(p) for p in (self.seed, *parts)).encode()
        return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big") / 2**64

    def create(self) -> None:
        metadata.create_all(self.engine)
        with self.engine.begin() as conn:
            if conn.execute(select(func.count()).select_from(instansi)).scalar_one():
                return
            conn.execute(
                insert(instansi),
                [
                    {
                        "id": i,
                        "nama": f"Pemerintah {r.name}"
                        if r.kind != "province"
                        else "Pemerintah Provinsi Sulawesi Utara",
                        "kode_wilayah": r.code,
                    }
                    for i, r in enumerate(self.catalogue.regions, start=1)
                ],
            )

    def months_present(self) -> set[date]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(surat.c.dibuat_pada).where(surat.c.arah == "keluar")
            ).scalars()
            return {date(d.year, d.month, 1) for d in rows if d is not None}

    def refresh(self, now: datetime) -> int:
        """Make sure every ended month of the history is there; returns letters written."""
        self.create()
        today = now.astimezone(WITA).date()
        this_month = date(today.year, today.month, 1)
        wanted = [add_months(this_month, -k) for k in range(HISTORY_MONTHS, 0, -1)]
        present = self.months_present()
        written = 0
        for month in wanted:
            if month not in present:
                written += self._fill_month(month)
        return written

    def _fill_month(self, month: date) -> int:
        with self.engine.begin() as conn:
            ids = dict(conn.execute(select(instansi.c.kode_wilayah, instansi.c.id)).all())
            next_id = (conn.execute(select(func.max(surat.c.id))).scalar() or 0) + 1
            letters, dispositions, signatures = [], [], []
            days = (add_months(month, 1) - month).days
            for region in self.catalogue.regions:
                agency = ids.get(region.code)
                if agency is None:
                    continue
                share = float(self.value(DIGITAL, region.code, month)) / 100
                hours = float(self.value(DISPOSITION, region.code, month))
                digital = round(share * OUTGOING_PER_MONTH)
                for n in range(OUTGOING_PER_MONTH):
                    at = self._moment(month, days, region.code, "out", n)
                    letters.append(
                        self._letter(next_id, agency, region.code, month, n, "keluar", at)
                    )
                    signatures.append(
                        {
                            "surat_id": next_id,
                            "penandatangan": "Sekretaris Daerah",
                            "jenis": "elektronik" if n < digital else "basah",
                            "ditandatangani_pada": at + timedelta(hours=3),
                        }
                    )
                    next_id += 1
                for n in range(INCOMING_PER_MONTH):
                    at = self._moment(month, days, region.code, "in", n)
                    # Quantiles of a log-normal spread around the month's median wait.
                    z = _NORMAL.inv_cdf((n + 0.5) / INCOMING_PER_MONTH)
                    wait = hours * math.exp(0.55 * z)
                    letters.append(
                        self._letter(next_id, agency, region.code, month, n, "masuk", at)
                    )
                    first = at + timedelta(seconds=round(wait * 3600))
                    dispositions.append(
                        {
                            "surat_id": next_id,
                            "dari_jabatan": "Sekretaris Daerah",
                            "kepada_jabatan": "Kepala Biro",
                            "didisposisi_pada": first,
                        }
                    )
                    # A second, later forwarding: only the first one counts for the wait.
                    dispositions.append(
                        {
                            "surat_id": next_id,
                            "dari_jabatan": "Kepala Biro",
                            "kepada_jabatan": "Kepala Bagian",
                            "didisposisi_pada": first + timedelta(hours=5),
                        }
                    )
                    next_id += 1
            conn.execute(insert(surat), letters)
            conn.execute(insert(disposisi), dispositions)
            conn.execute(insert(tanda_tangan), signatures)
        return len(letters)

    def _moment(self, month: date, days: int, region: str, kind: str, n: int) -> datetime:
        """A working-hours moment in the first days of the month (waits stay inside it)."""
        day = 1 + int(self._u(month, region, kind, n, "day") * max(1, days - 8))
        minute = int(self._u(month, region, kind, n, "minute") * 8 * 60)
        return datetime(month.year, month.month, day, 8) + timedelta(minutes=minute)

    def _letter(
        self, letter_id: int, agency: int, region: str, month: date, n: int, arah: str, at: datetime
    ) -> dict:
        code = "R" if arah == "keluar" else "M"
        return {
            "id": letter_id,
            "instansi_id": agency,
            "nomor": f"{n + 1:03d}/{code}/{region}/{month:%m}/{month.year}",
            "arah": arah,
            "perihal": SUBJECTS[n % len(SUBJECTS)],
            "diterima_pada": at if arah == "masuk" else None,
            "dibuat_pada": at if arah == "keluar" else None,
        }
