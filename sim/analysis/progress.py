"""Where a sweep stands, read from its run folders, and the progress line that shows it.

Jobs run in other processes (joblib, Ray, SLURM), so progress is read from the run
folders: :class:`SweepTracker` polls the sweep folder for the manifests this sweep
writes (``running``, then ``complete`` or ``failed``) or confirms (a job skipped because
its result is already there touches its manifest, see
``sim.output.rundir.confirm_result``). Folders the sweep does not touch (left by an
earlier, larger sweep) are not counted.

:class:`ProgressLine` draws it: on a terminal a tqdm bar rewritten in place, in a log a
line per change. The time left counts only the runs made (skipped runs take no time).
"""

import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from sim.output.runfolder import MANIFEST
from sim.output.sweepfolder import iter_runs

BAR_WIDTH = 20


@dataclass
class Progress:
    """Where a sweep stands: finished runs (complete or failed), running ones, time."""

    total: int | None
    complete: int = 0
    skipped: int = 0
    failed: list[tuple[Path, str]] = field(default_factory=list)
    running: list[Path] = field(default_factory=list)
    elapsed_s: float = 0.0

    @property
    def finished(self) -> int:
        return self.complete + len(self.failed)

    def seconds_left(self) -> float | None:
        """Remaining runs at the pace of the runs made so far (skipped ones take no time)."""
        made = self.finished - self.skipped
        if self.total is None or made <= 0:
            return None
        return max(self.total - self.finished, 0) * self.elapsed_s / made

    def line(self) -> str:
        """One line: ``spsim: 12/70 runs done [####......] 3 skipped, 1 failed, 2 running, 3m10s left``."""
        if self.total:
            filled = round(BAR_WIDTH * min(self.finished / self.total, 1.0))
            done = f"{self.finished}/{self.total} runs done [{'#' * filled}{'.' * (BAR_WIDTH - filled)}]"
        else:
            done = f"{self.finished} runs done"
        return f"spsim: {done} {self.details()}"

    def details(self) -> str:
        """What the counts do not say: ``3 skipped, 1 failed, 2 running, 3m10s left``."""
        details = [f"{self.skipped} skipped"] if self.skipped else []
        details.append(f"{len(self.failed)} failed")
        details.append(f"{len(self.running)} running")
        left = self.seconds_left()
        if self.total is not None and self.finished < self.total:
            details.append(f"{_duration(left)} left" if left is not None else "time left: after the first run")
        else:
            details.append(f"took {_duration(self.elapsed_s)}")
        return ", ".join(details)


class SweepTracker:
    """Reads the states of a sweep's runs from their manifests.

    A manifest counts once this sweep has written or touched it: its modification time
    differs from the one it had when the sweep started (or it is new).
    """

    def __init__(self, sweep_dir: Path, total: int | None) -> None:
        self.sweep_dir = sweep_dir
        self.total = total
        self.started = time.monotonic()
        self._cache: dict[Path, tuple[int, dict[str, Any]]] = {}
        self._before = {path: self._read(path) for path in _manifests(sweep_dir)}

    def poll(self) -> Progress:
        """The state of every run this sweep has touched so far."""
        progress = Progress(self.total, elapsed_s=time.monotonic() - self.started)
        for path in _manifests(self.sweep_dir):
            stamp, manifest = self._read(path)
            earlier = self._before.get(path)
            if earlier is not None and earlier[0] == stamp:
                continue  # not touched by this sweep
            status = manifest.get("status")
            if status == "complete":
                progress.complete += 1
                progress.skipped += earlier is not None and earlier[1] == manifest
            elif status == "failed":
                progress.failed.append((path.parent, str(manifest.get("error", "unknown error"))))
            else:
                progress.running.append(path.parent)
        return progress

    def _read(self, path: Path) -> tuple[int, dict[str, Any]]:
        try:
            stamp = path.stat().st_mtime_ns
        except OSError:
            return -1, {}
        cached = self._cache.get(path)
        if cached is not None and cached[0] == stamp:
            return cached
        try:
            manifest = json.loads(path.read_text())
        except (OSError, ValueError):
            manifest = {}  # being replaced: read again at the next poll
            stamp = -1
        read = (stamp, manifest if isinstance(manifest, dict) else {})
        self._cache[path] = read
        return read


def _manifests(sweep_dir: Path) -> list[Path]:
    """The manifest of every run folder below ``sweep_dir`` that has one."""
    return [run / MANIFEST for run in iter_runs(sweep_dir) if (run / MANIFEST).is_file()]


class ProgressLine:
    """The progress line: a tqdm bar on a terminal (rewritten in place), a line per change in a log."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self._last: tuple[int, int] | None = None
        self._bar: Any = None

    def show(self, progress: Progress) -> None:
        """Draw ``progress``: always on a terminal, on a change of the counts in a log."""
        all_done = progress.total is not None and progress.finished >= progress.total
        if self.tty:
            self._draw(progress)
        elif (progress.finished, len(progress.failed)) != self._last and not all_done:
            self.stream.write(progress.line() + "\n")  # the last line is finish()'s
            self.stream.flush()
        self._last = (progress.finished, len(progress.failed))

    def finish(self, progress: Progress) -> None:
        """The final line."""
        if self.tty:
            self._draw(progress)
            self._bar.close()
            self.stream.write("\n")
        else:
            self.stream.write(progress.line() + "\n")
        self.stream.flush()

    def _draw(self, progress: Progress) -> None:
        """The bar at ``progress``, with the sweep's own counts and time left beside it."""
        if self._bar is None:
            from tqdm import tqdm  # only for a sweep on a terminal

            # Drawn only when asked (``delay``): each show() is one rewrite of the line.
            self._bar = tqdm(
                total=progress.total,
                file=self.stream,
                bar_format=f"spsim: {{n_fmt}}/{{total_fmt}} runs done [{{bar:{BAR_WIDTH}}}] {{desc}}"
                if progress.total
                else "spsim: {n_fmt} runs done {desc}",
                ascii=".#",
                delay=math.inf,
                mininterval=0,
                dynamic_ncols=False,
            )
        self._bar.n = progress.finished
        self._bar.set_description_str(progress.details(), refresh=False)
        self._bar.refresh()


def _duration(seconds: float | None) -> str:
    if seconds is None or not math.isfinite(seconds):
        return "?"
    seconds = round(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"
