"""A report's charts written in forked children while the report goes on: its PNG files on every core.

Rendering a chart and encoding its PNG hold the GIL, so threads would only take turns. A
child forked once a figure is built has the figure already (nothing is pickled): it writes
the file and ends, while the report builds its next figure and its tables. The report
waits for every file before it writes the pages that show them (a main job's report: 3.2 s,
1.4-1.8 s of it writing its five charts).

Charts are written in turn, in this process, where forking is not safe: not on Linux, or
while another thread runs (``fork`` copies only the calling thread, with whatever locks
the others held). A child's error is not lost: its chart is written again here, which
raises it.
"""

import os
import sys
import threading
from pathlib import Path
from types import TracebackType
from typing import Any

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from sim.output.atomic import write_atomically


class Drawing:
    """Writes figures to PNG files, each in a forked child where it can (at most ``workers`` at once).

    Use it as a context manager: leaving the block waits for every file, and raises what
    writing one raised (unless the block itself raised: then its error goes on).
    """

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers if workers is not None else (os.cpu_count() or 1)
        self._pending: dict[int, tuple[Figure, Path, dict[str, Any]]] = {}  # child -> what it writes

    def save(self, figure: Figure, path: Path, **savefig: Any) -> None:
        """Write ``figure`` to the PNG ``path`` (``savefig`` options: ``dpi``, ``bbox_inches``), now or in a child."""
        if self.workers < 2 or not forks_safely():
            _write(figure, path, savefig)
            return
        if len(self._pending) >= self.workers:
            self._wait_for(next(iter(self._pending)))
        try:
            child = os.fork()
        except OSError:  # no process to spare (a limit on processes, memory): written here instead
            _write(figure, path, savefig)
            return
        if child == 0:  # write, then leave without the parent's exit handlers and unflushed output
            written = False
            try:
                _png(figure, path, savefig)
                written = True
            finally:
                os._exit(0 if written else 1)
        self._pending[child] = (figure, path, savefig)

    def wait(self) -> None:
        """Return once every file is written; raises what writing a chart raised."""
        while self._pending:
            self._wait_for(next(iter(self._pending)))

    def __enter__(self) -> "Drawing":
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if kind is None:
            self.wait()
            return
        for child, (figure, _, _) in list(self._pending.items()):  # the block failed: its error goes on
            del self._pending[child]
            os.waitpid(child, 0)
            plt.close(figure)

    def _wait_for(self, child: int) -> None:
        figure, path, savefig = self._pending.pop(child)
        _, status = os.waitpid(child, 0)  # this child only: a sweep's workers are children too
        if os.waitstatus_to_exitcode(status) != 0:
            _write(figure, path, savefig)  # raises what the child met
        else:
            plt.close(figure)


def forks_safely() -> bool:
    """Whether this process may fork a child to write a chart: Linux, and no other thread running."""
    return sys.platform.startswith("linux") and hasattr(os, "fork") and threading.active_count() == 1


def _write(figure: Figure, path: Path, savefig: dict[str, Any]) -> None:
    """Write ``figure`` here, then let pyplot forget it."""
    try:
        _png(figure, path, savefig)
    finally:
        plt.close(figure)


def _png(figure: Figure, path: Path, savefig: dict[str, Any]) -> None:
    write_atomically(path, lambda tmp: figure.savefig(tmp, format="png", **savefig))
