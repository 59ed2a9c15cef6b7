"""The storyboard: a run's year on one page, with its key events in plain words.

Shared time axes, top to bottom: the key events (each a label that says what
happened, coloured by who acted), units per week demanded vs purchased, stock on
hand and backorders, service (fill rate), and trust each way. The events shown are
rows of the run's event log, ranked by importance, capped and laid out so no two
labels overlap; the full list goes to ``events.md`` beside the chart.

The series come from :func:`focus`: the company, one SKU (``sku_timeseries``) or one
account (its orders and shipments in the event log). The animation draws the same.
"""

from dataclasses import dataclass, field
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from sim.output.atomic import write_atomically
from sim.output.runfolder import Run
from sim.views import captions, highlights, shocks, style, weeks
from sim.views.captions import Caption
from sim.views.shocks import Band

COLOURS = {captions.SALES: style.SALES, captions.PURCHASING: style.PURCHASING, captions.COMPANY: style.COMPANY}
LEVER_KINDS = {"committee", "meeting", "meeting_skipped", "rotation_started", "rotation_ended"}
"""Company-wide lever events, kept when the chart focuses on one SKU or account."""
LABEL_SIZE = 12
LANES = 5
MAX_LABEL = 72


@dataclass
class Focus:
    """The daily series a chart shows, and the events that belong to them."""

    what: str
    daily: pd.DataFrame  # day, demand, supplied, served_same_day, on_hand, backordered, trust_*
    events: pd.DataFrame
    supplied_label: str
    has_stock: bool


def focus(run: Run, sku: int | None = None, account: int | None = None) -> Focus:
    """The company's series, or one SKU's, or one account's (trust is always the company's)."""
    trust = run.daily[["day", "trust_in_purchasing", "trust_in_sales"]]
    events = run.events
    levers = events["event"].astype(str).isin(LEVER_KINDS)
    if sku is not None:
        table = run.sku_daily[run.sku_daily["sku"] == sku]
        daily = table[["day", "demand", "purchased", "served_same_day", "on_hand", "backordered"]]
        daily = daily.rename(columns={"purchased": "supplied"}).merge(trust, on="day")
        return Focus(
            f"SKU {sku}", daily.reset_index(drop=True), events[(events["sku"] == sku) | levers], "purchased", True
        )
    if account is not None:
        return _account_focus(run, account, trust, events[(events["account"] == account) | levers])
    daily = run.daily[
        [
            "day",
            "demand",
            "purchased",
            "served_same_day",
            "on_hand",
            "backordered",
            "trust_in_purchasing",
            "trust_in_sales",
        ]
    ].rename(columns={"purchased": "supplied"})
    return Focus("company", daily, events, "purchased", True)


def _account_focus(run: Run, account: int, trust: pd.DataFrame, events: pd.DataFrame) -> Focus:
    """One account's daily orders, shipments and what it is still owed, from the event log."""
    mine = run.events[run.events["account"] == account]
    kind = mine["event"].astype(str)
    days = run.days

    def daily_units(kinds: tuple[str, ...]) -> np.ndarray:
        rows = mine[kind.isin(kinds)]
        return np.bincount(rows["day"].to_numpy(), weights=rows["quantity"].to_numpy(float), minlength=days)[:days]

    ordered = daily_units(("order",))
    shipped = daily_units(("shipment", "backorder_shipment"))
    lost = daily_units(("cancellation",))
    daily = pd.DataFrame(
        {
            "day": np.arange(days),
            "demand": ordered,
            "supplied": shipped,
            "served_same_day": daily_units(("shipment",)),
            "on_hand": np.nan,
            "backordered": np.cumsum(ordered - shipped - lost),
        }
    ).merge(trust, on="day")
    return Focus(f"account {account}", daily, events, "shipped to it", False)


def weekly(daily: pd.DataFrame, start: int, end: int) -> pd.DataFrame:
    """Flows per week (as a weekly rate, so a partial week is comparable) and levels (the week's mean).

    A last row repeats the last week at ``end + 1``, so step charts reach the window's end.
    """
    window = daily[(daily["day"] >= start) & (daily["day"] <= end)]
    levels = ["on_hand", "backordered", "trust_in_purchasing", "trust_in_sales"]
    table = weeks.weekly(window, ["demand", "supplied", "served_same_day"], levels)
    rates = table[["demand", "supplied", "served_same_day"]].div(table["days"], axis=0) * 7
    table[rates.columns] = rates
    table["fill_rate"] = 100 * rates["served_same_day"] / rates["demand"].where(rates["demand"] > 0)
    table["end"] = table["start"] + table["days"]
    table = table.drop(columns="days").reset_index(drop=True)
    if table.empty:
        return table
    closing = table.iloc[[-1]].assign(start=end + 1, end=end + 1)
    return pd.concat([table, closing], ignore_index=True)


def window_of(run: Run, window: tuple[int, int] | None) -> tuple[int, int]:
    """The days shown, first and last included (default: the whole run)."""
    return window if window is not None else (0, run.days - 1)


def suffix(window: tuple[int, int] | None, run: Run, sku: int | None, account: int | None) -> str:
    """A file-name suffix for a focus or a window (empty for the whole company run)."""
    parts = []
    if sku is not None:
        parts.append(f"_sku{sku}")
    if account is not None:
        parts.append(f"_account{account}")
    if window is not None and window != (0, run.days - 1):
        parts.append(f"_days{window[0]}-{window[1]}")
    return "".join(parts)


@dataclass
class Storyboard:
    """A drawn storyboard: its figure, the captions on it and all captions of its window."""

    figure: Figure
    annotations: list[Caption]
    captions: list[Caption]
    paths: list[Path] = field(default_factory=list)
    bands: list[Band] = field(default_factory=list)  # the outside shocks shaded and labelled


def draw(
    run: Run,
    window: tuple[int, int] | None = None,
    sku: int | None = None,
    account: int | None = None,
    limit: int = 12,
) -> Storyboard:
    """Draw the storyboard of ``run`` (not saved)."""
    style.apply()
    start, end = window_of(run, window)
    view = focus(run, sku, account)
    events = view.events[(view.events["day"] >= start) & (view.events["day"] <= end)]
    found = shocks.visible(shocks.bands(run.events, run.days), start, end)  # company-wide, whatever the focus
    story = captions.describe(events, context=found)
    # A fixed layout (not constrained): the label lanes need the axes' width before drawing.
    figure = plt.figure(figsize=(18, 14))
    grid = figure.add_gridspec(
        5, 1, height_ratios=[2.0, 1, 1, 0.8, 0.8], left=0.06, right=0.94, top=0.92, bottom=0.06, hspace=0.38
    )
    strip = figure.add_subplot(grid[0])
    panels = [figure.add_subplot(grid[i], sharex=strip) for i in range(1, 5)]
    title = f"Storyboard: {run.title}" + ("" if view.what == "company" else f" · {view.what}")
    figure.suptitle(title, fontsize=20, fontweight="bold", y=0.975)
    draw_panels(panels, weekly(view.daily, start, end), view, run.warmup, start, end)
    chosen = annotate(figure, strip, story, start, end, limit, run.warmup, shocked=bool(found))
    for caption in chosen:
        for axis in panels:
            axis.axvline(caption.day, color=COLOURS[caption.department], alpha=0.35, linewidth=1.2, zorder=1)
    for axis in panels:
        shocks.shade(axis, found, start, end)
    shocks.label(figure, strip, found, start, end, LABEL_SIZE)
    return Storyboard(figure, chosen, story, bands=found)


def write(
    run: Run,
    window: tuple[int, int] | None = None,
    sku: int | None = None,
    account: int | None = None,
    limit: int = 12,
) -> Storyboard:
    """Write ``storyboard.png`` and ``events.md`` (the full list) into the run's replay folder."""
    board = draw(run, window, sku, account, limit)
    tail = suffix(window, run, sku, account)
    png = run.replay_dir / f"storyboard{tail}.png"
    markdown = run.replay_dir / f"events{tail}.md"
    start, end = window_of(run, window)
    heading = (
        f"Events of {run.title}"
        + (f", {focus_name(sku, account)}" if sku is not None or account is not None else "")
        + f", days {start} to {end}"
    )
    text = highlights.markdown(board.captions, heading, [c.rows for c in board.annotations])
    write_atomically(png, lambda tmp: board.figure.savefig(tmp, format="png"))
    plt.close(board.figure)
    write_atomically(markdown, lambda tmp: tmp.write_text(text))
    board.paths = [png, markdown]
    return board


def focus_name(sku: int | None, account: int | None) -> str:
    """Words for the focus of a chart."""
    if sku is not None:
        return f"SKU {sku}"
    if account is not None:
        return f"account {account}"
    return "company"


# -- the panels -------------------------------------------------------------------------


def draw_panels(panels: list[Axes], week: pd.DataFrame, view: Focus, warmup: int, start: int, end: int) -> None:
    """Units, stock, service and trust per week on shared axes (also the side-by-side's base)."""
    flows, stock, service, trust = panels
    x = week["start"]
    flows.step(
        x,
        week["demand"],
        where="post",
        color=style.SALES,
        linewidth=2.2,
        label="ordered by customers" if view.has_stock else "ordered by the account",
    )
    flows.step(x, week["supplied"], where="post", color=style.PURCHASING, linewidth=2.2, label=view.supplied_label)
    flows.set(ylabel="units / week", title=f"Demand vs supply ({view.what})")
    flows.legend(loc="upper left", ncols=2)

    if view.has_stock:
        stock.fill_between(x, week["on_hand"], step="post", color=style.PURCHASING, alpha=0.3, label="on hand (left)")
        stock.set_ylabel("units on hand", color=style.PURCHASING)
        owed = stock.twinx()
        owed.step(
            x, week["backordered"], where="post", color=style.SALES, linewidth=2.2, label="owed to customers (right)"
        )
        owed.set_ylabel("units owed", color=style.SALES)
        owed.grid(False)
        owed.spines["right"].set_visible(True)
        owed.yaxis.set_major_locator(MaxNLocator(integer=True))
        owed.set_ylim(0, max(1.0, 1.1 * float(np.nanmax(week["backordered"])) if len(week) else 1.0))
        handles = stock.get_legend_handles_labels()[0] + owed.get_legend_handles_labels()[0]
        stock.legend(handles=handles, loc="upper left", ncols=2)
        stock.set_title("Stock at week end")
    else:
        stock.step(x, week["backordered"], where="post", color=style.SALES, linewidth=2.2, label="owed to the account")
        stock.set(ylabel="units owed", title="What the account is still owed")
        stock.legend(loc="upper left")
    stock.set_ylim(bottom=0)

    service.step(x, week["fill_rate"], where="post", color=style.COMPANY, linewidth=2.2)
    low = float(np.nanmin(week["fill_rate"])) if week["fill_rate"].notna().any() else 90.0
    service.set(
        ylabel="fill rate %",
        title="Service: share of units shipped from stock the day ordered",
        ylim=(max(0.0, min(90.0, low - 5)), 101),
    )

    trust.plot(x, week["trust_in_purchasing"], color=style.SALES, linewidth=2.2, label="sales' trust in purchasing")
    trust.plot(x, week["trust_in_sales"], color=style.PURCHASING, linewidth=2.2, label="purchasing's trust in sales")
    trust.set(ylabel="trust (0-1)", ylim=(0, 1.02), title="Trust each way")
    trust.legend(loc="lower left", ncols=2)
    trust.set_xlabel("day of the run (grey: warm-up, left out of the KPIs)")
    for axis in panels:
        shade_warmup(axis, warmup, start)
        axis.set_xlim(start, end + 1)
    for axis in panels[:-1]:
        axis.tick_params(labelbottom=False)


def shade_warmup(axis: Axes, warmup: int, start: int) -> None:
    """Grey out the warm-up days (left out of every KPI)."""
    if warmup > start:
        axis.axvspan(start, warmup, color=style.WARMUP, zorder=0)


# -- the event labels ------------------------------------------------------------------


def annotate(
    figure: Figure,
    strip: Axes,
    story: list[Caption],
    start: int,
    end: int,
    limit: int,
    warmup: int,
    shocked: bool = False,
) -> list[Caption]:
    """Place the most telling captions in the strip's lanes without overlap; return them.

    With ``shocked``, the legend also names the outside shocks' colour (shocks.label draws them).
    """
    strip.set_ylim(0, LANES)
    strip.set_yticks([])
    strip.grid(False)
    strip.spines["left"].set_visible(False)
    strip.tick_params(labelbottom=False)
    strip.set_title("Key events (colour: who acted)", loc="left")
    strip.legend(
        handles=[
            Patch(color=COLOURS[d], label=name)
            for d, name in (
                (captions.SALES, "sales & customers"),
                (captions.PURCHASING, "purchasing & suppliers"),
                (captions.COMPANY, "alignment lever"),
            )
        ]
        + ([Patch(color=shocks.COLOUR, alpha=0.4, label="outside shock (no department)")] if shocked else []),
        loc="lower right",
        bbox_to_anchor=(1.0, 1.0),
        ncols=4 if shocked else 3,
        fontsize=12,
    )
    shade_warmup(strip, warmup, start)
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    font = FontProperties(size=LABEL_SIZE)
    axis_width = strip.get_position().width * figure.bbox.width
    days_per_pixel = (end + 1 - start) / max(axis_width, 1.0)
    pad = 6 * days_per_pixel
    lanes: list[list[tuple[float, float]]] = [[] for _ in range(LANES)]
    placed: dict[int, tuple[int, float, str]] = {}  # by id(caption)
    widths: dict[int, float] = {}

    def width_of(caption: Caption) -> float:
        return widths[id(caption)]

    def fits(caption: Caption) -> bool:
        text = _short(caption.label)
        width = renderer.get_text_width_height_descent(text, font, ismath=False)[0] * days_per_pixel + 2 * pad
        right_of = (float(caption.day), "left")  # the label starts at the event
        left_of = (caption.day - width, "right")  # or ends at it
        options = [o for o in (right_of, left_of) if o[0] >= start and o[0] + width <= end + 1]
        options = options or [(max(float(start), end + 1 - width), "right" if caption.day > end - pad else "left")]
        for lane, taken in enumerate(lanes):
            for left, align in options:
                if all(left + width <= a or left >= b for a, b in taken):
                    taken.append((left, left + width))
                    placed[id(caption)] = (lane, left, align)
                    widths[id(caption)] = width
                    return True
        return False

    chosen = highlights.select(
        story, limit, fits, same_kind_penalty=1.5, bonus=lambda c: -2.5 if c.day < warmup else 0.0
    )
    if not chosen:
        strip.text(
            (start + end + 1) / 2,
            LANES / 2,
            "no business events to annotate (promotions, expedites, conflicts, lever meetings...)",
            ha="center",
            va="center",
            fontsize=14,
            color=style.NEUTRAL,
        )
    for caption in chosen:
        lane, left, align = placed[id(caption)]
        y = LANES - lane - 0.5
        colour = COLOURS[caption.department]
        strip.plot([caption.day, caption.day], [0, y], color=colour, alpha=0.5, linewidth=1.2, zorder=1)
        strip.plot(caption.day, y, marker="o", color=colour, markersize=8, zorder=3)
        x = left + pad if align == "left" else left + width_of(caption) - pad
        strip.text(
            x,
            y,
            _short(caption.label),
            ha=align,
            va="center",
            fontsize=LABEL_SIZE,
            zorder=4,
            bbox={"boxstyle": "round,pad=0.25", "facecolor": "white", "edgecolor": colour, "linewidth": 1.5},
        )
    return chosen


def _short(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"
