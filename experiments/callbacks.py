"""Hydra callbacks of ``spsim -m``: a progress line while a sweep runs, then its tables and report.

Jobs run in other processes (joblib, Ray, SLURM), so progress is read from the run
folders: a thread polls the sweep folder for the manifests this sweep writes (``running``,
then ``complete`` or ``failed``) or confirms (a job skipped because its result is already
there touches its manifest, see ``sim.output.rundir.confirm_result``). Folders the sweep
does not touch (left by an earlier, larger sweep) are not counted.

Hydra calls ``on_multirun_end`` only when no job raised; spsim's jobs never raise (a
failed run is sealed ``failed`` and the sweep goes on), so every sweep ends here: the
runs are aggregated (``experiments.aggregate``), the report is written
(``experiments.report``), the headline comparison is printed, and failed runs are
listed with their errors before the command exits with status 1.
"""

import json
import math
import os
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf

MANIFEST = "manifest.json"  # sim.output.rundir.MANIFEST, without importing the simulation here
BASIC_SWEEPER = "hydra._internal.core_plugins.basic_sweeper.BasicSweeper"
TABLE_KPIS = ("operating_profit", "fill_rate", "on_time_in_full", "avg_on_hand")
BAR_WIDTH = 20
FAILED_EXIT = 1


class SweepProgress(Callback):
    """Shows a sweep's progress on stderr; at its end aggregates, reports and lists failures.

    Args:
        baseline: the arm the comparison is made against, as overrides
            (``policy.shared_metrics.joint_weight=0``); None: ``policy=silo`` when the
            sweep has it (see ``experiments.aggregate``).
        interval_s: how often the sweep folder is read.
    """

    def __init__(self, baseline: str | None = None, interval_s: float = 0.5) -> None:
        self.baseline = baseline
        self.interval_s = interval_s
        self._tracker: SweepTracker | None = None
        self._line: ProgressLine | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __getstate__(self) -> dict[str, Any]:
        # Hydra sends its callbacks to every job's process: the thread stays here.
        return {"baseline": self.baseline, "interval_s": self.interval_s}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(**state)  # type: ignore[misc]

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        """Start watching the sweep folder."""
        self._tracker = SweepTracker(Path(str(config.hydra.sweep.dir)), count_jobs(config))
        self._line = ProgressLine(sys.stderr)
        self._stop.clear()
        self._thread = threading.Thread(target=self._watch, name="sweep-progress", daemon=True)
        self._thread.start()

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        """Final count, tables and report; exit with status 1 if a run failed."""
        if self._tracker is None or self._line is None:
            return
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        progress = self._tracker.poll()
        self._line.finish(progress)
        sweep_dir = self._tracker.sweep_dir
        summarise(sweep_dir, self.baseline)
        problems = progress.failed + [(path, "did not finish (status running)") for path in progress.running]
        for path, error in problems:
            print(f"spsim: failed: {_relative(path, sweep_dir)}: {error}", file=sys.stderr)
        unseen = (progress.total or 0) - progress.finished - len(progress.running)
        if unseen > 0:  # a job that failed before its run folder had a manifest
            print(f"spsim: {unseen} job(s) left no run folder of their own (see the messages above)", file=sys.stderr)
        if problems or unseen > 0:
            print(
                f"spsim: {len(problems) + max(unseen, 0)} of {progress.total or progress.finished} runs failed; "
                "run the same command again to retry them (complete runs are skipped)",
                file=sys.stderr,
            )
            sys.exit(FAILED_EXIT)

    def _watch(self) -> None:
        assert self._tracker is not None and self._line is not None
        while not self._stop.wait(self.interval_s):
            self._line.show(self._tracker.poll())


# -- counting the jobs and their states -----------------------------------------------------


def count_jobs(config: DictConfig) -> int | None:
    """How many jobs the basic sweeper makes of this multirun (None for other sweepers)."""
    sweeper = config.hydra.sweeper
    if sweeper.get("_target_") != BASIC_SWEEPER:
        return None
    params = sweeper.get("params")
    params = OmegaConf.to_container(params, resolve=True) if params is not None else {}
    assert isinstance(params, dict)
    lines = [f"{key}={value}" for key, value in params.items() if value is not None]
    lines += list(config.hydra.overrides.task)
    sizes: dict[str, int] = {}  # per key, the last setting wins (the command line's)
    for override in OverridesParser.create().parse_overrides(lines):
        values = list(override.sweep_string_iterator()) if override.is_sweep_override() else [None]
        sizes[override.get_key_element()] = len(values)
    return math.prod(sizes.values())


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
        parts = []
        if self.total:
            filled = round(BAR_WIDTH * min(self.finished / self.total, 1.0))
            parts.append(f"{self.finished}/{self.total} runs done [{'#' * filled}{'.' * (BAR_WIDTH - filled)}]")
        else:
            parts.append(f"{self.finished} runs done")
        details = [f"{self.skipped} skipped"] if self.skipped else []
        details.append(f"{len(self.failed)} failed")
        details.append(f"{len(self.running)} running")
        left = self.seconds_left()
        if self.total is not None and self.finished < self.total:
            details.append(f"{_duration(left)} left" if left is not None else "time left: after the first run")
        else:
            details.append(f"took {_duration(self.elapsed_s)}")
        return f"spsim: {parts[0]} {', '.join(details)}"


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


def _manifests(sweep_dir: Path) -> Iterator[Path]:
    """The manifest of every run folder below ``sweep_dir`` (hidden folders left out)."""
    for root, folders, files in os.walk(sweep_dir):
        if MANIFEST in files:
            folders.clear()  # a run folder holds no other run
            yield Path(root) / MANIFEST
        else:
            folders[:] = [name for name in folders if not name.startswith(".")]


class ProgressLine:
    """The progress line on a terminal (rewritten in place) or in a log (a line per change)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self._last: tuple[int, int] | None = None

    def show(self, progress: Progress) -> None:
        """Draw ``progress``: always on a terminal, on a change of the counts in a log."""
        all_done = progress.total is not None and progress.finished >= progress.total
        if self.tty:
            self.stream.write(f"\r{progress.line()}\x1b[K")
        elif (progress.finished, len(progress.failed)) != self._last and not all_done:
            self.stream.write(progress.line() + "\n")  # the last line is finish()'s
        self._last = (progress.finished, len(progress.failed))
        self.stream.flush()

    def finish(self, progress: Progress) -> None:
        """The final line."""
        self.stream.write(f"\r{progress.line()}\x1b[K\n" if self.tty else progress.line() + "\n")
        self.stream.flush()


# -- the end of a sweep ---------------------------------------------------------------------


def summarise(sweep_dir: Path, baseline: str | None = None) -> None:
    """Aggregate the sweep, write its report, print where it is and the headline comparison.

    Problems are printed in one line each; none of them stops the caller.
    """
    try:
        from experiments import aggregate as aggregation
        from experiments.report import write_report
    except ImportError as error:
        print(f"spsim: no aggregation or report ({error}); the runs are in {sweep_dir}", file=sys.stderr)
        return
    try:
        try:
            result = aggregation.aggregate(sweep_dir, baseline)
        except aggregation.SweepError:
            if baseline is None:
                raise
            print(f"spsim: baseline {baseline} is not an arm of this sweep; comparing without it", file=sys.stderr)
            result = aggregation.aggregate(sweep_dir)
        report = write_report(sweep_dir)
    except Exception as error:  # a report problem must not hide the runs' own outcome
        print(f"spsim: aggregate: {_one_line(error)}", file=sys.stderr)
        return
    print(comparison_table(result.comparison, result.arms))
    if result.incomplete:
        print(f"left out of the tables: {len(result.incomplete)} incomplete run folder(s) (see aggregate.json)")
    print(f"tables: {sweep_dir / aggregation.COMPARISON_TABLE}")
    print(f"report: {report}")


def comparison_table(comparison: Any, arms: list[str], kpis: tuple[str, ...] = TABLE_KPIS) -> str:
    """Arms by headline KPIs: a baseline's mean, other arms' paired difference ± 95% half-width.

    Args:
        comparison: the comparison table of ``experiments.aggregate`` (one row per arm and KPI).
        arms: the arms, in order.
        kpis: the KPI columns (those absent from the sweep are left out).
    """
    shown = [kpi for kpi in kpis if kpi in set(comparison["kpi"])]
    rows = {(row.arm, row.kpi): row for row in comparison.itertuples(index=False) if row.kpi in shown}
    labels = _labels(arms)
    header = ["arm (n)", *shown]
    body = []
    for arm in _baselines_first(comparison, arms):
        cells = [f"{labels[arm]} ({_seeds(rows, arm, shown)})"]
        for kpi in shown:
            row = rows.get((arm, kpi))
            cells.append(_cell(row) if row is not None else "")
        body.append(cells)
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
    lines = [
        "mean of each baseline; other arms: paired difference from their baseline ± 95% CI half-width "
        "(* the interval excludes 0); n = seeds",
        "  ".join(text.ljust(widths[i]) if i == 0 else text.rjust(widths[i]) for i, text in enumerate(header)),
    ]
    for cells in body:
        lines.append(
            "  ".join(text.ljust(widths[i]) if i == 0 else text.rjust(widths[i]) for i, text in enumerate(cells))
        )
    return "\n".join(lines)


def _baselines_first(comparison: Any, arms: list[str]) -> list[str]:
    """Each baseline followed by the arms compared with it; arms without one last."""
    baseline_of = dict(zip(comparison["arm"], comparison["baseline"], strict=True))
    groups: dict[Any, list[str]] = {}
    for arm in arms:
        baseline = baseline_of.get(arm)
        key = baseline if isinstance(baseline, str) and baseline else None
        groups.setdefault(key, [])
        if arm != key:
            groups[key].append(arm)
    ordered = [arm for baseline, members in groups.items() if baseline for arm in [baseline, *members]]
    return ordered + groups.get(None, [])


def _cell(row: Any) -> str:
    if row.is_baseline or not row.n_paired:
        return f"{_number(row.mean)}" + (" (baseline)" if row.is_baseline else "")
    half = (row.diff_ci_high - row.diff_ci_low) / 2
    if not math.isfinite(half):  # one paired seed: no interval
        return _number(row.diff_mean, signed=True) + "  "
    excludes_zero = row.diff_ci_low > 0 or row.diff_ci_high < 0
    return f"{_number(row.diff_mean, signed=True)} ± {_number(half)}" + (" *" if excludes_zero else "  ")


def _seeds(rows: dict[tuple[str, str], Any], arm: str, kpis: list[str]) -> str:
    counts = {int(rows[arm, kpi].n) for kpi in kpis if (arm, kpi) in rows}
    return "/".join(str(count) for count in sorted(counts)) or "0"


def _labels(arms: list[str]) -> dict[str, str]:
    try:
        from experiments.report import short_labels

        return short_labels(arms) if len(arms) > 1 else {arm: arm for arm in arms}
    except ImportError:
        return {arm: arm for arm in arms}


def _number(value: float, signed: bool = False) -> str:
    if not math.isfinite(value):
        return "nan"
    sign = "+" if signed else ""
    return f"{value:{sign},.0f}" if abs(value) >= 10 else f"{value:{sign}.4f}"


def _duration(seconds: float | None) -> str:
    if seconds is None or not math.isfinite(seconds):
        return "?"
    seconds = round(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


def _relative(path: Path, base: Path) -> str:
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return str(path)


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__
