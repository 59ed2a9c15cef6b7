"""The seat a person takes: the decisions they made, by day, handed to the agent whose role they play.

A seat decides only on the days it holds a decision for; on every other day (the
lead-in before the game, or past the weeks played) the agent's own rules decide. So
the same config and the same decisions re-simulate a game bit for bit, and a seat with
no decisions is the agents' own game.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from sim.ports import PromotionPlan

Role = Literal["buyer", "sales"]
ROLES: tuple[Role, ...] = ("buyer", "sales")
DECISION_COLUMNS = ("day", "seat", "sku", "field", "value")


@dataclass(frozen=True)
class BuyerDecision:
    """A week's order quantities, per SKU of the buyer's family (units)."""

    orders: dict[int, int]


@dataclass(frozen=True)
class SalesDecision:
    """A week's forecast (an adjustment of the rep's own estimate) and promotion plan."""

    forecast_adjustment: float  # 0.1 = submit 10% above what the rep expects
    promotion: PromotionPlan | None = None


Decision = BuyerDecision | SalesDecision


@dataclass
class Seat:
    """The decisions a person made in one seat, by day; the agent asks on its decision days."""

    label: str  # the agent's label, e.g. "buyer 1" or "rep 0"
    decisions: dict[int, Decision] = field(default_factory=dict)
    rule_units: dict[tuple[int, int], int] = field(default_factory=dict)  # what the buyer's rule would order

    def decides(self, day: int) -> bool:
        return day in self.decisions

    # -- the buyer's seat ------------------------------------------------------------------

    def order_units(self, sku: int, day: int, rule_units: int) -> int:
        self.rule_units[(day, sku)] = rule_units
        decision = self.decisions[day]
        assert isinstance(decision, BuyerDecision)
        return decision.orders.get(sku, 0)

    # -- a rep's seat ----------------------------------------------------------------------

    def forecast_adjustment(self, day: int) -> float:
        decision = self.decisions[day]
        assert isinstance(decision, SalesDecision)
        return decision.forecast_adjustment

    def promotion(self, day: int) -> PromotionPlan | None:
        decision = self.decisions[day]
        assert isinstance(decision, SalesDecision)
        return decision.promotion

    # -- as a table ------------------------------------------------------------------------

    def table(self) -> pd.DataFrame:
        """Every decision as rows (day, seat, sku, field, value); -1 where no SKU applies."""
        rows = list(self._rows())
        return pd.DataFrame(rows, columns=list(DECISION_COLUMNS)).astype(
            {"day": "int64", "seat": "string", "sku": "int64", "field": "string", "value": "float64"}
        )

    def _rows(self) -> Iterator[tuple[int, str, int, str, float]]:
        for day, decision in sorted(self.decisions.items()):
            if isinstance(decision, BuyerDecision):
                for sku, units in sorted(decision.orders.items()):
                    yield day, self.label, sku, "order_units", float(units)
                    if (day, sku) in self.rule_units:
                        yield day, self.label, sku, "rule_order_units", float(self.rule_units[(day, sku)])
                continue
            yield day, self.label, -1, "forecast_adjustment", decision.forecast_adjustment
            plan = decision.promotion
            if plan is not None:
                for sku in plan.skus:
                    yield day, self.label, sku, "promotion_sku", 1.0
                yield day, self.label, -1, "promotion_weeks_ahead", float(plan.weeks_ahead)
                yield day, self.label, -1, f"promotion_notice_{plan.notice}", 1.0


def decisions_from_table(table: pd.DataFrame) -> dict[int, Decision]:
    """The decisions a saved ``decisions.parquet`` holds (the inverse of :meth:`Seat.table`)."""
    decisions: dict[int, Decision] = {}
    for day, rows in table.groupby("day", sort=True):
        decisions[int(str(day))] = _decision(list(rows.itertuples(index=False)))
    return decisions


def _decision(rows: Iterable[object]) -> Decision:
    orders: dict[int, int] = {}
    adjustment: float | None = None
    skus: list[int] = []
    weeks, notice = 0, "early"
    for row in rows:
        name, sku, value = str(row.field), int(row.sku), float(row.value)  # type: ignore[attr-defined]
        if name == "order_units":
            orders[sku] = int(value)
        elif name == "forecast_adjustment":
            adjustment = value
        elif name == "promotion_sku":
            skus.append(sku)
        elif name == "promotion_weeks_ahead":
            weeks = int(value)
        elif name.startswith("promotion_notice_"):
            notice = name.removeprefix("promotion_notice_")
    if adjustment is None:
        return BuyerDecision(orders)
    plan = PromotionPlan(tuple(skus), weeks, notice) if skus else None  # type: ignore[arg-type]
    return SalesDecision(adjustment, plan)
