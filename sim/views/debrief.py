"""The debrief pack: one self-contained HTML page to close a workshop with.

``<run>/replay/debrief/index.html`` holds, with every image embedded: the headline
KPI cards, the storyboard (of each run), the side-by-side (for two runs), a "why did
this KPI move" page per chosen KPI and discussion prompts for sales and purchasing.

"Why did it move" compares two runs (A then B) or, for one run, the first and second
half of its measured days. It traces the change to the events and mechanism measures
behind it, counted from the run's tables: stock-outs, refused expedites, promotions
purchasing was not told of, forecast bias, trust, lever costs. Operating profit is
split exactly into its parts (revenue, cost of goods, ..., lever costs); fill rate
into the units not shipped from stock, on promoted SKUs during their promotion and
elsewhere. Every number comes from the tables; nothing is re-simulated.
"""

import base64
import html
import io
import textwrap
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from sim.output.metrics import KPI_DEFINITIONS
from sim.views import captions, side_by_side, storyboard, style
from sim.views.replay import Run, folder_atomically

CARDS = (
    "operating_profit",
    "revenue",
    "fill_rate",
    "on_time_in_full",
    "lost_sales_units",
    "avg_on_hand",
    "inventory_turns",
    "bullwhip_ratio",
    "conflict_count",
    "expedites_refused",
    "trust_sales_in_purchasing",
    "trust_purchasing_in_sales",
    "policy_cost_total",
)
LABELS = {
    "operating_profit": "Operating profit",
    "revenue": "Revenue",
    "fill_rate": "Fill rate",
    "on_time_in_full": "On time in full",
    "lost_sales_units": "Lost sales",
    "avg_on_hand": "Average stock",
    "inventory_turns": "Inventory turns",
    "bullwhip_ratio": "Bullwhip ratio",
    "conflict_count": "Conflicts",
    "expedites_refused": "Expedites refused",
    "trust_sales_in_purchasing": "Sales' trust in purchasing",
    "trust_purchasing_in_sales": "Purchasing's trust in sales",
    "policy_cost_total": "Cost of the levers",
}
PROFIT_PARTS = (  # (daily column, words, sign in operating profit, department)
    ("revenue", "revenue", 1, captions.SALES),
    ("cogs", "cost of goods shipped", -1, captions.PURCHASING),
    ("ppv", "price paid above standard cost", -1, captions.PURCHASING),
    ("holding_cost", "holding cost of stock", -1, captions.PURCHASING),
    ("expediting_cost", "expediting premiums", -1, captions.PURCHASING),
    ("penalty_cost", "late-delivery penalties", -1, captions.SALES),
    ("policy_cost", "cost of the levers", -1, captions.COMPANY),
)


@dataclass(frozen=True)
class Measure:
    """A mechanism measure: what it counts, in words, and whose it is."""

    key: str
    words: str
    department: str
    unit: str = "count"


MEASURES = (
    Measure("units_short", "units not shipped from stock the day ordered", captions.PURCHASING, "units"),
    Measure("sku_days_short", "stock-outs (SKU-days with demand not met from stock)", captions.PURCHASING),
    Measure("avg_on_hand", "average stock on hand", captions.PURCHASING, "units"),
    Measure("expedite_requests", "expedites sales asked for", captions.SALES),
    Measure("expedites_refused", "expedites purchasing refused", captions.PURCHASING),
    Measure("expedites_approved", "expedites approved (premium freight)", captions.PURCHASING),
    Measure("escalations", "refusals escalated by sales", captions.SALES),
    Measure("promotions_started", "promotions started", captions.SALES),
    Measure("promotions_unannounced", "promotions started without telling purchasing", captions.SALES),
    Measure("promotion_notice_days", "days of notice purchasing got per promotion (mean)", captions.SALES, "days"),
    Measure("stockouts_late_notice", "stock-outs in promotions purchasing heard of too late", captions.SALES),
    Measure("excess_stock", "excess stock blamed on padded forecasts", captions.PURCHASING),
    Measure("sales_forecast_bias", "sales' submitted forecast above demand", captions.SALES, "%"),
    Measure("planned_forecast_bias", "purchasing's planned forecast above demand", captions.PURCHASING, "%"),
    Measure("trust_sales", "sales' trust in purchasing at the end", captions.SALES, "0-1"),
    Measure("trust_purchasing", "purchasing's trust in sales at the end", captions.PURCHASING, "0-1"),
    Measure("lost_units", "units lost to cancellations", captions.SALES, "units"),
    Measure("late_lines", "delivery promises broken", captions.SALES),
    Measure("churn", "accounts lost over service", captions.SALES),
    Measure("accounts_won", "accounts won", captions.SALES),
    Measure("negotiations", "price negotiations pressed on suppliers", captions.PURCHASING),
    Measure("committee_meetings", "steering committee meetings", captions.COMPANY),
    Measure("promotions_rejected", "promotions the committee rejected", captions.COMPANY),
    Measure("arbitrations_granted", "escalated expedites the committee granted", captions.COMPANY),
    Measure("meetings", "regular meetings held", captions.COMPANY),
    Measure("promotion_checks_rejected", "promotions the joint cost-benefit check rejected", captions.COMPANY),
    Measure("rotations", "rotation spells started", captions.COMPANY),
    Measure("policy_cost", "cost of the levers", captions.COMPANY, "currency"),
)
MEASURE = {m.key: m for m in MEASURES}


# -- a stretch of days of one run ------------------------------------------------------------


@dataclass
class Period:
    """Days ``first`` to ``last`` (included) of a run, and what happened in them."""

    run: Run
    first: int
    last: int
    label: str

    @cached_property
    def daily(self) -> pd.DataFrame:
        """The company's daily rows of the period."""
        daily = self.run.daily
        return daily[(daily["day"] >= self.first) & (daily["day"] <= self.last)]

    @cached_property
    def events(self) -> pd.DataFrame:
        """The events of the period."""
        events = self.run.events
        return events[(events["day"] >= self.first) & (events["day"] <= self.last)]

    @cached_property
    def kinds(self) -> pd.Series:
        """Event kinds of the period as plain strings."""
        return self.events["event"].astype(str)

    def count(self, kind: str, verdict: int | None = None) -> int:
        """Events of ``kind`` (with that ``verdict``: 1 yes, 0 no)."""
        mask = self.kinds == kind
        if verdict is not None:
            mask &= self.events["verdict"] == verdict
        return int(mask.sum())

    def total(self, column: str) -> float:
        """Sum of a daily column over the period (0 if the run has no such column)."""
        return float(self.daily[column].sum()) if column in self.daily else 0.0

    def kpi(self, key: str) -> float:
        """A KPI over the period: from summary.json for a whole measured run, else from the tables."""
        whole = self.first == self.run.warmup and self.last == self.run.days - 1
        if whole and key in self.run.summary:
            return float(self.run.summary[key])
        return self.kpis().get(key, float("nan"))

    def kpis(self) -> dict[str, float]:
        """The KPIs that add up over days, by their definitions in sim/output/metrics.py."""
        demand, served = self.total("demand"), self.total("served_same_day")
        last = self.daily.iloc[-1] if len(self.daily) else None
        requests = self.count("expedite_requested") or self.count("expedite") + self.count("expedite_refused")
        values = {
            "revenue": self.total("revenue"),
            "cogs": self.total("cogs"),
            "purchase_price_variance": self.total("ppv"),
            "gross_margin": self.total("gross_margin"),
            "holding_cost": self.total("holding_cost"),
            "expediting_cost": self.total("expediting_cost"),
            "penalty_cost": self.total("penalty_cost"),
            "policy_cost_total": self.total("policy_cost"),
            "operating_profit": self.total("operating_profit"),
            "demand_units": demand,
            "shipped_units": self.total("shipped"),
            "lost_sales_units": self.total("lost"),
            "fill_rate": served / demand if demand else float("nan"),
            "on_time_in_full": _ratio(self.total("lines_on_time_in_full"), self.total("lines_closed")),
            "avg_on_hand": float(self.daily["on_hand"].mean()),
            "avg_backorders": float(self.daily["backordered"].mean()),
            "expedite_count": float(self.count("expedite")),
            "expedite_requests": float(requests),
            "expedites_refused": float(self.count("expedite_refused")),
            "conflict_count": float(
                self.kinds.isin(
                    ["expedite_refused", "escalation", "stockout_late_notice", "excess_stock", "unannounced_promotion"]
                ).sum()
            ),
            "customer_churn": float(self.count("churn")),
            "accounts_won": float(self.count("account_won")),
            "promotions_run": float(self.count("promotion_started")),
        }
        if last is not None:
            values["trust_sales_in_purchasing"] = float(last["trust_in_purchasing"])
            values["trust_purchasing_in_sales"] = float(last["trust_in_sales"])
        if "inventory_value" in self.daily and len(self.daily):
            value = float(self.daily["inventory_value"].mean())
            values["avg_inventory_value"] = value
            values["inventory_turns"] = _ratio(values["cogs"] * 365.0 / len(self.daily), value)
        values["gross_margin_rate"] = _ratio(values["gross_margin"], values["revenue"])
        values["lost_sales_rate"] = _ratio(values["lost_sales_units"], demand)
        return values

    @cached_property
    def measures(self) -> dict[str, float]:
        """Every mechanism measure of :data:`MEASURES` over the period."""
        started = self.events[self.kinds == "promotion_started"]
        told = (started["verdict"] == 1) & (started["days"] >= 0)
        notice = started["days"].where(told, 0).astype(float)
        sku = self.run.sku_daily
        sku = sku[(sku["day"] >= self.first) & (sku["day"] <= self.last)]
        trust_start = self.run.daily[self.run.daily["day"] < self.first]
        values = {
            "units_short": self.total("demand") - self.total("served_same_day"),
            "sku_days_short": float((sku["served_same_day"] < sku["demand"]).sum()),
            "avg_on_hand": float(self.daily["on_hand"].mean()),
            "expedite_requests": float(
                self.count("expedite_requested") or self.count("expedite") + self.count("expedite_refused")
            ),
            "expedites_refused": float(self.count("expedite_refused")),
            "expedites_approved": float(self.count("expedite")),
            "escalations": float(self.count("escalation")),
            "promotions_started": float(len(started)),
            "promotions_unannounced": float((started["verdict"] == 0).sum()),
            "promotion_notice_days": float(notice.mean()) if len(started) else float("nan"),
            "stockouts_late_notice": float(self.count("stockout_late_notice")),
            "excess_stock": float(self.count("excess_stock")),
            "sales_forecast_bias": _bias(self.daily, "sales_forecast"),
            "planned_forecast_bias": _bias(self.daily, "planned_forecast"),
            "trust_sales": float(self.daily["trust_in_purchasing"].iloc[-1]),
            "trust_purchasing": float(self.daily["trust_in_sales"].iloc[-1]),
            "lost_units": self.total("lost"),
            "late_lines": float(self.count("promise_broken")),
            "churn": float(self.count("churn")),
            "accounts_won": float(self.count("account_won")),
            "negotiations": float(self.count("negotiation")),
            "committee_meetings": float(self.count("committee")),
            "promotions_rejected": float(self.count("promotion_rejected")),
            "arbitrations_granted": float(self.count("arbitration", verdict=1)),
            "meetings": float(self.count("meeting")),
            "promotion_checks_rejected": float(self.count("promotion_checked", verdict=0)),
            "rotations": float(self.count("rotation_started")),
            "policy_cost": self.total("policy_cost"),
        }
        values["trust_sales_start"] = (
            float(trust_start["trust_in_purchasing"].iloc[-1])
            if len(trust_start)
            else float(self.daily["trust_in_purchasing"].iloc[0])
        )
        values["trust_purchasing_start"] = (
            float(trust_start["trust_in_sales"].iloc[-1])
            if len(trust_start)
            else float(self.daily["trust_in_sales"].iloc[0])
        )
        return values

    @cached_property
    def shortfall(self) -> tuple[float, float]:
        """Units not shipped from stock the day ordered: on promoted SKUs during their promotion, elsewhere."""
        sku = self.run.sku_daily
        sku = sku[(sku["day"] >= self.first) & (sku["day"] <= self.last)]
        short = (sku["demand"] - sku["served_same_day"]).clip(lower=0).to_numpy(float)
        promoted = sku["promoted"].to_numpy(bool) if "promoted" in sku else np.zeros(len(sku), dtype=bool)
        return float(short[promoted].sum()), float(short[~promoted].sum())


def periods(runs: list[Run]) -> tuple[Period, Period]:
    """What the debrief compares: A then B, or one run's first and second half of its measured days."""
    if len(runs) == 2:
        a, b = runs
        name_a, name_b = side_by_side.names(a, b)
        return (Period(a, a.warmup, a.days - 1, f"A: {name_a}"), Period(b, b.warmup, b.days - 1, f"B: {name_b}"))
    run = runs[0]
    middle = run.warmup + (run.days - run.warmup) // 2
    return (
        Period(run, run.warmup, middle - 1, f"first half (days {run.warmup}-{middle - 1})"),
        Period(run, middle, run.days - 1, f"second half (days {middle}-{run.days - 1})"),
    )


# -- why did a KPI move ----------------------------------------------------------------------


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
    unit = captions.kpi_unit(kpi)
    label = LABELS.get(kpi, kpi.replace("_", " "))
    if old != old or new != new:
        headline = (
            f"{label} cannot be compared by halves from the daily tables; compare two runs to see it move."
            if before.run is after.run
            else f"{label}: not available."
        )
        return Why(kpi, headline, [], None, _table(before, after))
    direction = "rose" if new > old else "fell" if new < old else "did not change"
    headline = (
        f"{label} {direction}: {captions.format_kpi(kpi, old)} in {before.label}, "
        f"{captions.format_kpi(kpi, new)} in {after.label} ({captions.format_change(kpi, old, new)}"
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


def _why_profit(before: Period, after: Period) -> tuple[list[str], Figure]:
    """Operating profit split exactly into its parts, each with the measure that moves it."""
    parts = [
        (words, sign * (after.total(column) - before.total(column)), department, column)
        for column, words, sign, department in PROFIT_PARTS
    ]
    total = after.total("operating_profit") - before.total("operating_profit")
    b, a = before.measures, after.measures
    because = {
        "revenue": f"units shipped {before.total('shipped'):,.0f} → {after.total('shipped'):,.0f}; "
        f"promotions {b['promotions_started']:.0f} → {a['promotions_started']:.0f}; "
        f"units lost to cancellations {b['lost_units']:,.0f} → {a['lost_units']:,.0f}",
        "cogs": "moves with the units shipped",
        "ppv": f"negotiations {b['negotiations']:.0f} → {a['negotiations']:.0f}; expedites and spot buys "
        "pay list price",
        "holding_cost": f"average stock {b['avg_on_hand']:,.0f} → {a['avg_on_hand']:,.0f} units",
        "expediting_cost": f"expedites approved {b['expedites_approved']:.0f} → {a['expedites_approved']:.0f} "
        f"(of which granted by the committee {a['arbitrations_granted']:.0f})",
        "penalty_cost": f"delivery promises broken {b['late_lines']:,.0f} → {a['late_lines']:,.0f}",
        "policy_cost": _lever_costs(after) or "no lever",
    }
    points = [f"Together the parts add up to the change: {total:+,.0f} currency."]
    for words, change, _, column in sorted(parts, key=lambda p: -abs(p[1])):
        if abs(change) >= 0.5:
            points.append(f"{words}: {change:+,.0f} to profit ({because[column]}).")
    points += _mechanism_points(before, after, 4, skip={"policy_cost", "avg_on_hand", "expedites_approved"})

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
    axis.set_title(f"Operating profit, {after.label} vs {before.label}: {total:+,.0f}, part by part")
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
                f"{measure.words}: {_value(old, measure.unit)} → {_value(new, measure.unit)}.",
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
            points.append(f"{measure.words}: {_value(old, measure.unit)} → {_value(new, measure.unit)}.")
    return points


def _table(before: Period, after: Period) -> list[tuple[Measure, float, float]]:
    rows = []
    for measure in MEASURES:
        old, new = before.measures[measure.key], after.measures[measure.key]
        if (old == old and old != 0) or (new == new and new != 0):
            rows.append((measure, old, new))
    return rows


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


# -- discussion prompts -----------------------------------------------------------------------


def prompts(runs: list[Run], before: Period, after: Period) -> dict[str, list[str]]:
    """Questions for each department, from what happened in the run(s)."""
    run = runs[0]
    whole = Period(run, run.warmup, run.days - 1, "the run")
    m = whole.measures
    events = whole.events
    kinds = whole.kinds
    sales: list[str] = []
    purchasing: list[str] = []
    together: list[str] = []

    def example(kind: str, verdict: int | None = None) -> str:
        rows = events[kinds == kind]
        if verdict is not None:
            rows = rows[rows["verdict"] == verdict]
        if rows.empty:
            return ""
        row = rows.iloc[0]
        sku = f", SKU {row['sku']}" if row["sku"] >= 0 else ""
        return f" (first on day {row['day']}, {row['agent']}{sku})"

    unannounced, started = int(m["promotions_unannounced"]), int(m["promotions_started"])
    if unannounced:
        sales.append(
            f"{unannounced} of your {started} promotions started without telling purchasing"
            f"{example('promotion_started', verdict=0)}: what would telling purchasing 3 weeks earlier "
            "have cost you?"
        )
    elif started:
        sales.append(
            f"All {started} promotions were announced, on average {m['promotion_notice_days']:.0f} days "
            "ahead: what made telling purchasing early worth it here?"
        )
    if m["stockouts_late_notice"]:
        sales.append(
            f"{m['stockouts_late_notice']:.0f} promotions ran out of stock because purchasing heard too "
            f"late{example('stockout_late_notice')}: how many of those customers waited, and how "
            "many would you have lost with less patient accounts?"
        )
    if m["sales_forecast_bias"] == m["sales_forecast_bias"] and m["sales_forecast_bias"] > 0.03:
        sales.append(
            f"Your submitted forecast ran {m['sales_forecast_bias']:+.0%} above what customers ordered: "
            f"what made padding feel safe, and what did purchasing do with it "
            f"({m['excess_stock']:.0f} excess-stock complaints)?"
        )
    if m["escalations"]:
        sales.append(
            f"You escalated {m['escalations']:.0f} refused expedites: which key accounts could have "
            "waited, and which could not?"
        )
    if m["churn"]:
        sales.append(
            f"{m['churn']:.0f} accounts left over poor service{example('churn')}: what would you have "
            "traded to keep them?"
        )
    if m["trust_sales"] < m["trust_sales_start"] - 0.02:
        sales.append(
            f"Over the measured days your trust in purchasing fell from {m['trust_sales_start']:.2f} "
            f"to {m['trust_sales']:.2f}: "
            "which event moved it most, and what would win it back?"
        )

    refused = events[kinds == "expedite_refused"]
    premiums, margins = float(refused["amount"].sum()), float(refused["at_risk"].sum())
    if len(refused):
        against = f" against {margins:,.0f} of margin at risk as sales counted it" if margins else ""
        purchasing.append(
            f"You refused {len(refused)} expedites, saving {premiums:,.0f} in premiums{against}: "
            f"was that the company's best call, with {whole.total('penalty_cost'):,.0f} paid in "
            "late penalties?"
        )
    if m["excess_stock"]:
        purchasing.append(
            f"{m['excess_stock']:.0f} times stock sat above target while sales' forecast ran above "
            f"demand{example('excess_stock')}: how much of sales' forecast should you have believed?"
        )
    if unannounced:
        purchasing.append(
            f"{unannounced} promotions surprised you: what would you need from sales to plan for "
            "them, and how many days ahead?"
        )
    if m["negotiations"]:
        relationship = run.summary.get("supplier_relationship", float("nan"))
        purchasing.append(
            f"You pressed suppliers on price {m['negotiations']:.0f} times and the relationship "
            f"ended at {relationship:.2f}: what did the savings cost you when stock ran short?"
        )
    bullwhip = float(run.summary.get("bullwhip_ratio", float("nan")))
    if bullwhip == bullwhip and bullwhip > 1.5:
        purchasing.append(
            f"Your orders varied {bullwhip:.1f} times as much as demand (bullwhip): which lot "
            "sizes or price breaks were worth it?"
        )
    if m["trust_purchasing"] < m["trust_purchasing_start"] - 0.02:
        purchasing.append(
            f"Over the measured days your trust in sales' forecasts fell from "
            f"{m['trust_purchasing_start']:.2f} to "
            f"{m['trust_purchasing']:.2f}: what would sales have to do to earn it back?"
        )

    if len(runs) == 2:
        cost = after.measures["policy_cost"]
        change = after.kpi("operating_profit") - before.kpi("operating_profit")
        together.append(
            f"{after.label} cost {cost:,.0f} in lever costs and changed operating profit by "
            f"{change:+,.0f} against {before.label}: where did the rest of the difference come from, "
            "and would you keep it?"
        )
    if m["committee_meetings"]:
        together.append(
            f"The steering committee met {m['committee_meetings']:.0f} times, rejected "
            f"{m['promotions_rejected']:.0f} promotions and granted {m['arbitrations_granted']:.0f} "
            "escalated expedites: which decision would you have taken differently?"
        )
    if m["meetings"]:
        together.append(
            f"{m['meetings']:.0f} regular meetings were held: what would you put on their agenda "
            "that this run's events say was missing?"
        )
    if not sales:
        sales.append(
            "Nothing went badly on your side in this run: which of your habits would break first "
            "under a promotion-heavy market?"
        )
    if not purchasing:
        purchasing.append("No refusals or excess stock in this run: what kept supply and sales in step?")
    return {"sales": sales, "purchasing": purchasing, "together": together}


# -- the page ---------------------------------------------------------------------------------


def write(runs: list[Run], kpis: list[str], window: tuple[int, int] | None = None, limit: int = 12) -> Path:
    """Write ``<run A>/replay/debrief/`` (index.html and its images); return the HTML file."""
    first = runs[0]
    before, after = periods(runs)
    images: list[tuple[str, Figure]] = []
    boards = []
    for tag, run in zip("AB", runs, strict=False):
        board = storyboard.draw(run, window, limit=limit)
        boards.append(board)
        images.append((f"storyboard_{tag}.png" if len(runs) == 2 else "storyboard.png", board.figure))
    compared = side_by_side.draw(runs[0], runs[1], window) if len(runs) == 2 else None
    if compared is not None:
        images.append(("side_by_side.png", compared.figure))
    whys = [explain(kpi, before, after) for kpi in kpis]
    images += [(f"why_{why.kpi}.png", why.figure) for why in whys if why.figure is not None]
    questions = prompts(runs, before, after)
    target = first.replay_dir / "debrief"
    try:
        encoded = {name: _png(figure) for name, figure in images}
    finally:
        for _, figure in images:
            plt.close(figure)
    page = _html(runs, before, after, boards, compared, whys, questions, encoded)
    with folder_atomically(target) as staging:
        for name, data in encoded.items():
            (staging / name).write_bytes(data)
        (staging / "index.html").write_text(page, encoding="utf-8")
    return target / "index.html"


def _html(
    runs: list[Run],
    before: Period,
    after: Period,
    boards: list[storyboard.Storyboard],
    compared: side_by_side.SideBySide | None,
    whys: list[Why],
    questions: dict[str, list[str]],
    images: dict[str, bytes],
) -> str:
    e = html.escape
    title = " vs ".join(run.title for run in runs)
    body = [f"<h1>Debrief: {e(title)}</h1>"]
    body.append(
        "<p class='lead'>"
        + "<br>".join(f"<b>{tag}</b> <code>{e(str(run.path))}</code>" for tag, run in zip("AB", runs, strict=False))
        + "</p>"
    )
    how = (
        "A is compared with B over their measured days (after the warm-up)."
        if len(runs) == 2
        else f"The run's measured days are compared half against half: {before.label} vs {after.label}."
    )
    body.append(f"<p>{e(how)} Every number below is read from the run folders; KPIs are defined in docs/KPIS.md.</p>")

    body.append("<h2>Headline KPIs</h2><div class='cards'>")
    keys = list(CARDS) + [k for w in whys for k in [w.kpi] if k not in CARDS]
    for key in keys:
        if key not in runs[0].summary:
            continue
        label = LABELS.get(key, key.replace("_", " "))
        unit = captions.kpi_unit(key)
        value_a = float(runs[0].summary[key])
        card = [f"<div class='card'><div class='label'>{e(label)}</div>"]
        if len(runs) == 2:
            value_b = float(runs[1].summary.get(key, float("nan")))
            verdict = captions.verdict(key, value_a, value_b)
            card.append(
                f"<div class='value'>{e(captions.format_kpi(key, value_b))}</div>"
                f"<div class='delta {verdict}'>{e(captions.format_change(key, value_a, value_b))} vs A "
                f"({e(captions.format_kpi(key, value_a))}) {e(verdict)}</div>"
            )
        else:
            card.append(f"<div class='value'>{e(captions.format_kpi(key, value_a))}</div>")
        card.append(f"<div class='unit'>{e(unit)}</div></div>")
        body.append("".join(card))
    body.append("</div>")

    for tag, board in zip("AB", boards, strict=False):
        name = f"storyboard_{tag}.png" if len(runs) == 2 else "storyboard.png"
        heading = f"Storyboard {tag}: {board_title(runs, tag)}" if len(runs) == 2 else "Storyboard"
        body.append(f"<section><h2>{e(heading)}</h2>{_img(images[name], heading)}")
        body.append(
            "<ul class='events'>"
            + "".join(f"<li class='{c.department}'>{e(c.label)}</li>" for c in board.annotations)
            + "</ul></section>"
        )
    if compared is not None:
        body.append(
            f"<section><h2>Side by side</h2><p class='big'>{e(compared.divergence.caption)}</p>"
            f"{_img(images['side_by_side.png'], 'side by side')}</section>"
        )

    for why in whys:
        label = LABELS.get(why.kpi, why.kpi.replace("_", " "))
        body.append(f"<section><h2>Why did {e(label.lower())} move?</h2><p class='big'>{e(why.headline)}</p>")
        definition = KPI_DEFINITIONS.get(why.kpi)
        if definition:
            body.append(f"<p class='definition'>{e(why.kpi)}: {e(definition)}</p>")
        body.append("<ul>" + "".join(f"<li>{e(point)}</li>" for point in why.points) + "</ul>")
        name = f"why_{why.kpi}.png"
        if name in images:
            body.append(_img(images[name], f"why {label}"))
        body.append(f"<table><tr><th>measure</th><th>{e(before.label)}</th><th>{e(after.label)}</th></tr>")
        for measure, old, new in why.table:
            body.append(
                f"<tr class='{measure.department}'><td>{e(measure.words)}</td>"
                f"<td>{e(_value(old, measure.unit))}</td><td>{e(_value(new, measure.unit))}</td></tr>"
            )
        body.append("</table></section>")

    body.append("<section><h2>Discussion</h2>")
    for department, heading in (
        ("sales", "For sales"),
        ("purchasing", "For purchasing"),
        ("together", "For both, together"),
    ):
        if questions.get(department):
            css = captions.COMPANY if department == "together" else department
            body.append(
                f"<div class='prompts {css}'><h3>{heading}</h3><ol>"
                + "".join(f"<li>{e(q)}</li>" for q in questions[department])
                + "</ol></div>"
            )
    body.append("</section>")
    return _PAGE.format(title=e(f"Debrief: {title}"), body="\n".join(body))


def board_title(runs: list[Run], tag: str) -> str:
    """The title of run A or B."""
    return runs["AB".index(tag)].title


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _img(data: bytes, alt: str) -> str:
    return f"<img alt='{html.escape(alt)}' src='data:image/png;base64,{base64.b64encode(data).decode()}'>"


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body {{ font-family: "DejaVu Sans", Verdana, sans-serif; font-size: 20px; line-height: 1.45; color: #222;
       margin: 1.5em auto; max-width: 1500px; padding: 0 1em; }}
h1 {{ font-size: 2.1em; margin-bottom: 0.2em; }}
h2 {{ font-size: 1.6em; border-bottom: 5px solid #4c4c9d; padding-bottom: 0.15em; margin-top: 1.6em; }}
section {{ break-before: page; }}
.lead {{ font-size: 0.9em; color: #555; }}
.big {{ font-size: 1.25em; font-weight: bold; }}
.definition {{ color: #555; font-style: italic; }}
.cards {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(270px, 1fr)); gap: 14px; }}
.card {{ border: 2px solid #ddd; border-radius: 10px; padding: 10px 16px; }}
.card .label {{ font-size: 0.9em; color: #555; }}
.card .value {{ font-size: 2em; font-weight: bold; color: #4c4c9d; }}
.card .unit, .card .delta {{ font-size: 0.85em; color: #555; }}
.card .delta.better {{ color: #222; font-weight: bold; }}
.card .delta.worse {{ color: #222; font-weight: bold; text-decoration: underline; }}
img {{ max-width: 100%; border: 1px solid #eee; }}
table {{ border-collapse: collapse; margin-top: 0.8em; }}
td, th {{ padding: 4px 14px; border-bottom: 1px solid #ddd; text-align: right; }}
td:first-child, th:first-child {{ text-align: left; }}
tr.sales td:first-child, li.sales {{ border-left: 8px solid #d95f02; padding-left: 8px; }}
tr.purchasing td:first-child, li.purchasing {{ border-left: 8px solid #1b9e77; padding-left: 8px; }}
tr.company td:first-child, li.company {{ border-left: 8px solid #4c4c9d; padding-left: 8px; }}
ul.events {{ list-style: none; padding-left: 0; }} ul.events li {{ margin: 4px 0; }}
.prompts {{ border-left: 12px solid #999; padding: 0.2em 1em; margin: 1em 0; }}
.prompts.sales {{ border-color: #d95f02; }} .prompts.purchasing {{ border-color: #1b9e77; }}
.prompts.company {{ border-color: #4c4c9d; }}
.prompts li {{ margin: 0.5em 0; font-size: 1.1em; }}
</style></head>
<body>
{body}
</body></html>
"""


# -- small helpers ------------------------------------------------------------------------------


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else float("nan")


def _bias(daily: pd.DataFrame, column: str) -> float:
    if column not in daily:
        return float("nan")
    demand = float(daily["demand"].sum())
    return float((daily[column] - daily["demand"]).sum()) / demand if demand else float("nan")


def _value(value: float, unit: str) -> str:
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
