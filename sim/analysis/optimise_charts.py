"""The charts of an optimisation study: the history of its trials, and the objective against each parameter."""

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from sim.analysis import runs, settings


class Bound(Protocol):
    """A constraint as the charts draw it (:class:`sim.analysis.optimise.Constraint`)."""

    @property
    def kpi(self) -> str: ...
    @property
    def bound(self) -> float: ...
    @property
    def side(self) -> str: ...


class Study(Protocol):
    """What the charts read of a study (:class:`sim.analysis.optimise.OptimiseSpec`): no import back."""

    @property
    def study_name(self) -> str: ...
    @property
    def objective(self) -> str: ...
    @property
    def direction(self) -> str: ...
    @property
    def seeds(self) -> Sequence[int]: ...
    @property
    def parameters(self) -> Sequence[settings.Parameter]: ...
    @property
    def constraints(self) -> Sequence[Bound]: ...


def charts(spec: Study, table: pd.DataFrame, folder: Path) -> list[str]:
    """The optimisation history and the objective against each parameter."""
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.ticker import MaxNLocator

    from sim.views import style

    style.apply()
    done = table[table["state"] == "COMPLETE"].sort_values("trial")
    feasible, infeasible = done[done["feasible"]], done[~done["feasible"]]
    unit = settings.kpi_unit(spec.objective)
    seeds = f"mean over {len(spec.seeds)} seed{'s' if len(spec.seeds) > 1 else ''}"
    objective_label = f"{spec.objective}\n({unit}, {seeds})" if unit else f"{spec.objective} ({seeds})"

    def points(axis: Any, x: str, y: str, good: pd.DataFrame = feasible, bad: pd.DataFrame = infeasible) -> None:
        axis.scatter(good[x], good[y], s=55, color=style.COMPANY, zorder=3)
        axis.scatter(bad[x], bad[y], s=55, marker="x", color=style.NEUTRAL, zorder=3)

    legend = [
        Line2D([], [], marker="o", linestyle="", color=style.COMPANY, label="feasible trial"),
        Line2D([], [], marker="x", linestyle="", color=style.NEUTRAL, label="misses a constraint"),
    ]
    panels = 1 + len(spec.constraints)
    figure, axes = plt.subplots(panels, 1, figsize=(11, 4.2 * panels + 0.6), sharex=True, squeeze=False)
    axis = axes[0][0]
    points(axis, "trial", spec.objective)
    if len(feasible):
        best = feasible[spec.objective].cummax() if spec.direction == "maximize" else feasible[spec.objective].cummin()
        axis.step(feasible["trial"], best, where="post", color=style.SALES, linewidth=2.2, zorder=2)
        legend.append(Line2D([], [], color=style.SALES, linewidth=2.2, label="best feasible so far"))
    axis.set_ylabel(objective_label)
    if unit == "currency":
        axis.yaxis.set_major_formatter(runs.tick_formatter())
    axis.set_title(f"Optimisation history: {spec.study_name} ({spec.direction} {spec.objective})")
    axis.legend(handles=legend, loc="best")
    for position, constraint in enumerate(spec.constraints, start=1):
        axis = axes[position][0]
        column = f"mean_{constraint.kpi}"
        points(axis, "trial", column)
        axis.axhline(constraint.bound, color=style.SALES, linestyle="--", linewidth=1.5)
        axis.text(
            1.0,
            constraint.bound,
            f" {'floor' if constraint.side == 'min' else 'ceiling'} {constraint.bound:g}",
            transform=axis.get_yaxis_transform(),
            va="center",
            ha="left",
            color=style.SALES,
            fontsize=11,
        )
        c_unit = settings.kpi_unit(constraint.kpi)
        axis.set_ylabel(f"{constraint.kpi}\n({c_unit + ', ' if c_unit else ''}{seeds})")
    axes[-1][0].set_xlabel("trial number")
    axes[-1][0].xaxis.set_major_locator(MaxNLocator(integer=True))
    files = ["optimisation_history.png"]
    runs.save_figure(figure, folder / files[0])

    columns = min(3, len(spec.parameters))
    rows = -(-len(spec.parameters) // columns)
    figure, axes = plt.subplots(rows, columns, figsize=(5.2 * columns, 4.4 * rows), squeeze=False, sharey=True)
    for axis, parameter in zip(axes.flat, spec.parameters, strict=False):
        if parameter.kind == "categorical":  # every choice on the axis, tried or not
            place = {choice: index for index, choice in enumerate(parameter.choices)}
            x_column = f"{parameter.key} (position)"
            good, bad = (
                frame.assign(**{x_column: frame[parameter.key].map(place)}) for frame in (feasible, infeasible)
            )
            points(axis, x_column, spec.objective, good, bad)
            axis.set_xticks(range(len(parameter.choices)), [str(c) for c in parameter.choices], rotation=20)
            axis.set_xlim(-0.5, len(parameter.choices) - 0.5)
        else:
            points(axis, parameter.key, spec.objective)
            margin = 0.04 * (parameter.high - parameter.low)
            axis.set_xlim(parameter.low - margin, parameter.high + margin)  # the whole search range
        axis.set_xlabel(parameter.key.removeprefix("policy.").removeprefix("org.").removeprefix("scenario."))
        if unit == "currency":
            axis.yaxis.set_major_formatter(runs.tick_formatter())
    for axis in axes.flat[len(spec.parameters) :]:
        axis.set_visible(False)
    for row in axes:
        row[0].set_ylabel(objective_label)
    figure.suptitle(f"{spec.objective} against each parameter ({spec.study_name})", fontsize=15, fontweight="bold")
    figure.legend(handles=legend[:2], loc="lower center", ncol=2, bbox_to_anchor=(0.5, -0.04))
    figure.tight_layout()
    files.append("parameters.png")
    runs.save_figure(figure, folder / files[1])
    return files
