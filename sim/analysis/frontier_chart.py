"""The stock–service frontier chart: each arm's profit and stock against its fill rate over the safety-factor grid.

One panel per KPI of the comparison (operating profit, average inventory value), one line
per arm through its grid points (mean over seeds), the point at the default safety factor
drawn larger. The dash-dotted line is the silo's fill rate at the default safety factor, where
:mod:`sim.analysis.frontier` compares the arms; the dotted one the target fill rate. An arm
whose line lies above the silo's at that fill rate earns more for the same service; an arm
whose point sits elsewhere on the silo's line only holds more or less stock. The lines join
means over seeds while the comparison reads each seed's own fit, so where a line crosses the
dash-dotted one is near, not exactly, the arm's equal-service value.
"""

from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter

from sim.analysis.drawing import Drawing
from sim.analysis.frontier import SERVICE, Frontier
from sim.analysis.report_arms import ARM_COLOURS, measure
from sim.views import style

TARGET_COLOUR = style.SALES  # service is the customers' side
# Not the silo's grey dashes: the reference line must not read as one more arm.
REFERENCE_LINE: dict[str, Any] = {"color": "#333333", "linestyle": "-.", "linewidth": 1.2}
KEY_NAMES = {"org.safety_z": "safety factor z"}  # the grid key in words (``labels`` may name it too)


def draw_frontier(
    frontier: Frontier,
    path: Path,
    labels: dict[str, str] | None = None,
    colours: dict[str, str] | None = None,
    currency: str = "currency units",
    drawing: Drawing | None = None,
) -> Path:
    """Draw ``frontier`` to the PNG ``path`` (10 x 4.5 in at 110 dpi: 1100 px, readable at 1280 px).

    ``drawing`` writes the file (perhaps in a child, done when it waits); without it, it is written at once.
    """
    style.apply()
    labels = labels or {}
    names = [row.arm for row in frontier.arms]
    palette = iter(ARM_COLOURS * (len(names) // len(ARM_COLOURS) + 1))
    colour = {name: style.NEUTRAL if name == frontier.base else next(palette) for name in names} | (colours or {})
    panels = frontier.kpis[:2]
    figure, axes = plt.subplots(1, len(panels), figsize=(10, 4.5), dpi=110, squeeze=False)
    reference = frontier.reference_fill_rate.mean * 100.0
    target = frontier.target_fill_rate * 100.0 if frontier.target_fill_rate is not None else None
    for axis, kpi in zip(axes[0], panels, strict=True):
        info = measure(kpi)
        for name in sorted(names, key=lambda n: n == frontier.base):  # the silo last, on top
            curve = frontier.curves[frontier.curves["arm"] == name].sort_values(frontier.key)
            x = curve[SERVICE].to_numpy() * 100.0
            y = curve[kpi].to_numpy() * info.scale
            is_base = name == frontier.base
            axis.plot(
                x,
                y,
                color=colour[name],
                linewidth=2.6 if is_base else 1.8,
                linestyle=(0, (5, 2)) if is_base else "-",
                marker="o",
                markersize=4,
                zorder=3 if is_base else 2,
            )
            default = np.isclose(curve[frontier.key].to_numpy(), frontier.reference_value)
            axis.plot(x[default], y[default], "o", color=colour[name], markersize=9, zorder=4)
        if np.isfinite(reference):
            axis.axvline(reference, **REFERENCE_LINE, zorder=1)
        if target is not None:
            axis.axvline(target, color=TARGET_COLOUR, linestyle=":", linewidth=1.6, zorder=1)
        axis.set_title(info.title, fontsize=12, loc="left")
        axis.set_ylabel(info.unit.replace("currency units", currency), fontsize=10)
        axis.set_xlabel("Fill rate (%)", fontsize=10)
        axis.tick_params(labelsize=10)
        axis.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}".replace("-", "−")))
        axis.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:.4g}"))
        axis.margins(x=0.08, y=0.1)
    handles = [
        Line2D(
            [],
            [],
            color=colour[name],
            marker="o",
            markersize=5,
            linewidth=2,
            linestyle="--" if name == frontier.base else "-",
            label=labels.get(name, name),
        )
        for name in names
    ]
    handles.append(
        Line2D([], [], color="black", marker="o", markersize=9, linestyle="", label=_default_label(frontier, labels))
    )
    handles.append(Line2D([], [], **REFERENCE_LINE, label="equal service: the baseline's fill rate"))
    if target is not None:
        handles.append(Line2D([], [], color=TARGET_COLOUR, linestyle=":", linewidth=1.6, label="target fill rate"))
    columns = min(3, len(handles))  # four long labels do not fit across 10 inches
    rows = -(-len(handles) // columns)
    figure.legend(handles=handles, loc="lower center", ncol=columns, fontsize=10, bbox_to_anchor=(0.5, 0.0))
    values = ", ".join(f"{value:g}" for value in sorted(frontier.curves[frontier.key].unique()))
    seeds = int(frontier.curves["seeds"].max())
    figure.suptitle(
        f"Profit and stock against service, {_key_name(frontier, labels)} = {values} "
        f"(mean over {seeds} seed{'s' * (seeds != 1)})",
        fontsize=12,
        fontweight="bold",
    )
    figure.tight_layout(rect=(0, 0.02 + 0.05 * rows, 1, 1))
    (drawing or Drawing(workers=1)).save(figure, path, dpi=110, bbox_inches="tight")
    return path


def _key_name(frontier: Frontier, labels: dict[str, str]) -> str:
    return labels.get(frontier.key) or KEY_NAMES.get(frontier.key, frontier.key)


def _default_label(frontier: Frontier, labels: dict[str, str]) -> str:
    return f"at the default {_key_name(frontier, labels)} = {frontier.reference_value:g}"
