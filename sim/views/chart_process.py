"""A run's dashboard drawn in a second process that imports matplotlib while the run simulates.

The chart of one ``spsim`` run costs about as much as the run: matplotlib's import and fonts,
then drawing. On a machine with two cores or more, a process forked before the simulation
(it shares every module already imported) loads matplotlib meanwhile, and draws while this
process writes the tables, so the command waits for the chart's drawing only. Elsewhere (one
core, no ``fork``, or threads already running, which ``fork`` must not copy) the chart is drawn
here, as before: the same function writes the same file either way.

The process stops with the run: it is shut down when the run ends, fails or is interrupted.
"""

import multiprocessing
import os
import sys
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

import pandas as pd

from sim.config import RunConfig


def _prepare() -> None:
    """In the chart's process: matplotlib and its font list, loaded before the tables exist."""
    from matplotlib import font_manager

    from sim.views import dashboard  # noqa: F401  (matplotlib's figure and Agg canvas)

    font_manager.findfont("DejaVu Sans")


def _write(run_dir: Path, daily: pd.DataFrame, summary: dict[str, float], config: RunConfig) -> Path:
    from sim.views import dashboard

    title = dashboard.title(config.scenario.name, config.seed)
    return dashboard.write(run_dir, daily, summary, config.warmup_days, title)


def forks_usefully() -> bool:
    """Whether a second process can draw in parallel: two cores, ``fork``, and no other thread to copy."""
    return (
        (os.cpu_count() or 1) > 1
        and sys.platform.startswith("linux")
        and "fork" in multiprocessing.get_all_start_methods()
        and threading.active_count() == 1
    )


class ChartProcess:
    """Draws one run's dashboard, in a second process when that runs in parallel (else in this one)."""

    def __init__(self, parallel: bool = True) -> None:
        self._pool: ProcessPoolExecutor | None = None
        if parallel and forks_usefully():
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
            self._pool.submit(_prepare)  # queued first: the drawing finds matplotlib loaded

    def write(self, run_dir: Path, daily: pd.DataFrame, summary: dict[str, float], config: RunConfig) -> Future[Path]:
        """Start drawing the run's ``charts/dashboard.png``; its path when the future is done."""
        if self._pool is None:
            done: Future[Path] = Future()
            done.set_result(_write(run_dir, daily, summary, config))
            return done
        return self._pool.submit(_write, run_dir, daily, summary, config)

    def close(self) -> None:
        """Stop the process (a drawing not started is cancelled; one under way is waited for)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> "ChartProcess":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
