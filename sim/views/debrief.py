"""What the debrief compares: two stretches of days, what happened in each, and questions for the room.

The debrief pack (:mod:`sim.views.debrief_pack`) closes a workshop. It compares two
runs (A then B) or, for one run, the first and second half of its measured days: a
:class:`Period` each. Here each period's mechanism measures are counted from the run's
tables -- stock-outs, refused expedites, promotions purchasing was not told of,
forecast bias, trust, lever costs -- and turned into discussion prompts for sales and
purchasing; :mod:`sim.views.debrief_why` traces a KPI's change to them. Every number
comes from the tables; nothing is re-simulated.
"""

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from sim.output import kpis
from sim.output.runfolder import Run
from sim.views import captions, shocks, side_by_side


def _words(kpi: str) -> str:
    """A KPI's label as words inside a sentence (``Backlog provision`` -> ``backlog provision``)."""
    label = kpis.label(kpi)
    return label[:1].lower() + label[1:]


PROFIT_COLUMNS = (  # (daily column, its KPI in summary.json, sign in operating profit, department)
    ("revenue", "revenue", 1, captions.SALES),
    ("cogs", "cogs", -1, captions.PURCHASING),
    ("ppv", "purchase_price_variance", -1, captions.PURCHASING),
    ("promotion_allowance", "promotion_allowances", 1, captions.SALES),
    ("revaluation", "revaluation", 1, captions.PURCHASING),
    ("holding_cost", "holding_cost", -1, captions.PURCHASING),
    ("expediting_cost", "expediting_cost", -1, captions.PURCHASING),
    ("penalty_cost", "penalty_cost", -1, captions.SALES),
    ("policy_cost", "policy_cost_total", -1, captions.COMPANY),
    ("operating_expenses", "operating_expenses", -1, captions.COMPANY),
    ("obsolescence_cost", "obsolescence_cost", -1, captions.PURCHASING),
    ("backlog_provision", "closing_backlog_cost", -1, captions.SALES),
)
"""Every line of operating profit in the daily table (sim/output/timeseries.py), and its KPI."""
PROFIT_PARTS = tuple((column, _words(kpi), sign, department) for column, kpi, sign, department in PROFIT_COLUMNS)
"""(daily column, words, sign in operating profit, department): signed, they add up to operating profit."""


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
    Measure("units_written_off", "units written off past their shelf life", captions.PURCHASING, "units"),
    Measure("units_owed_at_end", "units owed to customers at the period's end", captions.SALES, "units"),
    Measure("standard_resets", "standard costs reset at a year end (SKUs)", captions.PURCHASING),
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

    def profit_bridge(self) -> dict[str, float]:
        """Each line of :data:`PROFIT_PARTS` over the period, signed: together they are its operating profit."""
        return {column: sign * self.total(column) for column, _, sign, _ in PROFIT_PARTS}

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
            "promotion_allowances": self.total("promotion_allowance"),
            "gross_margin": self.total("gross_margin"),
            "holding_cost": self.total("holding_cost"),
            "expediting_cost": self.total("expediting_cost"),
            "penalty_cost": self.total("penalty_cost"),
            "policy_cost_total": self.total("policy_cost"),
            "operating_profit": self.total("operating_profit"),
            "operating_expenses": self.total("operating_expenses"),
            "obsolescence_cost": self.total("obsolescence_cost"),
            "closing_backlog_cost": self.total("backlog_provision"),
            "revaluation": self.total("revaluation"),
            "demand_units": demand,
            "shipped_units": self.total("shipped"),
            "lost_sales_units": self.total("lost_by_order_day" if "lost_by_order_day" in self.daily else "lost"),
            "fill_rate": served / demand if demand else float("nan"),
            "on_time_in_full": 1.0 - _ratio(self.total("orders_failed"), self.total("orders"))
            if self.total("orders")
            else float("nan"),
            "line_fill_on_time": _ratio(self.total("lines_on_time_in_full"), self.total("lines_closed")),
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
            values["closing_stock_value"] = float(self.daily["inventory_value"].iloc[-1])
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
            "units_written_off": self.total("written_off"),
            "units_owed_at_end": float(self.daily["backordered"].iloc[-1]),
            "standard_resets": float(self.count("revaluation")),
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
    backlog = whole.total("backlog_provision")
    if backlog >= 0.5:
        sales.append(
            f"Customers were still owed {m['units_owed_at_end']:,.0f} units at the end, and the books provide "
            f"{backlog:,.0f} for the margin of those who will give up waiting: which promises would you "
            "make differently?"
        )
    if m["trust_sales"] < m["trust_sales_start"] - 0.02:
        sales.append(
            f"Over the measured days your trust in purchasing fell from {m['trust_sales_start']:.2f} "
            f"to {m['trust_sales']:.2f}: "
            "which event moved it most, and what would win it back?"
        )

    refused = events[kinds == "expedite_refused"]
    premiums, margins = float(refused["amount"].sum()), float(refused["at_risk"].sum())
    found = shocks.bands(run.events, run.days)
    in_shock = sum(1 for day in refused["day"] if shocks.context(int(day), found))
    if len(refused):
        against = f" against {margins:,.0f} of margin at risk as sales counted it" if margins else ""
        during = f" ({in_shock} of them in an outside shock's span)" if in_shock else ""
        purchasing.append(
            f"You refused {len(refused)} expedites{during}, saving {premiums:,.0f} in premiums{against}: "
            f"was that the company's best call, with {whole.total('penalty_cost'):,.0f} paid in "
            "late penalties?"
        )
    if m["excess_stock"]:
        purchasing.append(
            f"{m['excess_stock']:.0f} times stock sat above target while sales' forecast ran above "
            f"demand{example('excess_stock')}: how much of sales' forecast should you have believed?"
        )
    obsolete = whole.total("obsolescence_cost")
    if obsolete >= 0.5:
        provision = whole.count("stock_provision")
        provided = " and a provision for closing stock that will age out unsold" if provision else ""
        purchasing.append(
            f"Stock that outlived its shelf life cost {obsolete:,.0f} in obsolescence "
            f"({m['units_written_off']:,.0f} units written off{provided}): which buys, price breaks or "
            "forecasts left it on the shelf?"
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

    together += _shock_prompts(found, events, kinds)
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


# -- small helpers ------------------------------------------------------------------------------


def _shock_prompts(found: list[shocks.Band], events: pd.DataFrame, kinds: pd.Series) -> list[str]:
    """One question per outside shock: it was no department's decision; asked what the two did around it."""
    asked = []
    for band in found:
        inside = events[[bool(band.context_of(int(day))) for day in events["day"]]] if band.context else events[:0]
        kind = kinds.loc[inside.index]
        trouble = [
            f"{int((kind == name).sum()):,} {words}"
            for name, words in (("expedite_refused", "refused expedites"), ("cancellation", "cancelled lines"))
            if (kind == name).any()
        ]
        fell = f" ({' and '.join(trouble)} fell in it or its wake)" if trouble else ""
        asked.append(
            f"Outside shock, no department's decision: {band.label}{fell}. What could sales and purchasing "
            "have done together before and during it, and what would you tell customers?"
        )
    return asked


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else float("nan")


def _bias(daily: pd.DataFrame, column: str) -> float:
    if column not in daily:
        return float("nan")
    demand = float(daily["demand"].sum())
    return float((daily[column] - daily["demand"]).sum()) / demand if demand else float("nan")
