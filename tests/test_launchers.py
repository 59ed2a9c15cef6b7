"""Launchers do not change results: a job's files are the same, byte for byte, whichever ran it.

The same two-job sweep (``debug=default``, seeds 1 and 2) runs under each launcher and
is compared with the two runs made in this process by ``run_to_folder``, without Hydra
launching anything. Ray and submitit start their own processes (Ray a whole local
instance), so they take longer and are marked slow.
"""

import subprocess
import sys
from pathlib import Path

import pytest

from sim.compose import compose_config
from sim.configure import load_config
from sim.output.runfolder import is_complete, read_manifest
from sim.runner import run_to_folder
from sim.sweep_workers import NO_FORK
from tests.helpers import describe, spsim

SEEDS = (1, 2)
COMPARED = (
    "summary.json",
    "config.yaml",
    "timeseries.parquet",
    "sku_timeseries.parquet",
    "events.parquet",
    "signals.parquet",
)
RUN = ["debug=default", "output.charts=false"]


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Each seed's run made in this process: the composed config, run and written."""
    root = tmp_path_factory.mktemp("reference")
    for seed in SEEDS:
        run_to_folder(load_config(compose_config([*RUN, f"seed={seed}"])), root / f"seed{seed}")
    return root


def ray_start_problem() -> str | None:
    """Why a local Ray instance cannot start here (found by starting one), or None if it can."""
    probe = subprocess.run(
        [sys.executable, "-c", "import ray; ray.init(num_cpus=1, include_dashboard=False); ray.shutdown()"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if probe.returncode == 0:
        return None
    lines = [line.strip() for line in probe.stderr.splitlines() if line.strip()]
    return lines[-1] if lines else f"exit status {probe.returncode}"


LAUNCHERS = [
    pytest.param("basic", [], id="basic"),
    pytest.param("joblib", ["hydra.launcher.n_jobs=2"], id="joblib"),  # on workers forked by spsim -m
    pytest.param("joblib", ["hydra.launcher.n_jobs=2", f"{NO_FORK}=0"], id="joblib-loky"),  # on loky's own
    pytest.param(
        "ray",
        ["+hydra.launcher.ray.init.num_cpus=2", "+hydra.launcher.ray.init.include_dashboard=false"],
        id="ray",
        marks=pytest.mark.slow,
    ),
    pytest.param("submitit_local", [], id="submitit_local", marks=pytest.mark.slow),
]


@pytest.mark.slow
@pytest.mark.parametrize(("launcher", "settings"), LAUNCHERS)
def test_launcher_gives_the_same_files(launcher: str, settings: list[str], reference: Path, tmp_path: Path) -> None:
    if launcher == "ray":
        pytest.importorskip("ray")
    if launcher.startswith("submitit"):
        pytest.importorskip("submitit")
    sweep_dir = tmp_path / "sweep"
    environment = dict(setting.split("=", 1) for setting in settings if setting.startswith("SPSIM_"))
    result = spsim(
        [
            "-m",
            *RUN,
            "seed=" + ",".join(map(str, SEEDS)),
            f"hydra/launcher={launcher}",
            *(setting for setting in settings if not setting.startswith("SPSIM_")),
            f"hydra.sweep.dir={sweep_dir}",
            "hydra.sweep.subdir=seed${seed}",
        ],
        results=tmp_path / "results",
        env=environment,
    )
    if result.returncode != 0 and launcher == "ray":
        problem = ray_start_problem()
        if problem:
            pytest.skip(f"a local Ray instance does not start here: {problem}")
    assert result.returncode == 0, describe(result)
    for seed in SEEDS:
        run_dir, expected = sweep_dir / f"seed{seed}", reference / f"seed{seed}"
        assert is_complete(run_dir), describe(result)
        for name in COMPARED:
            same = (run_dir / name).read_bytes() == (expected / name).read_bytes()
            assert same, f"{launcher}: seed {seed}: {name} differs from the in-process run"
        made, wanted = read_manifest(run_dir), read_manifest(expected)
        assert made is not None and wanted is not None
        assert made["config_hash"] == wanted["config_hash"]
