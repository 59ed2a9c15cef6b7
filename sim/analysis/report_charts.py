"""The charts of a sweep report: effects against the baseline, service against stock cost, KPIs over time.

Weekly stock is the mean of the week's end-of-day levels, as everywhere (``sim.views.weeks``).
"""

import math
import re
import warnings
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, MaxNLocator

from sim.analysis.drawing import Drawing
from sim.analysis.report_arms import GROUP_MARKERS, SERVICE_KPI, Group, ReportData
from sim.analysis.stats import t_critical
from sim.views import style

TIMESERIES_COLUMNS = ["day", "demand", "served_same_day", "on_hand", "operating_profit"]
MAX_BANDED_ARMS = 4  # more overlapping bands make a grey mess
Block = tuple[str, Any]
FOREST_NOTE = (
    "Each dot is the mean difference from the baseline over the paired seeds, the bar its 95% interval; a "
    "filled dot's interval excludes zero, a hollow one's does not. Panel colours: orange for sales and "
    "customers, green for purchasing and stock, indigo for the company as a whole."
)
TRADEOFF_NOTE = (
    "One point per arm; up and to the left is better: more service for less stock cost. The means over "
    "seeds carry the 95% interval of the mean, which is as wide as the markets of the seeds differ."
)
TRADEOFF_PAIRED_NOTE = (
    " The right panel shows the paired differences from the baseline (hollow, at zero) instead: the same "
    "seed is the same market, so they show the effect without the market's noise."
)
TIMESERIES_NOTE = (
    "Lines are the mean over seeds, bands the 95% interval of that mean; the baseline is dashed. The grey "
    "band is the warm-up, which no KPI counts; cumulative profit starts after it."
)


class ReportCharts(ReportData):
    """The report's charts, drawn into its folder (written by ``drawing``, perhaps while the report goes on)."""

    drawing: Drawing

    def charts(self) -> list[Block]:
        blocks: list[Block] = [("h2", "Effects against the baseline")]
        compared = [group for group in self.groups if group.baseline and group.arms]
        if not compared:
            blocks.append(("p", "No arm has a baseline to be compared with: no effect chart."))
        for group in compared:
            name = self.save(self.forest(group), f"forest{_suffix(group, self.groups)}.png")
            blocks.append(("img", (name, f"Effects against {self.label(group.baseline or '')} {group.name}".strip())))
        if compared:
            blocks.append(("p", FOREST_NOTE))
        if SERVICE_KPI in self.result.kpis and self.inventory_cost:
            blocks += [
                ("h2", "Service against inventory cost"),
                ("img", (self.save(self.tradeoff(), "tradeoff.png"), "Fill rate against inventory cost")),
                ("p", TRADEOFF_NOTE + (TRADEOFF_PAIRED_NOTE if compared else "")),
            ]
        blocks.append(("h2", "Over time"))
        series = self.read_series()
        for group in self.groups:
            figure = self.timeseries(group, series)
            if figure is not None:
                name = self.save(figure, f"timeseries{_suffix(group, self.groups)}.png")
                blocks.append(("img", (name, f"KPIs over time {group.name}".strip())))
        blocks.append(("p", TIMESERIES_NOTE))
        blocks += [("p", note) for note in dict.fromkeys(self.notes)]
        return blocks

    def save(self, figure: Figure, name: str) -> str:
        self.drawing.save(figure, self.folder / name, bbox_inches="tight")
        return name

    def forest(self, group: Group) -> Figure:
        arms = group.arms
        columns = min(4, len(self.headline))
        rows = math.ceil(len(self.headline) / columns)
        height = 2.0 + 0.6 * len(arms)
        figure, axes = plt.subplots(
            rows, columns, figsize=(5.2 * columns, height * rows + 0.8), sharey=True, squeeze=False
        )
        positions = np.arange(len(arms))
        for panel, kpi in zip(axes.flat, self.headline, strict=False):
            info = self.measure(kpi)
            for position, arm in zip(positions, arms, strict=True):
                diff, low, high = (
                    float(self.value(arm, kpi, c)) * info.scale for c in ("diff_mean", "diff_ci_low", "diff_ci_high")
                )
                if not math.isfinite(diff):
                    continue
                significant = low > 0 or high < 0
                panel.errorbar(
                    diff,
                    position,
                    xerr=[[diff - low], [high - diff]] if math.isfinite(low) else None,
                    fmt="o",
                    markersize=12,
                    capsize=7,
                    elinewidth=2.5,
                    color=info.colour,
                    markerfacecolor=info.colour if significant else "white",
                    markeredgewidth=2.5,
                )
            panel.axvline(0.0, color=style.NEUTRAL, linewidth=1.5)
            panel.set_title(info.title, color=info.colour, fontsize=16)
            arrow = {1: "   better →", -1: "   ← better"}.get(info.better, "")
            panel.set_xlabel(f"Δ {info.difference_unit}{arrow}", fontsize=13)
            panel.xaxis.set_major_formatter(FuncFormatter(_tick))
            panel.xaxis.set_major_locator(MaxNLocator(4))
            panel.tick_params(labelsize=13)
            _pad_around_zero(panel)
        for panel in list(axes.flat)[len(self.headline) :]:
            panel.set_visible(False)
        for row in axes:
            row[0].set_yticks(positions, [self.label(arm) for arm in arms], fontsize=15)
        axes[0][0].set_ylim(len(arms) - 0.5, -0.5)
        n = max(int(self.value(arm, self.objective, "n_paired")) for arm in arms)
        where = f" ({group.name})" if group.name else ""
        figure.suptitle(
            f"Effect against {self.label(group.baseline or '')}{where}: mean difference over {n} paired seeds "
            "with 95% CI (filled: excludes zero)",
            fontsize=18,
            fontweight="bold",
        )
        figure.tight_layout()
        return figure

    def tradeoff(self) -> Figure:
        """Levels (mean over seeds) and, with a baseline, paired differences: service against stock cost."""
        x_kpi, y_kpi = self.inventory_cost or "", SERVICE_KPI
        x_info, y_info = self.measure(x_kpi), self.measure(y_kpi)
        paired = any(group.baseline and group.arms for group in self.groups)
        figure, axes = plt.subplots(1, 2 if paired else 1, figsize=(21 if paired else 12, 8.5), squeeze=False)
        markers = {id(group): GROUP_MARKERS[i % len(GROUP_MARKERS)] for i, group in enumerate(self.groups)}
        days = self.measured_days()
        x_label = f"{x_info.title}{f' over {days} days' if days and x_kpi == 'holding_cost' else ''}"
        levels = axes[0][0]
        for group in self.groups:
            for arm in sorted(group.members, key=lambda a: a == group.baseline):  # the baseline on top
                x = [float(self.value(arm, x_kpi, c)) * x_info.scale for c in ("mean", "mean_ci_low", "mean_ci_high")]
                y = [float(self.value(arm, y_kpi, c)) * y_info.scale for c in ("mean", "mean_ci_low", "mean_ci_high")]
                y[2] = min(y[2], 100.0)  # an interval of a rate stops at 100%
                self.point(levels, arm, group, markers[id(group)], x, y)
        levels.set_title("Levels: mean over seeds, 95% CI of the mean", fontsize=16)
        levels.set_xlabel(f"{x_label} ({x_info.unit})", fontsize=15)
        levels.set_ylabel(f"{y_info.title} (% of units shipped from stock)", fontsize=15)
        if paired:
            effect = axes[0][1]
            for group in self.groups:
                if group.baseline and group.arms:
                    origin = [0.0, math.nan, math.nan]
                    self.point(effect, group.baseline, group, markers[id(group)], origin, origin)
                for arm in group.arms:
                    columns = ("diff_mean", "diff_ci_low", "diff_ci_high")
                    x = [float(self.value(arm, x_kpi, c)) * x_info.scale for c in columns]
                    y = [float(self.value(arm, y_kpi, c)) * y_info.scale for c in columns]
                    self.point(effect, arm, group, markers[id(group)], x, y)
            effect.axhline(0.0, color=style.NEUTRAL, linewidth=1.2)
            effect.axvline(0.0, color=style.NEUTRAL, linewidth=1.2)
            effect.set_title("Effects: paired difference from the baseline, 95% CI", fontsize=16)
            effect.set_xlabel(f"Δ {x_label.lower()} ({x_info.difference_unit})", fontsize=15)
            effect.set_ylabel(f"Δ {y_info.title.lower()} ({y_info.difference_unit})", fontsize=15)
        for axis in axes[0]:
            axis.xaxis.set_major_formatter(FuncFormatter(_tick))
            axis.yaxis.set_major_formatter(FuncFormatter(_tick))
            axis.tick_params(labelsize=14)
            axis.margins(0.12)
            axis.text(0.01, 0.99, "↖ better", transform=axis.transAxes, fontsize=14, va="top", color=style.NEUTRAL)
        handles = [
            Line2D([], [], color=self.colours[arm], marker="o", linestyle="", markersize=12, label=label)
            for label, arm in {self.label(arm): arm for arm in self.result.arms}.items()
        ]
        if len(self.groups) > 1:
            handles += [
                Line2D([], [], color="black", marker=markers[id(g)], linestyle="", markersize=12, label=g.name)
                for g in self.groups
            ]
        figure.legend(
            handles=handles, loc="lower center", ncol=min(6, len(handles)), fontsize=14, bbox_to_anchor=(0.5, -0.01)
        )
        figure.suptitle("Service against inventory cost", fontsize=18, fontweight="bold")
        figure.tight_layout(rect=(0, 0.07, 1, 1))
        return figure

    def point(self, axis: Axes, arm: str, group: Group, marker: str, x: list[float], y: list[float]) -> None:
        """One arm on a scatter: its mean and, where there is one, its interval on each axis."""
        if not (math.isfinite(x[0]) and math.isfinite(y[0])):
            return
        is_base = arm == group.baseline
        axis.errorbar(
            x[0],
            y[0],
            xerr=[[x[0] - x[1]], [x[2] - x[0]]] if math.isfinite(x[1]) else None,
            yerr=[[y[0] - y[1]], [y[2] - y[0]]] if math.isfinite(y[1]) else None,
            fmt=marker,
            markersize=17 if is_base else 13,
            markerfacecolor="none" if is_base else self.colours[arm],
            markeredgewidth=3 if is_base else 1,
            capsize=6,
            elinewidth=2,
            color=self.colours[arm],
            zorder=3 if is_base else 2,
        )

    def measured_days(self) -> int | None:
        days = self.result.summary.get("days")
        if days is None or not len(days) or not np.isfinite(days).all() or days.nunique() != 1:
            return None
        return int(days.iloc[0])

    # -- time series --

    def read_series(self) -> dict[str, pd.DataFrame]:
        """The columns the charts need from each complete run's timeseries.parquet."""
        series, failed = {}, []
        for run in self.result.summary["run"]:
            try:
                series[run] = pd.read_parquet(
                    self.result.sweep_dir / run / "timeseries.parquet", columns=TIMESERIES_COLUMNS
                )
            except Exception as error:  # a run whose table is unreadable is left out of the chart
                failed.append(f"{run} ({type(error).__name__})")
        if failed:
            self.notes.append(
                f"Left out of the time series: {len(failed)} run(s) whose timeseries.parquet could not be "
                f"read: {', '.join(failed[:10])}."
            )
        return series

    def timeseries(self, group: Group, series: dict[str, pd.DataFrame]) -> Figure | None:
        """Weekly fill rate, stock and cumulative profit (against the baseline, if any) per arm."""
        summary = self.result.summary
        rows = summary[summary["arm"].isin(group.members) & summary["run"].isin(series)]
        if rows.empty:
            return None
        days = int(max(series[run]["day"].max() for run in rows["run"])) + 1
        runs: dict[str, dict[int, dict[str, np.ndarray]]] = {}
        for run, arm, seed, warmup in zip(rows["run"], rows["arm"], rows["seed"], rows["warmup_days"], strict=True):
            runs.setdefault(arm, {}).setdefault(int(seed), _run_curves(series[run], warmup, days))
        members = [arm for arm in group.members if arm in runs]
        base = group.baseline if group.baseline in runs and len(members) > 1 else None
        warmups = pd.to_numeric(rows["warmup_days"], errors="coerce")
        warmup = float(warmups.max()) if warmups.notna().any() else 0.0
        profit_title = (
            f"Cumulative operating profit, difference from {self.label(base)}"
            if base
            else "Cumulative operating profit"
        )
        panels = (
            ("fill_rate", "Fill rate, weekly", "% of units", np.arange(days // 7) * 7 + 3.5),
            ("on_hand", "Stock on hand, weekly average", "thousand units", np.arange(days // 7) * 7 + 3.5),
            ("profit", profit_title, f"thousand {self.currency}", np.arange(days)),
        )
        banded = len(members) <= MAX_BANDED_ARMS
        if not banded:
            self.notes.append(f"Bands are left out where more than {MAX_BANDED_ARMS} arms share a chart.")
        figure, axes = plt.subplots(3, 1, figsize=(15, 14), sharex=True)
        for axis, (key, title, unit, x) in zip(axes, panels, strict=True):
            if warmup > 0:
                axis.axvspan(0, warmup, color=style.WARMUP, zorder=0)
            for arm in sorted(members, key=lambda a: a == group.baseline):  # the baseline drawn last, on top
                by_seed = runs[arm]
                if key == "profit" and base:
                    common = sorted(set(by_seed) & set(runs[base]))
                    stacked = np.vstack([by_seed[s][key] - runs[base][s][key] for s in common])
                else:
                    stacked = np.vstack([curves[key] for curves in by_seed.values()])
                mean, low, high = _band(stacked)
                if low is not None and high is not None and key != "profit":  # no stock below 0, no rate above 100%
                    upper = 100.0 if key == "fill_rate" else None
                    low, high = np.clip(low, 0.0, upper), np.clip(high, 0.0, upper)
                is_base = arm == group.baseline
                colour = self.colours[arm]
                axis.plot(
                    x,
                    mean,
                    color=colour,
                    linewidth=3.5 if is_base else 2.8,
                    linestyle=(0, (4, 2)) if is_base else "-",
                    label=self.label(arm) + (" (baseline)" if is_base else ""),
                    zorder=3 if is_base else 2,
                )
                if low is not None and banded and not (key == "profit" and is_base and base):
                    axis.fill_between(x, low, high, color=colour, alpha=0.12, linewidth=0)
            axis.set_title(title, loc="left", fontsize=16)
            axis.set_ylabel(unit, fontsize=14)
            axis.yaxis.set_major_formatter(FuncFormatter(_tick))
            axis.tick_params(labelsize=14)
        if warmup > 0:
            axes[0].text(
                warmup / 2,
                0.03,
                "warm-up",
                transform=axes[0].get_xaxis_transform(),
                ha="center",
                fontsize=13,
                color=style.NEUTRAL,
            )
        axes[-1].set_xlabel("Day of the simulation", fontsize=15)
        axes[0].legend(loc="lower left", bbox_to_anchor=(0, 1.1), ncol=min(4, len(members)), fontsize=15)
        where = f": {group.name}" if group.name else ""
        figure.suptitle(f"KPIs over time{where} (mean over seeds, 95% band)", fontsize=18, fontweight="bold")
        figure.tight_layout()
        return figure


def _run_curves(table: pd.DataFrame, warmup: Any, days: int) -> dict[str, np.ndarray]:
    """One run's weekly fill rate (%) and stock (thousand units), and its daily cumulative profit (thousand).

    Weekly, because daily stock and service swing too much to read on a projector; a trailing
    part-week is left out. Profit accumulates from the end of the warm-up, as the KPI does.
    """
    weeks = days // 7
    day = table["day"].to_numpy(dtype=np.int64)
    week = day // 7
    whole = week < (int(day.max()) + 1) // 7

    def weekly(column: str) -> np.ndarray:
        values = table[column].to_numpy(dtype=np.float64)[whole]
        return np.bincount(week[whole], weights=values, minlength=weeks)[:weeks]

    counted = np.bincount(week[whole], minlength=weeks)[:weeks]
    demand, served, stock = weekly("demand"), weekly("served_same_day"), weekly("on_hand")
    fill = np.full(weeks, np.nan)
    np.divide(100.0 * served, demand, out=fill, where=demand > 0)
    stock_mean = np.full(weeks, np.nan)
    np.divide(stock / 1e3, counted, out=stock_mean, where=counted > 0)
    start = int(warmup) if warmup is not None and np.isfinite(warmup) else 0
    measured = day >= start
    profit = np.full(days, np.nan)
    profit[day[measured]] = np.cumsum(table["operating_profit"].to_numpy(dtype=np.float64)[measured]) / 1e3
    return {"fill_rate": fill, "on_hand": stock_mean, "profit": profit}


def _band(values: np.ndarray) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """Mean over rows and the 95% t interval of that mean (None with a single row)."""
    with warnings.catch_warnings():  # days some runs did not reach are all-nan columns
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(values, axis=0)
        if len(values) < 2:
            return mean, None, None
        n = np.sum(np.isfinite(values), axis=0)
        spread = np.nanstd(values, axis=0, ddof=1)
        critical = np.array([t_critical(int(k)) for k in n])
        half = critical * spread / np.sqrt(np.maximum(n, 1))
    return mean, mean - half, mean + half


def _pad_around_zero(panel: Axes) -> None:
    """Keep zero in view with a margin, so a reader sees which side each arm falls on."""
    low, high = panel.get_xlim()
    low, high = min(low, 0.0), max(high, 0.0)
    span = (high - low) or 1.0
    panel.set_xlim(low - 0.08 * span, high + 0.08 * span)


def _tick(value: float, _position: Any) -> str:
    if value == 0:
        return "0"
    text = f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"
    return text.replace("-", "−")


def _suffix(group: Group, groups: list[Group]) -> str:
    if len(groups) == 1:
        return ""
    return "_" + (re.sub(r"[^A-Za-z0-9]+", "_", group.name).strip("_") or str(groups.index(group)))
