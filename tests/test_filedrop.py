"""The drop folder: a conventionally named file in the inbox is picked up, archived,
ingested and moved to done/ or rejected/ with a receipt (JSON, and a note in Bahasa
Indonesia) next to it; the upload page's files get the same receipt."""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from dashboard.catalogue import load_catalogue
from dashboard.filedrop import receive, scan, store, waiting
from dashboard.runtime import Runtime
from dashboard.settings import PROJECT_ROOT, Settings
from dashboard.simulator.drops import DropOfficer
from dashboard.simulator.generator import Generator
from dashboard.store.catalogue_sync import sync_catalogue
from dashboard.store.schema import CollectionRun, Observation

CONFIG = PROJECT_ROOT / "config"
NOW = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)


def settled(rt) -> None:
    """Every file in the inbox last changed a minute ago, by the test's clock (the file
    system stamps real time; the test runs at its stated instant)."""
    earlier = time.time() - 60
    for path in (rt.settings.resolved_drop_dir / "inbox").iterdir():
        os.utime(path, (earlier, earlier))


@pytest.fixture
def rt(sqlite_url, tmp_path):
    runtime = Runtime.from_settings(
        Settings(database_url=sqlite_url, config_dir=CONFIG, data_dir=tmp_path)
    )
    sync_catalogue(runtime.engine, runtime.catalogue)
    yield runtime
    runtime.close()


@pytest.fixture
def officer(rt):
    catalogue = load_catalogue(CONFIG)
    return DropOfficer(
        catalogue,
        Generator(catalogue, seed=1).value,
        rt.settings.resolved_drop_dir,
        None,
        1,
        900,
    )


def drop_dir(rt) -> Path:
    return rt.settings.resolved_drop_dir


def runs(rt):
    with rt.engine.connect() as conn:
        return conn.execute(select(CollectionRun).order_by(CollectionRun.id)).all()


def test_a_dropped_file_is_ingested_and_moved_to_done_with_its_receipt(rt, officer):
    dropped = officer.drop("disperindag-harga", NOW)
    assert dropped.name == "disperindag-harga_februari-2026.csv"
    settled(rt)
    (receipt,) = scan(rt)
    assert (receipt.status, receipt.source, receipt.rejected) == ("ok", "disperindag-harga", 0)
    assert receipt.accepted == 2 * 12 * 16  # two commodities, twelve months, 15 regions + Sulut
    assert list((drop_dir(rt) / "inbox").iterdir()) == []
    done = drop_dir(rt) / "done"
    stored = done / Path(receipt.stored_as).name
    assert stored.read_bytes() == _same_file(officer)
    as_json = json.loads(stored.with_name(stored.name + ".receipt.json").read_text())
    assert as_json["status"] == "ok" and as_json["run_id"] == receipt.run_id
    assert as_json["payload_sha256"] == runs(rt)[0].payload_sha256
    text = stored.with_name(stored.name + ".receipt.txt").read_text()
    assert "TANDA TERIMA BERKAS" in text and "Hasil    : DITERIMA - 384 baris disimpan" in text
    (run,) = runs(rt)
    assert (run.trigger, run.file_name, run.status) == ("drop", dropped.name, "ok")
    with rt.engine.connect() as conn:
        assert conn.execute(
            select(Observation.value).where(
                Observation.indicator_code == "ECO.HARGA-BERAS",
                Observation.region_code == "71.71",
                Observation.period_start == date(2026, 2, 1),
            )
        ).scalar_one() == Generator(load_catalogue(CONFIG), seed=1).value(
            "ECO.HARGA-BERAS", "71.71", date(2026, 2, 1)
        )


def _same_file(officer) -> bytes:
    from dashboard.simulator import files

    source = officer.catalogue.source("disperindag-harga")
    return files.file_for(officer.catalogue, source, officer.value, date(2026, 3, 15), 12)[0]


def test_a_header_without_rows_comes_back_rejected_saying_so(rt, officer):
    officer.drop("disperindag-harga", NOW, bad=True)
    settled(rt)
    (receipt,) = scan(rt)
    assert (receipt.status, receipt.error_class) == ("failed", "empty")
    rejected = drop_dir(rt) / "rejected"
    text = (rejected / (Path(receipt.stored_as).name + ".receipt.txt")).read_text()
    assert "DITOLAK - berkas memiliki judul kolom (baris 1) tetapi tidak ada baris data" in text
    assert "Perbaiki berkas lalu kirim kembali" in text
    assert runs(rt)[0].status == "failed"


@pytest.mark.parametrize(
    "name, reason",
    [
        ("harga maret.csv", "nama berkas tidak mengikuti ketentuan"),
        ("dinas-tidak-ada_maret.csv", "tidak ada sumber 'dinas-tidak-ada' di katalog"),
        ("disperindag-harga_maret.xlsx", "membaca berkas .csv, .txt, bukan '.xlsx'"),
    ],
)
def test_a_file_that_cannot_be_attributed_is_refused_with_the_reason(rt, name, reason):
    inbox = drop_dir(rt) / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / name).write_bytes(b"Kabupaten/Kota;Komoditas\n")
    settled(rt)
    (receipt,) = scan(rt)
    assert receipt.status == "refused" and reason in receipt.message_id
    assert receipt.run_id is None and runs(rt) == []
    assert (drop_dir(rt) / "rejected" / Path(receipt.stored_as).name).exists()


def test_a_file_still_being_written_or_hidden_is_left_alone(rt, officer):
    path = officer.drop("disperindag-harga", NOW)
    inbox = path.parent
    (inbox / ".disperindag-harga_x.csv.part").write_text("half")
    (inbox / "~$disperindag-harga_x.csv").write_text("lock")
    now = time.time()
    os.utime(path, (now, now))
    assert waiting(drop_dir(rt), now + 1) == []  # written a second ago: not settled
    assert waiting(drop_dir(rt), now + 5) == [path]
    assert scan(rt, only_source="dinkes-sirs-bor", now=now + 5) == []
    assert len(scan(rt, only_source="disperindag-harga", now=now + 5)) == 1


def test_an_upload_gets_the_same_receipt_in_the_same_folders(rt, officer):
    from dashboard.simulator import files

    source = officer.catalogue.source("disperindag-harga")
    content = files.file_for(officer.catalogue, source, officer.value, date(2026, 3, 15), 2)[0]
    receipt = receive(
        rt, "harga-februari.csv", content, via="upload", source_id="disperindag-harga", now=NOW
    )
    store(receipt, content, drop_dir(rt))
    assert receipt.status == "ok" and receipt.stored_as.startswith("done/")
    assert (drop_dir(rt) / receipt.stored_as).read_bytes() == content
    text = (drop_dir(rt) / (receipt.stored_as + ".receipt.txt")).read_text()
    assert "Melalui  : halaman unggah" in text and "15 Maret 2026" in text
    assert runs(rt)[0].trigger == "upload"


def test_odsk_collect_reads_what_waits_in_the_inbox_for_a_delivered_source(
    rt, officer, monkeypatch
):
    from click.testing import CliRunner

    from dashboard.cli import main

    for key, value in {
        "ODSK_CONFIG_DIR": str(CONFIG),
        "ODSK_DATA_DIR": str(rt.settings.data_dir),
        "ODSK_DATABASE_URL": rt.settings.resolved_database_url,
        "ODSK_REDIS_URL": "",
    }.items():
        monkeypatch.setenv(key, value)
    nothing = CliRunner().invoke(main, ["collect", "disperindag-harga"])
    assert nothing.exit_code == 0, nothing.output
    assert "no file waiting for disperindag-harga" in nothing.output
    assert "disperindag-harga_<keterangan>.csv" in nothing.output
    officer.drop("disperindag-harga", NOW)
    settled(rt)
    done = CliRunner().invoke(main, ["collect", "disperindag-harga"])
    assert done.exit_code == 0, done.output
    assert "Hasil    : DITERIMA" in done.output and "-> done/" in done.output
