"""Optimisation (spsim-optimise): trials are what they claim, the study resumes, bad configs stop."""

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
from sim.analysis import optimise, settings
from sim.analysis import runs as analysis_runs

SMALL = {"kind": "company", "skus": 4, "accounts": 15, "sales_reps": 2, "buyers": 2, "suppliers": 3}


def analysis(tmp_path: Path, **changes: Any) -> Path:
    config = {
        "study_name": "test_study",
        "base": {"scenario": SMALL, "policy": {"steering_committee": {}}},
        "seeds": [1, 2],
        "objective": {"kpi": "operating_profit", "direction": "maximize"},
        "constraints": [{"kpi": "fill_rate", "min": 0.5}],
        "parameters": {
            "policy.steering_committee.cadence_days": [7, 60],
            "policy.steering_committee.decision_rule": {"choices": ["company_objective", "sales_first"]},
        },
        "sampler": {"seed": 0, "n_startup_trials": 5},
        "n_jobs": 2,  # the seeds of a trial in parallel processes
        **changes,
    }
    path = tmp_path / f"optimise-{len(list(tmp_path.glob('optimise-*.yaml')))}.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


@pytest.mark.slow
def test_a_study_is_written_and_resumed_with_its_earlier_trials(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config, study = analysis(tmp_path), tmp_path / "study"
    cli.optimise(["--config", str(config), "--trials", "2", "--study-dir", str(study), "--debug"])
    first = pd.read_csv(study / "trials.csv")
    assert (study / "study.db").is_file()
    assert list(first["trial"]) == [0, 1]
    assert (first["state"] == "COMPLETE").all()
    for name in ("optimisation_history.png", "parameters.png", "trials.parquet", "best.yaml"):
        assert (study / name).stat().st_size > 0, name

    # A trial's value is the mean over the seeds of runs with its parameters.
    row = first.iloc[0]
    params = {
        key: row[key] for key in ("policy.steering_committee.cadence_days", "policy.steering_committee.decision_rule")
    }
    params["policy.steering_committee.cadence_days"] = int(params["policy.steering_committee.cadence_days"])
    spec = optimise.OptimiseSpec.from_mapping(yaml.safe_load(config.read_text()), debug=True)
    runs = analysis_runs.run_summaries([{**settings.with_values(spec.base, params), "seed": s} for s in (1, 2)], 1)
    assert row["operating_profit"] == pytest.approx(sum(r["operating_profit"] for r in runs) / 2, rel=1e-12)

    cli.optimise(["--config", str(config), "--trials", "3", "--study-dir", str(study), "--debug"])
    second = pd.read_csv(study / "trials.csv")
    assert list(second["trial"]) == [0, 1, 2]
    pd.testing.assert_frame_equal(second.iloc[:2].drop(columns=["duration_s"]), first.drop(columns=["duration_s"]))

    # best.yaml's overrides, given to spsim, compose the run config of the best trial.
    best = yaml.safe_load((study / "best.yaml").read_text())
    assert best["feasible"] is True
    assert best["objective"]["mean"] == second.loc[second["feasible"], "operating_profit"].max()
    spsim = shutil.which("spsim", path=os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]))
    assert spsim
    shown = subprocess.run(
        [spsim, *best["overrides"], "--cfg", "job"], capture_output=True, text=True, timeout=120, check=False
    )
    assert shown.returncode == 0, shown.stderr
    composed = load_config(yaml.safe_load(shown.stdout)).model_dump(mode="json")
    trial = load_config(settings.with_values(spec.base, best["params"])).model_dump(mode="json")
    for section in ("seed", "output"):
        del composed[section], trial[section]
    assert composed == trial

    # The same study with other seeds would mix incomparable trials: refused.
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_:
        cli.optimise(["--config", str(analysis(tmp_path, seeds=[3, 4])), "--study-dir", str(study), "--debug"])
    assert exit_.value.code == 2
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1 and "different config" in error
    assert len(pd.read_csv(study / "trials.csv")) == 3

    # So would new trials after the simulator changed, unless asked for explicitly.
    monkeypatch.setattr(analysis_runs, "code_version", lambda: "0123456789abcdef")
    with pytest.raises(SystemExit) as exit_:
        cli.optimise(["--config", str(config), "--trials", "4", "--study-dir", str(study), "--debug"])
    assert exit_.value.code == 2
    assert "code or configs changed" in capsys.readouterr().err
    assert len(pd.read_csv(study / "trials.csv")) == 3


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"constraints": [{"kpi": "fill_rate", "min": 0.9, "max": 1.0}]}, "give exactly one of min and max"),
        ({"objective": {"kpi": "profit"}}, "objective.kpi = 'profit': unknown KPI"),
        ({"objective": {"kpi": "fill_rate", "direction": "up"}}, "must be maximize or minimize"),
        (
            {"parameters": {"policy.steering_committee.decision_rule": {"choices": ["majority", "sales_first"]}}},
            "decision_rule",
        ),
        ({"study_name": "a b"}, "study_name"),
    ],
)
def test_bad_configs_end_with_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], changes: dict[str, Any], expected: str
) -> None:
    study = tmp_path / "study"
    with pytest.raises(SystemExit) as exit_:
        cli.optimise(["--config", str(analysis(tmp_path, **changes)), "--study-dir", str(study)])
    assert exit_.value.code == 2
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1 and error.startswith("spsim-optimise: error: ")
    assert expected in error
    assert not study.exists()
