"""A joblib backend on a sweep's forked workers (:mod:`sim.sweep_workers`), for Hydra's joblib launcher.

The launcher hard-codes loky as joblib's backend; :func:`run_joblib_launcher_on` makes the
``joblib.Parallel`` it creates run on the given workers instead, with loky's interface:
jobs and results cross between processes by cloudpickle, as loky sends them (a result
without the job's two configs, which the sweeper never reads), and a job that raises (or
Ctrl-C) stops what is under way.
"""

import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from joblib import Parallel
from joblib._parallel_backends import AutoBatchingMixin, FallbackToBackend, ParallelBackendBase, SequentialBackend
from joblib.externals import cloudpickle


def effective(n_jobs: int) -> int:
    """Workers for joblib's ``n_jobs`` (-1: every core, -2: all but one, ...)."""
    return max((os.cpu_count() or 1) + 1 + n_jobs, 1) if n_jobs < 0 else n_jobs


def run_joblib_launcher_on(workers: ProcessPoolExecutor, size: int, stop: Callable[[], object]) -> None:
    """Make the joblib launcher's ``Parallel`` run on ``workers`` when it asks for ``size`` of them."""
    from hydra_plugins.hydra_joblib_launcher import _core  # type: ignore[import-untyped]

    def parallel(**joblib_args: Any) -> Parallel:
        if joblib_args.get("backend") == "loky" and effective(joblib_args["n_jobs"]) == size:
            joblib_args["backend"] = ForkedWorkers(workers, stop)
        else:
            stop()  # the launcher wants other workers than the command line said: loky's, as ever
        return Parallel(**joblib_args)

    _core.Parallel = parallel


class Cloudpickled:
    """A job or its result as it crosses between processes: by cloudpickle, as loky sends them.

    Plain pickle cannot send Hydra's task function (the name ``_hydra_app`` holds the
    decorated one) nor a job's result (its Hydra config holds classes that Hydra's plugin
    scan loaded twice).
    """

    def __init__(self, value: Any) -> None:
        self.value = value

    def __reduce__(self) -> tuple[Callable[[bytes], "Cloudpickled"], tuple[bytes]]:
        return _unpickled, (cloudpickle.dumps(self.value),)


def _unpickled(data: bytes) -> Cloudpickled:
    return Cloudpickled(cloudpickle.loads(data))


def _run(job: Cloudpickled) -> Cloudpickled:
    return Cloudpickled([_without_configs(result) for result in job.value()])  # a batch's results, in order


def _without_configs(result: Any) -> Any:
    """A job's result as the sweeper reads it: its status and return value, not the job's two configs.

    Hydra's sweeper reads only ``return_value`` (which raises a failed job's error) of what
    its launcher returns; the job's composed config and Hydra config stay with the job's
    files, instead of ~40 KB to pickle in the worker and unpickle in the command per job.
    """
    if hasattr(result, "hydra_cfg"):  # a JobReturn (Hydra stays in sim.compose and sim.hydra_app)
        result.cfg = result.hydra_cfg = None
    return result


class ForkedWorkers(AutoBatchingMixin, ParallelBackendBase):
    """joblib's loky backend, on workers forked by ``spsim -m`` rather than loky's own."""

    supports_retrieve_callback = True

    def __init__(self, workers: ProcessPoolExecutor, stop: Callable[[], object]) -> None:
        super().__init__()
        self._workers = workers
        self._stop = stop

    def effective_n_jobs(self, n_jobs: int) -> int:
        return effective(n_jobs)

    def configure(self, n_jobs: int = 1, parallel: Any = None, **_backend_args: Any) -> int:
        n_jobs = self.effective_n_jobs(n_jobs)
        if n_jobs == 1:
            raise FallbackToBackend(SequentialBackend(nesting_level=self.nesting_level))
        self.parallel = parallel
        return n_jobs

    def submit(self, func: Callable[[], Any], callback: Callable[[Future[Any]], Any] | None = None) -> Future[Any]:
        future = self._workers.submit(_run, Cloudpickled(func))
        if callback is not None:
            future.add_done_callback(callback)
        return future

    def retrieve_result_callback(self, future: Future[Any]) -> Any:
        return future.result().value

    def terminate(self) -> None:
        """Nothing: the workers outlive one ``Parallel`` call, :func:`stop` ends them."""

    def abort_everything(self, ensure_ready: bool = True) -> None:
        self._stop()  # a job raised or the sweep was interrupted: what is under way stops, as with loky
