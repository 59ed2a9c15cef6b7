"""What the person in a seat knows at the start of a decision day, and nothing more.

A buyer sees its SKUs' stock, orders in transit, its own demand history, sales'
forecast (the CRM pipeline only where systems are integrated) and the promotions
purchasing was told of; a rep sees its portfolio's orders, its quota and its
customers' shortages, and stock only where it has available-to-promise visibility.
Reading the model here never changes it: a briefing does not move a random stream
or a relationship clock, so a played game re-simulates bit for bit without it.
"""

from dataclasses import dataclass, field

import pandas as pd

from sim.agents.buyer import Buyer
from sim.agents.sales import QUARTER_DAYS, SalesRep
from sim.model import SalesPurchasingModel
from sim.output import kpis as registry

TOP_SKUS = 12  # a rep's best sellers shown in the briefing


@dataclass(frozen=True)
class SkuLine:
    """One SKU as the seat sees it; None where the role cannot see it."""

    sku: int
    demand_per_week: float  # the seat's own view of recent demand
    sales_forecast_per_week: float | None  # buyer: what sales says; rep: what it submitted last
    on_hand: int | None
    backordered: int | None
    on_order: int | None
    rule_units: int | None  # buyer: what the order-up-to rule would order this morning
    promotion: str = ""  # a known promotion on this SKU


@dataclass(frozen=True)
class ExpediteLine:
    """An expedite request that reached the buyer since its last decision, and what was answered."""

    day: int
    account: int
    sku: int
    units: int
    premium: float  # currency units
    rep: int
    approved: bool


@dataclass(frozen=True)
class SourceOption:
    """A supplier of an SKU as the buyer sees it: today's unit price and its lead time."""

    supplier: int
    unit_price: float  # currency units, for one unit (before any price break)
    lead_time_days: float
    last: bool  # the supplier the SKU was last bought from


@dataclass(frozen=True)
class Briefing:
    """The screen of one decision day."""

    day: int
    week: int  # 1-based
    weeks: int
    role: str
    seat: str
    kpis: dict[str, str]
    incentives: list[str]
    messages: list[str]  # the other department's, since the last decision
    lines: list[SkuLine]
    notes: list[str] = field(default_factory=list)  # what can be decided, and limits
    promotion_allowed: bool = False
    max_promotion_skus: int = 0
    expedites: list[ExpediteLine] = field(default_factory=list)  # buyer: the requests answered since last week
    sources: dict[int, list[SourceOption]] = field(default_factory=dict)  # buyer: SKUs with more than one supplier
    promotion_discount: float = 0.0  # sales: the company's usual depth
    sees_stock: bool = False  # sales: a lever shows the rep stock (else "from stock" asks the warehouse)


def buyer_briefing(
    model: SalesPurchasingModel, buyer: Buyer, start: int, since: int, week: int, weeks: int
) -> Briefing:
    """The buyer's screen: its family's stock, demand, sales' numbers, and its KPIs."""
    day = int(model.env.now)
    family = buyer.spec.skus
    stock, org = model.stock, model.world.org
    chasing = buyer.chases_price_breaks()
    lines = []
    for sku in family:
        observed = buyer.history[sku]
        demand = observed.mean(prior=model.world.skus[sku].expected_daily_units)
        lines.append(
            SkuLine(
                sku=sku,
                demand_per_week=7 * demand,
                sales_forecast_per_week=7 * buyer.sales_view(sku),
                on_hand=stock.on_hand[sku],
                backordered=stock.backordered[sku],
                on_order=stock.on_order[sku],
                rule_units=_rule_units(model, buyer, sku, day, chasing),
                promotion=_known_promotion(buyer, sku, day),
            )
        )
    budget = org.inventory_budget_weeks
    value = sum(stock.on_hand[k] * model.standard_cost_cents[k] for k in family) / 100
    weekly = sum(model.world.skus[k].expected_daily_units * 7 * model.standard_cost_cents[k] for k in family) / 100
    events = _events_since(model, start)
    kpis = {
        "fill rate of your SKUs (game so far)": _percent(_fill_rate(events, set(family), None)),
        "stock on hand at cost": f"{value:,.0f} ({value / weekly:.1f} weeks; budget {budget:g})" if weekly else "-",
        "purchase price variance (game so far)": _money(_ppv(events, set(family), model)),
        "units owed to customers now": f"{sum(stock.backordered[k] for k in family):,}",
        "expedites you placed / refused": f"{_count(events, 'expedite', buyer.label)} / "
        f"{_count(events, 'expedite_refused', buyer.label)}",
        "your trust in sales' forecasts": registry.format_value("trust_purchasing_in_sales", buyer.trust_in_sales),
    }
    incentives = [
        f"You are rewarded on purchase price (weight {buyer.own_weights.price:.0%} when you pick suppliers) "
        f"and on keeping stock within {budget:g} weeks of demand at cost.",
        "Ordering a supplier's price-break lot (about three weeks of demand) earns a discount.",
    ]
    if buyer.joint_weight > 0:
        incentives.append(f"{buyer.joint_weight:.0%} of your reward is the joint KPI (margin, stock, service).")
    notes = [
        f"Enter this week's order per SKU (units; 0 orders nothing). Orders arrive in about "
        f"{_lead_time(model, family):.0f} days; pick a supplier where an SKU has two, or leave it to your scorecard.",
        "Sales' expedite requests arrive during the week: choose now how to answer them, and answer again "
        "for an account and SKU that asked last week.",
    ]
    return Briefing(
        day,
        week,
        weeks,
        "buyer",
        buyer.label,
        kpis,
        incentives,
        _buyer_messages(model, buyer, since),
        lines,
        notes,
        expedites=expedite_lines(model, buyer.label, max(0, day - buyer.spec.review_period_days)),
        sources=_sources(model, buyer, day),
    )


def expedite_lines(model: SalesPurchasingModel, buyer_label: str, since: int) -> list[ExpediteLine]:
    """Every expedite request the buyer answered from ``since`` on: approved (an expedite) or refused."""
    events = _events_since(model, since)
    answered = events[events["event"].isin(["expedite", "expedite_refused"]) & (events["agent"] == buyer_label)]
    approved = (answered["event"] == "expedite").to_numpy()
    premium = answered["value"].where(approved, answered["amount"]).to_numpy()
    columns = ("day", "account", "sku", "quantity", "counterpart")
    rows = zip(*(answered[name] for name in columns), strict=True)
    return [
        ExpediteLine(int(day), int(account), int(sku), int(units), float(cost), int(rep), bool(yes))
        for (day, account, sku, units, rep), cost, yes in zip(rows, premium, approved, strict=True)
    ]


def _sources(model: SalesPurchasingModel, buyer: Buyer, day: int) -> dict[int, list[SourceOption]]:
    """The SKUs the buyer can buy from more than one supplier, with each supplier's terms (no offer is asked)."""
    sources = {}
    for sku in buyer.spec.skus:
        candidates = model.world.skus[sku].suppliers
        if len(candidates) < 2:
            continue
        last = buyer.main_supplier(sku)
        sources[sku] = [
            SourceOption(
                s,
                model.suppliers[s].unit_price_cents(sku, 1, day) / 100,
                float(model.suppliers[s].spec.lead_time_mean_days),
                s == last,
            )
            for s in candidates
        ]
    return sources


def sales_briefing(
    model: SalesPurchasingModel, rep: SalesRep, start: int, since: int, week: int, weeks: int
) -> Briefing:
    """The sales lead's screen: the portfolio's orders, quota, shortages and purchasing's answers."""
    day = int(model.env.now)
    org = model.world.org
    estimate = rep.estimate_preview(model.env.now)
    ranked = sorted(range(len(estimate)), key=lambda k: (-estimate[k], k))[:TOP_SKUS]
    view = model.levers.stock_view(rep)
    lines = [
        SkuLine(
            sku=sku,
            demand_per_week=7 * estimate[sku],
            sales_forecast_per_week=7 * rep.forecast[sku],
            on_hand=view.on_hand[sku] if view is not None else None,
            backordered=view.backordered[sku] if view is not None else None,
            on_order=None,
            rule_units=None,
            promotion=_own_promotion(rep, sku, day),
        )
        for sku in sorted(ranked)
        if estimate[sku] > 0
    ]
    elapsed = (day - rep.quarter * QUARTER_DAYS) / QUARTER_DAYS if rep.quarter >= 0 else 0.0
    events = _events_since(model, start)
    accounts = {a.spec.index for a in rep.accounts}
    kpis = {
        "bookings this quarter": f"{rep.bookings / 100:,.0f} of quota {rep.quota / 100:,.0f} "
        f"({rep.bookings / rep.quota:.0%} with {elapsed:.0%} of the quarter gone)"
        if rep.quota > 0
        else "-",
        "your customers' fill rate (game so far)": _percent(_fill_rate(events, None, accounts)),
        "deal discount in force": f"{rep.deal_discount:.1%}",
        "expedites you asked / refused": f"{_count(events, 'expedite_requested', rep.label)} / "
        f"{int(((events['event'] == 'expedite_refused') & (events['counterpart'] == rep.spec.index)).sum())}",
        "your trust in purchasing": registry.format_value("trust_sales_in_purchasing", rep.trust_in_purchasing),
    }
    incentives = [
        f"You are paid on bookings against a quarterly quota ({org.quota_stretch:.0%} of expected sales).",
        "Running short costs you customers' goodwill; purchasing plans partly on your forecast.",
    ]
    if rep.joint_weight > 0:
        incentives.append(f"{rep.joint_weight:.0%} of your reward is the joint KPI (margin, stock, service).")
    allowed = org.promotions and not rep.promotion_pending(day)
    notes = [
        "Your forecast is your own estimate adjusted by the percentage you enter (0 = what you expect).",
        f"A promotion cuts prices (usually {org.promotion_discount:.0%}) on up to {org.promotion_skus} SKUs for "
        f"{org.promotion_days} days, starting the weeks ahead you choose; you decide when purchasing hears of it.",
        "Promises and expedite requests hold for the week: how you promise delivery when a customer's order is "
        "short, and which shortfalls you ask purchasing to rush.",
    ]
    if not allowed:
        notes.append(
            "No promotion can be planned now (one is planned or running)."
            if org.promotions
            else "Promotions are off here."
        )
    return Briefing(
        day,
        week,
        weeks,
        "sales",
        rep.label,
        kpis,
        incentives,
        _sales_messages(model, rep, since),
        lines,
        notes,
        promotion_allowed=allowed,
        max_promotion_skus=org.promotion_skus,
        promotion_discount=org.promotion_discount,
        sees_stock=view is not None,
    )


# -- what the seat hears from the other department ----------------------------------------

BUYER_HEARS = {
    "promotion_notice": "sales announced a promotion",
    "expedite_requested": "sales asked for an expedite",
    "escalation": "sales escalated a refusal",
    "promotion_started": "a promotion started",
}
SALES_HEARS = {
    "expedite_refused": "purchasing refused an expedite",
    "expedite": "purchasing expedited",
    "excess_stock": "purchasing complained of excess stock",
    "unannounced_promotion": "purchasing found out about a promotion",
}


def _buyer_messages(model: SalesPurchasingModel, buyer: Buyer, since: int) -> list[str]:
    events = _events_since(model, since)
    heard = events["event"].isin(list(BUYER_HEARS))
    mine = events["sku"].isin(buyer.spec.skus) | (events["agent"] == buyer.label)
    surprise = (events["event"] != "promotion_started") | (events["verdict"] == 0)  # a started one only if unannounced
    return _phrases(events[heard & mine & surprise], BUYER_HEARS)


def _sales_messages(model: SalesPurchasingModel, rep: SalesRep, since: int) -> list[str]:
    events = _events_since(model, since)
    heard = events["event"].isin(list(SALES_HEARS))
    mine = (events["event"] == "excess_stock") | (events["counterpart"] == rep.spec.index)
    return _phrases(events[heard & mine], SALES_HEARS)


def _phrases(events: pd.DataFrame, phrases: dict[str, str]) -> list[str]:
    rows = zip(events["time"], events["event"], events["agent"], events["detail"], strict=True)
    return [
        f"day {int(time)}, {agent}: {phrases[str(kind)]}" + (f" ({detail})" if detail else "")
        for time, kind, agent, detail in rows
    ]


# -- reading the books ------------------------------------------------------------------------


def _events_since(model: SalesPurchasingModel, day: int) -> pd.DataFrame:
    """The events logged from the start of ``day`` on (the log is in time order)."""
    recorder = model.recorder
    return recorder.event_table(start=recorder.first_event_at(day))


def _fill_rate(events: pd.DataFrame, skus: set[int] | None, accounts: set[int] | None) -> float:
    rows = events[events["event"].isin(["order", "backorder"])]
    if skus is not None:
        rows = rows[rows["sku"].isin(skus)]
    if accounts is not None:
        rows = rows[rows["account"].isin(accounts)]
    ordered = int(rows.loc[rows["event"] == "order", "quantity"].sum())
    short = int(rows.loc[rows["event"] == "backorder", "quantity"].sum())
    return 1.0 - short / ordered if ordered else float("nan")


def _ppv(events: pd.DataFrame, skus: set[int], model: SalesPurchasingModel) -> float:
    receipts = events[(events["event"] == "receipt") & events["sku"].isin(skus)]
    standard = pd.Series(model.standard_cost_cents)[receipts["sku"]].to_numpy()
    cents = (receipts["value"].to_numpy() * 100).round() - receipts["quantity"].to_numpy() * standard
    return float(cents.sum()) / 100


def _count(events: pd.DataFrame, kind: str, agent: str) -> int:
    return int(((events["event"] == kind) & (events["agent"] == agent)).sum())


def _rule_units(model: SalesPurchasingModel, buyer: Buyer, sku: int, day: int, chasing: bool) -> int:
    """What the buyer's rule would order from this morning's books (its last supplier; no offers are asked)."""
    supplier = model.suppliers[buyer.main_supplier(sku)]
    level, mean, _ = buyer.target(sku, day, supplier)
    return buyer.rule_units(sku, day, supplier, level, mean, chasing)


def _lead_time(model: SalesPurchasingModel, family: tuple[int, ...]) -> float:
    leads = [model.suppliers[s].spec.lead_time_mean_days for k in family for s in model.world.skus[k].suppliers]
    return sum(leads) / len(leads) if leads else 0.0


def _known_promotion(buyer: Buyer, sku: int, day: int) -> str:
    for promotion in buyer.known_promotions:
        if sku in promotion.skus and promotion.end_day > day:
            return f"promotion days {promotion.start_day}-{promotion.end_day - 1}"
    return ""


def _own_promotion(rep: SalesRep, sku: int, day: int) -> str:
    for promotion in rep.promotions:
        if sku in promotion.skus and promotion.end_day > day:
            return f"promotion days {promotion.start_day}-{promotion.end_day - 1}"
    return ""


def _percent(value: float) -> str:
    return registry.format_value("fill_rate", value)  # a share, shown as every view shows one


def _money(value: float) -> str:
    return registry.format_change("purchase_price_variance", 0.0, value)  # signed: above (+) or below standard
