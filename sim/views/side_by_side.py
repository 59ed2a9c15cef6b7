"""Two runs on the same axes and time, and the first day they part.

Runs with the same seed face the same market (common random numbers), so their
tables agree day for day until a lever first acts; :func:`first_difference` finds
that day by comparing the event logs row by row, the daily series and the signals,
and names the events that differ on it ("day 30: runs part — steering committee
rejected 5 promotions (B only)"). The chart shows A solid and B dashed, in the
departments' colours, with that day marked.
"""

import textwrap
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.output import kpis
from sim.output.atomic import write_atomically
from sim.output.runfolder import Run
from sim.views import captions, shocks, storyboard, style
from sim.views.captions import Caption
from sim.views.shocks import Band

EVENT_COLUMNS = ("time", "event", "agent", "sku", "account", "ref", "quantity", "value", "detail")
SIGNAL_COLUMNS = ("time", "signal", "agent", "sku", "value")
SOLID = "-"
DASHED: tuple[float, tuple[float, float]] = (0, (5, 2))  # long dashes: B


@dataclass
class Divergence:
    """Where two runs first differ, and what differs on that day."""

    day: int | None  # None: identical on every day compared
    event_day: int | None = None
    series_day: int | None = None
    signal_day: int | None = None
    only_a: list[Caption] = field(default_factory=list)
    only_b: list[Caption] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    signals: list[str] = field(default_factory=list)

    @property
    def words(self) -> str:
        """What differs on the day, in plain words."""
        if self.day is None:
            return "the runs are identical on every day"
        parts = [f"{c.text} (B only)" for c in _top(self.only_b, 2)]
        parts += [f"{c.text} (A only)" for c in _top(self.only_a, 2 - min(len(parts), 1))]
        while len(parts) > 1 and len("; ".join(parts)) > 100:
            parts.pop()
        if not parts and self.signals:
            parts.append("different " + ", ".join(s.replace("_", " ") for s in self.signals[:3]))
        if not parts and self.columns:
            parts.append("different daily " + ", ".join(c.replace("_", " ") for c in self.columns[:3]))
        return "; ".join(parts) if parts else "the same events in a different order"

    @property
    def caption(self) -> str:
        """``day 30: runs part — steering committee ... (B only)``."""
        if self.day is None:
            return self.words
        return f"day {self.day}: runs part — {self.words}"


def first_difference(a: Run, b: Run) -> Divergence:
    """The first day on which the two runs' events, daily series or signals differ."""
    event_row = _first_row_difference(a.events, b.events, EVENT_COLUMNS)
    event_day = _day_of(a.events, b.events, event_row)
    series_day, _ = _first_series_difference(a.daily, b.daily)
    signal_row = _first_row_difference(a.signals, b.signals, SIGNAL_COLUMNS)
    signal_day = _day_of(a.signals, b.signals, signal_row)
    days = [d for d in (event_day, series_day, signal_day) if d is not None]
    if not days:
        return Divergence(None)
    day = min(days)
    only_a, only_b = _events_only_in_each(a.events, b.events, day)
    return Divergence(
        day,
        event_day,
        series_day,
        signal_day,
        only_a=captions.describe(only_a, include_routine=True),
        only_b=captions.describe(only_b, include_routine=True),
        columns=_columns_on(a.daily, b.daily, day) if series_day == day else [],
        signals=_signals_on(a.signals, b.signals, day),
    )


def _first_row_difference(x: pd.DataFrame, y: pd.DataFrame, columns: tuple[str, ...]) -> int | None:
    """The first row position at which two logs differ (None: the same rows)."""
    n = min(len(x), len(y))
    differs = np.zeros(n, dtype=bool)
    for column in columns:
        left, right = _values(x[column])[:n], _values(y[column])[:n]
        same = left == right
        if left.dtype.kind == "f":
            same |= np.isnan(left) & np.isnan(right)
        differs |= ~same
    if differs.any():
        return int(np.argmax(differs))
    return None if len(x) == len(y) else n


def _values(column: pd.Series) -> np.ndarray:
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.astype(str).to_numpy(dtype=object)
    return column.to_numpy()


def _day_of(x: pd.DataFrame, y: pd.DataFrame, row: int | None) -> int | None:
    if row is None:
        return None
    days = [int(table["day"].iloc[row]) for table in (x, y) if row < len(table)]
    return min(days) if days else None


def _first_series_difference(x: pd.DataFrame, y: pd.DataFrame) -> tuple[int | None, list[str]]:
    common = [c for c in x.columns if c in y.columns and c != "day"]
    n = min(len(x), len(y))
    left, right = x[common].iloc[:n].to_numpy(float), y[common].iloc[:n].to_numpy(float)
    differs = ~((left == right) | (np.isnan(left) & np.isnan(right)))
    rows = differs.any(axis=1)
    if not rows.any():
        return None, []
    row = int(np.argmax(rows))
    return int(x["day"].iloc[row]), [c for c, d in zip(common, differs[row], strict=True) if d]


def _columns_on(x: pd.DataFrame, y: pd.DataFrame, day: int) -> list[str]:
    common = [c for c in x.columns if c in y.columns and c != "day"]
    left = x.loc[x["day"] == day, common].to_numpy(float)
    right = y.loc[y["day"] == day, common].to_numpy(float)
    if not len(left) or not len(right):
        return []
    differs = ~((left[0] == right[0]) | (np.isnan(left[0]) & np.isnan(right[0])))
    return [c for c, d in zip(common, differs, strict=True) if d]


def _signals_on(x: pd.DataFrame, y: pd.DataFrame, day: int) -> list[str]:
    def rows(table: pd.DataFrame) -> Counter[tuple[object, ...]]:
        today = table[table["day"] == day]
        return Counter(zip(*(_values(today[c]) for c in SIGNAL_COLUMNS), strict=True))

    left, right = rows(x), rows(y)
    changed = (left - right) + (right - left)
    return sorted({str(key[1]) for key in changed})


def _events_only_in_each(x: pd.DataFrame, y: pd.DataFrame, day: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The events of ``day`` that one run logged and the other did not (as a multiset)."""
    left, right = x[x["day"] == day], y[y["day"] == day]

    def keys(table: pd.DataFrame) -> list[tuple[object, ...]]:
        return list(zip(*(_values(table[c]) for c in EVENT_COLUMNS), strict=True))

    left_keys, right_keys = keys(left), keys(right)
    spare_right, spare_left = Counter(right_keys), Counter(left_keys)
    only_left, only_right = [], []
    for index, key in zip(left.index, left_keys, strict=True):
        if spare_right[key]:
            spare_right[key] -= 1
        else:
            only_left.append(index)
    for index, key in zip(right.index, right_keys, strict=True):
        if spare_left[key]:
            spare_left[key] -= 1
        else:
            only_right.append(index)
    return x.loc[only_left], y.loc[only_right]


def _top(items: list[Caption], n: int) -> list[Caption]:
    """The first ``n`` captions in the order the run logged them, business events before bookkeeping."""
    order = sorted(items, key=lambda c: (c.kind in captions.ROUTINE, c.rows[0] if c.rows else 0))
    return order[:n] if n > 0 else []


# -- the chart ------------------------------------------------------------------------------


@dataclass
class SideBySide:
    """The drawn comparison: its figure, the day the runs part and the captions shown."""

    figure: Figure
    divergence: Divergence
    annotations: list[Caption]
    bands: list[Band] = field(default_factory=list)  # the outside shocks shaded and labelled
    paths: list[Path] = field(default_factory=list)


def names(a: Run, b: Run) -> tuple[str, str]:
    """Short names of the two runs: their organisation, or their folder where that is the same."""
    if a.organisation != b.organisation:
        return a.organisation, b.organisation
    if a.seed != b.seed:
        return f"seed {a.seed}", f"seed {b.seed}"
    return a.name, b.name


def draw(a: Run, b: Run, window: tuple[int, int] | None = None, limit: int = 8) -> SideBySide:
    """Draw the two runs on shared axes (not saved)."""
    style.apply()
    divergence = first_difference(a, b)
    start, end = storyboard.window_of(a, window)
    name_a, name_b = names(a, b)
    figure = plt.figure(figsize=(18, 15))
    grid = figure.add_gridspec(
        6, 1, height_ratios=[1.6, 1, 1, 0.8, 0.8, 0.9], left=0.07, right=0.93, top=0.865, bottom=0.05, hspace=0.42
    )
    strip = figure.add_subplot(grid[0])
    panels = [figure.add_subplot(grid[i], sharex=strip) for i in range(1, 6)]
    figure.suptitle(
        f"Side by side: {a.scenario} scenario · A = {name_a} (solid) vs B = {name_b} (dashed)",
        fontsize=20,
        fontweight="bold",
        y=0.975,
    )
    figure.text(0.5, 0.942, f"A: {a.title}   ·   B: {b.title}", ha="center", fontsize=13, color=style.NEUTRAL)
    weeks = [storyboard.weekly(storyboard.focus(run).daily, start, end) for run in (a, b)]
    _draw_panels(panels, weeks, (a, b), (name_a, name_b), start, end)

    figure.text(
        0.07,
        0.918,
        textwrap.shorten("First difference: " + divergence.caption, 140),
        fontsize=15,
        fontweight="bold",
        va="top",
    )
    found = _bands(a, b, start, end)
    story = []
    for run, tag in ((a, "A"), (b, "B")):
        inside = run.events[(run.events["day"] >= start) & (run.events["day"] <= end)]
        context = shocks.visible(shocks.bands(run.events, run.days), start, end)
        story += [
            Caption(c.day, c.kind, f"({tag}) {c.text}", c.importance, c.department, c.rows)
            for c in captions.describe(inside, context=context)
        ]
    chosen = storyboard.annotate(figure, strip, story, start, end, limit, a.warmup)  # band labels say "shock"
    strip.set_title("Key events of each run, (A) or (B); black: the day they part", loc="left", fontsize=13)
    for caption in chosen:
        for axis in panels:
            axis.axvline(caption.day, color=storyboard.COLOURS[caption.department], alpha=0.3, linewidth=1.2, zorder=1)
    for axis in panels:
        shocks.shade(axis, found, start, end)
    shocks.label(figure, strip, found, start, end, storyboard.LABEL_SIZE)
    if divergence.day is not None and start <= divergence.day <= end:
        for axis in (strip, *panels):
            axis.axvline(divergence.day, color="black", linewidth=3, alpha=0.85, zorder=2)
        strip.text(
            divergence.day,
            storyboard.LANES,
            f" day {divergence.day}: runs part",
            fontsize=13,
            fontweight="bold",
            va="top",
            ha="left" if divergence.day < (start + end) / 2 else "right",
            zorder=5,
            bbox={"facecolor": "white", "edgecolor": "black", "boxstyle": "round,pad=0.25"},
        )
    return SideBySide(figure, divergence, chosen, found)


def _bands(a: Run, b: Run, start: int, end: int) -> list[Band]:
    """The shocks of both runs (once when both had them, else tagged with the run that had them)."""
    first = shocks.visible(shocks.bands(a.events, a.days), start, end)
    second = shocks.visible(shocks.bands(b.events, b.days), start, end)
    both = {band.label for band in first} & {band.label for band in second}
    tagged = [band if band.label in both else replace(band, label=f"(A) {band.label}") for band in first]
    tagged += [replace(band, label=f"(B) {band.label}") for band in second if band.label not in both]
    return sorted(tagged, key=lambda band: (band.start, band.kind))


def _draw_panels(
    panels: list[Axes],
    weeks: list[pd.DataFrame],
    runs: tuple[Run, Run],
    run_names: tuple[str, str],
    start: int,
    end: int,
) -> None:
    flows, stock, service, trust, profit = panels
    owed = stock.twinx()
    owed.grid(False)
    owed.spines["right"].set_visible(True)
    for week, dash in zip(weeks, (SOLID, DASHED), strict=True):
        x = week["start"]
        flows.step(x, week["demand"], where="post", color=style.SALES, linestyle=dash, linewidth=2)
        flows.step(x, week["supplied"], where="post", color=style.PURCHASING, linestyle=dash, linewidth=2.2)
        stock.step(x, week["on_hand"], where="post", color=style.PURCHASING, linestyle=dash, linewidth=2.2)
        owed.step(x, week["backordered"], where="post", color=style.SALES, linestyle=dash, linewidth=2.2)
        service.step(x, week["fill_rate"], where="post", color=style.COMPANY, linestyle=dash, linewidth=2.2)
        trust.plot(x, week["trust_in_purchasing"], color=style.SALES, linestyle=dash, linewidth=2.2)
        trust.plot(x, week["trust_in_sales"], color=style.PURCHASING, linestyle=dash, linewidth=2.2)
    flows.set(ylabel="units / week", title="Demand (orange) vs units purchased (green)")
    stock.set_ylabel("units on hand", color=style.PURCHASING)
    owed.set_ylabel("units owed", color=style.SALES)
    owed.set_ylim(bottom=0)
    stock.set_ylim(bottom=0)
    stock.set_title("Stock on hand (green, left) and owed to customers (orange, right), week end")
    low = min(float(np.nanmin(w["fill_rate"])) if w["fill_rate"].notna().any() else 90.0 for w in weeks)
    service.set(
        ylabel="fill rate %",
        ylim=(max(0.0, min(90.0, low - 5)), 101),
        title="Fill rate: share of units shipped from stock the day ordered",
    )
    trust.set(
        ylabel="trust (0-1)", ylim=(0, 1.02), title="Trust: sales in purchasing (orange), purchasing in sales (green)"
    )

    a, b = runs
    warmup = a.warmup
    gap = _profit_gap(a, b, max(start, warmup), end)
    profit.fill_between(gap.index, gap.to_numpy(), step="post", color=style.COMPANY, alpha=0.35)
    profit.step(gap.index, gap.to_numpy(), where="post", color=style.COMPANY, linewidth=2.2)
    profit.axhline(0, color=style.NEUTRAL, linewidth=1)
    profit.set(
        ylabel="currency",
        title=f"Operating profit, B minus A, cumulative after the warm-up (above 0: {run_names[1]} ahead)",
    )
    profit.yaxis.set_major_formatter("{x:,.0f}")
    profit.set_xlabel("day of the run (grey: warm-up, left out of the KPIs)")
    handles = [
        Line2D([], [], color="#333333", linestyle="-", linewidth=2.2, label=f"A: {run_names[0]}"),
        Line2D([], [], color="#333333", linestyle=DASHED, linewidth=2.2, label=f"B: {run_names[1]}"),
    ]
    flows.legend(handles=handles, loc="upper left", ncols=2)
    for axis in panels:
        storyboard.shade_warmup(axis, warmup, start)
        axis.set_xlim(start, end + 1)
    for axis in panels[:-1]:
        axis.tick_params(labelbottom=False)


def _profit_gap(a: Run, b: Run, start: int, end: int) -> pd.Series:
    def cumulative(run: Run) -> pd.Series:
        days = run.daily[(run.daily["day"] >= start) & (run.daily["day"] <= end)]
        return days.set_index("day")["operating_profit"].cumsum()

    return cumulative(b) - cumulative(a)


def markdown(a: Run, b: Run, drawn: SideBySide) -> str:
    """The comparison in words: the first difference, what differs that day, the headline KPIs."""
    divergence = drawn.divergence
    name_a, name_b = names(a, b)
    lines = [
        f"# Side by side: A = {name_a}, B = {name_b}",
        "",
        f"- A: `{a.path}` ({a.title})",
        f"- B: `{b.path}` ({b.title})",
        "",
    ]
    if a.seed != b.seed:
        lines += [
            "Different seeds: the runs face different markets (demand noise, lead times) from day 0, "
            "so their first difference says nothing about a lever.",
            "",
        ]
    lines += [f"**{divergence.caption}**", ""]
    if divergence.day is not None:
        found = {
            "events": divergence.event_day,
            "daily series": divergence.series_day,
            "signals": divergence.signal_day,
        }
        lines.append(
            "First day each table differs: "
            + ", ".join(f"{table} day {day}" if day is not None else f"{table} never" for table, day in found.items())
            + "."
        )
        lines.append("")
        for tag, items in (("only in A", divergence.only_a), ("only in B", divergence.only_b)):
            lines.append(f"Events of day {divergence.day} {tag}:")
            lines += [
                f"- {c.text} (events.parquet rows {', '.join(map(str, c.rows[:8]))}{' ...' if len(c.rows) > 8 else ''})"
                for c in _top(items, len(items))
            ] or ["- none"]
            lines.append("")
        if divergence.signals:
            lines += [f"Signals that differ on day {divergence.day}: {', '.join(divergence.signals)}.", ""]
        if divergence.columns:
            lines += [f"Daily columns that differ on day {divergence.day}: {', '.join(divergence.columns)}.", ""]
    lines += ["| KPI | unit | A | B | B - A | |", "|---|---|---:|---:|---:|---|"]
    for key in (
        "operating_profit",
        "revenue",
        "fill_rate",
        "on_time_in_full",
        "avg_on_hand",
        "expedite_count",
        "expedites_refused",
        "conflict_count",
        "policy_cost_total",
        "operating_expenses",
        "obsolescence_cost",
        "closing_backlog_cost",
        "revaluation",
        "trust_sales_in_purchasing",
        "trust_purchasing_in_sales",
    ):
        if key in a.summary and key in b.summary:
            x, y = float(a.summary[key]), float(b.summary[key])
            lines.append(
                f"| {key} | {kpis.unit_text(key)} | {kpis.format_value(key, x)} | "
                f"{kpis.format_value(key, y)} | {kpis.format_change(key, x, y)} | "
                f"{kpis.verdict(key, x, y)} |"
            )
    return "\n".join(lines) + "\n"


def write(a: Run, b: Run, window: tuple[int, int] | None = None) -> list[Path]:
    """Write ``side_by_side.png`` and ``side_by_side.md`` into run A's replay folder."""
    drawn = draw(a, b, window)
    tail = storyboard.suffix(window, a, None, None)
    png = a.replay_dir / f"side_by_side{tail}.png"
    text = a.replay_dir / f"side_by_side{tail}.md"
    try:
        write_atomically(png, lambda tmp: drawn.figure.savefig(tmp, format="png"))
    finally:
        plt.close(drawn.figure)
    write_atomically(text, lambda tmp: tmp.write_text(markdown(a, b, drawn)))
    return [png, text]
