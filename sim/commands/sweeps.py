"""``spsim aggregate`` and ``spsim report``: a sweep's tables, and its report for management."""

from pathlib import Path
from typing import Annotated

import typer

from sim.commands.common import program
from sim.usage import fail

SweepDir = Annotated[Path, typer.Argument(help="the sweep folder, e.g. results/sweeps/<time>", show_default=False)]


def aggregate(
    context: typer.Context,
    sweep_dir: SweepDir,
    baseline: Annotated[
        str | None,
        typer.Option(
            help="the arm to compare with, as overrides (default: policy=silo if the sweep has it; "
            "other overrides are matched, so each scenario is compared with its own silo)"
        ),
    ] = None,
) -> None:
    """Tables of a sweep: summary.parquet (a row per run), comparison.parquet/.csv (arms against the baseline).

    Each arm is compared with its baseline paired over the seeds both ran.
    """
    from sim.analysis import aggregate as aggregation

    try:
        result = aggregation.aggregate(sweep_dir, baseline)
    except OSError as error:
        fail(program(context), f"{error.filename or sweep_dir}: {error.strerror or error}", 1)
    print(aggregation.describe(result))


def report(
    context: typer.Context,
    sweep_dir: SweepDir,
    objective: Annotated[str, typer.Option(help="the KPI that decides the best arm")] = "operating_profit",
    target_fill_rate: Annotated[
        float | None,
        typer.Option(min=0.01, max=1.0, help="also compare the arms at this fill rate (0-1), along their frontier"),
    ] = None,
) -> None:
    """A report of a sweep for management: report.md and report.html (charts embedded) in <sweep dir>/report/."""
    from sim.analysis.aggregate import check_sweep_dir

    check_sweep_dir(sweep_dir)  # before matplotlib and pandas: a wrong folder is said at once
    from sim.analysis.report import write_report

    try:
        path = write_report(sweep_dir, objective, target_fill_rate)
    except OSError as error:
        fail(program(context), f"{error.filename or sweep_dir}: {error.strerror or error}", 1)
    print(path)
    print(path.with_name("report.html"))
