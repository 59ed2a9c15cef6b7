"""The KPI registry: every KPI of a run summary, defined once, with its unit, direction, label and format.

``sim.output.metrics`` computes the KPIs; this module says what each one is. Every place
that shows a KPI reads it here: the command's printed summary, the run dashboard, the
replay and debrief, the sweep report, the live app, play mode and the facilitator view.
``docs/KPIS.md`` states each definition at length (a test keeps the two in step).

A KPI's *unit* decides how a person reads it: money in currency (``3,984,932``), shares
as percentages (``96.2%``, changes in percentage points), scores on 0–1 (``0.38``).
Its *direction* says which way is better for the company (or that neither is).
This module imports nothing heavy (no pandas, no matplotlib): the command line reads it
before the model is loaded.
"""

from sim.output.kpi_units import (
    HIGHER,
    LOWER,
    NEUTRAL,
    RAW_UNIT_TEXT,
    REPORT_SCALES,
    THOUSANDS,
    UNIT_TEXT,
    Department,
    Kpi,
    Scale,
    Unit,
)

__all__ = [
    "HIGHER",
    "LOWER",
    "NEUTRAL",
    "RAW_UNIT_TEXT",
    "THOUSANDS",
    "UNIT_TEXT",
    "Department",
    "Kpi",
    "Scale",
    "Unit",
]

LEVER_COST = "policy_cost_<lever>"

_S: Department = "sales"
_P: Department = "purchasing"
KPIS: tuple[Kpi, ...] = (
    # volume and money
    Kpi("days", "Days measured", "days", NEUTRAL, "days measured (after the warm-up)"),
    Kpi("demand_units", "Units ordered", "units", NEUTRAL, "units ordered by customers", _S),
    Kpi("shipped_units", "Units shipped", "units", HIGHER, "units shipped to customers, backorders included", _S),
    Kpi("revenue", "Revenue", "currency", HIGHER, "invoiced on shipment", _S),
    Kpi("cogs", "Cost of goods shipped", "currency", LOWER, "cost of goods shipped at standard cost", _P),
    Kpi(
        "purchase_price_variance",
        "Price paid above standard cost",
        "currency",
        LOWER,
        "price paid above standard cost on receipts (negative: savings)",
        _P,
    ),
    Kpi("promotion_allowances", "Campaign funding", "currency", HIGHER, "suppliers' share of campaign discounts", _S),
    Kpi("gross_margin", "Gross margin", "currency", HIGHER, "revenue - cogs - price variance + campaign funding"),
    Kpi("gross_margin_rate", "Gross margin rate", "share", HIGHER, "gross margin / revenue"),
    Kpi(
        "holding_cost",
        "Holding cost",
        "currency",
        LOWER,
        "stock value at standard cost x holding rate, per day",
        _P,
    ),
    Kpi("expediting_cost", "Expediting premiums", "currency", LOWER, "premiums paid for expedited supply", _P),
    Kpi("penalty_cost", "Late-delivery penalties", "currency", LOWER, "contractual penalties for late order lines", _S),
    Kpi("policy_cost_total", "Cost of the levers", "currency", LOWER, "cost of all alignment policies"),
    Kpi(
        LEVER_COST,
        "Cost of the lever",
        "currency",
        LOWER,
        "the cost of one alignment lever (staff hours, licences, lost productivity)",
    ),
    Kpi(
        "operating_profit",
        "Operating profit",
        "currency",
        HIGHER,
        "gross margin + revaluation - holding - expediting - penalties - policy costs - operating expenses "
        "- obsolescence - closing backlog provision",
    ),
    Kpi("profit_before_levers", "Profit before lever costs", "currency", HIGHER, "operating profit + lever costs"),
    Kpi(
        "operating_expenses",
        "Operating expenses",
        "currency",
        LOWER,
        "staff of both departments at their salaries, plus overhead",
    ),
    Kpi(
        "obsolescence_cost",
        "Obsolescence",
        "currency",
        LOWER,
        "stock older than its shelf life written off, and the year-end provision for closing stock that will "
        "age out unsold, both net of salvage",
        _P,
    ),
    Kpi(
        "closing_backlog_cost",
        "Backlog provision",
        "currency",
        LOWER,
        "the year-end provision for the margin the open backlog is expected to lose",
        _S,
    ),
    Kpi(
        "revaluation",
        "Revaluation at standard reset",
        "currency",
        NEUTRAL,
        "the stock's change in value when standard costs are reset at a year end",
        _P,
    ),
    Kpi(
        "closing_stock_value",
        "Closing stock value",
        "currency",
        NEUTRAL,
        "stock on hand at standard cost at the end of the run",
        _P,
    ),
    # service
    Kpi("fill_rate", "Fill rate", "share", HIGHER, "units shipped from stock on the day ordered / units ordered", _S),
    Kpi(
        "cycle_service_level", "Cycle service level", "share", HIGHER, "share of SKU-days ending with no backorder", _S
    ),
    Kpi(
        "on_time_in_full",
        "On time in full",
        "share",
        HIGHER,
        "customer orders placed in the period whose every line shipped in full by the requested day "
        "/ orders placed (a line still open at the end counts as it stands)",
        _S,
    ),
    Kpi(
        "line_fill_on_time",
        "Lines on time in full",
        "share",
        HIGHER,
        "order lines closed in the period that shipped in full by the requested day / lines closed",
        _S,
    ),
    Kpi(
        "promise_reliability",
        "Promises kept",
        "share",
        HIGHER,
        "1 - order lines closed after the promised day (or cancelled) / lines closed",
        _S,
    ),
    Kpi(
        "lost_sales_units",
        "Lost sales",
        "units",
        LOWER,
        "units ordered in the period and cancelled because the account's patience ran out",
        _S,
    ),
    Kpi("lost_sales_rate", "Lost sales rate", "share", LOWER, "lost units / units ordered (of the same orders)", _S),
    # inventory and the bullwhip
    Kpi(
        "avg_on_hand",
        "Average stock",
        "units",
        NEUTRAL,
        "units on hand at the end of the day, summed over SKUs, averaged over days",
        _P,
    ),
    Kpi(
        "avg_backorders",
        "Average backorders",
        "units",
        LOWER,
        "units owed to customers at the end of the day, averaged",
        _S,
    ),
    Kpi(
        "avg_orders_in_transit",
        "Average units on order",
        "units",
        NEUTRAL,
        "units on order with suppliers at the end of the day, averaged",
        _P,
    ),
    Kpi(
        "avg_inventory_value",
        "Average inventory value",
        "currency",
        LOWER,
        "stock on hand at standard cost, averaged",
        _P,
    ),
    Kpi("inventory_turns", "Inventory turns", "per year", HIGHER, "cogs per year / average inventory value", _P),
    Kpi(
        "bullwhip_ratio",
        "Bullwhip ratio",
        "ratio",
        LOWER,
        "per SKU, variance of units purchased over variance of units demanded in the same "
        "buckets (1 day in the textbook scenario, the review period otherwise); mean over SKUs",
        _P,
    ),
    Kpi(
        "bullwhip_ratio_monthly",
        "Bullwhip ratio (monthly)",
        "ratio",
        LOWER,
        "company totals in 4-week buckets: variance of units purchased / variance of units demanded",
        _P,
    ),
    # forecasts
    Kpi(
        "sales_forecast_bias",
        "Sales forecast bias",
        "share",
        NEUTRAL,
        "(submitted sales forecast - actual demand) / actual demand, daily rates summed over SKU-days",
        _S,
    ),
    Kpi(
        "sales_forecast_error",
        "Sales forecast error",
        "share",
        LOWER,
        "sum |submitted sales forecast - actual| / actual, per SKU and bucket",
        _S,
    ),
    Kpi(
        "planned_forecast_bias",
        "Planned forecast bias",
        "share",
        NEUTRAL,
        "(forecast purchasing planned on - actual demand) / actual demand",
        _P,
    ),
    Kpi(
        "planned_forecast_error",
        "Planned forecast error",
        "share",
        LOWER,
        "sum |planned forecast - actual| / actual, per SKU and bucket",
        _P,
    ),
    Kpi(
        "sales_forecast_inflation",
        "Bias reps added",
        "share",
        NEUTRAL,
        "mean bias reps added to their own estimates over the measured days",
        _S,
    ),
    # collisions, trust and relationships
    Kpi(
        "purchase_price_variance_rate",
        "Price variance rate",
        "share",
        LOWER,
        "purchase price variance / standard value of goods received",
        _P,
    ),
    Kpi(
        "expedite_count",
        "Expedites",
        "count",
        NEUTRAL,
        "expedites placed (premium freight), by buyers or after arbitration",
        _P,
    ),
    Kpi("expedite_requests", "Expedites asked for", "count", NEUTRAL, "expedites sales asked for", _S),
    Kpi("expedites_refused", "Expedites refused", "count", LOWER, "expedite requests purchasing refused", _P),
    Kpi("customer_churn", "Accounts lost", "count", LOWER, "accounts lost because satisfaction fell too low", _S),
    Kpi("accounts_won", "Accounts won", "count", HIGHER, "new accounts won by sales effort", _S),
    Kpi(
        "conflict_count",
        "Conflicts",
        "count",
        LOWER,
        "conflict events: refused expedites (an escalation is the same incident), stock-outs after late "
        "promotion notice, "
        "excess stock after padded forecasts, unannounced promotions",
    ),
    Kpi("promotions_run", "Promotions", "count", NEUTRAL, "promotions started", _S),
    Kpi(
        "promotion_uplift",
        "Promotion uplift",
        "share",
        NEUTRAL,
        "units demanded on promoted SKU-days over the same SKUs' mean daily demand on days without promotion, minus 1",
        _S,
    ),
    Kpi(
        "promotion_notice_days",
        "Promotion notice",
        "days",
        HIGHER,
        "mean days purchasing knew of a promotion before it started (0 if never told)",
        _S,
    ),
    Kpi(
        "trust_sales_in_purchasing",
        "Sales' trust in purchasing",
        "score",
        HIGHER,
        "sales reps' trust in purchasing at the end of the run (mean over reps, 0..1)",
        _S,
    ),
    Kpi(
        "trust_purchasing_in_sales",
        "Purchasing's trust in sales",
        "score",
        HIGHER,
        "buyers' trust in sales' forecasts at the end of the run (mean over buyers, 0..1)",
        _P,
    ),
    Kpi(
        "trust_change_sales",
        "Change of sales' trust",
        "score",
        HIGHER,
        "trust_sales_in_purchasing minus its starting value",
        _S,
    ),
    Kpi(
        "trust_change_purchasing",
        "Change of purchasing's trust",
        "score",
        HIGHER,
        "trust_purchasing_in_sales minus its starting value",
        _P,
    ),
    Kpi(
        "supplier_relationship",
        "Supplier relationship",
        "score",
        HIGHER,
        "suppliers' relationship score with the company at the end (mean, 0..1)",
        _P,
    ),
    # alignment levers
    Kpi(
        "rotated_staff_bias",
        "Bias of rotated reps",
        "share",
        NEUTRAL,
        "mean forecast bias of reps back from a rotation, over the measured days after their return",
        _S,
    ),
    Kpi(
        "other_staff_bias",
        "Bias of other reps",
        "share",
        NEUTRAL,
        "mean forecast bias over the measured days of reps never rotated",
        _S,
    ),
    Kpi(
        "staff_productivity",
        "Staff productivity",
        "share",
        HIGHER,
        "mean productivity of reps and buyers over the measured days (1 = full)",
    ),
    Kpi("meetings_held", "Regular meetings", "count", NEUTRAL, "regular meetings that took place"),
    Kpi("committee_meetings", "Committee meetings", "count", NEUTRAL, "steering committee meetings held"),
    Kpi("rotations", "Rotation spells", "count", NEUTRAL, "rotation spells started"),
    Kpi(
        "committee_approval_share",
        "Committee approvals",
        "share",
        NEUTRAL,
        "promotions the steering committee approved / promotions it decided (NaN without)",
    ),
    Kpi(
        "promotion_check_approval_share",
        "Joint check approvals",
        "share",
        NEUTRAL,
        "promotions the joint cost-benefit check approved / promotions it checked (NaN without)",
    ),
)
"""Every KPI, in the order ``summary.json`` lists them."""

REGISTRY: dict[str, Kpi] = {kpi.name: kpi for kpi in KPIS}
KPI_DEFINITIONS: dict[str, str] = {kpi.name: kpi.definition for kpi in KPIS}
"""Name -> definition; ``policy_cost_<lever>`` is a pattern, not a key of the summary."""


def kpi(name: str) -> Kpi:
    """The KPI called ``name`` (``policy_cost_rotation`` is the ``policy_cost_<lever>`` KPI of that lever).

    Raises:
        KeyError: no such KPI.
    """
    if name in REGISTRY:
        return REGISTRY[name]
    lever = name.removeprefix("policy_cost_")
    if lever != name and lever:
        pattern = REGISTRY[LEVER_COST]
        return Kpi(name, f"Cost of {lever.replace('_', ' ')}", "currency", LOWER, pattern.definition)
    raise KeyError(name)


def find(name: str) -> Kpi | None:
    """The KPI called ``name``, or None if there is none."""
    try:
        return kpi(name)
    except KeyError:
        return None


def names(levers: tuple[str, ...] = ()) -> list[str]:
    """Every KPI's name, with ``policy_cost_<lever>`` written out for each of ``levers``."""
    listed = [k.name for k in KPIS if k.name != LEVER_COST]
    return listed + [f"policy_cost_{lever}" for lever in levers]


def label(name: str) -> str:
    """A KPI's label, or its name in words for a column that is not a KPI."""
    found = find(name)
    return found.label if found else name.replace("_", " ").capitalize()


def unit_text(name: str) -> str:
    """A KPI's unit as a person reads it (``currency``, ``%``, ``0-1``...); ``count`` for other columns."""
    found = find(name)
    return found.unit_text if found else UNIT_TEXT["count"]


def raw_unit_text(name: str) -> str:
    """The unit of a KPI's stored value (``share, 0–1`` for a fill rate of 0.95); empty for other columns."""
    found = find(name)
    return RAW_UNIT_TEXT[found.unit] if found else ""


# -- values in words ------------------------------------------------------------------------------


_NUMBER_STYLE: dict[Unit, tuple[float, str]] = {
    "share": (100.0, ".1f"),  # shown as a percentage, changes in percentage points
    "score": (1.0, ".2f"),
    "ratio": (1.0, ",.2f"),
    "days": (1.0, ",.1f"),
    "per year": (1.0, ",.1f"),
}
"""Scale and format of each unit's numbers; the rest (currency, units, counts) are whole numbers."""


def _number_style(name: str) -> tuple[float, str, Unit]:
    unit = _unit(name)
    scale, spec = _NUMBER_STYLE.get(unit, (1.0, ",.0f"))
    return scale, spec, unit


def format_value(name: str, value: float) -> str:
    """A KPI value as a person reads it: ``3,984,932``, ``96.2%``, ``0.38``, ``1.35``; ``n/a`` for NaN."""
    if value != value:
        return "n/a"
    scale, spec, unit = _number_style(name)
    return f"{scale * value:{spec}}" + ("%" if unit == "share" else "")


def format_change(name: str, before: float, after: float) -> str:
    """The change of a KPI in its own unit: ``+28,186``, ``-0.6 pts``, ``+0.04``; ``n/a`` if either is NaN."""
    if before != before or after != after:
        return "n/a"
    scale, spec, unit = _number_style(name)
    return f"{scale * (after - before):+{spec}}" + (" pts" if unit == "share" else "")


def verdict(name: str, before: float, after: float) -> str:
    """``better``, ``worse`` or ``""`` for a KPI's change, where its direction is known."""
    if before != before or after != after or before == after:
        return ""
    found = find(name)
    if found is None or found.better == NEUTRAL:
        return ""
    return "better" if (after - before) * found.better > 0 else "worse"


def _unit(name: str) -> Unit:
    found = find(name)
    return found.unit if found else "count"


# -- scaled for a report ---------------------------------------------------------------------------


def report_scale(name: str) -> Scale:
    """How the sweep report shows ``name``: thousands of currency, percentages, ..."""
    return REPORT_SCALES[_unit(name)]
