"""Hydra callbacks of ``spsim -m``: a progress line while a sweep runs, then its tables and report.

Hydra calls a callback's hooks by name (``hydra/_internal/callbacks.py``), so
:class:`SweepProgress` needs no Hydra base class and this module imports no Hydra:
``configs/config.yaml`` names it in ``hydra.callbacks``. Progress is read from the run
folders (:mod:`sim.analysis.progress`) by a thread of the command's process, once a
second: the process that runs the jobs' launcher stays all but idle, leaving the cores
to the jobs.

Hydra calls ``on_multirun_end`` only when no job raised; spsim's jobs never raise (a
failed run is sealed ``failed`` and the sweep goes on), so every sweep ends here: the
runs are aggregated (:mod:`sim.analysis.aggregate`), the report is written
(:mod:`sim.analysis.report`), the headline comparison is printed, and failed runs are
listed with their errors before the command exits with status 1.
"""

import math
import sys
import threading
from pathlib import Path
from typing import Any

from sim import sweep_workers
from sim.analysis.progress import Progress, ProgressLine, SweepTracker

TABLE_KPIS = ("operating_profit", "fill_rate", "on_time_in_full", "avg_on_hand")
FAILED_EXIT = 1
LISTED_SKIPS = 10
__all__ = ["Progress", "ProgressLine", "SweepProgress", "SweepTracker", "comparison_table", "summarise"]


class SweepProgress:
    """Shows a sweep's progress on stderr; at its end aggregates, reports and lists failures.

    Args:
        baseline: the arm the comparison is made against, as overrides
            (``policy.shared_metrics.joint_weight=0``); None: ``policy=silo`` when the
            sweep has it (see ``sim.analysis.aggregate``).
        target_fill_rate: the report also compares the arms at this fill rate (along each
            arm's stock-service frontier, when the sweep runs a grid of safety factors).
        interval_s: how often the sweep folder is read.
    """

    def __init__(
        self, baseline: str | None = None, target_fill_rate: float | None = None, interval_s: float = 1.0
    ) -> None:
        self.baseline = baseline
        self.target_fill_rate = target_fill_rate
        self.interval_s = interval_s
        self._tracker: SweepTracker | None = None
        self._line: ProgressLine | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __getstate__(self) -> dict[str, Any]:
        # Hydra sends its callbacks to every job's process: the thread stays here.
        return {"baseline": self.baseline, "target_fill_rate": self.target_fill_rate, "interval_s": self.interval_s}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(**state)  # type: ignore[misc]

    # Hydra calls every hook of a callback; a sweep's progress needs two of them.
    def on_run_start(self, config: Any, **kwargs: Any) -> None:
        """Nothing: a single run has no progress line."""

    def on_run_end(self, config: Any, **kwargs: Any) -> None:
        """Nothing: a single run has no progress line."""

    def on_job_start(self, config: Any, **kwargs: Any) -> None:
        """Nothing: jobs report through their run folders."""

    def on_job_end(self, config: Any, **kwargs: Any) -> None:
        """Nothing: jobs report through their run folders."""

    def on_multirun_start(self, config: Any, **kwargs: Any) -> None:
        """Start watching the sweep folder."""
        from sim.compose import count_jobs

        self._tracker = SweepTracker(Path(str(config.hydra.sweep.dir)), count_jobs(config))
        self._line = ProgressLine(sys.stderr)
        self._stop.clear()
        self._thread = threading.Thread(target=self._watch, name="sweep-progress", daemon=True)
        self._thread.start()

    def on_multirun_end(self, config: Any, **kwargs: Any) -> None:
        """Final count, tables and report; exit with status 1 if a run failed."""
        if self._tracker is None or self._line is None:
            return
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        sweep_workers.stop()  # every job is done: the report draws its charts on the cores the workers leave
        progress = self._tracker.poll()
        self._line.finish(progress)
        sweep_dir = self._tracker.sweep_dir
        summarise(sweep_dir, self.baseline, self.target_fill_rate)
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
        _prepare_report()
        while not self._stop.wait(self.interval_s):
            self._line.show(self._tracker.poll())


# -- the end of a sweep ---------------------------------------------------------------------


def _prepare_report() -> None:
    """Import what the report needs while the jobs run: ~1 s (scipy, matplotlib) off the sweep's serial end.

    Its Parquet reader too: the jobs, not this process, wrote the runs' tables.
    """
    import pyarrow.parquet  # noqa: F401

    from sim.analysis import aggregate, design, report, tables  # noqa: F401


def summarise(sweep_dir: Path, baseline: str | None = None, target_fill_rate: float | None = None) -> None:
    """Aggregate the sweep, write its report, print where it is and the headline comparison.

    Problems are printed in one line each; none of them stops the caller.
    """
    from sim.analysis import aggregate as aggregation
    from sim.analysis.design import design
    from sim.analysis.report import SUMMARY_TEXT, write_report

    try:
        try:
            result = aggregation.aggregate(sweep_dir, baseline)
        except aggregation.SweepError:
            if baseline is None:
                raise
            print(f"spsim: baseline {baseline} is not an arm of this sweep; comparing without it", file=sys.stderr)
            result = aggregation.aggregate(sweep_dir)
        report = write_report(sweep_dir, target_fill_rate=target_fill_rate)
        main = design(result).main
    except Exception as error:  # a report problem must not hide the runs' own outcome
        print(f"spsim: aggregate: {_one_line(error)}", file=sys.stderr)
        return
    print(comparison_table(main.comparison, main.arms))
    print()
    print(_read_summary(report.with_name(SUMMARY_TEXT)), end="")
    if result.incomplete:
        print(f"left out of the tables and the report: {len(result.incomplete)} run folder(s):")
        for path, reason in result.incomplete[:LISTED_SKIPS]:
            print(f"  {_relative(path, sweep_dir)}: {reason}")
        if len(result.incomplete) > LISTED_SKIPS:
            print(f"  ... and {len(result.incomplete) - LISTED_SKIPS} more (all in aggregate.json and the report)")
    print(f"tables: {sweep_dir / aggregation.COMPARISON_TABLE}")
    print(f"report: {report}")


def _read_summary(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def comparison_table(comparison: Any, arms: list[str], kpis: tuple[str, ...] = TABLE_KPIS) -> str:
    """Arms by headline KPIs: a baseline's mean, other arms' paired difference ± 95% half-width.

    Args:
        comparison: the comparison table of ``sim.analysis.aggregate`` (one row per arm and KPI).
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
    from sim.analysis.report_arms import plain_labels

    return plain_labels(arms) if len(arms) > 1 else {arm: arm for arm in arms}


def _number(value: float, signed: bool = False) -> str:
    if not math.isfinite(value):
        return "nan"
    sign = "+" if signed else ""
    return f"{value:{sign},.0f}" if abs(value) >= 10 else f"{value:{sign}.4f}"


def _relative(path: Path, base: Path) -> str:
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return str(path)


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__
