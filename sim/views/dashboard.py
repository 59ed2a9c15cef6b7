"""The manager's dashboard of one run: headline KPIs and the weekly story behind them (``charts/dashboard.png``).

Every ``spsim`` run draws it unless ``output.charts=false``, so it is drawn for speed:
on a figure with fixed margins (no layout solver, no tight bounding box, which would
draw it twice), one font weight, and a PNG compressed lightly. Weeks follow
:mod:`sim.views.weeks` (levels are the week's mean, like ``avg_on_hand``).
"""

from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import StrMethodFormatter

from sim.output import kpis
from sim.output.atomic import write_atomically
from sim.output.runfolder import CHARTS_DIR, read_config, read_summary
from sim.views import style, weeks

HEADLINE = ("revenue", "operating_profit", "fill_rate", "on_time_in_full", "inventory_turns", "bullwhip_ratio")
FILE = "dashboard.png"
STACKED = (  # (daily column, its KPI, colour): the costs below gross margin, stacked week by week
    ("holding_cost", "holding_cost", style.PURCHASING),
    ("penalty_cost", "penalty_cost", style.SALES),
    ("expediting_cost", "expediting_cost", "#e7298a"),
    ("policy_cost", "policy_cost_total", style.COMPANY),
    ("obsolescence_cost", "obsolescence_cost", "#a6761d"),
    ("backlog_provision", "closing_backlog_cost", "#e6ab02"),
)
NOTED = (("operating_expenses", "operating_expenses"), ("revaluation", "revaluation"))
"""Lines of operating profit written beside the stack, not in it: a fixed cost that would dwarf
it, and a year end's revaluation of the stock (either sign). Operating profit = gross margin +
revaluation - the stacked costs - operating expenses."""
FLOWS = [
    "demand",
    "purchased",
    "shipped",
    "served_same_day",
    "lines_on_time_in_full",
    "lines_closed",
    "sales_forecast",
    "planned_forecast",
    *(column for column, _, _ in STACKED),
    *(column for column, _ in NOTED),
]
LEVELS = ["on_hand", "backordered", "on_order"]
PNG_OPTIONS: dict[str, Any] = {"compress_level": 3}  # zlib's default 6 costs twice the time for a few % of size


def render(
    run_dir: str | Path,
    daily: pd.DataFrame | None = None,
    summary: dict[str, float] | None = None,
) -> Path:
    """Draw ``charts/dashboard.png`` of a run folder; return its path.

    Args:
        run_dir: the run folder (its config is read from it).
        daily: the run's daily table, if the caller has it (else timeseries.parquet is read).
        summary: the run's KPIs, if the caller has them (else summary.json is read).
    """
    folder = Path(run_dir)
    if daily is None:
        daily = pd.read_parquet(folder / "timeseries.parquet")
    if summary is None:
        summary = read_summary(folder)
    config = read_config(folder)
    return write(folder, daily, summary, int(config["warmup_days"]), title(config["scenario"]["name"], config["seed"]))


def title(scenario: str, seed: int) -> str:
    """The dashboard's title: which run it is."""
    return f"{scenario} · seed {seed}"


def write(run_dir: Path, daily: pd.DataFrame, summary: dict[str, float], warmup: int, title: str) -> Path:
    """Draw the dashboard of a run whose config is known and write ``charts/dashboard.png``; return its path."""
    figure = draw(daily, summary, warmup, title)
    target = run_dir / CHARTS_DIR / FILE
    write_atomically(target, lambda tmp: figure.savefig(tmp, format="png", pil_kwargs=PNG_OPTIONS))
    return target


def draw(daily: pd.DataFrame, summary: dict[str, float], warmup: int, title: str) -> Figure:
    """The dashboard as a figure: six headline cards above six weekly panels."""
    style.apply()
    daily = daily.assign(**{c: 0.0 for c in FLOWS if c not in daily})  # a run saved before a cost line existed
    weekly = weeks.weekly(daily, FLOWS, LEVELS)
    x = weekly["start"]
    figure = Figure(figsize=(16, 10))
    FigureCanvasAgg(figure)
    grid = figure.add_gridspec(
        3, 3, height_ratios=[0.45, 1, 1], left=0.085, right=0.985, top=0.92, bottom=0.06, hspace=0.42, wspace=0.24
    )
    figure.suptitle(f"Run dashboard: {title}", fontsize=18)
    _cards(figure.add_subplot(grid[0, :]), summary)
    panels = [figure.add_subplot(grid[r, c]) for r in (1, 2) for c in range(3)]
    flows, stock, service, profit, forecast, money = panels

    flows.plot(x, weekly["demand"], color=style.SALES, label="ordered by customers")
    flows.plot(x, weekly["purchased"], color=style.PURCHASING, label="purchased")
    flows.plot(x, weekly["shipped"], color=style.COMPANY, linestyle="--", label="shipped")
    flows.set(title="Units per week", ylabel="units / week")

    stock.fill_between(x, weekly["on_hand"], color=style.PURCHASING, alpha=0.35, label="on hand")
    stock.plot(x, weekly["on_order"], color=style.PURCHASING, linestyle=":", label="on order")
    stock.plot(x, weekly["backordered"], color=style.SALES, label="owed to customers")
    stock.set(title="Stock, weekly mean", ylabel="units")

    fill = weekly["served_same_day"] / weekly["demand"].where(weekly["demand"] > 0)
    otif = weekly["lines_on_time_in_full"] / weekly["lines_closed"].where(weekly["lines_closed"] > 0)
    service.plot(x, 100 * fill, color=style.COMPANY, label="fill rate")
    service.plot(x, 100 * otif, color=style.SALES, linestyle="--", label="on time in full")
    service.set(title="Service per week", ylabel="%", ylim=(max(0, min(80, (100 * fill).min() - 5)), 101))

    measured = daily[daily["day"] >= warmup]
    profit.plot(measured["day"], measured["operating_profit"].cumsum(), color=style.COMPANY)
    profit.set(title="Operating profit, cumulative", ylabel="currency")
    profit.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))

    forecast.plot(x, weekly["demand"] / 7, color=style.SALES, label="actual demand")
    forecast.plot(x, weekly["sales_forecast"] / 7, color=style.SALES, linestyle=":", label="sales forecast")
    forecast.plot(x, weekly["planned_forecast"] / 7, color=style.PURCHASING, linestyle="--", label="purchasing's plan")
    forecast.set(title="Forecasts vs demand", ylabel="units / day")

    stacked = weekly[[column for column, _, _ in STACKED]]
    money.stackplot(
        x,
        stacked.T.to_numpy(),
        labels=[kpis.label(kpi) for _, kpi, _ in STACKED],
        colors=[colour for _, _, colour in STACKED],
        alpha=0.8,
    )
    money.set(title="Costs below gross margin", ylabel="currency / week")
    money.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    highest = float(stacked.sum(axis=1).max()) if len(stacked) else 0.0
    money.set_ylim(0, max(highest, 1.0) * 2.1)  # the top half keeps the legend clear of the costs

    for axis in panels:
        axis.set_xlabel("day")
        if warmup:
            axis.axvspan(0, warmup, color=style.WARMUP, zorder=0)
        if axis is money:
            axis.legend(
                loc="upper left",
                ncols=2,
                fontsize=10,
                columnspacing=1.0,
                handlelength=1.2,
                title=_noted(daily),
                title_fontsize=10,
                alignment="left",
            )
        elif axis is not profit:
            axis.legend(loc="best")
    flows.text(warmup / 2, flows.get_ylim()[1], "warm-up", ha="center", va="top", color=style.NEUTRAL, fontsize=11)
    return figure


def _noted(daily: pd.DataFrame) -> str:
    """The lines of operating profit not stacked: operating expenses per week, and any revaluation."""
    per_week = 7 * float(daily["operating_expenses"].mean()) if len(daily) else 0.0
    lines = [f"Not stacked: {kpis.label('operating_expenses')} {per_week:,.0f} / week"]
    revalued = daily.loc[daily["revaluation"] != 0, ["day", "revaluation"]]
    if len(revalued):
        days = ", ".join(str(int(day)) for day in revalued["day"])
        lines.append(f"{kpis.label('revaluation')} {revalued['revaluation'].sum():+,.0f} (day {days})")
    return "\n".join(lines)


def _cards(axis: Axes, summary: dict[str, float]) -> None:
    """The headline KPIs in large type, each with its label under it."""
    axis.axis("off")
    for i, name in enumerate(HEADLINE):
        centre = (i + 0.5) / len(HEADLINE)
        value = float(summary.get(name, float("nan")))
        shown = kpis.format_value(name, value)
        axis.text(centre, 0.62, shown, ha="center", fontsize=24, color=style.COMPANY, transform=axis.transAxes)
        words = kpis.label(name)
        axis.text(centre, 0.2, words, ha="center", fontsize=13, color=style.NEUTRAL, transform=axis.transAxes)
