"""What agents and levers may ask of the company: small Protocols instead of the whole model.

An agent sees its own spec and the port of its role (a buyer the purchasing desk, a rep
the sales desk, an account the order desk, a supplier the supply desk); a lever sees the
lever port, and the people it works on only through :class:`Colleague`. The model
implements every port; nothing below it imports the model. The hooks an agent may ask the
levers (:class:`LeverHooks`) are answered by the active levers together
(:mod:`sim.policies.hooks`), each lever overriding only the hooks it changes.
"""

from collections.abc import Generator, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import simpy

from sim.behaviour.supplier_choice import Offer
from sim.books.campaigns import Promotion
from sim.books.orders import ExpediteRequest, PurchaseOrder
from sim.books.stock import Stock
from sim.output.recorder import Recorder
from sim.specs import AccountSpec, OrderAnnouncement, SupplierSpec
from sim.streams import RandomStreams
from sim.world import World

SALES, PURCHASING = "sales", "purchasing"
"""The two departments (an agent's ``department``)."""


@dataclass(frozen=True, slots=True)
class Reward:
    """What a person is paid for beyond its own department's KPI.

    ``joint_weight`` is the share of the reward that is the joint KPI (0 in the silo, 1
    when fully shared); ``service_weight`` the share of service within the joint KPI.
    """

    joint_weight: float = 0.0
    service_weight: float = 0.0


SILO_REWARD = Reward()


# -- people in a seat (play mode) -----------------------------------------------------------


@dataclass(frozen=True)
class PromotionPlan:
    """A promotion a person in the sales seat decided: which SKUs, when, how deep, and when to tell purchasing.

    ``discount`` None runs the company's usual depth; ``notice_days`` set tells purchasing
    that many days before the start (at once if that day has passed), whatever ``notice`` says.
    """

    skus: tuple[int, ...]
    weeks_ahead: int
    notice: Literal["early", "late", "none"]
    discount: float | None = None
    notice_days: int | None = None


PromiseKind = Literal["ask", "stock", "buffer"]
RequestKind = Literal["key", "above", "none"]


@dataclass(frozen=True)
class PromiseRule:
    """How a person in a rep's seat promises delivery of a short line this week.

    ``ask``: the day the customer asks; ``stock``: the day stock and inbound orders can
    cover it (available to promise); ``buffer``: the day asked plus ``buffer_days``.
    """

    kind: PromiseKind
    buffer_days: int = 0


@dataclass(frozen=True)
class RequestRule:
    """Which short lines a person in a rep's seat asks purchasing to expedite this week.

    ``key``: key accounts' (the rep's usual rule); ``above``: any account's line short of
    more than ``min_units``; ``none``: none.
    """

    kind: RequestKind
    min_units: int = 0


class SalesSeat(Protocol):
    """A person in a rep's seat (play mode): on the days it decides, its forecast and promotions replace the rule's.

    Its promises and expedite requests are standing choices for the week that follows a
    decision (None where no decision is in force: the rep's own rule).
    """

    def decides(self, day: int) -> bool: ...

    def forecast_adjustment(self, day: int) -> float: ...

    def promotion(self, day: int) -> PromotionPlan | None: ...

    def promise_rule(self, day: int) -> PromiseRule | None: ...

    def request_rule(self, day: int) -> RequestRule | None: ...

    def note_forecast(self, day: int, submitted_units_per_day: float) -> None: ...


class OrderSeat(Protocol):
    """A person in the buyer's seat (play mode): on its decision days its orders and suppliers replace the rule's.

    Its answers to expedite requests are standing for the week that follows a decision
    (None where no decision is in force or it leaves the request to the buyer's rule).
    """

    def decides(self, day: int) -> bool: ...

    def order_units(self, sku: int, day: int, rule_units: int) -> int: ...

    def supplier(self, sku: int, day: int, rule_supplier: int) -> int: ...

    def expedite_answer(self, account: int, sku: int, premium_cents: float, day: int) -> bool | None: ...


class StockView(Protocol):
    """What sales can see of stock: live, or as an ERP last synchronised it."""

    on_hand: list[int]
    backordered: list[int]

    def inbound(self, sku: int) -> list[tuple[int, int]]: ...


class Account(Protocol):
    """A customer account as its rep sees it: who it is and how satisfied it is."""

    spec: AccountSpec
    satisfaction: float


class Colleague(Protocol):
    """A rep or a buyer, as levers and the other department see it."""

    label: str
    department: str
    understanding: float
    productivity: float

    def trust_in_other(self) -> float: ...

    def build_rapport(self, pull: float) -> None: ...

    def begin_rotation(self, productivity: float) -> None: ...

    def end_rotation(self, understanding_gained: float, trust_boost: float) -> None: ...

    def fade_understanding(self, keep: float) -> None: ...


class RepPort(Colleague, Protocol):
    """A sales rep as levers see it: its campaigns and its own expectations."""

    index: int
    promotions: list[Promotion]
    own_estimate: list[float]
    forecast: list[float]

    def commit_promotion(self, promotion: Promotion) -> None: ...

    def drop_promotion(self, promotion: Promotion) -> None: ...


class BuyerPort(Colleague, Protocol):
    """A buyer as levers see it: its SKUs, its own statistics, and expediting."""

    index: int
    skus: tuple[int, ...]

    def own_forecast(self, sku: int, day: int) -> float: ...

    def expedite_quote(self, request: ExpediteRequest, day: int) -> tuple[int, float]: ...

    def expedite(self, request: ExpediteRequest, supplier: int, premium_cents: int) -> None: ...


class LeverHooks(Protocol):
    """What agents ask the active levers (no lever: the silo's answer)."""

    show_stock: bool  # whether any lever may show a rep stock (otherwise none is asked)

    def reward(self, person: Colleague) -> Reward:
        """What ``person`` is rewarded for."""
        ...

    def check_promotion(self, promotion: Promotion) -> bool | None:
        """A planned promotion: True runs it, False drops it, None holds it for a later decision."""
        ...

    def on_promotion(self, promotion: Promotion) -> None:
        """A promotion was committed."""
        ...

    def on_escalation(self, request: ExpediteRequest) -> None:
        """A refused expedite was taken above purchasing's head."""
        ...

    def on_announcement(self, announced: OrderAnnouncement) -> None:
        """An account announced a large order to its rep."""
        ...

    def on_launch_plan(self, sku: int) -> None:
        """Sales has the plan of a product launch."""
        ...

    def stock_view(self, rep: Colleague) -> StockView | None:
        """The stock ``rep`` can see to promise delivery (None: none)."""
        ...

    def promise_from_stock(self, rep: Colleague) -> bool:
        """Whether the record ``rep`` looks up now is right (data quality)."""
        ...

    def pipeline_quality(self, buyer: Colleague) -> float | None:
        """Share of the CRM pipeline ``buyer`` sees that is right (None: it sees no pipeline)."""
        ...

    def in_crm(self, rep: Colleague) -> bool:
        """Whether ``rep``'s own expectations are in the CRM pipeline."""
        ...

    def consensus_forecast(self, sku: int) -> float | None:
        """A daily rate agreed above the departments (None: none)."""
        ...


class Company(Protocol):
    """What every agent may ask: the clock, the record, its random streams, the catalogue."""

    env: simpy.Environment
    recorder: Recorder
    streams: RandomStreams
    world: World
    list_price_cents: list[int]
    standard_cost_cents: list[int]
    levers: LeverHooks

    def process(self, generator: Generator[simpy.Event, Any, None]) -> None:
        """Run ``generator`` as a SimPy process (from the start of the run, if it has not started)."""
        ...


class SupplyDesk(Company, Protocol):
    """What a supplier may ask: to deliver goods of a purchase order."""

    def receive(self, now: float, po: PurchaseOrder, units: int) -> None: ...


class SupplierPort(Protocol):
    """A supplier as buyers see it: its terms, its standing, and taking orders."""

    label: str
    spec: SupplierSpec
    relationship: float

    def unit_price_cents(self, sku: int, units: int, day: int) -> int: ...

    def offer(self, sku: int, day: int) -> Offer: ...

    def current_relationship(self) -> float: ...

    def concede(self, price_cut: float, relationship_cost: float) -> None: ...

    def accept(self, po: PurchaseOrder) -> None: ...

    def expedite(self, po: PurchaseOrder) -> None: ...


class PurchasingDesk(Company, Protocol):
    """What a buyer may ask: stock, the order history, sales' numbers, suppliers, purchase orders."""

    stock: Stock
    demand_history: list[list[int]]  # units ordered per SKU and day (the ERP's order history)
    sales_forecast: list[float]  # the reps' submitted forecasts, summed, per SKU
    suppliers: Sequence[SupplierPort]

    def pipeline_forecast(self, sku: int) -> float: ...

    def place_order(
        self, now: float, buyer: int, agent: int, supplier: int, sku: int, units: int, price_cents: int, due: int
    ) -> PurchaseOrder: ...

    def pay_expediting(self, cents: int) -> None: ...

    def supplied_day(self, sku: int, today: int) -> int: ...

    def launch_known(self, sku: int) -> bool: ...


class SalesDesk(Company, Protocol):
    """What a rep may ask: to submit a forecast, to propose and announce promotions."""

    suppliers: Sequence[SupplierPort]
    live_stock: StockView

    def promise_days(
        self, rep: Colleague, lines: list[tuple[int, int, int]], requested: int, today: int
    ) -> list[int] | None: ...

    def available_to_promise(self, view: StockView, sku: int, units: int, requested: int, today: int) -> int: ...

    def submit_sales_forecast(self, rep: "RepPort", forecast: list[float]) -> None: ...

    def sales_team(self) -> Sequence[Any]: ...

    def next_promotion_id(self) -> int: ...

    def promotion_committed(self, promotion: Promotion) -> None: ...

    def inform_purchasing(self, promotion: Promotion, source: str) -> None: ...

    def promotion_surprise(self, promotion: Promotion) -> None: ...

    def announcement_number(self, announced: OrderAnnouncement) -> int: ...

    def inform_of_order(self, announced: OrderAnnouncement, source: str) -> None: ...

    def claim_allowance(self, promotion: Promotion, rep_label: str) -> None: ...


class OrderDesk(Company, Protocol):
    """What a customer account may ask: to order, a delivery promise, an expedite for its line."""

    def take_order(
        self,
        now: float,
        account: int,
        agent: int,
        lines: list[tuple[int, int, int]],
        requested_day: int,
        expires_day: int,
        promised_days: list[int] | None,
    ) -> dict[int, int] | None: ...

    def promise_days(
        self, rep: Colleague, lines: list[tuple[int, int, int]], requested: int, today: int
    ) -> list[int] | None: ...

    def request_expedite(self, rep: "RepPort", request: ExpediteRequest) -> None: ...


class LeverPort(Protocol):
    """What a lever may ask: the clock, its streams, the people, what the company knows, its costs."""

    env: simpy.Environment
    recorder: Recorder
    streams: RandomStreams
    world: World
    list_price_cents: list[int]
    standard_cost_cents: list[int]
    reps: Sequence[RepPort]
    buyers: Sequence[BuyerPort]
    live_stock: StockView

    def process(self, generator: Generator[simpy.Event, Any, None]) -> None: ...

    def staff(self) -> list[Colleague]: ...

    def backordered(self, sku: int) -> int: ...

    def lead_time_days(self, sku: int) -> float: ...

    def supplied_day(self, sku: int, today: int) -> int: ...

    def pipeline_forecast(self, sku: int) -> float: ...

    def inform_purchasing(self, promotion: Promotion, source: str) -> None: ...

    def inform_of_order(self, announced: OrderAnnouncement, source: str) -> None: ...

    def orders_unknown_to_purchasing(self, day: int) -> list[OrderAnnouncement]: ...

    def inform_of_launch(self, sku: int, source: str) -> None: ...

    def launches_unknown_to_purchasing(self, day: int) -> list[int]: ...

    def book_cost(self, account: str, cents: int) -> None: ...
