"""A sweep's workers forked by ``spsim -m`` (sim/sweep_workers.py): when, how many, and that they stop.

That forked workers write the same files as loky's and as an in-process run is
``tests/test_launchers.py``; that they stop when their sweep is killed is
``tests/test_sweeps.py::test_a_killed_sweep_leaves_no_worker_running``.
"""

import json
import os
import subprocess
import sys
import textwrap

import pytest

from sim.forked_backend import effective
from sim.sweep_workers import _local_workers
from tests.helpers import ROOT

CORES = os.cpu_count() or 1


@pytest.mark.parametrize(
    ("arguments", "workers"),
    [
        (["seed=1,2"], CORES),  # the joblib launcher's default, n_jobs=-1: every core
        (["seed=1,2", "hydra.launcher.n_jobs=2"], 2),
        (["hydra.launcher.n_jobs=3", "hydra.launcher.n_jobs=2"], 2),  # the last setting wins, as in Hydra
        (["hydra.launcher.n_jobs=-2"], max(CORES - 1, 1)),
        (["hydra.launcher.n_jobs=1"], 1),
        (["hydra/launcher=joblib", "hydra.launcher.n_jobs=2"], 2),
        (["hydra/launcher=ray", "hydra.launcher.n_jobs=2"], 0),  # another launcher starts its own
        (["hydra/launcher=basic"], 0),
        (["hydra.launcher.n_jobs=${oc.env:N}"], 0),  # not a number before Hydra resolves it: loky's, as ever
    ],
)
def test_the_command_line_says_how_many_workers_to_fork(arguments: list[str], workers: int) -> None:
    assert _local_workers(arguments, effective) == workers


FORK_AND_STOP = textwrap.dedent(
    """
    import json, os, sys, threading
    from sim import sweep_workers
    os.environ[sweep_workers.PARENT] = str(os.getpid())
    started = sweep_workers.start(sys.argv[1:])
    pids = sorted(sweep_workers._workers._processes) if started else []
    stopped = sweep_workers.stop()
    def running(pid):
        return os.path.exists(f"/proc/{pid}") and open(f"/proc/{pid}/stat").read().split()[2] != "Z"
    alive = [pid for pid in pids if running(pid)]
    print(json.dumps({"started": started, "pids": pids, "stopped": stopped, "alive": alive}))
    """
)


def _fork_and_stop(*arguments: str, env: dict[str, str] | None = None) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", FORK_AND_STOP, *arguments],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=120,
        check=True,
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux only")
def test_workers_are_forked_then_stopped_with_nothing_left() -> None:
    result = _fork_and_stop("seed=1,2", "hydra.launcher.n_jobs=2")
    assert result["started"] is True and result["stopped"] is True
    assert len(result["pids"]) == 2  # type: ignore[arg-type]
    assert result["alive"] == []


@pytest.mark.parametrize(
    ("arguments", "env"),
    [
        (["hydra.launcher.n_jobs=1"], {}),  # one job at a time runs in the command's own process
        (["hydra/launcher=basic"], {}),
        (["hydra.launcher.n_jobs=2"], {"SPSIM_FORK_WORKERS": "0"}),  # asked for loky's own workers
    ],
)
def test_no_worker_is_forked_where_none_would_run_the_jobs(arguments: list[str], env: dict[str, str]) -> None:
    result = _fork_and_stop(*arguments, env=env)
    assert result == {"started": False, "pids": [], "stopped": False, "alive": []}


def test_no_fork_while_another_thread_runs() -> None:
    """fork copies only the calling thread, with whatever locks the others hold: not done then."""
    script = FORK_AND_STOP.replace(
        "started = ", "threading.Thread(target=threading.Event().wait, daemon=True).start()\nstarted = ", 1
    )
    done = subprocess.run(
        [sys.executable, "-c", script, "hydra.launcher.n_jobs=2"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=True,
    )
    assert '"started": false' in done.stdout


REFUSED_SWEEP = textwrap.dedent(
    """
    import json, os, sys
    from sim import sweep_workers
    from sim.hydra_app import main
    forked = []
    stop = sweep_workers.stop
    def recording_stop():
        if sweep_workers._workers is not None:
            forked.extend(sweep_workers._workers._processes)
        return stop()
    sweep_workers.stop = recording_stop
    try:
        main(sys.argv[1:])
        status = 0
    except SystemExit as exit:
        status = exit.code
    def running(pid):
        return os.path.exists(f"/proc/{pid}") and open(f"/proc/{pid}/stat").read().split()[2] != "Z"
    print(json.dumps({"status": status, "forked": len(forked), "alive": [pid for pid in forked if running(pid)]}))
    """
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux only")
def test_a_sweep_refused_by_its_check_stops_the_workers_forked_before_it() -> None:
    """The workers are forked before the sweep is checked (their imports overlap the check): a refusal stops them."""
    done = subprocess.run(
        [sys.executable, "-c", REFUSED_SWEEP, "-m", "scenario.nope=1,2", "hydra.launcher.n_jobs=2"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"status": 2, "forked": 2, "alive": []}, done.stderr
    assert done.stderr.count("\n") == 1 and "scenario.nope" in done.stderr
