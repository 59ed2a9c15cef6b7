"""A sweep's local workers, forked when ``spsim -m`` starts: the first jobs need not wait for them.

Hydra's joblib launcher runs a sweep's jobs on loky workers, fresh interpreters that
import Python, Hydra, pandas and the model before their first job: ~1.8 s on two cores
while no job runs, serial time that a 12-run sweep on two workers pays out of ~11 s.
Forked as soon as ``spsim -m`` starts, the workers share every module the command has
already imported and import the model while the command checks and composes the sweep,
so the jobs start as soon as it is launched (a sweep refused by the check stops them).

The launcher is unchanged (``hydra/launcher=joblib``, ``hydra.launcher.n_jobs``): its
``joblib.Parallel`` is handed these workers as a joblib backend instead of loky's, and a
job is sent to them pickled as loky sends it (cloudpickle), so it runs the same code on
the same inputs and writes the same files (``tests/test_launchers.py``). Where forking
is not safe or not useful the launcher keeps loky: one job at a time, no ``fork``
(macOS, Windows), another launcher named on the command line, a thread already running
(``fork`` copies only the thread that calls it, with whatever locks the others held), or
``SPSIM_FORK_WORKERS=0`` in the environment.

The workers stop with the sweep: when it ends (:func:`stop`), when the command exits on
an error or Ctrl-C (multiprocessing terminates its daemonic workers at exit), and on
their own within a second when the command's process is gone (each watches its parent
from the moment it is forked).
"""

import gc
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

PARENT = "SPSIM_SWEEP_PARENT"  # the pid of the spsim -m whose workers a job runs in
NO_FORK = "SPSIM_FORK_WORKERS"  # set to 0: the joblib launcher's own loky workers, as before
ORPHANED = 130  # a worker whose sweep is gone ends as if interrupted: its run stays "running", redone on a rerun
_LAUNCHER = "hydra/launcher="
_N_JOBS = "hydra.launcher.n_jobs="
_workers: "ProcessPoolExecutor | None" = None
_forked = False  # whether this command forked a sweep's workers (they may be stopped already)
_watching = False


def start(arguments: Sequence[str]) -> bool:
    """Fork the workers of the sweep ``arguments`` describes, if they will run it; True if forked.

    Call once ``SPSIM_SWEEP_PARENT`` names this process (the workers copy the environment
    when forked), and :func:`stop` them if the sweep is then refused.
    """
    from concurrent.futures import ProcessPoolExecutor

    from sim.forked_backend import effective, run_joblib_launcher_on  # joblib: only for a sweep

    global _workers, _forked
    size = _local_workers(arguments, effective)
    if _workers is not None or size < 2 or not _forks_safely():
        return False

    _workers = ProcessPoolExecutor(size, mp_context=multiprocessing.get_context("fork"), initializer=_prepare)
    _forked = True
    _workers.submit(int)  # with fork, the executor forks every worker at its first job
    run_joblib_launcher_on(_workers, size, stop)
    return True


def stop() -> bool:
    """Stop the forked workers, cutting short any job under way; True if this command forked any.

    Called again once they are stopped, it does nothing (and says the same).
    """
    global _workers
    if _workers is None:
        return _forked
    workers, _workers = _workers, None
    for process in list(getattr(workers, "_processes", {}).values()):  # no public kill before Python 3.14
        process.terminate()
    workers.shutdown(wait=True, cancel_futures=True)
    return True


def stop_when_orphaned() -> None:
    """In a worker of a sweep: end this process once the ``spsim -m`` that started it is gone.

    A sweep whose command is killed (SIGKILL, a closed terminal) would otherwise leave its
    workers running, each in the middle of a run nobody waits for, or waiting for jobs
    forever. A watcher thread checks every second that the parent is still the sweep's
    command. Workers that are not the command's children (Ray, SLURM) are left to their launcher.
    """
    global _watching
    parent = os.environ.get(PARENT, "")
    if _watching or not parent.isdigit() or os.getppid() != int(parent):
        return
    _watching = True

    def watch() -> None:
        while os.getppid() == int(parent):
            time.sleep(1.0)
        os._exit(ORPHANED)

    threading.Thread(target=watch, name="spsim-orphan-watch", daemon=True).start()


def _local_workers(arguments: Sequence[str], effective: Callable[[int], int]) -> int:
    """How many workers the joblib launcher will run the sweep on (0: another launcher runs it)."""
    launchers = [a.removeprefix(_LAUNCHER) for a in arguments if a.startswith(_LAUNCHER)]
    if launchers and launchers[-1] != "joblib":
        return 0
    wanted = [a.removeprefix(_N_JOBS) for a in arguments if a.startswith(_N_JOBS)]
    try:
        n_jobs = int(wanted[-1]) if wanted else -1  # the launcher's default: every core
    except ValueError:
        return 0
    return effective(n_jobs)


def _forks_safely() -> bool:
    return (
        os.environ.get(NO_FORK, "1") != "0"
        and sys.platform.startswith("linux")
        and "fork" in multiprocessing.get_all_start_methods()
        and threading.active_count() == 1
    )


def _prepare() -> None:
    """In a forked worker, before its first job: watch the parent, import what every job runs."""
    stop_when_orphaned()
    import hydra_plugins.hydra_joblib_launcher._core  # type: ignore[import-untyped]  # noqa: F401  (the job's entry point)

    import sim.model  # pandas, pyarrow and the model
    import sim.runner  # noqa: F401

    gc.freeze()  # as the command froze what it had loaded: collections between jobs go through the jobs' objects only
