"""Sweeps end to end: every experiment runs, a re-run resumes, failures are reported, bad sweeps refused.

Each sweep here is a real ``spsim -m`` under ``debug=default``, cut to a few jobs. Most
use the basic launcher (jobs one after the other in the command's process: no worker
start-up, and a failure of the first job would stop the second); the launchers
themselves are compared in test_launchers.py.
"""

import io
import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from hydra.core.override_parser.overrides_parser import OverridesParser

from sim.analysis.callbacks import Progress, ProgressLine, SweepTracker
from sim.compose import precheck
from sim.config import ConfigError
from sim.output.rundir import confirm_result
from sim.output.runfolder import MANIFEST, is_complete, read_manifest
from tests.helpers import CONFIGS, describe, spsim, spsim_executable

EXPERIMENTS = sorted(path.stem for path in (CONFIGS / "experiment").glob("*.yaml"))
BASIC = "hydra/launcher=basic"

# Per experiment: overrides that cut it to a few jobs (the command line's sweep replaces the
# experiment's for the same key), and the job folders that must result (named by overrides).
CUTS: dict[str, tuple[list[str], set[str], str | None]] = {
    "compare_policies": (
        ["arm=silo,aligned,rotation", "org.safety_z=1.2,1.8", "seed=1,2"],
        {
            f"arm={arm},debug=default,org.safety_z={z},seed={seed}"
            for arm in ("silo", "aligned", "rotation")
            for z in ("1.2", "1.8")
            for seed in (1, 2)
        },
        "arm=silo",
    ),
    "policy_by_scenario": (
        ["arm=silo,shared_metrics", "scenario=seasonal", "seed=1"],
        {f"arm={arm},debug=default,scenario=seasonal,seed=1" for arm in ("silo", "shared_metrics")},
        "arm=silo",
    ),
    "rotation_design": (
        ["policy.rotation.share_rotated=0.2,0.4", "policy.rotation.spell_days=60", "seed=1"],
        {
            f"debug=default,policy.rotation.share_rotated={share},policy.rotation.spell_days=60,seed=1"
            for share in ("0.2", "0.4")
        },
        "policy.rotation.share_rotated=0.2,policy.rotation.spell_days=60",
    ),
    "committee_cadence": (
        ["policy=silo,{steering_committee:{cadence_days:7}}", "seed=1"],
        {"debug=default,policy=silo,seed=1", "debug=default,policy={steering_committee:{cadence_days:7}},seed=1"},
        "policy=silo",
    ),
    "incentive_weight": (
        ["policy.shared_metrics.joint_weight=0,1", "seed=1"],
        {f"debug=default,policy.shared_metrics.joint_weight={weight},seed=1" for weight in (0, 1)},
        "policy.shared_metrics.joint_weight=0",
    ),
}


def sweep(arguments: list[str], results: Path) -> subprocess.CompletedProcess[str]:
    return spsim(["-m", *arguments, "debug=default"], results=results)


def run_folders(sweep_dir: Path) -> dict[str, Path]:
    return {path.parent.name: path.parent for path in sweep_dir.glob(f"*/{MANIFEST}")}


def test_every_experiment_file_is_cut_here() -> None:
    assert EXPERIMENTS, "no configs/experiment/*.yaml"
    assert set(EXPERIMENTS) == set(CUTS), "add a cut (a few jobs) for each new experiment"


@pytest.mark.slow
@pytest.mark.parametrize("name", EXPERIMENTS)
def test_experiment_runs_under_debug(name: str, tmp_path: Path) -> None:
    overrides, expected_runs, baseline = CUTS[name]
    results = tmp_path / "results"
    result = sweep([f"+experiment={name}", *overrides, BASIC], results)
    assert result.returncode == 0, describe(result)

    sweep_dir = results / "experiments" / name  # a fixed folder, named after the experiment
    runs = run_folders(sweep_dir)
    assert set(runs) == expected_runs, describe(result)
    for run_dir in runs.values():
        assert is_complete(run_dir)
        config = yaml.safe_load((run_dir / "config.yaml").read_text())
        assert (config["horizon_days"], config["warmup_days"]) == (56, 14)  # debug=default
        assert config["output"] == {"charts": False, "print_summary": False}
        assert not (run_dir / "charts").exists()
        overrides = yaml.safe_load((run_dir / ".hydra" / "overrides.yaml").read_text())
        assert_policy_is(overrides, config["policy"])

    assert (sweep_dir / "report" / "report.md").is_file()
    comparison = pd.read_parquet(sweep_dir / "comparison.parquet")
    assert {"operating_profit", "fill_rate"} <= set(comparison["kpi"])
    assert json.loads((sweep_dir / "aggregate.json").read_text())["baseline"] == baseline
    assert f"report: {sweep_dir / 'report' / 'report.md'}" in result.stdout
    assert "operating_profit" in result.stdout and "fill_rate" in result.stdout  # the comparison table
    assert "(baseline)" in result.stdout


def assert_policy_is(overrides: list[str], policy: dict) -> None:
    """The run's levers are the ones its overrides name: the arms are what their folders say."""
    for override in overrides:
        key, _, value = override.lstrip("+").partition("=")
        if key == "policy" and value.startswith("{"):  # the levers as a mapping
            levers = OverridesParser.create().parse_override(override).value()
            for lever, params in levers.items():
                assert params.items() <= policy[lever].items(), (override, policy)
            assert set(policy) == set(levers), (override, policy)
        elif key in ("policy", "arm"):  # an arm sets the levers (and the aligned one no lever)
            expected = {} if value in ("silo", "aligned") else set(policy) if value == "all" else {value}
            assert set(policy) == set(expected) and (value != "all" or len(policy) == 5), (override, policy)
        elif key.startswith("policy."):
            _, lever, parameter = key.split(".")
            assert policy[lever][parameter] == yaml.safe_load(value), (override, policy)


@pytest.mark.slow
def test_failed_runs_are_reported_and_a_rerun_resumes(tmp_path: Path) -> None:
    results = tmp_path / "results"
    policies = ("silo", "rotation", "all", "shared_metrics", "regular_meetings")
    arguments = ["+experiment=compare_policies", f"arm={','.join(policies)}", "org.safety_z=1.8", "seed=1", BASIC]
    sweep_dir = results / "experiments" / "compare_policies"
    names = {policy: f"arm={policy},debug=default,org.safety_z=1.8,seed=1" for policy in policies}
    # The first job fails after its simulation ran: a folder stands where its summary goes.
    (sweep_dir / names["silo"] / "summary.json").mkdir(parents=True)
    # The last fails before its run folder has a manifest: a folder stands where that goes.
    (sweep_dir / names["regular_meetings"] / MANIFEST).mkdir(parents=True)

    first = sweep(arguments, results)
    assert first.returncode == 1, describe(first)
    failed = read_manifest(sweep_dir / names["silo"])
    assert failed is not None and failed["status"] == "failed"
    assert "summary.json" in failed["error"] and "Traceback" in failed["traceback"]
    for policy in ("rotation", "all", "shared_metrics"):  # the jobs after the first ran
        assert is_complete(sweep_dir / names[policy]), policy
    errors = first.stderr.splitlines()
    run_failed = [line for line in errors if line.startswith("spsim: run failed:")]
    assert len(run_failed) == 2, describe(first)
    assert names["silo"] in run_failed[0] and names["regular_meetings"] in run_failed[1], describe(first)
    assert any(line.startswith(f"spsim: failed: {names['silo']}: ") for line in errors), describe(first)
    assert "1 job(s) left no run folder of their own" in first.stderr
    assert "2 of 5 runs failed" in first.stderr
    assert "Traceback" not in first.stderr + first.stdout
    assert "5/5 runs done" not in first.stderr and "1 failed" in first.stderr  # the progress line
    assert (sweep_dir / "report" / "report.md").is_file()  # aggregated despite the failures

    # Repair both; cut another run short (as if interrupted); change a fourth's config hash.
    (sweep_dir / names["silo"] / "summary.json").rmdir()
    (sweep_dir / names["regular_meetings"] / MANIFEST).rmdir()
    (sweep_dir / names["all"] / "summary.json").unlink()
    tampered = sweep_dir / names["shared_metrics"] / MANIFEST
    manifest = json.loads(tampered.read_text())
    tampered.write_text(json.dumps({**manifest, "config_hash": "0" * 16}))
    intact = (sweep_dir / names["rotation"] / MANIFEST).read_text()

    second = sweep(arguments, results)
    assert second.returncode == 0, describe(second)
    assert f"{names['rotation']}: skipped (complete)" in second.stdout
    assert second.stdout.count("skipped (complete)") == 1, describe(second)
    assert (sweep_dir / names["rotation"] / MANIFEST).read_text() == intact  # not run again
    for policy in ("silo", "all", "shared_metrics", "regular_meetings"):
        manifest = read_manifest(sweep_dir / names[policy])
        assert is_complete(sweep_dir / names[policy]) and manifest is not None
        assert manifest["config_hash"] != "0" * 16
    assert "5/5 runs done" in second.stderr and "1 skipped" in second.stderr


LONG_SWEEP = ["-m", "seed=range(1,9)", "horizon_days=2000", "output.charts=false", "hydra.launcher.n_jobs=2"]


@contextmanager
def _sweep_at_work(tmp_path: Path, **popen: Any) -> Iterator[tuple[subprocess.Popen[str], list[Any]]]:
    """A long sweep with a job under way in each of its two forked workers; afterwards nothing of it runs."""
    psutil = pytest.importorskip("psutil")
    environment = {**os.environ, "SPSIM_RESULTS": str(tmp_path / "results"), "MPLBACKEND": "Agg"}
    sweep = subprocess.Popen(
        [spsim_executable(), *LONG_SWEEP], env=environment, stdout=subprocess.DEVNULL, text=True, **popen
    )
    workers: list[Any] = []
    try:
        command = psutil.Process(sweep.pid)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(workers) < 2:
            time.sleep(0.5)
            workers = command.children(recursive=True)
        assert len(workers) == 2, f"not the sweep's two workers: {workers}"
        assert all(worker.cmdline() == command.cmdline() for worker in workers), "the workers are not forks of spsim"
        time.sleep(2)  # a job under way in each
        yield sweep, workers
    finally:  # whatever failed, nothing of this test keeps running
        if sweep.poll() is None:
            sweep.kill()
        for worker in workers:
            if worker.is_running():
                worker.kill()


@pytest.mark.slow
def test_a_killed_sweep_leaves_no_worker_running(tmp_path: Path) -> None:
    """SIGKILL to spsim -m (a closed terminal): its forked workers (sim/sweep_workers.py) stop within seconds."""
    psutil = pytest.importorskip("psutil")
    with _sweep_at_work(tmp_path, stderr=subprocess.DEVNULL) as (sweep, workers):
        sweep.kill()
        sweep.wait()
        _, alive = psutil.wait_procs(workers, timeout=15)
        assert not alive, f"workers still running after their sweep was killed: {alive}"


@pytest.mark.slow
def test_ctrl_c_ends_a_sweep_with_status_130_and_no_worker_left(tmp_path: Path) -> None:
    """Ctrl-C reaches the terminal's whole process group: the command and its forked workers."""
    psutil = pytest.importorskip("psutil")
    # start_new_session: a process group of its own, as a terminal gives the command it runs
    with _sweep_at_work(tmp_path, stderr=subprocess.PIPE, start_new_session=True) as (sweep, workers):
        os.killpg(sweep.pid, signal.SIGINT)
        _, stderr = sweep.communicate(timeout=60)
        assert sweep.returncode == 130, stderr[-2000:]
        assert "interrupted" in stderr
        _, alive = psutil.wait_procs(workers, timeout=15)
        assert not alive, f"workers still running after Ctrl-C: {alive}"


@pytest.mark.slow
def test_joblib_is_the_default_launcher_and_shows_progress(tmp_path: Path) -> None:
    results = tmp_path / "results"
    result = sweep(["seed=1,2", "output.charts=false", "hydra.launcher.n_jobs=2"], results)
    assert result.returncode == 0, describe(result)
    assert "Joblib.Parallel(n_jobs=2" in result.stdout + result.stderr
    progress = [line for line in result.stderr.splitlines() if "runs done" in line]
    assert progress and progress[-1].startswith("spsim: 2/2 runs done [####################] 0 failed")
    (sweep_dir,) = (results / "sweeps").iterdir()  # the default: a new folder per sweep
    assert {path.name for path in run_folders(sweep_dir).values()} == {"0", "1"}
    assert all(is_complete(path) for path in run_folders(sweep_dir).values())


def test_a_single_run_is_never_skipped(tmp_path: Path) -> None:
    """Resuming is for sweeps: `spsim` into a folder that holds its result runs again."""
    run_dir = tmp_path / "run"
    arguments = ["debug=default", "output.charts=false", f"hydra.run.dir={run_dir}"]
    first = spsim(arguments, results=tmp_path / "results")
    assert first.returncode == 0, describe(first)
    before = (run_dir / MANIFEST).read_text()
    second = spsim(arguments, results=tmp_path / "results")
    assert second.returncode == 0, describe(second)
    assert "skipped" not in second.stdout
    assert (run_dir / MANIFEST).read_text() != before and is_complete(run_dir)  # written anew


# -- bad sweeps ------------------------------------------------------------------------------


def write_experiment(config_dir: Path, params: dict[str, str]) -> None:
    folder = config_dir / "experiment"
    folder.mkdir(parents=True)
    sweep = {"hydra": {"sweeper": {"params": params}}}
    (folder / "mine.yaml").write_text("# @package _global_\n" + yaml.safe_dump(sweep))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("arguments", "key"),
    [
        (["-m", "scenario.nope=1,2"], "scenario.nope"),
        (["-m", "+experiment=compare_policies", "arm=silo,nope"], "arm"),
        (["-m", "+experiment=compare_policies", "org.safety_z=1.8,9"], "safety_z"),
        (["-m", "+experiment=compare_policies", "seed=1,-1"], "seed"),
        (["-m", "+experiment=rotation_design", "policy.rotation.share_rotated=0.2,1.5"], "share_rotated"),
        (["-m", "+experiment=nope"], "experiment"),
        (["-m", "seed=1,2", "scenario.demand_file=/no/such/orders.csv"], "demand_file"),  # read before runs
    ],
)
def test_bad_sweep_value_is_refused(arguments: list[str], key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        precheck(arguments)
    assert "\n" not in str(caught.value) and key in str(caught.value)


@pytest.mark.parametrize(
    ("params", "key"),
    [
        ({"seed": "1,2", "scenario.nope": "1,2"}, "scenario.nope"),
        ({"policy": "silo,nope"}, "policy=nope"),
        ({"policy.rotation.spell_days": "30,-1"}, "policy.rotation.spell_days"),
        ({"++policy": "{},{steering_committee:{cadence_days:0}}"}, "cadence_days"),
    ],
)
def test_bad_value_in_an_experiments_own_sweep_is_refused(params: dict[str, str], key: str, tmp_path: Path) -> None:
    write_experiment(tmp_path / "my_configs", params)
    with pytest.raises(ConfigError) as caught:
        precheck(["-m", "--config-dir", str(tmp_path / "my_configs"), "+experiment=mine"])
    assert "\n" not in str(caught.value) and key in str(caught.value)


def test_lever_parameter_on_a_job_without_the_lever_is_refused() -> None:
    """rotation_design sweeps rotation's parameters: a silo job has no rotation to set them on."""
    with pytest.raises(ConfigError) as caught:
        precheck(["-m", "+experiment=rotation_design", "policy=silo,rotation"])
    assert "policy.rotation" in str(caught.value) and "++" in str(caught.value)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("arguments", "key"),
    [
        (["scenario.nope=1,2"], "scenario.nope"),
        (["+experiment=compare_policies", "seed=1,abc"], "seed"),
        (["--config-dir", "{config_dir}", "+experiment=mine"], "policy.rotation.spell_days"),
        (["+experiment=compare_policies", "--cfg", "job"], "--cfg"),
    ],
)
def test_bad_sweep_is_one_line_exit_2_before_any_job(arguments: list[str], key: str, tmp_path: Path) -> None:
    config_dir = tmp_path / "my_configs"
    write_experiment(config_dir, {"policy.rotation.spell_days": "30,-1"})
    results = tmp_path / "results"
    result = sweep([argument.format(config_dir=config_dir) for argument in arguments], results)
    assert result.returncode == 2, describe(result)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("spsim: error: ") and key in lines[0], describe(result)
    assert not results.exists(), "a sweep with bad input wrote something"


# -- the progress line, piece by piece --------------------------------------------------------


def write_manifest(run_dir: Path, status: str, **extra: object) -> None:
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / MANIFEST).write_text(json.dumps({"status": status, **extra}))


def test_tracker_counts_only_what_this_sweep_touched(tmp_path: Path) -> None:
    write_manifest(tmp_path / "old_complete", "complete", seed=1)
    write_manifest(tmp_path / "old_unrelated", "complete", seed=2)
    write_manifest(tmp_path / "old_failed", "failed", error="boom")
    old = tmp_path / "old_complete" / MANIFEST
    os.utime(old, ns=(old.stat().st_atime_ns, old.stat().st_mtime_ns - 10**9))
    tracker = SweepTracker(tmp_path, total=4)
    assert tracker.poll().finished == 0

    confirm_result(tmp_path / "old_complete")  # a job skipped: its result was already there
    write_manifest(tmp_path / "new_running", "running")
    write_manifest(tmp_path / "new" / "nested_failed", "failed", error="ValueError: bad")
    (tmp_path / ".submitit" / "x").mkdir(parents=True)
    write_manifest(tmp_path / ".submitit" / "x", "complete")  # hidden folders are not runs
    progress = tracker.poll()
    assert (progress.complete, progress.skipped) == (1, 1)
    assert progress.failed == [(tmp_path / "new" / "nested_failed", "ValueError: bad")]
    assert progress.running == [tmp_path / "new_running"]


def test_progress_line_counts_and_time_left() -> None:
    progress = Progress(total=10, complete=4, skipped=2, failed=[(Path("x"), "e")], running=[Path("y")])
    progress.elapsed_s = 60.0  # 3 runs made in a minute; 5 left
    assert progress.seconds_left() == pytest.approx(100.0)
    assert progress.line() == (
        "spsim: 5/10 runs done [##########..........] 2 skipped, 1 failed, 1 running, 1m40s left"
    )
    assert "time left: after the first run" in Progress(total=3).line()
    assert Progress(total=None, complete=2).line().startswith("spsim: 2 runs done 0 failed")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_line_rewrites_itself_on_a_terminal_and_appends_in_a_log() -> None:
    terminal, log = Terminal(), io.StringIO()
    for stream in (terminal, log):
        line = ProgressLine(stream)
        line.show(Progress(total=2))
        line.show(Progress(total=2))  # unchanged: a log gets no new line
        line.show(Progress(total=2, complete=1))
        line.finish(Progress(total=2, complete=2))
    assert terminal.getvalue().count("\r") == 4 and terminal.getvalue().count("\n") == 1
    lines = log.getvalue().splitlines()
    assert [line.split(" runs done")[0] for line in lines] == ["spsim: 0/2", "spsim: 1/2", "spsim: 2/2"]
    assert "\r" not in log.getvalue()
