"""Outside shocks as bands: what every chart shades, and the context a caption names.

A shock (a supplier disruption, a price rise, a product launch, a large unannounced order)
is no department's doing. Each chart shades its span in one neutral colour with a label in
plain words ("supplier disruption: days 80–140, capacity 30%, lead +10 d"), and a caption of a
stock-out or a refused expedite inside it says the shock is the context ("during the supplier
disruption"), so a room does not blame sales or purchasing for a supplier's crisis. Bands are
built from the shock events of ``events.parquet`` (sim.output.events.SHOCKS), nothing else.
"""

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.text import Text

from sim.output.events import SHOCKS, with_figures

COLOUR = "#8c6d31"  # brown: the outside world, no department's colour
ALPHA = 0.14
AFTERMATH_DAYS = 30  # a disruption's backlog takes about a month to clear after its late deliveries land (judgement)
ROW = 0.9  # the height of a shock label row on the event strip, in lanes
POINT_DAYS = 7  # the band of a one-day shock (a launch, a large order): its first week
CONTEXT_KINDS = frozenset(
    {
        "expedite_refused",
        "expedite",
        "escalation",
        "arbitration",
        "stockout_late_notice",
        "cancellation",
        "churn",
        "excess_stock",
        "expedite_requested",
    }
)
"""Captions that a shock's span puts in context (service and supply trouble, and conflicts over them)."""


@dataclass(frozen=True)
class Band:
    """One shock's span on a chart: days ``start`` to ``end`` (exclusive), its label and its rows."""

    kind: str  # disruption, price_rise, launch, large_order
    start: int
    end: int
    label: str
    source: str  # scenario or facilitator
    context: str = ""  # what a caption inside the band adds ("during the supplier disruption"); "": none
    aftermath: int = 0  # days after ``end`` still in the shock's wake (a disruption's late deliveries)
    rows: tuple[int, ...] = field(default=())

    def context_of(self, day: int) -> str:
        """The words a caption of ``day`` adds ("" outside the band and its wake)."""
        if not self.context:
            return ""
        if self.start <= day < self.end:
            return f"during the {self.context}"
        if self.end <= day < self.end + self.aftermath:
            return f"after the {self.context}"
        return ""


def bands(events: pd.DataFrame, days: int) -> list[Band]:
    """Every shock of a run's event log as bands, in time order (``days``: the run's length)."""
    kinds = events["event"].astype(str)
    shocks = with_figures(events[kinds.isin(SHOCKS)])
    if shocks.empty:
        return []
    found: list[Band] = []
    kind = shocks["event"].astype(str)
    started = shocks[kind == "disruption_started"]
    for (_source, _ref, start), group in started.groupby(["agent", "ref", "day"], observed=True, sort=True):
        first = group.iloc[0]
        end, factor, extra = int(first["days"]), float(first["share"]), int(first["quantity"])
        who = _who(group["counterpart"].tolist(), "supplier")
        label = f"supplier disruption: days {start}–{end}, capacity {factor:.0%}, lead +{extra} d"
        if who:
            label += f" ({who})"
        source = str(first["agent"])
        wake = extra + AFTERMATH_DAYS
        found.append(
            Band("disruption", int(start), end, label + _tag(source), source, "supplier disruption", wake, _rows(group))
        )
    for (_source, day), group in shocks[kind == "price_rise"].groupby(["agent", "day"], observed=True, sort=True):
        rise = float(group["share"].iloc[0])
        who = _who(group["counterpart"].tolist(), "supplier")
        label = f"supplier price rise {rise:+.0%} from day {day}" + (f" ({who})" if who else "")
        source = str(group["agent"].iloc[0])
        found.append(Band("price_rise", int(day), days, label + _tag(source), source, rows=_rows(group)))
    for (_source, day), group in shocks[kind == "product_launch"].groupby(["agent", "day"], observed=True, sort=True):
        label = f"product launch: {_plural(len(group), 'new SKU')} on day {day}"
        end = min(int(day) + POINT_DAYS, days)
        source = str(group["agent"].iloc[0])
        found.append(Band("launch", int(day), end, label + _tag(source), source, rows=_rows(group)))
    for row in shocks[kind == "large_order"].itertuples():
        placed = int(row.days) if int(row.days) >= 0 else int(row.day)
        label = f"large unannounced order: {int(row.quantity):,} units of SKU {row.sku}, day {placed}"
        end = min(max(placed, int(row.day)) + POINT_DAYS, days)
        source, rows = str(row.agent), (int(row.Index),)
        found.append(
            Band("large_order", int(row.day), end, label + _tag(source), source, "large unannounced order", 0, rows)
        )
    return sorted(found, key=lambda b: (b.start, b.kind))


def context(day: int, found: list[Band]) -> str:
    """What the shocks around ``day`` add to a caption of it ("" when none)."""
    for band in found:
        words = band.context_of(day)
        if words:
            return words
    return ""


def shade(axis: Axes, found: list[Band], start: int, end: int) -> None:
    """Shade each band on ``axis`` (no label), within the days shown."""
    for band in found:
        left, right = max(band.start, start), min(band.end, end + 1)
        if right > left:
            axis.axvspan(left, right, color=COLOUR, alpha=ALPHA, zorder=0, linewidth=0)


def label(figure: Figure, strip: Axes, found: list[Band], start: int, end: int, size: int = 12) -> list[Text]:
    """Shade the bands on the event strip and write their labels in rows under its lanes (none overlap).

    The strip's lanes keep y from 0 up; the shock rows take y below 0 (one row per label that
    would overlap the one before it). Returns the labels drawn.
    """
    shade(strip, found, start, end)
    shown = visible(found, start, end)
    if not shown:
        return []
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    font = FontProperties(size=size)
    days_per_pixel = (end + 1 - start) / max(strip.get_position().width * figure.bbox.width, 1.0)
    pad = 6 * days_per_pixel
    rows: list[float] = []  # the right edge of the last label in each row
    placed: list[tuple[Band, int, float, float, str]] = []
    for band in shown:
        width = _width(renderer, font, band.label, days_per_pixel, pad)
        left = float(max(band.start, start))
        align = "left"
        if left + width > end + 1:  # near the right edge: end the label at the band's end instead
            left, align = max(float(start), min(band.end, end + 1) - width), "right"
        row = next((i for i, right in enumerate(rows) if left >= right), len(rows))
        if row == len(rows):
            rows.append(0.0)
        rows[row] = left + width
        placed.append((band, row, left, width, align))
    bottom, top = strip.get_ylim()
    strip.set_ylim(bottom - ROW * len(rows), top)
    texts = []
    for band, row, left, width, align in placed:
        y = bottom - ROW * (row + 0.5)
        x = left + pad if align == "left" else left + width - pad
        texts.append(
            strip.text(
                x,
                y,
                band.label,
                ha=align,
                va="center",
                fontsize=size,
                color="black",
                zorder=5,
                bbox={"boxstyle": "round,pad=0.25", "facecolor": "#f3ecdf", "edgecolor": COLOUR, "linewidth": 1.5},
            )
        )
    return texts


def _width(renderer: Any, font: FontProperties, text: str, days_per_pixel: float, pad: float) -> float:
    return float(renderer.get_text_width_height_descent(text, font, ismath=False)[0]) * days_per_pixel + 2 * pad


def visible(found: list[Band], start: int, end: int) -> list[Band]:
    """The bands that overlap days ``start`` to ``end``."""
    return [band for band in found if band.start <= end and band.end > start]


def _who(suppliers: list[int], noun: str) -> str:
    """``supplier 2``, ``suppliers 0, 2 and 4``; "" when it is every one of five or more (said by the label)."""
    unique = sorted({int(s) for s in suppliers if int(s) >= 0})
    if not unique:
        return ""
    if len(unique) == 1:
        return f"{noun} {unique[0]}"
    if len(unique) > 4:
        return f"{len(unique)} {noun}s"
    return f"{noun}s " + ", ".join(map(str, unique[:-1])) + f" and {unique[-1]}"


def _tag(source: str) -> str:
    return ", injected" if source == "facilitator" else ""


def _rows(group: pd.DataFrame) -> tuple[int, ...]:
    return tuple(int(i) for i in group.index)


def _plural(n: int, noun: str) -> str:
    return f"1 {noun}" if n == 1 else f"{n} {noun}s"
