"""The manager's dashboard of one run: headline KPIs and the weekly story behind them."""

import json
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import StrMethodFormatter

from sim.output.rundir import read_config, write_atomically
from sim.views import style

HEADLINE = (
    ("revenue", "Revenue", "{:,.0f}"),
    ("operating_profit", "Operating profit", "{:,.0f}"),
    ("fill_rate", "Fill rate", "{:.1%}"),
    ("on_time_in_full", "On time in full", "{:.1%}"),
    ("inventory_turns", "Inventory turns / yr", "{:.1f}"),
    ("bullwhip_ratio", "Bullwhip ratio", "{:.2f}"),
)


def render(run_dir: str | Path) -> Path:
    """Draw ``charts/dashboard.png`` from the run folder's tables; return its path."""
    folder = Path(run_dir)
    daily = pd.read_parquet(folder / "timeseries.parquet")
    summary = json.loads((folder / "summary.json").read_text())
    config = read_config(folder)
    warmup = int(config["warmup_days"])
    style.apply()
    figure = _draw(daily, summary, warmup, f"{config['scenario']['name']} · seed {config['seed']}")
    target = folder / "charts" / "dashboard.png"
    target.parent.mkdir(exist_ok=True)
    write_atomically(target, lambda tmp: figure.savefig(tmp, format="png", bbox_inches="tight"))
    plt.close(figure)
    return target


def _weekly(daily: pd.DataFrame) -> pd.DataFrame:
    week = daily["day"] // 7
    sums = daily.groupby(week).sum(numeric_only=True)
    levels = daily.groupby(week)[["on_hand", "backordered", "on_order", "inventory_value"]].last()
    sums[levels.columns] = levels
    sums["week_start"] = daily.groupby(week)["day"].min()
    return sums


def _draw(daily: pd.DataFrame, summary: dict[str, float], warmup: int, title: str) -> Figure:
    weekly = _weekly(daily)
    x = weekly["week_start"]
    figure = plt.figure(figsize=(16, 10), layout="constrained")
    grid = figure.add_gridspec(3, 3, height_ratios=[0.55, 1, 1])
    figure.suptitle(f"Run dashboard: {title}", fontsize=18, fontweight="bold")

    cards = figure.add_subplot(grid[0, :])
    cards.axis("off")
    for i, (key, label, fmt) in enumerate(HEADLINE):
        value = summary.get(key, float("nan"))
        text = fmt.format(value) if value == value else "n/a"
        cards.text(
            (i + 0.5) / len(HEADLINE),
            0.62,
            text,
            ha="center",
            fontsize=24,
            fontweight="bold",
            color=style.COMPANY,
            transform=cards.transAxes,
        )
        cards.text(
            (i + 0.5) / len(HEADLINE),
            0.2,
            label,
            ha="center",
            fontsize=13,
            color=style.NEUTRAL,
            transform=cards.transAxes,
        )

    panels = [figure.add_subplot(grid[r, c]) for r in (1, 2) for c in range(3)]
    flows, stock, service, profit, forecast, money = panels

    flows.plot(x, weekly["demand"], color=style.SALES, label="ordered by customers")
    flows.plot(x, weekly["purchased"], color=style.PURCHASING, label="purchased")
    flows.plot(x, weekly["shipped"], color=style.COMPANY, linestyle="--", label="shipped")
    flows.set(title="Units per week", ylabel="units / week")
    flows.legend()

    stock.fill_between(x, weekly["on_hand"], color=style.PURCHASING, alpha=0.35, label="on hand")
    stock.plot(x, weekly["on_order"], color=style.PURCHASING, linestyle=":", label="on order")
    stock.plot(x, weekly["backordered"], color=style.SALES, label="owed to customers")
    stock.set(title="Stock at week end", ylabel="units")
    stock.legend()

    fill = weekly["served_same_day"] / weekly["demand"].where(weekly["demand"] > 0)
    otif = weekly["lines_on_time_in_full"] / weekly["lines_closed"].where(weekly["lines_closed"] > 0)
    service.plot(x, 100 * fill, color=style.COMPANY, label="fill rate")
    service.plot(x, 100 * otif, color=style.SALES, linestyle="--", label="on time in full")
    service.set(title="Service per week", ylabel="%", ylim=(max(0, min(80, (100 * fill).min() - 5)), 101))
    service.legend()

    measured = daily[daily["day"] >= warmup]
    profit.plot(measured["day"], measured["operating_profit"].cumsum(), color=style.COMPANY)
    profit.set(title="Operating profit, cumulative", ylabel="currency")
    profit.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))

    forecast.plot(x, weekly["demand"] / 7, color=style.SALES, label="actual demand")
    forecast.plot(x, weekly["sales_forecast"] / 7, color=style.SALES, linestyle=":", label="sales forecast")
    forecast.plot(x, weekly["planned_forecast"] / 7, color=style.PURCHASING, linestyle="--", label="purchasing's plan")
    forecast.set(title="Forecasts vs demand", ylabel="units / day")
    forecast.legend()

    costs = weekly[["holding_cost", "penalty_cost", "expediting_cost", "policy_cost"]]
    money.stackplot(
        x,
        costs.T.to_numpy(),
        labels=["holding", "penalties", "expediting", "policies"],
        colors=[style.PURCHASING, style.SALES, "#e7298a", style.COMPANY],
        alpha=0.8,
    )
    money.set(title="Costs below gross margin", ylabel="currency / week")
    money.legend(loc="upper left")

    for axis in panels:
        axis.set_xlabel("day")
        if warmup:
            axis.axvspan(0, warmup, color=style.WARMUP, zorder=0)
    panels[0].text(
        warmup / 2,
        panels[0].get_ylim()[1],
        "warm-up",
        ha="center",
        va="top",
        color=style.NEUTRAL,
        fontsize=11,
    )
    return figure
