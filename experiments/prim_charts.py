"""Charts of the PRIM example: the lever's gain in each market, PRIM's peeling trajectory, the box's limits."""

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.analysis import runs

KPI = "operating_profit"  # the gain is in it (as in prim_example)

if TYPE_CHECKING:
    from experiments.prim_example import Arms, PrimResult


def chart_gains(markets: pd.DataFrame, arms: "Arms", seeds: int, folder: Path) -> str:
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    from sim.views import style

    style.apply()
    ordered = markets.sort_values("gain", ignore_index=True)
    figure, axis = plt.subplots(figsize=(11, 6))
    colours = np.where(ordered["loses"], style.SALES, style.COMPANY)
    errors = 2 * ordered["gain_se"].fillna(0.0)
    axis.errorbar(ordered.index, ordered["gain"], yerr=errors, fmt="none", ecolor="#aaaaaa", elinewidth=1, zorder=1)
    axis.scatter(ordered.index, ordered["gain"], c=colours, s=45, zorder=2)
    if ordered["in_box"].any():
        boxed = ordered[ordered["in_box"]]
        axis.scatter(boxed.index, boxed["gain"], s=140, facecolors="none", edgecolors="black", linewidths=1.3, zorder=3)
    axis.axhline(0, color="black", linewidth=1)
    axis.yaxis.set_major_formatter(runs.tick_formatter())
    axis.set_xlabel("sampled markets, sorted by the lever's gain")
    spread = f"mean of {seeds} paired seeds; bars ±2 SE" if seeds > 1 else "one seed: no error bars"
    axis.set_ylabel(f"{arms.lever} − silo: {KPI}\n(currency, {spread})")
    axis.set_title(f"Where {arms.lever} pays off: paired gain per market")
    handles = [
        Line2D([], [], marker="o", linestyle="", color=style.COMPANY, label="lever gains"),
        Line2D([], [], marker="o", linestyle="", color=style.SALES, label="lever loses"),
    ]
    if ordered["in_box"].any():
        handles.append(
            Line2D(
                [],
                [],
                marker="o",
                linestyle="",
                markerfacecolor="none",
                markeredgecolor="black",
                markersize=11,
                label="inside the PRIM box",
            )
        )
    axis.legend(handles=handles, loc="upper left")
    runs.save_figure(figure, folder / "gains.png")
    return "gains.png"


def chart_trajectory(result: "PrimResult", density: float, folder: Path) -> str:
    import matplotlib.pyplot as plt
    from matplotlib import colors

    from sim.views import style

    style.apply()
    trajectory = result.trajectory
    assert trajectory is not None and result.choice is not None
    most = int(trajectory["res_dim"].max())
    palette = plt.get_cmap("viridis", most + 1)
    norm = colors.BoundaryNorm(np.arange(-0.5, most + 1.5), palette.N)
    figure, axis = plt.subplots(figsize=(9.5, 8))
    points = axis.scatter(
        trajectory["coverage"],
        trajectory["density"],
        c=trajectory["res_dim"],
        cmap=palette,
        norm=norm,
        s=70,
        edgecolors="white",
        linewidths=0.6,
        zorder=2,
    )
    axis.plot(trajectory["coverage"], trajectory["density"], color="#bbbbbb", linewidth=1, zorder=1)
    chosen = trajectory.loc[result.choice]
    axis.scatter(
        [chosen["coverage"]],
        [chosen["density"]],
        s=260,
        facecolors="none",
        edgecolors=style.SALES,
        linewidths=2.2,
        zorder=3,
    )
    axis.annotate(
        f"chosen box {result.choice}: coverage {chosen['coverage']:.2f},\n"
        f"density {chosen['density']:.2f}, {int(chosen['res_dim'])} restricted dimension(s)",
        (chosen["coverage"], chosen["density"]),
        xytext=(0.04, 0.12),
        textcoords="axes fraction",
        ha="left",
        fontsize=12,
        color=style.SALES,
        arrowprops={"arrowstyle": "->", "color": style.SALES, "lw": 1.2},
    )
    axis.axhline(density, color="#555555", linestyle="--", linewidth=1)
    axis.text(0.01, density, f" density threshold {density:g}", va="bottom", fontsize=11, color="#555555")
    axis.set_xlim(0, 1.05)
    axis.set_ylim(0, 1.05)
    axis.set_xlabel("coverage: share of the losing markets inside the box")
    axis.set_ylabel("density: share of the box's markets where the lever loses")
    axis.set_title("PRIM peeling trajectory")
    bar = figure.colorbar(points, ax=axis, ticks=range(most + 1))
    bar.set_label("restricted dimensions")
    runs.save_figure(figure, folder / "peeling_trajectory.png")
    return "peeling_trajectory.png"


def chart_limits(limits: pd.DataFrame, arms: "Arms", folder: Path) -> str:
    import matplotlib.pyplot as plt

    from sim.views import style

    style.apply()
    rows = limits.iloc[::-1].reset_index(drop=True)
    figure, axis = plt.subplots(figsize=(11, 1.4 + 0.75 * len(rows)))
    for position, row in rows.iterrows():
        span = row.sampled_high - row.sampled_low or 1.0
        low, high = (row.box_low - row.sampled_low) / span, (row.box_high - row.sampled_low) / span
        axis.plot([0, 1], [position, position], color="#dddddd", linewidth=8, solid_capstyle="butt", zorder=1)
        colour = style.SALES if row.restricted else "#bbbbbb"
        axis.plot([low, high], [position, position], color=colour, linewidth=8, solid_capstyle="butt", zorder=2)
        if row.restricted:
            axis.text(low, position + 0.22, f"{row.box_low:.3g}", ha="center", va="bottom", fontsize=11)
            axis.text(high, position + 0.22, f"{row.box_high:.3g}", ha="center", va="bottom", fontsize=11)
    labels = [f"{r.uncertainty}\n({r.sampled_low:.3g}–{r.sampled_high:.3g})" for r in rows.itertuples()]
    axis.set_yticks(range(len(rows)), labels)
    axis.set_xlim(-0.05, 1.05)
    axis.set_ylim(-0.6, len(rows) - 0.3)
    axis.set_xlabel("position within the sampled range (0 = lowest sampled, 1 = highest)")
    axis.set_title(f"PRIM box: markets where {arms.lever} loses money (orange: restricted)")
    axis.grid(axis="y", visible=False)
    runs.save_figure(figure, folder / "box_limits.png")
    return "box_limits.png"
