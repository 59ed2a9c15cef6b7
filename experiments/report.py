"""A sweep's report for management: which arm did best, how sure that is, and at what cost.

``write_report(sweep_dir)`` needs the sweep folder alone. It uses the tables of
``experiments.aggregate`` (and aggregates again when they are missing or older than a
run), then writes ``<sweep>/report/``:

- ``report.md`` and ``report.html`` (the same content; the HTML embeds the charts, so it
  is one file to send): the finding in a few sentences, the charts, the comparison
  table, the definitions of the KPIs shown and the run folders skipped as incomplete.
- ``forest*.png``: the effect of each arm against its baseline on the headline KPIs,
  paired over seeds, with 95% intervals (one panel per KPI).
- ``tradeoff.png``: service (fill rate) against inventory cost, one point per arm.
- ``timeseries*.png``: weekly fill rate and stock on hand, and cumulative operating profit
  per arm over the days, mean over seeds with a 95% band (read from the runs'
  ``timeseries.parquet``).

The report is built in a hidden folder and renamed into place when whole, so a failed
report never replaces a good one or leaves one that looks finished.
"""

import base64
import difflib
import html
import math
import os
import re
import shutil
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, MaxNLocator

from experiments import aggregate as agg
from experiments.stats import t_critical
from sim.output.metrics import HIGHER_IS_BETTER, KPI_DEFINITIONS, LOWER_IS_BETTER
from sim.views import style

REPORT_DIR = "report"
HEADLINE_KPIS = (
    "operating_profit",
    "fill_rate",
    "on_time_in_full",
    "avg_inventory_value",
    "bullwhip_ratio",
    "conflict_count",
    "trust_sales_in_purchasing",
    "policy_cost_total",
)
SERVICE_KPI = "fill_rate"
INVENTORY_COST_KPIS = ("holding_cost", "avg_inventory_value")  # the first the sweep has
TIMESERIES_COLUMNS = ["day", "demand", "served_same_day", "on_hand", "operating_profit"]
MAX_LISTED_SKIPS = 20
MAX_BANDED_ARMS = 4  # more overlapping bands make a grey mess
# Colours of the arms (the department colours stay with the KPIs): distinct from
# style.SALES/PURCHASING first, and never grey, which is the baseline's.
ARM_COLOURS = (
    "#1f77b4",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#393b79",
    "#ff7f0e",
    "#2ca02c",
    "#843c39",
    "#637939",
)
GROUP_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "<", ">")


@dataclass(frozen=True)
class Measure:
    """How a KPI is shown: its name, the unit on an axis, the scale to that unit, which way is better."""

    title: str
    unit: str  # of a value, e.g. "thousand currency units" or "%"
    difference_unit: str  # of a difference, e.g. "percentage points"
    scale: float  # shown = value * scale
    better: int  # +1 higher is better, -1 lower is better, 0 neither
    colour: str
    decimals: int


_THOUSANDS = "thousand currency units"
MEASURES: dict[str, Measure] = {
    "operating_profit": Measure("Operating profit", _THOUSANDS, _THOUSANDS, 1e-3, 1, style.COMPANY, 1),
    "fill_rate": Measure("Fill rate", "%", "percentage points", 100.0, 1, style.SALES, 1),
    "on_time_in_full": Measure("On time in full", "%", "percentage points", 100.0, 1, style.SALES, 1),
    "avg_inventory_value": Measure("Average inventory value", _THOUSANDS, _THOUSANDS, 1e-3, -1, style.PURCHASING, 1),
    "bullwhip_ratio": Measure("Bullwhip ratio", "var(purchases) / var(demand)", "ratio", 1.0, -1, style.PURCHASING, 2),
    "conflict_count": Measure("Conflicts", "events", "events", 1.0, -1, style.COMPANY, 1),
    "trust_sales_in_purchasing": Measure(
        "Sales' trust in purchasing", "0–1 scale", "points on a 0–1 scale", 1.0, 1, style.SALES, 3
    ),
    "policy_cost_total": Measure("Cost of the levers", _THOUSANDS, _THOUSANDS, 1e-3, -1, style.COMPANY, 1),
    "holding_cost": Measure("Holding cost", _THOUSANDS, _THOUSANDS, 1e-3, -1, style.PURCHASING, 1),
}
_PERCENT_KPIS = frozenset({"gross_margin_rate", "cycle_service_level", "lost_sales_rate", "promise_reliability"})


def measure(kpi: str) -> Measure:
    """How ``kpi`` is shown (a sensible default for KPIs without their own entry)."""
    if kpi in MEASURES:
        return MEASURES[kpi]
    better = 1 if kpi in HIGHER_IS_BETTER else -1 if kpi in LOWER_IS_BETTER or kpi.startswith("policy_cost_") else 0
    title = kpi.replace("_", " ").capitalize()
    if definition(kpi).startswith("currency"):
        return Measure(title, _THOUSANDS, _THOUSANDS, 1e-3, better, style.COMPANY, 1)
    if kpi in _PERCENT_KPIS:
        return Measure(title, "%", "percentage points", 100.0, better, style.COMPANY, 1)
    return Measure(title, "", "", 1.0, better, style.COMPANY, 2)


def definition(kpi: str) -> str:
    """The KPI's definition from ``sim.output.metrics`` (the per-lever cost shares one)."""
    if kpi in KPI_DEFINITIONS:
        return KPI_DEFINITIONS[kpi]
    if kpi.startswith("policy_cost_"):
        return KPI_DEFINITIONS.get("policy_cost_<lever>", "")
    return ""


# -- the entry point ---------------------------------------------------------------------------


def write_report(sweep_dir: Path, objective: str = "operating_profit") -> Path:
    """Write ``<sweep_dir>/report/`` (report.md, report.html, charts); return report.md's path.

    Raises:
        SweepError: no such folder, not a sweep, no complete run, or ``objective`` is not
            a KPI of the sweep. Nothing is written then.
    """
    sweep_dir = agg.check_sweep_dir(sweep_dir)
    result, fresh = _current_tables(sweep_dir)
    if objective not in result.kpis:
        close = [kpi for kpi in result.kpis if objective and objective in kpi]
        close = close or difflib.get_close_matches(objective, result.kpis, n=3)
        hint = f"did you mean {' or '.join(close[:3])}?" if close else f"e.g. {', '.join(HEADLINE_KPIS[:4])}"
        raise agg.SweepError(f"--objective {objective}: not a KPI of this sweep ({hint})")
    if fresh:
        agg.write(result)
    final = sweep_dir / REPORT_DIR
    staging = sweep_dir / f".{REPORT_DIR}.{os.getpid()}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        blocks = _Report(result, objective, staging).build()
        agg.write_atomically(staging / "report.md", lambda tmp: tmp.write_text(to_markdown(blocks)))
        page = to_html(blocks, staging, title=f"Sweep report: {sweep_dir.name}")
        agg.write_atomically(staging / "report.html", lambda tmp: tmp.write_text(page))
        _replace_folder(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return final / "report.md"


def _current_tables(sweep_dir: Path) -> tuple[agg.Aggregate, bool]:
    """The sweep's tables, and whether they were just computed (and still need writing)."""
    if not agg.is_stale(sweep_dir):
        try:
            return agg.load(sweep_dir), False
        except (OSError, ValueError, KeyError):
            pass  # unreadable tables: aggregate again
    requested = agg._read_record(sweep_dir).get("requested_baseline")
    return agg.collect(sweep_dir, requested), True


def _replace_folder(staging: Path, final: Path) -> None:
    """Put the finished ``staging`` folder where ``final`` is (the old one goes only then)."""
    old = final.with_name(f".{final.name}.{os.getpid()}.old")
    if final.exists():
        final.replace(old)
    staging.replace(final)
    shutil.rmtree(old, ignore_errors=True)


# -- arms and groups -----------------------------------------------------------------------------


@dataclass
class _Group:
    """A baseline and the arms compared with it (the baseline is None for arms without one)."""

    baseline: str | None
    arms: list[str]
    name: str  # what sets the group apart ("scenario=seasonal"); "" when there is one group

    @property
    def members(self) -> list[str]:
        return ([self.baseline] if self.baseline else []) + self.arms


def _groups(result: agg.Aggregate) -> list[_Group]:
    first = result.comparison.drop_duplicates("arm").set_index("arm")
    baseline_of = {arm: first.at[arm, "baseline"] for arm in result.arms if arm in first.index}
    baseline_of = {arm: (b if isinstance(b, str) and b else None) for arm, b in baseline_of.items()}
    order = list(dict.fromkeys(baseline_of[arm] for arm in result.arms))
    groups = {key: _Group(key, [], "") for key in order}
    for arm in result.arms:
        if baseline_of[arm] != arm:
            groups[baseline_of[arm]].arms.append(arm)
    chosen = [group for group in groups.values() if group.arms or group.baseline]
    spec = set(agg.split_overrides(result.baseline or ""))
    if len(chosen) > 1:
        for group in chosen:
            if group.baseline is None:
                group.name = "arms without a baseline"
            else:
                rest = [part for part in agg.split_overrides(group.baseline) if part not in spec]
                group.name = ",".join(rest) or group.baseline
    return chosen


def short_labels(arms: Sequence[str]) -> dict[str, str]:
    """Labels without the overrides all ``arms`` share; only the value when one key is left."""
    pieces = {arm: agg.split_overrides(arm) for arm in arms}
    common = set.intersection(*(set(p) for p in pieces.values())) if len(arms) > 1 else set()
    left = {arm: [part for part in parts if part not in common] or parts for arm, parts in pieces.items()}
    keys = {part.split("=", 1)[0] for parts in left.values() for part in parts}
    if len(keys) == 1 and all(len(parts) == 1 for parts in left.values()):
        return {arm: parts[0].split("=", 1)[-1] for arm, parts in left.items()}
    return {arm: ",".join(parts) for arm, parts in left.items()}


# -- the report's content -------------------------------------------------------------------------

Block = tuple[str, Any]


class _Report:
    """Builds the report's blocks and draws its charts into ``folder``."""

    def __init__(self, result: agg.Aggregate, objective: str, folder: Path) -> None:
        self.result = result
        self.objective = objective
        self.folder = folder
        self.comparison = result.comparison.set_index(["arm", "kpi"])
        self.groups = _groups(result)
        self.labels: dict[str, str] = {}
        for group in self.groups:
            self.labels |= short_labels(group.members)
        self.colours: dict[str, str] = {}
        baselines = {group.baseline for group in self.groups}
        palette: dict[str, str] = {}  # one colour per label, so "rotation" looks the same in every chart
        for arm in result.arms:
            label = self.labels.get(arm, arm)
            if arm not in baselines and label not in palette:
                palette[label] = ARM_COLOURS[len(palette) % len(ARM_COLOURS)]
            self.colours[arm] = style.NEUTRAL if arm in baselines else palette[label]
        self.headline = [kpi for kpi in HEADLINE_KPIS if kpi in result.kpis]
        self.inventory_cost = next((kpi for kpi in INVENTORY_COST_KPIS if kpi in result.kpis), None)
        self.notes: list[str] = []

    def value(self, arm: str, kpi: str, column: str) -> Any:
        return self.comparison.at[(arm, kpi), column]

    def label(self, arm: str) -> str:
        return self.labels.get(arm, arm)

    def baseline_name(self, group: _Group) -> str:
        """The baseline as prose: "the silo" for policy=silo, else its label."""
        label = self.label(group.baseline or "")
        return f"the {label}" if label and "=" not in label else label or "the baseline"

    # -- the whole --

    def build(self) -> list[Block]:
        style.apply()
        result = self.result
        seeds = sorted(int(seed) for seed in result.summary["seed"].unique())
        blocks: list[Block] = [
            ("h1", f"Sweep report: {result.sweep_dir.name}"),
            ("p", self.scope_sentence(seeds)),
            ("h2", f"Finding: {measure(self.objective).title.lower()}"),
        ]
        for group in self.groups:
            blocks += self.finding(group)
        blocks += self.charts()
        blocks += [("h2", "Comparison table"), ("p", TABLE_NOTE), ("table", self.table())]
        blocks += [("h2", "What the KPIs mean"), ("ul", self.definitions())]
        blocks += [("h2", "Runs left out"), *self.skipped()]
        blocks.append(
            (
                "p",
                f"Generated by spsim-report on {datetime.now():%Y-%m-%d %H:%M} from `{result.sweep_dir}`. "
                "Every KPI of every arm is in `comparison.csv`, one row per run in `summary.parquet`.",
            )
        )
        return blocks

    def scope_sentence(self, seeds: list[int]) -> str:
        result = self.result
        seed_text = f"seeds {_ranges(seeds)}" if len(seeds) > 1 else f"seed {seeds[0]}"
        text = f"{len(result.summary)} complete runs in {len(result.arms)} arms, {seed_text}. "
        if result.baseline:
            own = f" of the same {' and '.join(_group_keys(self.groups))}" if len(self.groups) > 1 else ""
            text += (
                f"Each arm is compared with `{result.baseline}`{own} on the seeds both ran: the same seed "
                "means the same market and the same supply shocks (common random numbers), so the "
                "difference on each seed is one measurement of the effect, and the 95% interval of "
                "their mean follows the t distribution. "
            )
        else:
            text += "There is no baseline arm (such as `policy=silo`) in this sweep, so only means are shown. "
        skipped = len(result.incomplete)
        if skipped:
            text += f"{skipped} run folder{_s(skipped)} skipped as incomplete (listed at the end)."
        else:
            text += "No run folder was skipped."
        return text

    # -- the finding --

    def finding(self, group: _Group) -> list[Block]:
        kpi, info = self.objective, measure(self.objective)
        heading: list[Block] = [("h3", group.name)] if group.name else []
        if group.baseline is None or not group.arms:
            return [*heading, ("p", self.best_mean_sentence(group))]
        direction = info.better or 1
        diffs = {arm: float(self.value(arm, kpi, "diff_mean")) for arm in group.arms}
        ranked = sorted(
            (arm for arm in group.arms if math.isfinite(diffs[arm])), key=lambda arm: -direction * diffs[arm]
        )
        base = self.baseline_name(group)
        if not ranked:
            return [*heading, ("p", f"No arm shares a seed with {base}: no paired comparison.")]
        paragraphs = [self.best_sentence(ranked[0], base, direction), self.tradeoff_sentence(ranked[0], base)]
        if len(ranked) > 1:
            listing = "; ".join(f"{self.label(arm)} {self.signed(kpi, diffs[arm])}" for arm in ranked)
            paragraphs.append(f"All arms, best first ({info.title.lower()} against {base}): {listing}.")
        if info.better == 0:
            paragraphs.append(f"(`{kpi}` has no better direction: the highest is called best.)")
        return [*heading, *(("p", text) for text in paragraphs)]

    def best_sentence(self, arm: str, base: str, direction: int) -> str:
        kpi, info = self.objective, measure(self.objective)
        diff = float(self.value(arm, kpi, "diff_mean"))
        n = int(self.value(arm, kpi, "n_paired"))
        wins = int(self.value(arm, kpi, "n_higher" if direction > 0 else "n_lower"))
        gained = direction * diff > 0
        name, title = f"**{self.label(arm)}**", info.title.lower()
        if int(self.value(arm, kpi, "n_higher")) == int(self.value(arm, kpi, "n_lower")) == 0:
            return (
                f"No arm beat {base} on {title}; the closest was {name}, identical to {base} on all {n} "
                f"paired seed{_s(n)}: it did not change {title} at all."
            )
        if gained:
            text = f"{name} did best on {title}: {self.signed(kpi, diff)} against {base}"
        else:
            text = f"No arm beat {base} on {title}; the closest was {name}: {self.signed(kpi, diff)}"
        low, high = float(self.value(arm, kpi, "diff_ci_low")), float(self.value(arm, kpi, "diff_ci_high"))
        if n < 2 or not math.isfinite(low):
            return text + f", on {n} paired seed: no interval can be given; run more seeds to know how sure it is."
        text += (
            f" (95% CI {self.interval(kpi, low, high)}, {n} paired seeds); better than {base} in {wins} of {n} seeds. "
        )
        if low > 0 or high < 0:
            verdict = "a gain" if gained else "a loss"
            return text + f"The interval excludes zero: {verdict} that holds across these seeds, not noise."
        return (
            text + f"The interval includes zero: not distinguishable from {base} with {n} seeds; more seeds would tell."
        )

    def tradeoff_sentence(self, arm: str, base: str) -> str:
        better, worse, unclear = [], [], []
        single = int(self.value(arm, self.objective, "n_paired")) < 2  # no interval: take every move as it is
        for kpi in self.headline:
            if kpi == self.objective:
                continue
            info = measure(kpi)
            diff, low, high = (float(self.value(arm, kpi, c)) for c in ("diff_mean", "diff_ci_low", "diff_ci_high"))
            if not math.isfinite(diff):
                continue
            if diff == 0 or info.better == 0 or not (single or low > 0 or high < 0):
                unclear.append(info.title.lower())
            elif info.better * diff > 0:
                better.append(f"{info.title.lower()} {self.signed(kpi, diff)}")
            else:
                worse.append(f"{info.title.lower()} {self.signed(kpi, diff)}")
        parts = [f"worse: {_join(worse)}"] if worse else []
        parts += [f"better: {_join(better)}"] if better else []
        which = "on one seed, so these may be noise" if single else "moves whose 95% interval excludes zero"
        text = f"Trade-offs of {self.label(arm)} against {base} ({which}): "
        text += "; ".join(parts) if parts else "no other headline KPI moved"
        if unclear:
            text += f". {'Unchanged' if single else 'Not distinguishable'} from {base}: {_join(unclear)}"
        return text + "."

    def best_mean_sentence(self, group: _Group) -> str:
        kpi, info = self.objective, measure(self.objective)
        direction = info.better or 1
        means = {arm: float(self.value(arm, kpi, "mean")) for arm in group.members}
        ranked = sorted((a for a in means if math.isfinite(means[a])), key=lambda a: -direction * means[a])
        if not ranked:
            return f"No arm has a value of `{kpi}`."
        best = ranked[0]
        low, high = float(self.value(best, kpi, "mean_ci_low")), float(self.value(best, kpi, "mean_ci_high"))
        text = f"The best mean {info.title.lower()} is **{self.label(best)}**: {self.plain(kpi, means[best])}"
        if math.isfinite(low):
            unit = self.plain(kpi, high).removeprefix(self.plain(kpi, high).split(" ")[0])
            text += f" (95% CI {self.plain(kpi, low).removesuffix(unit)} to {self.plain(kpi, high)})"
        return text + f" over {int(self.value(best, kpi, 'n'))} seeds, with no baseline to pair it with."

    # -- numbers in text --

    def plain(self, kpi: str, value: float) -> str:
        info = measure(kpi)
        unit = {"%": "%", _THOUSANDS: " thousand"}.get(info.unit, f" {info.unit}" if info.unit else "")
        return _number(value * info.scale, info.decimals) + unit

    def signed(self, kpi: str, value: float) -> str:
        return _number(value * measure(kpi).scale, measure(kpi).decimals, signed=True) + self.difference_unit(kpi)

    def interval(self, kpi: str, low: float, high: float) -> str:
        info = measure(kpi)
        shown = (_number(v * info.scale, info.decimals, signed=True) for v in (low, high))
        return " to ".join(shown) + self.difference_unit(kpi)

    @staticmethod
    def difference_unit(kpi: str) -> str:
        unit = measure(kpi).difference_unit
        return {"percentage points": " pp", _THOUSANDS: " thousand", "events": " events"}.get(unit, "")

    # -- charts --

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
        path = self.folder / name
        agg.write_atomically(path, lambda tmp: figure.savefig(tmp, format="png", bbox_inches="tight"))
        plt.close(figure)
        return name

    def forest(self, group: _Group) -> Figure:
        arms = group.arms
        columns = min(4, len(self.headline))
        rows = math.ceil(len(self.headline) / columns)
        height = 2.0 + 0.6 * len(arms)
        figure, axes = plt.subplots(
            rows, columns, figsize=(5.2 * columns, height * rows + 0.8), sharey=True, squeeze=False
        )
        positions = np.arange(len(arms))
        for panel, kpi in zip(axes.flat, self.headline, strict=False):
            info = measure(kpi)
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
        n = int(self.comparison.loc[[(arm, self.objective) for arm in arms], "n_paired"].max())
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
        x_info, y_info = measure(x_kpi), measure(y_kpi)
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

    def point(self, axis: Axes, arm: str, group: _Group, marker: str, x: list[float], y: list[float]) -> None:
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

    def timeseries(self, group: _Group, series: dict[str, pd.DataFrame]) -> Figure | None:
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
            ("profit", profit_title, _THOUSANDS, np.arange(days)),
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
                if low is not None and key != "profit":  # no stock below zero, no rate above 100%
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

    # -- table, definitions, skipped --

    def table(self) -> tuple[list[str], list[list[str]]]:
        headers = ["KPI", "Arm", "n", "Mean", "Δ vs baseline", "95% CI of Δ", "Better in"]
        kpis = list(dict.fromkeys([self.objective, *self.headline]))
        wide = len(self.groups) > 1
        rows = []
        for kpi in kpis:
            info = measure(kpi)
            unit = f" ({info.unit})" if info.unit else ""
            for group in self.groups:
                for arm in group.members:
                    rows.append([f"{info.title}{unit}", arm if wide else self.label(arm), *self.cells(arm, kpi, group)])
        return headers, rows

    def cells(self, arm: str, kpi: str, group: _Group) -> list[str]:
        info = measure(kpi)
        cells = [
            str(int(self.value(arm, kpi, "n"))),
            _number(float(self.value(arm, kpi, "mean")) * info.scale, info.decimals),
        ]
        n = int(self.value(arm, kpi, "n_paired"))
        if arm == group.baseline:
            return [*cells, "baseline", "", ""]
        if n == 0:
            return [*cells, "–", "", ""]
        diff, low, high = (
            float(self.value(arm, kpi, c)) * info.scale for c in ("diff_mean", "diff_ci_low", "diff_ci_high")
        )
        better = {1: "n_higher", -1: "n_lower"}.get(info.better)
        return [
            *cells,
            f"{_number(diff, info.decimals, signed=True)} (n={n})",
            f"{_number(low, info.decimals, True)} to {_number(high, info.decimals, True)}"
            if math.isfinite(low)
            else "–",
            f"{int(self.value(arm, kpi, better))} of {n}" if better else "",
        ]

    def definitions(self) -> list[str]:
        shown = list(dict.fromkeys([self.objective, *self.headline, self.inventory_cost or ""]))
        return [f"`{kpi}`: {definition(kpi) or 'no definition recorded'}" for kpi in shown if kpi]

    def skipped(self) -> list[Block]:
        incomplete = self.result.incomplete
        if not incomplete:
            return [("p", "None: every run folder under the sweep was complete.")]
        sweep = self.result.sweep_dir
        items = [f"`{agg._relative(path, sweep)}`: {reason}" for path, reason in incomplete[:MAX_LISTED_SKIPS]]
        if len(incomplete) > MAX_LISTED_SKIPS:
            items.append(f"… and {len(incomplete) - MAX_LISTED_SKIPS} more (all in aggregate.json)")
        count = len(incomplete)
        verb = "s were" if count != 1 else " was"
        return [
            ("p", f"{count} run folder{verb} skipped as incomplete and counted nowhere in this report:"),
            ("ul", items),
        ]


TABLE_NOTE = (
    "Mean over seeds; Δ is the mean of the paired differences (arm − baseline on the same seed) with its 95% "
    "t interval; n is the number of seeds (paired seeds for Δ); “better in” counts the seeds on which the "
    "arm beat its baseline."
)
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


def _number(value: float, decimals: int, signed: bool = False) -> str:
    """A number for a reader: thousands separators, a true minus sign, no "−0.0"."""
    if not math.isfinite(value):
        return "–"
    text = f"{value:{'+' if signed else ''},.{decimals}f}"
    if float(text.replace(",", "")) == 0:
        text = f"{0.0:.{decimals}f}"
    return text.replace("-", "−")


def _tick(value: float, _position: Any) -> str:
    if value == 0:
        return "0"
    text = f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"
    return text.replace("-", "−")


def _suffix(group: _Group, groups: list[_Group]) -> str:
    if len(groups) == 1:
        return ""
    return "_" + (re.sub(r"[^A-Za-z0-9]+", "_", group.name).strip("_") or str(groups.index(group)))


def _group_keys(groups: list[_Group]) -> list[str]:
    keys = {part.split("=", 1)[0] for group in groups for part in agg.split_overrides(group.name) if "=" in part}
    return sorted(keys) or ["setting"]


def _ranges(seeds: list[int]) -> str:
    if seeds == list(range(seeds[0], seeds[-1] + 1)):
        return f"{seeds[0]}–{seeds[-1]}"
    return ", ".join(str(seed) for seed in seeds)


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _s(count: int) -> str:
    return "" if count == 1 else "s"


# -- rendering ----------------------------------------------------------------------------------


def to_markdown(blocks: list[Block]) -> str:
    """The blocks as Markdown (images by file name, next to report.md)."""
    out = []
    for kind, content in blocks:
        if kind in ("h1", "h2", "h3"):
            out.append(f"{'#' * int(kind[1])} {content}")
        elif kind == "p":
            out.append(content)
        elif kind == "ul":
            out.append("\n".join(f"- {item}" for item in content))
        elif kind == "img":
            name, alt = content
            out.append(f"![{alt}]({name})")
        elif kind == "table":
            headers, rows = content
            lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
            lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
            out.append("\n".join(lines))
    return "\n\n".join(out) + "\n"


_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; max-width: 1200px;
       margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.5; font-size: 17px; }
h1 { color: #4c4c9d; } h2 { border-bottom: 2px solid #eee; padding-bottom: .2em; margin-top: 1.6em; }
img { max-width: 100%; border: 1px solid #eee; margin: .5em 0; }
table { border-collapse: collapse; font-size: 15px; margin: 1em 0; }
th, td { border: 1px solid #ddd; padding: .3em .6em; text-align: right; }
th { background: #f4f4f8; } td:nth-child(1), td:nth-child(2), th:nth-child(1), th:nth-child(2) { text-align: left; }
code { background: #f4f4f4; padding: 0 .25em; border-radius: 3px; }
"""


def to_html(blocks: list[Block], folder: Path, title: str) -> str:
    """The blocks as one HTML page with the charts embedded (base64 PNG)."""
    out = [
        f"<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title>",
        f"<style>{_CSS}</style></head><body>",
    ]
    for kind, content in blocks:
        if kind in ("h1", "h2", "h3", "p"):
            out.append(f"<{kind}>{_inline(content)}</{kind}>")
        elif kind == "ul":
            out.append("<ul>" + "".join(f"<li>{_inline(item)}</li>" for item in content) + "</ul>")
        elif kind == "img":
            name, alt = content
            encoded = base64.b64encode((folder / name).read_bytes()).decode("ascii")
            out.append(f"<img src='data:image/png;base64,{encoded}' alt='{html.escape(alt, quote=True)}'>")
        elif kind == "table":
            headers, rows = content
            head = "".join(f"<th>{html.escape(cell)}</th>" for cell in headers)
            body = "".join("<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>" for row in rows)
            out.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
    out.append("</body></html>\n")
    return "\n".join(out)


def _inline(text: str) -> str:
    escaped = html.escape(text)
    escaped = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", escaped)
    return re.sub(r"`(.+?)`", r"<code>\1</code>", escaped)


# -- the command ---------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> None:
    """``spsim-report <sweep dir> [--objective operating_profit]``."""
    parser = agg.ArgumentParser(
        prog="spsim-report",
        description="A report of a sweep for management: report.md and report.html (charts embedded) "
        "in <sweep dir>/report/.",
    )
    parser.add_argument("sweep_dir", type=Path, help="the sweep folder, e.g. results/sweeps/<time>")
    parser.add_argument("--objective", default="operating_profit", help="the KPI that decides the best arm")
    arguments = parser.parse_args(argv)
    try:
        path = write_report(arguments.sweep_dir, arguments.objective)
    except agg.SweepError as error:
        agg.fail(parser.prog, str(error))
    except OSError as error:
        agg.fail(parser.prog, f"{error.filename or arguments.sweep_dir}: {error.strerror or error}", 1)
    print(path)
    print(path.with_name("report.html"))


if __name__ == "__main__":
    main()
