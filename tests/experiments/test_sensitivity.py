"""Morris screening (spsim-sensitivity): it runs, writes what it promises, and refuses bad configs."""

import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from sim import cli
from sim.analysis import sensitivity

SMALL = {"kind": "company", "skus": 4, "accounts": 15, "sales_reps": 2, "buyers": 2, "suppliers": 3}
PARAMETERS = {
    "org.safety_z": [1.0, 2.3],
    "org.review_period_days": [3, 14],  # an integer key: sampled as integers
    "scenario.demand_cv": [0.2, 1.0],
}


def analysis(tmp_path: Path, **changes: Any) -> Path:
    config = {
        "base": {"scenario": SMALL},
        "parameters": PARAMETERS,
        "trajectories": 2,
        "seeds": [1],
        "n_jobs": 1,
        **changes,
    }
    path = tmp_path / "morris.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def test_morris_runs_and_writes_points_indices_and_charts(tmp_path: Path) -> None:
    out = tmp_path / "out"
    cli.sensitivity(["--config", str(analysis(tmp_path)), "--out", str(out), "--debug"])

    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    for name in manifest["files"]:
        assert (out / name).stat().st_size > 0, name
    for chart in ("morris_mu_star.png", "morris_mu_sigma.png"):
        assert (out / chart).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    points = pd.read_parquet(out / "points.parquet")
    assert len(points) == 2 * (len(PARAMETERS) + 1)  # trajectories x (k + 1) points x 1 seed
    assert set(points["seed"]) == {1}
    assert points["org.review_period_days"].map(lambda v: float(v).is_integer()).all()
    for key, (low, high) in PARAMETERS.items():
        assert points[key].between(low, high).all(), key
    assert {"operating_profit", "fill_rate"} <= set(points.columns)

    indices = pd.read_csv(out / "morris_indices.csv")
    assert sorted(indices["parameter"]) == sorted(PARAMETERS)
    assert (indices["mu_star"] >= indices["mu"].abs() - 1e-6).all()  # mu* = mean |EE| >= |mean EE|
    assert indices["mu_star"].is_monotonic_decreasing
    assert indices["mu_star"].max() > 0  # the safety factor moves profit: something was measured
    assert (out / "morris_indices.parquet").is_file()


def test_the_same_seeds_give_the_same_indices(tmp_path: Path) -> None:
    """Common random numbers and a seeded design: a rerun is identical."""
    spec = sensitivity.MorrisSpec.from_mapping(yaml.safe_load(analysis(tmp_path).read_text()), debug=True)
    design = sensitivity.sample(spec)
    points = sensitivity.evaluate(spec, design)
    again = sensitivity.evaluate(spec, sensitivity.sample(spec))
    pd.testing.assert_frame_equal(points, again)
    mu_star = sensitivity.analyse(spec, design, points)["mu_star"]
    assert all(math.isfinite(value) for value in mu_star)


@pytest.mark.parametrize(
    ("parameters", "expected"),
    [
        ({"org.shortage_gamin": [0, 6], "org.safety_z": [1, 2]}, "org.shortage_gamin: unknown key"),
        ({"org.shortage_gaming": [6, 0], "org.safety_z": [1, 2]}, "low bound must be below the high bound"),
        ({"org.shortage_gaming": [0, 25], "org.safety_z": [1, 2]}, "less than or equal to 20"),
        ({"policy.no_such_lever.x": [0, 1], "org.safety_z": [1, 2]}, "policy.no_such_lever: unknown lever"),
        ({"org.review_period_days": [1.5, 7], "org.safety_z": [1, 2]}, "integer"),
    ],
)
def test_bad_parameters_end_with_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], parameters: dict[str, Any], expected: str
) -> None:
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as exit_:
        cli.sensitivity(["--config", str(analysis(tmp_path, parameters=parameters)), "--out", str(out)])
    assert exit_.value.code == 2
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1
    assert error.startswith("spsim-sensitivity: error: ")
    assert expected in error
    assert not out.exists()  # nothing half-written


def test_the_console_script_refuses_a_bad_config_with_exit_2(tmp_path: Path) -> None:
    script = shutil.which(
        "spsim-sensitivity", path=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    )
    assert script, "spsim-sensitivity is not installed (pip install -e . --no-deps)"
    config = analysis(tmp_path, trajectories=1)
    result = subprocess.run(
        [script, "--config", str(config)], capture_output=True, text=True, timeout=120, cwd=tmp_path, check=False
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == "spsim-sensitivity: error: trajectories = 1: must be at least 2"
    assert not (tmp_path / "results").exists()
