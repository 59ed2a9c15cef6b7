"""One run into its folder: simulate a validated config, write the results, seal the manifest.

``spsim`` (one run) and each job of ``spsim -m`` (a sweep) end here, after the command
line was composed and validated. A job of a sweep never fails the sweep: a run that
raises is sealed ``failed`` in its manifest, reported in one line, and the sweep goes on.
A job whose folder already holds the complete result of the same config is skipped, so
re-running a sweep resumes it.
"""

import math
import sys
import time
import traceback
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

from sim.config import RunConfig
from sim.output import kpis, rundir
from sim.output.rundir import RunFolder
from sim.output.runfolder import TABLES, read_summary

if TYPE_CHECKING:
    from sim.model import RunTables, TableReady

HEADLINE_KPIS = (
    "revenue", "gross_margin", "operating_profit", "fill_rate", "cycle_service_level",
    "on_time_in_full", "lost_sales_units", "avg_on_hand", "avg_backorders",
    "avg_orders_in_transit", "inventory_turns", "bullwhip_ratio",
)  # fmt: skip


def run_to_folder(config: RunConfig, run_dir: Path, *, chart_in_parallel: bool = False) -> dict[str, float]:
    """Run one simulation and write its folder; the manifest is sealed last.

    A run that raises (or is interrupted) is sealed ``failed``, with the error and its
    traceback in the manifest, and the exception goes on.

    Args:
        config: the validated run.
        run_dir: its folder (created if need be).
        chart_in_parallel: draw the dashboard in a second process that loads matplotlib while
            this one simulates (:mod:`sim.views.chart_process`); for one run, not for a sweep's
            jobs, which already use every core.
    """
    folder = RunFolder(run_dir, config)
    with ExitStack() as stack:
        drawer = None
        if config.output.charts:
            from sim.views.chart_process import ChartProcess  # matplotlib only when a chart is asked for

            drawer = stack.enter_context(ChartProcess(parallel=chart_in_parallel))
        try:
            tables, seconds = simulate(config, ready=folder.write_table)
            folder.manifest["simulation_s"] = seconds
            chart = drawer.write(run_dir, tables.timeseries, tables.summary, config) if drawer else None
            folder.write_results(tables.summary, {name: getattr(tables, name) for name in TABLES})
            if chart is not None:
                folder.add_files([str(chart.result().relative_to(run_dir))])
        except BaseException as error:
            folder.finish("failed", error_line(error), traceback.format_exc())
            raise
    folder.finish()
    return tables.summary


def simulate(config: RunConfig, ready: "TableReady | None" = None) -> tuple["RunTables", float]:
    """The run's tables, simulated in this process, and the seconds it took (build, run and tables).

    ``ready`` is told each table as soon as it is final (:meth:`SalesPurchasingModel.tables`).
    """
    from sim.model import SalesPurchasingModel

    started = time.perf_counter()
    tables = SalesPurchasingModel(config).run(ready)
    return tables, round(time.perf_counter() - started, 3)


def sweep_job(config: RunConfig, run_dir: Path) -> float:
    """One job of a sweep: skipped if done, else run; a failed run is reported, never raised.

    Returns:
        The run's operating profit (nan if it failed).
    """
    if rundir.holds_result(run_dir, config):
        rundir.confirm_result(run_dir)  # tells the sweep's progress line this job is done
        print(f"{run_dir.name}: skipped (complete)")
        return float(read_summary(run_dir).get("operating_profit", math.nan))
    try:
        summary = run_to_folder(config, run_dir)
    except Exception as error:  # sealed "failed" in its manifest; the sweep goes on
        print(f"spsim: run failed: {run_dir}: {error_line(error)}", file=sys.stderr)
        return math.nan
    if config.output.print_summary:
        print_summary(summary, run_dir)
    return float(summary.get("operating_profit", math.nan))


def error_line(error: BaseException) -> str:
    """``Type: message`` on one line."""
    message = " ".join(str(error).split())
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


def print_summary(summary: dict[str, float], run_dir: Path) -> None:
    """The headline KPIs as a small table (each in its unit, from the KPI registry), and where the results are."""
    width = max(len(name) for name in HEADLINE_KPIS)
    print()
    for name in HEADLINE_KPIS:
        value = kpis.format_value(name, summary.get(name, float("nan")))
        print(f"  {name:<{width}}  {value:>14}  {kpis.unit_text(name)}")
    print(f"\nresults: {run_dir}")
