"""Run folders: written atomically, sealed by a manifest, never mistaken for a result when broken."""

import json
import threading
from pathlib import Path

import pandas as pd
import pytest

from sim import runner
from sim.configure import load_config
from sim.model import SalesPurchasingModel
from sim.output import metrics, rundir
from sim.output.atomic import write_atomically
from sim.output.rundir import RunFolder, config_hash
from sim.output.runfolder import TABLES, is_complete, read_manifest
from tests.helpers import textbook


def test_write_atomically_leaves_the_old_file_when_writing_fails(tmp_path: Path) -> None:
    target = tmp_path / "summary.json"
    target.write_text("old")

    def broken(path: Path) -> None:
        path.write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_atomically(target, broken)
    assert target.read_text() == "old"
    write_atomically(target, lambda path: path.write_text("new"))
    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith(".")] == ["summary.json"]


def test_config_hash_depends_on_the_config_only() -> None:
    a = load_config(textbook(seed=1, lead_time_days=2))
    b = load_config(
        {"seed": 1, "warmup_days": 50, "horizon_days": 400, "scenario": {"lead_time_days": 2, "kind": "textbook"}}
    )
    assert config_hash(a) == config_hash(b)
    assert config_hash(a) != config_hash(load_config(textbook(seed=2, lead_time_days=2)))
    assert config_hash(a) != config_hash(load_config(textbook(seed=1, lead_time_days=3)))


def test_a_folder_is_complete_only_when_sealed_with_all_its_files(tmp_path: Path) -> None:
    config = load_config(textbook(horizon_days=10, warmup_days=0))
    folder = RunFolder(tmp_path / "run", config)
    assert read_manifest(folder.path)["status"] == "running"
    assert not is_complete(folder.path)
    folder.write_results({"days": 10.0}, {"timeseries": pd.DataFrame({"day": range(10)})})
    assert not is_complete(folder.path)  # not sealed yet
    folder.finish()
    assert is_complete(folder.path)
    manifest = read_manifest(folder.path)
    assert manifest["status"] == "complete" and manifest["wall_time_s"] >= 0
    (folder.path / "timeseries.parquet").unlink()
    assert not is_complete(folder.path)  # a listed file is missing


def test_unreadable_manifest_is_not_a_result(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text("{not json")
    assert read_manifest(tmp_path) is None
    assert not is_complete(tmp_path)
    assert read_manifest(tmp_path / "nowhere") is None


def test_a_run_that_fails_is_sealed_as_failed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(self: object, *_: object) -> None:
        raise RuntimeError("the simulation broke")

    monkeypatch.setattr(SalesPurchasingModel, "run", explode)
    config = load_config({**textbook(horizon_days=10, warmup_days=0), "output": {"charts": False}})
    with pytest.raises(RuntimeError):
        runner.run_to_folder(config, tmp_path / "run")
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert manifest["status"] == "failed"
    assert "the simulation broke" in manifest["error"]
    assert not is_complete(tmp_path / "run")
    assert not (tmp_path / "run" / "summary.json").exists()


def test_tables_written_before_a_run_fails_are_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The record's and the daily tables are written while the summary is computed; if that fails, they go."""

    def explode(*_: object, **__: object) -> None:
        raise RuntimeError("the summary broke")

    monkeypatch.setattr(metrics, "summarize", explode)
    config = load_config({**textbook(horizon_days=10, warmup_days=0), "output": {"charts": False}})
    with pytest.raises(RuntimeError):
        runner.run_to_folder(config, tmp_path / "run")
    assert json.loads((tmp_path / "run" / "manifest.json").read_text())["status"] == "failed"
    assert sorted(path.name for path in (tmp_path / "run").iterdir()) == ["manifest.json"]


def test_a_failed_write_leaves_no_table_and_no_writing_thread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tables are written in threads; when another file of the results fails, none of them outlives the failure."""
    config = load_config({**textbook(horizon_days=30, warmup_days=0), "output": {"charts": False}})
    tables = SalesPurchasingModel(config).run()

    def disk_full(*_: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(rundir, "write_text", disk_full)
    folder = RunFolder(tmp_path / "run", config)
    with pytest.raises(OSError, match="disk full"):
        folder.write_results(tables.summary, {name: getattr(tables, name) for name in TABLES})
    assert not [thread.name for thread in threading.enumerate() if thread.name.startswith("spsim-tables")]
    assert not list((tmp_path / "run").glob("*.parquet")), "the tables written are removed"
    assert not list((tmp_path / "run").glob(".*")), "no temporary left"


def test_a_run_written_table_by_table_gives_the_same_files(tmp_path: Path) -> None:
    """Tables handed over as the model finishes them are the tables it returns, written whole."""
    config = load_config({**textbook(horizon_days=30, warmup_days=0), "output": {"charts": False}})
    runner.run_to_folder(config, tmp_path / "run")
    tables = SalesPurchasingModel(config).run()
    for name in TABLES:
        pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "run" / f"{name}.parquet"), getattr(tables, name))


def test_run_to_folder_in_process_writes_what_the_manifest_lists(tmp_path: Path) -> None:
    config = load_config({**textbook(horizon_days=20, warmup_days=5), "output": {"charts": False}})
    summary = runner.run_to_folder(config, tmp_path / "run")
    assert summary["days"] == 20
    manifest = read_manifest(tmp_path / "run")
    assert manifest["status"] == "complete"
    assert manifest["config_hash"] == config_hash(config)
    assert json.loads((tmp_path / "run" / "summary.json").read_text())["days"] == 20
    assert is_complete(tmp_path / "run")
