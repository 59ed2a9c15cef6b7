"""The seat a person takes: the decisions they made, by day, handed to the agent whose role they play.

A seat decides only on the days it holds a decision for; on every other day (the
lead-in before the game, or past the weeks played) the agent's own rules decide. So
the same config and the same decisions re-simulate a game bit for bit, and a seat with
no decisions is the agents' own game.

Some choices cannot wait for a decision day: expedite requests reach a buyer, and
customers ask a rep for delivery promises, on any day of the week. For those a decision
holds a standing answer that is in force for the week after its day (``period_days``):
the buyer's rule for requests (approve all, refuse all, approve up to a premium) with
answers per account and SKU over it, the rep's way of promising and of asking for
expedites. Being written before the week it governs, a standing answer re-simulates
exactly; a week with no decision is answered by the agent's rule.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal, get_args

import pandas as pd

from sim.ports import PromiseKind, PromiseRule, PromotionPlan, RequestKind, RequestRule

Role = Literal["buyer", "sales"]
ROLES: tuple[Role, ...] = ("buyer", "sales")
DECISION_COLUMNS = ("day", "seat", "sku", "field", "value")
NO_SKU = -1  # the ``sku`` of a row that applies to no one SKU
ExpediteKind = Literal["approve", "refuse", "up_to"]
EXPEDITE_KINDS: tuple[ExpediteKind, ...] = get_args(ExpediteKind)
PROMISE_KINDS: tuple[PromiseKind, ...] = get_args(PromiseKind)
REQUEST_KINDS: tuple[RequestKind, ...] = get_args(RequestKind)


@dataclass(frozen=True)
class ExpediteRule:
    """A buyer's standing answer to this week's expedite requests: all yes, all no, or yes up to a premium."""

    kind: ExpediteKind
    max_premium: float = 0.0  # currency units; only for ``up_to``


@dataclass(frozen=True)
class BuyerDecision:
    """A week's order quantities per SKU (units), and where it differs from the buyer's rule, suppliers and expedites.

    ``suppliers`` picks the supplier of an SKU's order (absent: the buyer's scorecard);
    ``expedites`` answers the week's requests (None: the buyer's own rule); ``answers``
    approves (True) or refuses (False) requests for an (account, SKU), over ``expedites``.
    """

    orders: dict[int, int]
    suppliers: dict[int, int] = field(default_factory=dict)
    expedites: ExpediteRule | None = None
    answers: dict[tuple[int, int], bool] = field(default_factory=dict)


@dataclass(frozen=True)
class SalesDecision:
    """A week's forecast (an adjustment of the rep's own estimate), promotion plan, promises and expedite requests.

    ``promises`` and ``requests`` None leave the week's promises and expedite requests to
    the rep's own rule.
    """

    forecast_adjustment: float  # 0.1 = submit 10% above what the rep expects
    promotion: PromotionPlan | None = None
    promises: PromiseRule | None = None
    requests: RequestRule | None = None


Decision = BuyerDecision | SalesDecision


@dataclass
class Seat:
    """The decisions a person made in one seat, by day; the agent asks on its decision days and through the week."""

    label: str  # the agent's label, e.g. "buyer 1" or "rep 0"
    decisions: dict[int, Decision] = field(default_factory=dict)
    rule_units: dict[tuple[int, int], int] = field(default_factory=dict)  # what the buyer's rule would order
    rule_suppliers: dict[tuple[int, int], int] = field(default_factory=dict)  # whom the buyer's scorecard picked
    forecasts: dict[int, float] = field(default_factory=dict)  # units a day the rep submitted, by decision day
    period_days: int = 7  # a decision's standing answers hold this long (a game's week)

    def decides(self, day: int) -> bool:
        return day in self.decisions

    def in_force(self, day: int) -> Decision | None:
        """The decision whose week ``day`` falls in (None: no decision covers it; the agent's rule)."""
        decisions = self.decisions
        for start in range(day, day - self.period_days, -1):
            decision = decisions.get(start)
            if decision is not None:
                return decision
        return None

    # -- the buyer's seat ------------------------------------------------------------------

    def order_units(self, sku: int, day: int, rule_units: int) -> int:
        self.rule_units[(day, sku)] = rule_units
        return self._buyer(day).orders.get(sku, 0)

    def supplier(self, sku: int, day: int, rule_supplier: int) -> int:
        """The supplier this week's order of ``sku`` goes to: the person's pick, else the scorecard's."""
        self.rule_suppliers[(day, sku)] = rule_supplier
        return self._buyer(day).suppliers.get(sku, rule_supplier)

    def expedite_answer(self, account: int, sku: int, premium_cents: float, day: int) -> bool | None:
        """Approve (True) or refuse (False) a request by the answers in force; None leaves it to the buyer's rule."""
        decision = self.in_force(day)
        if not isinstance(decision, BuyerDecision):
            return None
        answer = decision.answers.get((account, sku))
        if answer is not None:
            return answer
        rule = decision.expedites
        if rule is None:
            return None
        if rule.kind == "up_to":
            return premium_cents <= 100 * rule.max_premium
        return rule.kind == "approve"

    def _buyer(self, day: int) -> BuyerDecision:
        decision = self.decisions[day]
        assert isinstance(decision, BuyerDecision)
        return decision

    # -- a rep's seat ----------------------------------------------------------------------

    def forecast_adjustment(self, day: int) -> float:
        return self._sales(day).forecast_adjustment

    def promotion(self, day: int) -> PromotionPlan | None:
        return self._sales(day).promotion

    def promise_rule(self, day: int) -> PromiseRule | None:
        decision = self.in_force(day)
        return decision.promises if isinstance(decision, SalesDecision) else None

    def request_rule(self, day: int) -> RequestRule | None:
        decision = self.in_force(day)
        return decision.requests if isinstance(decision, SalesDecision) else None

    def note_forecast(self, day: int, submitted_units_per_day: float) -> None:
        """What the rep submitted on a decision day (for the seat's history; re-simulated, not saved)."""
        self.forecasts[day] = submitted_units_per_day

    def _sales(self, day: int) -> SalesDecision:
        decision = self.decisions[day]
        assert isinstance(decision, SalesDecision)
        return decision

    # -- as a table ------------------------------------------------------------------------

    def table(self) -> pd.DataFrame:
        """Every decision as rows (day, seat, sku, field, value); -1 where no SKU applies."""
        rows = list(self._rows())
        return pd.DataFrame(rows, columns=list(DECISION_COLUMNS)).astype(
            {"day": "int64", "seat": "string", "sku": "int64", "field": "string", "value": "float64"}
        )

    def _rows(self) -> Iterator[tuple[int, str, int, str, float]]:
        for day, decision in sorted(self.decisions.items()):
            rows = _buyer_rows(decision, day, self) if isinstance(decision, BuyerDecision) else _sales_rows(decision)
            for sku, name, value in rows:
                yield day, self.label, sku, name, value


def _buyer_rows(decision: BuyerDecision, day: int, seat: Seat) -> Iterator[tuple[int, str, float]]:
    for sku, units in sorted(decision.orders.items()):
        yield sku, "order_units", float(units)
        if (day, sku) in seat.rule_units:
            yield sku, "rule_order_units", float(seat.rule_units[(day, sku)])
    for sku, supplier in sorted(decision.suppliers.items()):
        yield sku, "supplier", float(supplier)
        if (day, sku) in seat.rule_suppliers:
            yield sku, "rule_supplier", float(seat.rule_suppliers[(day, sku)])
    if decision.expedites is not None:
        yield NO_SKU, f"expedite_rule_{decision.expedites.kind}", float(decision.expedites.max_premium)
    for (account, sku), approve in sorted(decision.answers.items()):
        yield sku, "expedite_approve" if approve else "expedite_refuse", float(account)


def _sales_rows(decision: SalesDecision) -> Iterator[tuple[int, str, float]]:
    yield NO_SKU, "forecast_adjustment", decision.forecast_adjustment
    plan = decision.promotion
    if plan is not None:
        for sku in plan.skus:
            yield sku, "promotion_sku", 1.0
        yield NO_SKU, "promotion_weeks_ahead", float(plan.weeks_ahead)
        yield NO_SKU, f"promotion_notice_{plan.notice}", 1.0
        if plan.discount is not None:
            yield NO_SKU, "promotion_discount", plan.discount
        if plan.notice_days is not None:
            yield NO_SKU, "promotion_notice_days", float(plan.notice_days)
    if decision.promises is not None:
        yield NO_SKU, f"promise_{decision.promises.kind}", float(decision.promises.buffer_days)
    if decision.requests is not None:
        yield NO_SKU, f"expedite_request_{decision.requests.kind}", float(decision.requests.min_units)


def decisions_from_table(table: pd.DataFrame) -> dict[int, Decision]:
    """The decisions a saved ``decisions.parquet`` holds (the inverse of :meth:`Seat.table`).

    A table saved before a field existed simply lacks its rows: that choice was the agent's rule.
    """
    decisions: dict[int, Decision] = {}
    for day, rows in table.groupby("day", sort=True):
        decisions[int(str(day))] = _decision(list(rows.itertuples(index=False)))
    return decisions


def _decision(rows: Iterable[object]) -> Decision:
    cells = [(str(row.field), int(row.sku), float(row.value)) for row in rows]  # type: ignore[attr-defined]
    if any(name == "forecast_adjustment" for name, _, _ in cells):
        return _sales_decision(cells)
    return _buyer_decision(cells)


def _buyer_decision(cells: list[tuple[str, int, float]]) -> BuyerDecision:
    orders: dict[int, int] = {}
    suppliers: dict[int, int] = {}
    answers: dict[tuple[int, int], bool] = {}
    rule: ExpediteRule | None = None
    for name, sku, value in cells:
        if name == "order_units":
            orders[sku] = int(value)
        elif name == "supplier":
            suppliers[sku] = int(value)
        elif name in ("expedite_approve", "expedite_refuse"):
            answers[(int(value), sku)] = name == "expedite_approve"
        elif name.startswith("expedite_rule_"):
            kind = _choice(name.removeprefix("expedite_rule_"), EXPEDITE_KINDS, name)
            rule = ExpediteRule(kind, value)
    return BuyerDecision(orders, suppliers, rule, answers)


def _sales_decision(cells: list[tuple[str, int, float]]) -> SalesDecision:
    adjustment = 0.0
    skus: list[int] = []
    weeks, notice = 0, "early"
    discount: float | None = None
    notice_days: int | None = None
    promises: PromiseRule | None = None
    requests: RequestRule | None = None
    for name, sku, value in cells:
        if name == "forecast_adjustment":
            adjustment = value
        elif name == "promotion_sku":
            skus.append(sku)
        elif name == "promotion_weeks_ahead":
            weeks = int(value)
        elif name == "promotion_discount":
            discount = value
        elif name == "promotion_notice_days":
            notice_days = int(value)
        elif name.startswith("promotion_notice_"):
            notice = name.removeprefix("promotion_notice_")
        elif name.startswith("promise_"):
            promises = PromiseRule(_choice(name.removeprefix("promise_"), PROMISE_KINDS, name), int(value))
        elif name.startswith("expedite_request_"):
            requests = RequestRule(_choice(name.removeprefix("expedite_request_"), REQUEST_KINDS, name), int(value))
    plan = PromotionPlan(tuple(skus), weeks, notice, discount, notice_days) if skus else None  # type: ignore[arg-type]
    return SalesDecision(adjustment, plan, promises, requests)


def _choice[T: str](text: str, allowed: tuple[T, ...], name: str) -> T:
    for kind in allowed:
        if text == kind:
            return kind
    raise ValueError(f"decision field {name!r}: {text!r} is not one of {', '.join(allowed)}")
