"""A seat's history charts as small server-side SVGs: no CDN, no matplotlib on the page's path.

Each chart is one panel of fixed pixel size with text of at least 16 px, so three fit
side by side on a 1280-pixel screen (a projector) and stay legible there. A buyer sees
its orders against its rule's, its stock and its expedites; a rep its forecast against
demand with its promotion weeks shaded, and how its promises held.
"""

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sim.model import SalesPurchasingModel
from sim.play.history import BuyerWeek, SalesWeek, buyer_history, sales_history
from sim.play.seat import Seat

WIDTH, HEIGHT = 330, 260
LEFT, RIGHT, TOP, BOTTOM = 62, 12, 62, 34  # plot margins: y labels left, legend on top, week labels below
FONT = 16  # px: the projector's minimum
YOU, RULE, GOOD, BAD, STOCK, SHADE, AXIS = "#1f77b4", "#9e9e9e", "#2e7d32", "#c62828", "#6a1b9a", "#ffe0b2", "#444"


@dataclass(frozen=True)
class Series:
    """One series of a panel: a value per week (None: not known that week)."""

    name: str
    values: Sequence[float | None]
    colour: str


def seat_charts(model: SalesPurchasingModel, seat: Seat, first_day: int) -> list[str]:
    """The charts of a seat (``buyer 0``, ``rep 1``) over the weeks played since ``first_day``."""
    kind, index = seat.label.split()
    if kind == "buyer":
        return buyer_charts(buyer_history(model, int(index), seat, first_day))
    return sales_charts(sales_history(model, int(index), seat, first_day))


def buyer_charts(weeks: Sequence[BuyerWeek]) -> list[str]:
    """Orders against the rule's, stock on hand, and expedites approved and refused, per week."""
    labels = [f"w{w.week}" for w in weeks]
    return [
        panel(
            "Orders: you vs your rule",
            labels,
            [
                Series("you", [w.ordered for w in weeks], YOU),
                Series("rule", [w.rule_ordered for w in weeks], RULE),
            ],
            bars="grouped",
        ),
        panel("Stock on hand (units)", labels, [Series("on hand", [w.on_hand for w in weeks], STOCK)]),
        panel(
            "Expedites",
            labels,
            [
                Series("approved", [w.approved for w in weeks], GOOD),
                Series("refused", [w.refused for w in weeks], BAD),
            ],
            bars="stacked",
        ),
    ]


def sales_charts(weeks: Sequence[SalesWeek]) -> list[str]:
    """Forecast against demand with promotion weeks shaded, and promises kept and broken, per week."""
    labels = [f"w{w.week}" for w in weeks]
    return [
        panel(
            "Forecast vs demand / week",
            labels,
            [
                Series("forecast", [w.forecast for w in weeks], YOU),
                Series("demand", [w.demand for w in weeks], RULE),
            ],
            shaded=[w.promoted for w in weeks],
        ),
        panel(
            "Late lines: promises",
            labels,
            [
                Series("kept", [w.late_as_promised for w in weeks], GOOD),
                Series("broken", [w.promises_broken for w in weeks], BAD),
            ],
            bars="stacked",
        ),
    ]


def panel(
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    bars: str = "",
    shaded: Sequence[bool] = (),
) -> str:
    """One chart: lines (``bars`` ""), grouped or stacked bars; ``shaded`` weeks get a band (a promotion)."""
    top = _top(series, stacked=bars == "stacked")
    width, height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = width / max(1, len(labels))

    def x(i: float) -> float:
        return LEFT + slot * (i + 0.5)

    def y(value: float) -> float:
        return TOP + height * (1.0 - value / top)

    parts = [f'<text x="{LEFT - 54}" y="24" font-size="{FONT + 2}" font-weight="bold">{html.escape(title)}</text>']
    parts += _legend(series, shaded=any(shaded))
    for i, on in enumerate(shaded):
        if on:
            parts.append(
                f'<rect x="{LEFT + slot * i:.1f}" y="{TOP}" width="{slot:.1f}" height="{height}" fill="{SHADE}"/>'
            )
    for fraction in (0.0, 0.5, 1.0):
        value = top * fraction
        parts.append(
            f'<line x1="{LEFT}" x2="{LEFT + width}" y1="{y(value):.1f}" y2="{y(value):.1f}" stroke="#ddd"/>'
            f'<text x="{LEFT - 6}" y="{y(value) + 5:.1f}" font-size="{FONT}" text-anchor="end">{_short(value)}</text>'
        )
    step = max(1, round(len(labels) / 8))  # at most about eight week labels: 16 px text needs the room
    for i, label in enumerate(labels):
        if i % step == 0:
            parts.append(
                f'<text x="{x(i):.1f}" y="{HEIGHT - 10}" font-size="{FONT}" text-anchor="middle">{label}</text>'
            )
    if bars:
        parts += _bars(series, slot, x, y, stacked=bars == "stacked")
    else:
        parts += _lines(series, x, y)
    parts.append(f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{TOP + height}" stroke="{AXIS}"/>')
    if not labels:
        parts.append(f'<text x="{LEFT + 10}" y="{TOP + 40}" font-size="{FONT}">no week played yet</text>')
    body = "".join(parts)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'font-family="sans-serif" role="img" aria-label="{html.escape(title)}">{body}</svg>'
    )


def _top(series: Sequence[Series], *, stacked: bool) -> float:
    if stacked:
        totals = [sum(v or 0.0 for v in values) for values in zip(*(s.values for s in series), strict=True)]
        peak = max(totals, default=0.0)
    else:
        peak = max((v for s in series for v in s.values if v is not None), default=0.0)
    return _nice(peak)


def _nice(peak: float) -> float:
    """A round axis top at or above ``peak`` (1, 2 or 5 times a power of ten)."""
    if peak <= 0:
        return 1.0
    scale = 10 ** (len(str(int(peak))) - 1)
    for factor in (1, 2, 5, 10):
        if factor * scale >= peak:
            return float(factor * scale)
    return float(10 * scale)


def _short(value: float) -> str:
    if value >= 10_000:
        return f"{value / 1000:.0f}k"
    if value >= 1000:
        return f"{value / 1000:.1f}k"
    return f"{value:.0f}" if value >= 1 or value == 0 else f"{value:.1f}"


def _legend(series: Sequence[Series], *, shaded: bool) -> list[str]:
    parts, at = [], float(LEFT - 54)
    entries = [(s.name, s.colour) for s in series] + ([("promotion", SHADE)] if shaded else [])
    for name, colour in entries:
        parts.append(
            f'<rect x="{at:.0f}" y="36" width="14" height="14" fill="{colour}"/>'
            f'<text x="{at + 18:.0f}" y="49" font-size="{FONT}">{html.escape(name)}</text>'
        )
        at += 30 + 9 * len(name)
    return parts


Scale = Callable[[float], float]  # a week's index, or a value, to pixels


def _bars(series: Sequence[Series], slot: float, at: Scale, level: Scale, *, stacked: bool) -> list[str]:
    parts = []
    width = slot * 0.7 / (1 if stacked else len(series))
    for i in range(len(series[0].values)):
        base = 0.0
        for k, s in enumerate(series):
            value = s.values[i]
            if value is None:
                continue
            left = at(i) - slot * 0.35 + (0 if stacked else k * width)
            low, high = (base, base + value) if stacked else (0.0, value)
            parts.append(
                f'<rect x="{left:.1f}" y="{level(high):.1f}" width="{width:.1f}" '
                f'height="{max(0.0, level(low) - level(high)):.1f}" fill="{s.colour}"/>'
            )
            base = high if stacked else base
    return parts


def _lines(series: Sequence[Series], at: Scale, level: Scale) -> list[str]:
    parts = []
    for s in series:
        points = [(at(i), level(v)) for i, v in enumerate(s.values) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{s.colour}" stroke-width="3"/>')
        parts += [f'<circle cx="{px:.1f}" cy="{py:.1f}" r="4" fill="{s.colour}"/>' for px, py in points]
    return parts
