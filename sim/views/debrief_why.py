"""Why did a KPI move? Its change between two periods, traced to the mechanism measures behind it.

Operating profit is split exactly into its parts (revenue, cost of goods, ..., lever
costs, operating expenses, obsolescence, backlog provision, revaluation: every line of
:data:`sim.views.debrief.PROFIT_PARTS`), each with the measure that moves it; fill rate
into the units not shipped from stock, on promoted SKUs during their promotion and
elsewhere; any other KPI into the mechanism measures (:data:`sim.views.debrief.MEASURES`)
that changed most. Each explanation has sentences, a chart and the table of measures.
"""

import textwrap
from dataclasses import dataclass, field

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from sim.output import kpis
from sim.views import storyboard, style
from sim.views.debrief import MEASURE, MEASURES, PROFIT_PARTS, Measure, Period


@dataclass
class Why:
    """The explanation of one KPI's change: sentences, a chart and the measures table."""

    kpi: str
    headline: str
    points: list[str]
    figure: Figure | None
    table: list[tuple[Measure, float, float]] = field(default_factory=list)


def explain(kpi: str, before: Period, after: Period) -> Why:
    """Trace the change of ``kpi`` from ``before`` to ``after`` to the events and measures behind it."""
    old, new = before.kpi(kpi), after.kpi(kpi)
    unit = kpis.unit_text(kpi)
    label = kpis.label(kpi)
    if old != old or new != new:
        headline = (
            f"{label} cannot be compared by halves from the daily tables; compare two runs to see it move."
            if before.run is after.run
            else f"{label}: not available."
        )
        return Why(kpi, headline, [], None, _table(before, after))
    direction = "rose" if new > old else "fell" if new < old else "did not change"
    headline = (
        f"{label} {direction}: {kpis.format_value(kpi, old)} in {before.label}, "
        f"{kpis.format_value(kpi, new)} in {after.label} ({kpis.format_change(kpi, old, new)}"
        f"{' ' + unit if unit in ('currency', 'units') else ''})."
    )
    figure: Figure | None
    if kpi == "operating_profit":
        points, figure = _why_profit(before, after)
    elif kpi == "fill_rate":
        points, figure = _why_fill_rate(before, after)
    else:
        points, figure = _mechanism_points(before, after, 6), _measures_chart(before, after, _moved(before, after, 6))
    return Why(kpi, headline, points, figure, _table(before, after))


PROFIT_MEASURES = {
    "policy_cost",
    "avg_on_hand",
    "expedites_approved",
    "units_written_off",
    "units_owed_at_end",
    "standard_resets",
}
"""Measures the profit explanation already gives beside a part (not repeated among the others)."""


def _why_profit(before: Period, after: Period) -> tuple[list[str], Figure]:
    """Operating profit split exactly into its parts, each with the measure that moves it."""
    old, new = before.profit_bridge(), after.profit_bridge()
    parts = [(words, new[column] - old[column], department, column) for column, words, _, department in PROFIT_PARTS]
    total = after.total("operating_profit") - before.total("operating_profit")
    b, a = before.measures, after.measures
    days_b, days_a = len(before.daily), len(after.daily)
    because = {
        "revenue": f"units shipped {before.total('shipped'):,.0f} → {after.total('shipped'):,.0f}; "
        f"promotions {b['promotions_started']:.0f} → {a['promotions_started']:.0f}; "
        f"units lost to cancellations {b['lost_units']:,.0f} → {a['lost_units']:,.0f}",
        "cogs": "moves with the units shipped",
        "promotion_allowance": f"promotions {b['promotions_started']:.0f} → {a['promotions_started']:.0f}: "
        "suppliers fund part of each campaign's discount",
        "ppv": f"negotiations {b['negotiations']:.0f} → {a['negotiations']:.0f}; expedites and spot buys "
        "pay list price",
        "holding_cost": f"average stock {b['avg_on_hand']:,.0f} → {a['avg_on_hand']:,.0f} units",
        "expediting_cost": f"expedites approved {b['expedites_approved']:.0f} → {a['expedites_approved']:.0f} "
        f"(of which granted by the committee {a['arbitrations_granted']:.0f})",
        "penalty_cost": f"delivery promises broken {b['late_lines']:,.0f} → {a['late_lines']:,.0f}",
        "policy_cost": _lever_costs(after) or "no lever",
        "operating_expenses": f"staff and overhead, a fixed cost per day: {days_b:,} → {days_a:,} days",
        "obsolescence_cost": f"units written off past their shelf life {b['units_written_off']:,.0f} → "
        f"{a['units_written_off']:,.0f}; provision for closing stock that will age out unsold "
        f"{_booked(before, 'stock_provision'):,.0f} → {_booked(after, 'stock_provision'):,.0f} currency",
        "backlog_provision": f"units owed to customers at the period's end {b['units_owed_at_end']:,.0f} → "
        f"{a['units_owed_at_end']:,.0f}; provided for when the books close",
        "revaluation": f"SKUs whose standard cost was reset at a year end {b['standard_resets']:.0f} → "
        f"{a['standard_resets']:.0f}",
    }
    points = [f"Together the parts add up to the change: {total:+,.0f} currency."]
    for words, change, _, column in sorted(parts, key=lambda p: -abs(p[1])):
        if abs(change) >= 0.5:
            points.append(f"{words}: {change:+,.0f} to profit ({because[column]}).")
    points += _mechanism_points(before, after, 4, skip=PROFIT_MEASURES)

    style.apply()
    figure, axis = plt.subplots(figsize=(14, 6.5), layout="constrained")
    shown = [p for p in parts if abs(p[1]) >= 0.5] or parts
    shown.sort(key=lambda p: p[1])
    y = np.arange(len(shown))
    axis.barh(y, [p[1] for p in shown], color=[storyboard.COLOURS[p[2]] for p in shown], height=0.6)
    axis.set_yticks(y, [p[0] for p in shown], fontsize=14)
    axis.axvline(0, color=style.NEUTRAL, linewidth=1)
    for position, (_, change, _, _) in zip(y, shown, strict=True):
        axis.text(
            change,
            float(position),
            f" {change:+,.0f} ",
            va="center",
            ha="left" if change >= 0 else "right",
            fontsize=13,
            fontweight="bold",
        )
    axis.margins(x=0.25)
    axis.set_xlabel("effect on operating profit (currency)")
    axis.xaxis.set_major_formatter("{x:,.0f}")
    axis.set_title(f"Operating profit, {after.label} vs {before.label}:\n{total:+,.0f}, part by part")
    return points, figure


def _why_fill_rate(before: Period, after: Period) -> tuple[list[str], Figure]:
    """Fill rate traced to the units short, on promoted SKUs and elsewhere, and what caused them."""
    (promo_b, other_b), (promo_a, other_a) = before.shortfall, after.shortfall
    points = [
        f"Units not shipped from stock the day they were ordered: {promo_b + other_b:,.0f} → "
        f"{promo_a + other_a:,.0f}; on promoted SKUs during their promotion {promo_b:,.0f} → {promo_a:,.0f}, "
        f"elsewhere {other_b:,.0f} → {other_a:,.0f}.",
    ]
    points += _driver_points(before, after, FILL_RATE_DRIVERS)
    points += _mechanism_points(before, after, 3, skip={"units_short", "policy_cost", *FILL_RATE_DRIVERS})
    keys = [
        k
        for k in (
            "sku_days_short",
            "expedites_refused",
            "promotions_unannounced",
            "stockouts_late_notice",
            "excess_stock",
            "escalations",
        )
        if before.measures[k] or after.measures[k]
    ]

    style.apply()
    figure, (left, right) = plt.subplots(
        1, 2, figsize=(15, 6.5), layout="constrained", gridspec_kw={"width_ratios": [1, 1.6]}
    )
    labels = [before.label, after.label]
    promo, other = [promo_b, promo_a], [other_b, other_a]
    left.bar(labels, other, color=style.PURCHASING, alpha=0.85, label="other SKU-days")
    left.bar(labels, promo, bottom=other, color=style.SALES, alpha=0.85, label="promoted SKUs in promotion")
    for position, (p, o) in enumerate(zip(promo, other, strict=True)):
        left.text(position, p + o, f"{p + o:,.0f}", ha="center", va="bottom", fontsize=14, fontweight="bold")
    left.set(
        ylabel="units",
        title="Units not shipped from stock\nthe day they were ordered",
        ylim=(0, 1.35 * max(max(p + o for p, o in zip(promo, other, strict=True)), 1.0)),
    )
    left.yaxis.set_major_formatter("{x:,.0f}")
    left.tick_params(axis="x", labelsize=12)
    left.legend(loc="upper left")
    _grouped_bars(right, before, after, keys or ["sku_days_short"])
    old, new = before.kpi("fill_rate"), after.kpi("fill_rate")
    figure.suptitle(
        f"Fill rate {100 * old:.1f}% ({before.label}) → {100 * new:.1f}% ({after.label})",
        fontsize=17,
        fontweight="bold",
    )
    return points, figure


def _measures_chart(before: Period, after: Period, keys: list[str]) -> Figure | None:
    if not keys:
        return None
    style.apply()
    figure, axis = plt.subplots(figsize=(14, 6.5), layout="constrained")
    _grouped_bars(axis, before, after, keys)
    return figure


def _grouped_bars(axis: Axes, before: Period, after: Period, keys: list[str]) -> None:
    """Counts of each measure, before (solid) and after (hatched), in the department's colour."""
    y = np.arange(len(keys))
    colours = [storyboard.COLOURS[MEASURE[k].department] for k in keys]
    old = [before.measures[k] for k in keys]
    new = [after.measures[k] for k in keys]
    axis.barh(y - 0.2, old, height=0.38, color=colours, alpha=0.9, label=before.label)
    axis.barh(y + 0.2, new, height=0.38, color="white", edgecolor=colours, hatch="//", linewidth=2, label=after.label)
    for position, o, n in zip(y, old, new, strict=True):
        axis.text(o, float(position) - 0.2, f" {o:,.0f}", va="center", fontsize=12)
        axis.text(n, float(position) + 0.2, f" {n:,.0f}", va="center", fontsize=12)
    axis.set_yticks(y, [_wrap(MEASURE[k].words) for k in keys], fontsize=12)
    axis.invert_yaxis()
    axis.margins(x=0.15)
    axis.set(xlabel="count over the period", title="What happened, counted from the run's tables")
    axis.legend(
        handles=[
            Patch(facecolor=style.NEUTRAL, label=before.label),
            Patch(facecolor="white", edgecolor=style.NEUTRAL, hatch="//", label=after.label),
        ],
        loc="lower right",
    )


def _moved(before: Period, after: Period, n: int, skip: set[str] | None = None) -> list[str]:
    """The ``n`` count measures that changed most (relative to their size)."""
    ranked = []
    for measure in MEASURES:
        if measure.unit != "count" or measure.key in (skip or set()):
            continue
        old, new = before.measures[measure.key], after.measures[measure.key]
        if old == new or old != old or new != new:
            continue
        ranked.append((abs(new - old) / max(abs(old), abs(new), 1.0) * np.log1p(abs(new - old)), measure.key))
    return [key for _, key in sorted(ranked, reverse=True)[:n]]


def _mechanism_points(before: Period, after: Period, n: int, skip: set[str] | None = None) -> list[str]:
    """The measures that moved most, in plain words, with both numbers."""
    b, a = before.measures, after.measures
    points = []
    for measure in MEASURES:
        key = measure.key
        if key in (skip or set()):
            continue
        old, new = b[key], a[key]
        if old != old or new != new or _close(old, new, measure.unit):
            continue
        points.append(
            (
                _size(old, new, measure.unit),
                f"{measure.words}: {measure_value(old, measure.unit)} → {measure_value(new, measure.unit)}.",
            )
        )
    return [text for _, text in sorted(points, key=lambda p: -p[0])[:n]]


FILL_RATE_DRIVERS = (
    "sku_days_short",
    "avg_on_hand",
    "planned_forecast_bias",
    "expedites_refused",
    "expedites_approved",
    "promotions_unannounced",
    "stockouts_late_notice",
    "promotion_notice_days",
    "trust_purchasing",
    "sales_forecast_bias",
)
"""What moves fill rate in the model: stock, the forecast purchasing plans on, rushes, campaign notice."""


def _driver_points(before: Period, after: Period, keys: tuple[str, ...]) -> list[str]:
    """The drivers of a KPI that changed, in the order of ``keys``."""
    points = []
    for key in keys:
        measure = MEASURE[key]
        old, new = before.measures[key], after.measures[key]
        if old == old and new == new and not _close(old, new, measure.unit):
            points.append(f"{measure.words}: {measure_value(old, measure.unit)} → {measure_value(new, measure.unit)}.")
    return points


def _table(before: Period, after: Period) -> list[tuple[Measure, float, float]]:
    rows = []
    for measure in MEASURES:
        old, new = before.measures[measure.key], after.measures[measure.key]
        if (old == old and old != 0) or (new == new and new != 0):
            rows.append((measure, old, new))
    return rows


def _booked(period: Period, kind: str) -> float:
    """The money of the period's events of ``kind`` (their ``value``)."""
    return float(period.events.loc[period.kinds == kind, "value"].sum())


def _lever_costs(period: Period) -> str:
    parts = []
    for column in [c for c in period.daily.columns if c.startswith("policy_cost_")]:
        cost = period.total(column)
        if cost:
            lever = column.removeprefix("policy_cost_")
            held = {
                "steering_committee": ("committee_meetings", "meetings"),
                "regular_meetings": ("meetings", "meetings"),
                "rotation": ("rotations", "spells"),
            }.get(lever)
            extra = f", {period.measures[held[0]]:.0f} {held[1]}" if held else ""
            parts.append(f"{lever.replace('_', ' ')} {cost:,.0f}{extra}")
    return "; ".join(parts)


# -- small helpers ------------------------------------------------------------------------------


def measure_value(value: float, unit: str) -> str:
    """A mechanism measure's value as the page shows it (biases signed, in %)."""
    if value != value:
        return "n/a"
    if unit == "%":
        return f"{100 * value:+.1f}%"
    if unit == "0-1":
        return f"{value:.2f}"
    if unit == "days":
        return f"{value:.1f}"
    return f"{value:,.0f}"


def _close(old: float, new: float, unit: str) -> bool:
    tolerance = {"%": 0.002, "0-1": 0.005, "days": 0.05}.get(unit, 0.5)
    return abs(new - old) < tolerance


def _size(old: float, new: float, unit: str) -> float:
    """How telling a change is: relative size, a little more for big counts."""
    if unit in ("%", "0-1"):
        return abs(new - old) * 10
    return abs(new - old) / max(abs(old), abs(new), 1.0) + 0.05 * float(np.log1p(abs(new - old)))


def _wrap(text: str, width: int = 34) -> str:
    return "\n".join(textwrap.wrap(text, width))
