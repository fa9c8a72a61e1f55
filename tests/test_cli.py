"""The odsk command line: exit codes and machine-readable output."""

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from dashboard.cli import main

SMALL = Path(__file__).parent / "catalogue_small"


@pytest.fixture
def env(tmp_path, sqlite_url, monkeypatch):
    monkeypatch.setenv("ODSK_CONFIG_DIR", str(SMALL))
    monkeypatch.setenv("ODSK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ODSK_DATABASE_URL", sqlite_url)
    monkeypatch.delenv("ODSK_REDIS_URL", raising=False)
    return tmp_path


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_check_config_passes_a_good_catalogue(env):
    result = run("check-config", "--json")
    assert result.exit_code == 0
    assert json.loads(result.output) == {
        "ok": True,
        "domains": 2,
        "regions": 4,
        "skpd": 2,
        "indicators": 3,
        "sources": 2,
    }


def test_check_config_lists_every_problem_with_file_and_path(env, tmp_path):
    bad = tmp_path / "bad"
    shutil.copytree(SMALL, bad)
    text = (bad / "indicators.yaml").read_text()
    (bad / "indicators.yaml").write_text(
        text.replace("direction: down", "direction: sideways", 1).replace(
            "skpd: disnakertrans", "skpd: nobody"
        )
    )
    result = run("check-config", "--config-dir", str(bad))
    assert result.exit_code == 1
    assert (
        "indicators.yaml: indicators[0].direction: must be one of up, down, band" in result.output
    )
    result = CliRunner().invoke(main, ["check-config", "--config-dir", str(bad), "--json"])
    assert json.loads(result.output)["ok"] is False


def test_ingest_prints_the_run_summary_and_exits_by_status(env, tmp_path):
    good = tmp_path / "good.json"
    good.write_text(
        json.dumps(
            {
                "data": [
                    {
                        "indikator": "LIV.STUNTING",
                        "wilayah": "Manado",
                        "periode": "2026-10",
                        "nilai": "21,5",
                    },
                    {
                        "indikator": "LIV.STUNTING",
                        "wilayah": "Narnia",
                        "periode": "2026-10",
                        "nilai": "20,0",
                    },
                ]
            }
        )
    )
    result = run("ingest", str(good), "--source", "dinkes-feed", "--json")
    assert result.exit_code == 0  # partial still exits 0
    summary = json.loads(result.output)
    assert (summary["status"], summary["accepted"], summary["rejected"]) == ("partial", 1, 1)
    assert summary["errors"] == [
        {
            "row": 2,
            "column": "wilayah",
            "value": "Narnia",
            "reason": "region 'Narnia' is unknown",
            "reason_id": "wilayah 'Narnia' tidak dikenal",
            "reasons": summary["errors"][0]["reasons"],
        }
    ]
    assert set(summary) >= {"run_id", "status", "accepted", "rejected", "errors"}

    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    result = run("ingest", str(broken), "--source", "dinkes-feed", "--json")
    assert result.exit_code == 1
    assert json.loads(result.output)["error_class"] == "format"


def test_ingest_usage_errors_exit_2(env, tmp_path):
    file = tmp_path / "x.json"
    file.write_text("{}")
    assert CliRunner().invoke(main, ["ingest", str(file), "--source", "nope"]).exit_code == 2
    assert (
        CliRunner()
        .invoke(main, ["ingest", str(tmp_path / "missing.json"), "--source", "dinkes-feed"])
        .exit_code
        == 2
    )
    assert CliRunner().invoke(main, ["ingest", str(file)]).exit_code == 2


def test_replay_of_a_run_reparses_its_payload(env, tmp_path):
    file = tmp_path / "f.json"
    file.write_text(
        json.dumps(
            {
                "data": [
                    {
                        "indikator": "LIV.STUNTING",
                        "wilayah": "Manado",
                        "periode": "2026-10",
                        "nilai": "21,5",
                    }
                ]
            }
        )
    )
    first = json.loads(run("ingest", str(file), "--source", "dinkes-feed", "--json").output)
    again = run("replay", str(first["run_id"]), "--json")
    assert again.exit_code == 0
    assert json.loads(again.output)["payload_sha256"] == first["payload_sha256"]
    assert CliRunner().invoke(main, ["replay", "999"]).exit_code == 2


def test_db_upgrade_migrates_the_configured_store(env):
    result = run("db", "upgrade")
    assert result.exit_code == 0 and "store at head" in result.output


def test_brief_makes_this_weeks_pdfs_and_workbooks_once(env, tmp_path):
    file = tmp_path / "f.json"
    file.write_text(
        json.dumps(
            {
                "data": [
                    {
                        "indikator": "LIV.STUNTING",
                        "wilayah": "Sulawesi Utara",
                        "periode": "2026-10",
                        "nilai": "21,5",
                    }
                ]
            }
        )
    )
    assert run("ingest", str(file), "--source", "dinkes-feed").exit_code == 0

    made = run("brief", "--json")
    assert made.exit_code == 0
    first = json.loads(made.output)
    assert first["made"] is True
    assert set(first["files"]) == {"pdf-id", "pdf-en", "xlsx-id", "xlsx-en"}
    folder = Path(first["folder"])
    assert all((folder / name).stat().st_size > 1000 for name in first["files"].values())
    assert (folder / f"brief-{first['week']}.json").is_file()  # the manifest /brief lists it by

    again = json.loads(run("brief", "--json").output)
    assert again["made"] is False and again["week"] == first["week"]
    assert json.loads(run("brief", "--replace", "--json").output)["made"] is True
