"""The benefit-versus-cost chart: for each lever, what it brings before its cost, what it costs, what is left.

One row per lever, best net first: a bar of its gross benefit a year (its break-even cost)
with the 95% interval of the paired seeds, a bar of its own cost, and a diamond at the net
with its interval. A lever pays where the benefit bar reaches past the cost bar, surely so
where the net's interval lies right of zero.
"""

import math
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from sim.analysis.drawing import Drawing
from sim.analysis.worth import LeverWorth
from sim.views import style

BENEFIT, COST = "#4c72b0", "#c44e52"


def draw(worths: list[LeverWorth], path: Path, currency: str, drawing: Drawing | None = None) -> None:
    """Write the chart of ``worths`` (best net first) to ``path`` (PNG; by ``drawing``, else at once)."""
    style.apply()
    rows = np.arange(len(worths))
    figure, axis = plt.subplots(figsize=(10, 1.2 + 0.62 * max(len(worths), 1)), dpi=130)
    height = 0.36
    for row, worth in zip(rows, worths, strict=True):
        gross, low, high = (value / 1000 for value in worth.gross)
        axis.barh(row - height / 2, gross, height, color=BENEFIT, label="Benefit before its cost" if row == 0 else None)
        if math.isfinite(low):
            axis.errorbar(gross, row - height / 2, xerr=[[gross - low], [high - gross]], fmt="none", ecolor="#222")
        axis.barh(row + height / 2, worth.cost / 1000, height, color=COST, label="Its cost" if row == 0 else None)
        net, net_low, net_high = (value / 1000 for value in worth.net)
        paying = math.isfinite(net_low) and net_low > 0
        axis.errorbar(
            net,
            row,
            xerr=[[net - net_low], [net_high - net]] if math.isfinite(net_low) else None,
            fmt="D",
            markersize=9,
            color="#222",
            markerfacecolor="#222" if paying else "white",
            capsize=5,
            label="Net (filled: surely pays)" if row == 0 else None,
        )
    axis.axvline(0, color=style.NEUTRAL, linewidth=1.2)
    axis.set_yticks(rows, [worth.name for worth in worths], fontsize=12)
    axis.set_ylim(len(worths) - 0.5, -0.5)
    axis.set_xlabel(f"thousand {currency} a year (95% interval over paired seeds)", fontsize=12)
    axis.tick_params(axis="x", labelsize=11)
    axis.set_title("Is each lever worth what it costs?", fontsize=14, fontweight="bold", loc="left")
    axis.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=3, frameon=False, fontsize=11)
    figure.tight_layout()
    (drawing or Drawing(workers=1)).save(figure, path, dpi=130, bbox_inches="tight")
