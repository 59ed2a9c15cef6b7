"""``spsim`` as a command (section 7 of ``make bench``): start-up, one run, sweeps.

Each figure is timed as a user meets it: a fresh process (the console script) from start
to exit, the best of a few repeats (noise on a shared machine only adds time).

- An error and ``--help``: a bad value (``spsim seed=abc``), a bad sub-command argument
  (``spsim-aggregate /nowhere``) and ``spsim --help``.
- One default run (250 accounts, 90 + 365 days) without its chart and with it. Beside
  the command's time: the simulation's own (``simulation_s`` in the run's manifest), and
  the command's time without it, the part of the command that is not the simulation.
- A sweep's parallel efficiency: the same 12-run sweep (seeds 1-12, no charts) with one
  worker and with two. Whole command: T(1) / (2 T(2)), start-up and report included (the
  serial parts count against it, as Amdahl would have it). Run phase: the same ratio of
  the spans from the first job's start to the last job's end, read from the manifests.
- 1,000 default runs on 2 cores: extrapolated from sweeps of 12 and 40 runs measured
  here (start-up and report cost the same for any sweep; each further run costs the slope
  between them), since a real 1,000-run sweep takes most of ten minutes.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from experiments.bench.record import Report

ERROR_MAX_S = 0.5  # an error or --help, as a command
RUN_MAX_S = 1.5  # spsim output.charts=false
RUN_WITH_CHART_MAX_S = 2.0  # spsim (draws charts/dashboard.png)
EFFICIENCY_MIN = 0.85  # 12-run sweep on 2 workers
THOUSAND_RUNS_MAX_S = 600.0  # 1,000 default runs on 2 cores

COMMAND_REPEATS = 5
RUN_REPEATS = 3
SWEEP_RUNS = (12, 40)
SPSIM = Path(sys.executable).with_name("spsim")


def timed_command(arguments: Sequence[str], results: Path, check: bool = True) -> float:
    """Wall seconds of one command, from start to exit."""
    environment = {**os.environ, "SPSIM_RESULTS": str(results)}
    started = time.perf_counter()
    done = subprocess.run(list(arguments), capture_output=True, text=True, env=environment, check=False)
    elapsed = time.perf_counter() - started
    if check and done.returncode != 0:
        raise RuntimeError(f"{' '.join(arguments)} failed ({done.returncode}): {done.stderr[-800:]}")
    return elapsed


def _best(arguments: Sequence[str], results: Path, repeats: int, check: bool = True) -> float:
    return min(timed_command(arguments, results, check) for _ in range(repeats))


def command_figures(report: Report) -> None:
    """Section 7 of the bench: the command's start-up, one run, and sweeps."""
    report.section("7. spsim as a command: errors and --help, one run, sweeps (best of a few repeats)")
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="spsim-bench-") as scratch:
        root = Path(scratch)
        errors = {
            "spsim seed=abc": [str(SPSIM), "seed=abc"],
            "spsim --help": [str(SPSIM), "--help"],
            "spsim-aggregate /nowhere": [str(SPSIM.with_name("spsim-aggregate")), "/nowhere"],
        }
        for label, arguments in errors.items():
            seconds = _best(arguments, root / "none", COMMAND_REPEATS, check=False)
            figures[label] = seconds
            report.row(f"command: {label}", f"{seconds:.2f} s")
        slowest = max(figures[label] for label in errors)
        report.target("an error or --help as a command (slowest of the three)", slowest, ERROR_MAX_S, "s", ".2f")
        figures |= _one_run(report, root)
        figures |= _sweeps(report, root)
    report.figures["command"] = figures


def _one_run(report: Report, root: Path) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    for label, extra, limit in (
        ("default run, no chart", ["output.charts=false"], RUN_MAX_S),
        ("default run with its chart", [], RUN_WITH_CHART_MAX_S),
    ):
        walls, simulations = [], []
        for repeat in range(RUN_REPEATS):
            run_dir = root / f"{label.replace(' ', '_').replace(',', '')}_{repeat}"
            arguments = [str(SPSIM), *extra, "output.print_summary=false", f"hydra.run.dir={run_dir}"]
            walls.append(timed_command(arguments, root / "results"))
            simulations.append(json.loads((run_dir / "manifest.json").read_text())["simulation_s"])
        best = min(range(RUN_REPEATS), key=lambda i: walls[i])
        rest = walls[best] - simulations[best]
        figures[label] = {"command_s": walls[best], "simulation_s": simulations[best], "rest_s": rest}
        report.row(
            f"command: {label}", f"{walls[best]:.2f} s", f"simulation {simulations[best]:.2f} s, rest {rest:.2f} s"
        )
        report.target(f"{label} as a command", walls[best], limit, "s", ".2f")
    return figures


def _sweep(root: Path, runs: int, workers: int, tag: str) -> dict[str, float]:
    """One sweep of ``runs`` default runs (seeds 1..runs, no charts) on ``workers`` processes."""
    results = root / f"sweep_{tag}"
    wall = timed_command(
        [
            str(SPSIM),
            "-m",
            f"seed=range(1,{runs + 1})",
            "output.charts=false",
            "output.print_summary=false",
            f"hydra.launcher.n_jobs={workers}",
        ],
        results,
    )
    manifests = list(results.rglob("manifest.json"))
    ends = [path.stat().st_mtime for path in manifests]
    starts = [end - json.loads(path.read_text())["wall_time_s"] for end, path in zip(ends, manifests, strict=True)]
    return {"wall_s": wall, "run_phase_s": max(ends) - min(starts), "runs": float(len(manifests))}


def _sweeps(report: Report, root: Path) -> dict[str, Any]:
    small, large = SWEEP_RUNS
    one = _sweep(root, small, 1, "12x1")
    two = _sweep(root, small, 2, "12x2")
    whole = one["wall_s"] / (2 * two["wall_s"])
    phase = one["run_phase_s"] / (2 * two["run_phase_s"])
    report.row(f"sweep of {small} runs, 1 worker", f"{one['wall_s']:.1f} s", f"run phase {one['run_phase_s']:.1f} s")
    report.row(f"sweep of {small} runs, 2 workers", f"{two['wall_s']:.1f} s", f"run phase {two['run_phase_s']:.1f} s")
    report.row("parallel efficiency, run phase", f"{phase:.2f}", "T(1) / (2 T(2)) between first start and last end")
    report.floor(f"parallel efficiency of a {small}-run sweep (whole command)", whole, EFFICIENCY_MIN)
    bigger = _sweep(root, large, 2, "40x2")
    per_run = (bigger["wall_s"] - two["wall_s"]) / (large - small)
    thousand = two["wall_s"] + (1000 - small) * per_run
    report.row(f"sweep of {large} runs, 2 workers", f"{bigger['wall_s']:.1f} s", f"{per_run:.2f} s per further run")
    report.target(
        f"1,000 runs on 2 cores (extrapolated from {small} and {large} runs)", thousand, THOUSAND_RUNS_MAX_S, "s", ".0f"
    )
    return {
        "sweep_12_one_worker": one,
        "sweep_12_two_workers": two,
        "sweep_40_two_workers": bigger,
        "efficiency_whole": whole,
        "efficiency_run_phase": phase,
        "seconds_per_further_run": per_run,
        "thousand_runs_s_extrapolated": thousand,
    }
