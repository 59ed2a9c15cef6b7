"""The workshop's scores: the company's, and each department's own, read from a saved game.

The **company score** ranks games: operating profit over the days played, less what the
stock the game leaves behind beyond a normal cover would fetch below its cost. Without
that charge a buyer who buys a year of stock at a price break wins the ranking: the
discount is booked as soon as the goods arrive (negative price variance) while the stock
on the shelf is carried at full standard cost and never sold within the game.

- *Normal cover* is the company's own inventory budget, ``org.inventory_budget_weeks``
  weeks of each SKU's recent demand (the mean daily demand of the last
  :data:`~sim.period_end.RECENT_DEMAND_DAYS` days, the rate the books' own closing
  valuation expects), once what is on order has arrived: it is counted on the inventory
  position -- on hand plus on order less owed to customers -- because units ordered are
  bought whether or not they arrived before the game ended, and the pipeline a buyer
  needs is added to it: the scenario's mean supply lead time (``lead_time_mean_days``)
  of demand. (The lead times a short game observes are too short: the long ones are
  still on the way when it ends.)
- The units beyond it are valued as the books value stock that ages out: sold for
  ``scenario.salvage_share`` of standard cost, the rest lost (:mod:`sim.books.obsolescence`).
  What the books already provided for at the close for the same SKU (its
  ``stock_provision``, at the same loss per unit) is in operating profit already, so only
  the rest is charged.
- The open backlog is charged by the provision operating profit already holds
  (``closing_backlog_cost``).

Beside it, each department's **own incentive score**, as the silo rewards it (docs/MODEL
and :mod:`sim.behaviour.incentives`): purchasing's price savings against standard cost
(with its stock against the budget), sales' bookings (customer orders taken, what reps'
quotas count). A team can win its own and lose the company's: that is the lesson.
docs/KPIS.md ("The workshop's scores") states all of it.
"""

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sim.config import CompanyScenario, OrgConfig
from sim.output.runfolder import Run
from sim.period_end import RECENT_DEMAND_DAYS

SALVAGE_DEFAULT = float(CompanyScenario.model_fields["salvage_share"].default)
BUDGET_DEFAULT = float(OrgConfig.model_fields["inventory_budget_weeks"].default)
LEAD_TIME_DEFAULT = float(CompanyScenario.model_fields["lead_time_mean_days"].default)


@dataclass(frozen=True)
class Scores:
    """A game's company score and the department scores beside it (currency unless noted)."""

    company: float  # operating profit - excess stock charge: the ranking
    operating_profit: float
    excess_stock_charge: float  # beyond the normal cover, at cost less salvage, net of the books' provision
    excess_stock_units: float  # units of the inventory position beyond the normal cover
    purchasing_savings: float  # purchasing's own KPI: price paid below standard cost (-PPV)
    stock_weeks: float  # closing stock at cost, in weeks of cost of goods shipped (the budget's measure)
    budget_weeks: float  # purchasing's inventory budget, weeks
    sales_bookings: float  # sales' own KPI: customer orders taken, at their price


def excess_stock_charge(closing: pd.DataFrame, *, budget_weeks: float, salvage_share: float) -> tuple[float, float]:
    """What the closing position beyond a normal cover would lose if sold off: (charge, units).

    ``closing`` has one row per SKU with ``position`` (on hand + on order - owed, units),
    ``daily_demand`` (recent units/day), ``lead_time`` (days), ``standard_cost`` and
    ``provided`` (the books' closing stock provision for the SKU, already in operating profit).
    """
    if closing.empty:
        return 0.0, 0.0
    cover = (budget_weeks * 7.0 + closing["lead_time"].astype(float)) * closing["daily_demand"].astype(float)
    excess = (closing["position"].astype(float) - cover).clip(lower=0.0)
    loss = excess * closing["standard_cost"].astype(float) * (1.0 - salvage_share)
    charge = (loss - closing["provided"].astype(float)).clip(lower=0.0)  # the provision is the same loss, once
    return float(charge.sum()), float(excess.sum())


def closing_position(sku_daily: pd.DataFrame, events: pd.DataFrame, lead_time_days: float) -> pd.DataFrame:
    """Per SKU on the last day: position, recent daily demand, lead time, standard cost, provision booked that day."""
    if sku_daily.empty:
        return pd.DataFrame(columns=["position", "daily_demand", "lead_time", "standard_cost", "provided"])
    last = int(sku_daily["day"].max())
    recent = sku_daily[sku_daily["day"] > last - RECENT_DEMAND_DAYS]
    days = recent["day"].nunique()
    end = sku_daily[sku_daily["day"] == last].set_index("sku").sort_index()
    position = (end["on_hand"] + end["on_order"] - end["backordered"]).clip(lower=0)
    demand = recent.groupby("sku")["demand"].sum().reindex(end.index, fill_value=0) / max(days, 1)
    provided = events[(events["event"] == "stock_provision") & (events["day"] == last)].groupby("sku")["value"].sum()
    return pd.DataFrame(
        {
            "position": position.astype(float),
            "daily_demand": demand.astype(float),
            "lead_time": lead_time_days,
            "standard_cost": standard_costs(events, list(end.index)),
            "provided": provided.reindex(end.index, fill_value=0.0).astype(float),
        },
        index=end.index,
    )


def standard_costs(events: pd.DataFrame, skus: list[Any]) -> pd.Series:
    """Each SKU's standard cost at the end, from the event log.

    The last year end's ``revaluation`` states the new standard (its ``amount``); before
    any reset it is the opening stock's value per unit. An SKU with neither (a launch with
    no opening stock and no reset since) is valued at the last price paid for it.
    """
    found: dict[Any, float] = {}
    ordered = events.sort_values("time", kind="stable")
    sources = [
        ordered[ordered["event"] == "purchase_order"],
        ordered[(ordered["event"] == "opening_stock") & (ordered["quantity"] > 0)],
    ]
    for rows in sources:  # later sources override earlier ones: purchase price < opening stock < revaluation
        for sku, value, quantity in zip(rows["sku"], rows["value"], rows["quantity"], strict=True):
            if quantity > 0:
                found[sku] = float(value) / float(quantity)
    if "amount" in events.columns:
        resets = ordered[(ordered["event"] == "revaluation") & ordered["amount"].notna()]
        for sku, amount in zip(resets["sku"], resets["amount"], strict=True):
            found[sku] = float(amount)
    return pd.Series([found.get(sku, 0.0) for sku in skus], index=skus, dtype=float)


def _number(summary: dict[str, Any], key: str) -> float:
    value = summary.get(key, math.nan)
    return float(value) if isinstance(value, int | float) else math.nan


def _setting(config: dict[str, Any], section: str, key: str, default: float) -> float:
    value = (config.get(section) or {}).get(key, default)
    return float(value) if isinstance(value, int | float) else default


def scores(run: Run) -> Scores:
    """The company score and the department scores of a saved run (a game, a re-run, a run)."""
    summary, config = run.summary, run.config
    budget = _setting(config, "org", "inventory_budget_weeks", BUDGET_DEFAULT)
    salvage = _setting(config, "scenario", "salvage_share", SALVAGE_DEFAULT)
    lead_time = _setting(config, "scenario", "lead_time_mean_days", LEAD_TIME_DEFAULT)
    closing = closing_position(run.sku_daily, run.events, lead_time)
    charge, units = excess_stock_charge(closing, budget_weeks=budget, salvage_share=salvage)
    return from_parts(summary, run.events, run.warmup, charge=charge, units=units, budget_weeks=budget)


def from_parts(
    summary: dict[str, Any], events: pd.DataFrame, warmup: int, *, charge: float, units: float, budget_weeks: float
) -> Scores:
    """The scores from a summary, the event log and the excess stock charge (see :func:`scores`)."""
    profit = _number(summary, "operating_profit")
    days, cogs = _number(summary, "days"), _number(summary, "cogs")
    weekly_cogs = cogs * 7.0 / days if days > 0 else math.nan
    stock = _number(summary, "closing_stock_value")
    measured = events[(events["event"] == "order") & (events["day"] >= warmup)]
    return Scores(
        company=profit - charge,
        operating_profit=profit,
        excess_stock_charge=charge,
        excess_stock_units=units,
        purchasing_savings=-_number(summary, "purchase_price_variance"),
        stock_weeks=stock / weekly_cogs if weekly_cogs > 0 else math.nan,
        budget_weeks=budget_weeks,
        sales_bookings=float(measured["value"].sum()),
    )
