"""Calibration to a client (spsim-calibrate): bad configs stop, a study writes a runnable scenario and resumes."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from sim import cli, load_config
from sim.analysis import settings
from sim.analysis.calibration_spec import CalibrationSpec

EXAMPLE = Path(__file__).resolve().parents[2] / "configs" / "calibration" / "example_client.yaml"
DEBUG_DAYS = 14 + 56  # configs/debug/default.yaml: warm-up and measured days


def example() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text())
    return loaded


def tiny(tmp_path: Path, **changes: Any) -> Path:
    """The shipped example, cut to a few debug-size trials of two seeds in one process."""
    config = example()
    orders = pd.read_csv(EXAMPLE.parent / config["base"]["scenario"]["demand_file"], keep_default_na=False)
    short = tmp_path / "orders_70_days.csv"  # a debug run lasts 70 days: a longer history is refused
    orders[orders["day"] < DEBUG_DAYS].to_csv(short, index=False)
    config["base"]["scenario"]["demand_file"] = str(short)
    config |= {
        "seeds": [1, 2],
        "validation_seeds": [11, 12],
        "trials": 3,
        "spread_trials": 2,
        "sampler": {"seed": 0, "n_startup_trials": 2},
        "n_jobs": 1,
        **changes,
    }
    path = tmp_path / f"calibration-{len(list(tmp_path.glob('calibration-*.yaml')))}.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def spsim() -> str:
    found = shutil.which("spsim", path=os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]))
    assert found
    return found


def refused(capsys: pytest.CaptureFixture[str], arguments: list[str]) -> str:
    with pytest.raises(SystemExit) as stop:
        cli.calibrate(arguments)
    assert stop.value.code == 2
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1, error
    assert error.startswith("spsim-calibrate: error: ")
    return error


def test_the_example_config_is_valid_and_says_it_is_synthetic() -> None:
    spec = CalibrationSpec.from_mapping(example(), folder=EXAMPLE.parent)
    assert [p.key for p in spec.parameters] == ["org.safety_z", "org.forecast_optimism", "scenario.gross_margin"]
    assert 4 <= len(spec.targets) <= 6
    assert "SYNTHETIC" in EXAMPLE.read_text() and "experiments/client_orders.py" in EXAMPLE.read_text()
    orders = pd.read_csv(EXAMPLE.parent / "example_client_orders.csv", keep_default_na=False)
    assert "experiments/client_orders.py" in orders["note"].iloc[0]
    assert orders["day"].max() >= 90 + 365 - 7  # the history covers the warm-up and the measured year


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"targets": {"forecast_bias": {"target": 0.1, "tolerance": 0.01}}}, "sales_forecast_bias"),
        (
            {"targets": {"fill_rate": {"target": 0.95, "tolerance": 0}}},
            "targets.fill_rate.tolerance = 0: must be above 0",
        ),
        ({"targets": {"fill_rate": {"target": 0.95, "tolerance": -0.1}}}, "targets.fill_rate.tolerance"),
        ({"targets": {"fill_rate": {"target": 0.95}}}, "targets.fill_rate.tolerance: missing"),
        ({"parameters": {"scenario.demand_cvv": [0.5, 1.5]}}, "did you mean scenario.demand_cv"),
        (
            {"parameters": {"policy.rotation.share_rotated": [0.1, 0.3]}},
            "only scenario.<key> and org.<key> can be fitted",
        ),
        ({"parameters": {"org.safety_z": [2.0, 1.0]}}, "the low bound must be below the high bound"),
        ({"parameters": {"org.safety_z": [1.0, 1.0]}}, "the low bound must be below the high bound"),
        ({"parameters": {"org.safety_z": [0.0, 9.0]}}, "org.safety_z"),
        ({"parameters": {"scenario.walk_away_share": [0.2, 1.5]}}, "walk_away_share"),
        ({"name": "default"}, "a shipped scenario has that name"),
        ({"seeds": [1, 2], "validation_seeds": [2, 3]}, "also calibration seeds"),
        ({"trails": 5}, "trails: unknown key"),
    ],
)
def test_a_bad_config_is_one_line_exit_2_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: dict[str, Any], expected: str
) -> None:
    config, out = tiny(tmp_path, **change), tmp_path / "out"
    error = refused(capsys, ["--config", str(config), "--out", str(out), "--debug"])
    assert expected in error
    assert not out.exists()


def test_a_missing_config_or_demand_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert "no such file" in refused(capsys, ["--config", str(tmp_path / "nope.yaml"), "--out", str(out)])
    config = example()
    config["base"]["scenario"]["demand_file"] = "no_such_orders.csv"
    path = tmp_path / "missing.yaml"
    path.write_text(yaml.safe_dump(config))
    error = refused(capsys, ["--config", str(path), "--out", str(out)])
    assert "base.scenario.demand_file" in error and "no_such_orders.csv" in error and "no such file" in error
    assert not out.exists()


@pytest.mark.slow
def test_a_calibration_writes_a_scenario_spsim_runs_and_resumes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config, out = tiny(tmp_path), tmp_path / "out"
    cli.calibrate(["--config", str(config), "--out", str(out), "--debug"])
    printed = capsys.readouterr().out
    assert "trial   2: loss" in printed and f"spsim --config-dir {out} scenario=example_client" in printed
    for name in ("report.md", "report.html", "trials.csv", "trials.parquet", "validation.csv", "study.db"):
        assert (out / name).stat().st_size > 0, name
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["complete_trials"] == 3
    first = pd.read_csv(out / "trials.csv")
    assert list(first["trial"]) == [0, 1, 2]

    # The report holds every target with its interval, and every fitted parameter with its spread.
    report = (out / "report.md").read_text()
    for kpi in ("inventory_turns", "fill_rate", "on_time_in_full", "sales_forecast_bias", "gross_margin_rate"):
        assert f"`{kpi}`" in report
    assert "95% interval" in report and "`org.safety_z`" in report and "Validation seeds: 11, 12" in report

    # The scenario file, given to spsim, composes the validated config and reruns a validation seed exactly.
    spec = CalibrationSpec.from_mapping(yaml.safe_load(config.read_text()), debug=True)
    scenario = yaml.safe_load((out / "scenario" / "example_client.yaml").read_text())
    fitted = {key: scenario[key.split(".")[0]][key.split(".")[1]] for key in ("org.safety_z", "scenario.gross_margin")}
    assert fitted["org.safety_z"] == pytest.approx(first.sort_values("loss").iloc[0]["org.safety_z"], rel=1e-3)
    monkeypatch.setenv("SPSIM_RESULTS", str(tmp_path / "results"))
    command = [spsim(), "--config-dir", str(out), "scenario=example_client", "debug=default", "seed=11"]
    shown = subprocess.run([*command, "--cfg", "job"], capture_output=True, text=True, timeout=120, check=False)
    assert shown.returncode == 0, shown.stderr
    composed = load_config(yaml.safe_load(shown.stdout)).model_dump(mode="json")
    params = {p.key: scenario[p.section][p.key.split(".", 1)[1]] for p in spec.parameters}
    expected = load_config({**settings.with_values(spec.base, params), "seed": 11}).model_dump(mode="json")
    for section in ("scenario", "org", "horizon_days", "warmup_days", "seed"):
        assert composed[section] == expected[section], section
    ran = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert ran.returncode == 0, ran.stderr
    (summary_file,) = (tmp_path / "results" / "runs").glob("*/summary.json")
    summary = json.loads(summary_file.read_text())
    validation = pd.read_csv(out / "validation.csv").set_index("seed")
    for target in spec.targets:
        assert summary[target.kpi] == pytest.approx(validation.loc[11, target.kpi], rel=1e-9, abs=1e-12)

    # Run again with more trials: the study continues, its earlier trials kept as they were.
    cli.calibrate(["--config", str(config), "--out", str(out), "--debug", "--trials", "4"])
    second = pd.read_csv(out / "trials.csv")
    assert list(second["trial"]) == [0, 1, 2, 3]
    pd.testing.assert_frame_equal(second.iloc[:3].drop(columns=["duration_s"]), first.drop(columns=["duration_s"]))

    # The same study with other targets is refused: its trials answered another question.
    changed = tiny(tmp_path, targets={"fill_rate": {"target": 0.9, "tolerance": 0.05}})
    error = refused(capsys, ["--config", str(changed), "--out", str(out), "--debug"])
    assert "different config" in error


@pytest.mark.slow
def test_the_example_reaches_every_target_and_spsim_reproduces_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "example_client"
    cli.calibrate(["--config", str(EXAMPLE), "--out", str(out)])
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["within_tolerance"] is True
    assert "Every target (5) is reached within its tolerance" in (out / "report.md").read_text()

    # The example is a parameter-recovery check: the fit lands near the true values.
    scenario = yaml.safe_load((out / "scenario" / "example_client.yaml").read_text())
    assert scenario["org"]["safety_z"] == pytest.approx(1.0, abs=0.3)
    assert scenario["org"]["forecast_optimism"] == pytest.approx(0.12, abs=0.03)
    assert scenario["scenario"]["gross_margin"] == pytest.approx(0.31, abs=0.04)

    # spsim on the written scenario reproduces the validation runs, so their mean and interval.
    monkeypatch.setenv("SPSIM_RESULTS", str(tmp_path / "results"))
    validation = pd.read_csv(out / "validation.csv").set_index("seed")
    spec = CalibrationSpec.from_mapping(example(), folder=EXAMPLE.parent)
    for seed in spec.validation_seeds[:2]:
        ran = subprocess.run(
            [spsim(), "--config-dir", str(out), "scenario=example_client", f"seed={seed}", "output.charts=false"],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert ran.returncode == 0, ran.stderr
        (summary_file,) = (tmp_path / "results" / "runs").glob(f"*seed{seed}/summary.json")
        summary = json.loads(summary_file.read_text())
        for target in spec.targets:
            assert summary[target.kpi] == pytest.approx(validation.loc[seed, target.kpi], rel=1e-9, abs=1e-12)
