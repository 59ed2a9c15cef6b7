"""Systems integration (CRM/ERP): each side sees the other's data.

Sales sees available-to-promise stock and inbound orders, so its delivery promises
follow what can be shipped (:meth:`SystemsIntegration.stock_view`); purchasing sees the
CRM pipeline (the reps' own expectations, before padding; :meth:`pipeline_quality`) and
the promotion calendar (:meth:`on_promotion`). Data arrive after a latency, a share of it
is wrong (data quality), and only covered staff are connected.
"""

import math
from collections.abc import Callable, Generator, Sequence
from typing import Any, ClassVar

import numpy as np
import simpy
from pydantic import Field

from sim.books.campaigns import Promotion
from sim.books.money import cents
from sim.clock import FORECAST
from sim.policies.base import LeverParams, Policy
from sim.ports import Colleague, LeverPort, StockView
from sim.specs import OrderAnnouncement


class SystemsIntegrationParams(LeverParams):
    """Coverage, latency and quality of the shared data, and what it costs."""

    coverage: float = Field(default=1.0, ge=0, le=1, description="share of reps and buyers connected")
    latency_days: int = Field(default=1, ge=0, le=365)
    data_quality: float = Field(default=0.9, ge=0, le=1, description="share of records that are right")
    licence_per_month: float = Field(default=4000.0, ge=0, le=1e8, description="currency per month, with upkeep")


class StockSnapshot:
    """Stock and inbound orders as the ERP last synchronised them (every latency days)."""

    def __init__(self, live: StockView, skus: int) -> None:
        self.live = live
        self.skus = skus
        self.refresh()

    def refresh(self) -> None:
        live = self.live
        self.on_hand = list(live.on_hand)
        self.backordered = list(live.backordered)
        self._inbound = [live.inbound(sku) for sku in range(self.skus)]

    def inbound(self, sku: int) -> list[tuple[int, int]]:
        return self._inbound[sku]


class SystemsIntegration(Policy):
    """What each department knows changes; nothing else does."""

    name: ClassVar[str] = "systems_integration"
    Params = SystemsIntegrationParams
    params: SystemsIntegrationParams

    @property
    def active(self) -> bool:
        return self.params.coverage > 0

    def attach(self, company: LeverPort) -> None:
        self._company = company
        rng = company.streams.generator("policy:systems_integration")
        self._quality_rng = company.streams.generator("policy:systems_integration:quality")
        self._reps = {rep.label for rep in self._covered(company.reps, rng)}
        self._buyers = {buyer.label for buyer in self._covered(company.buyers, rng)}
        self._view: StockView = company.live_stock
        if self.params.latency_days > 0:
            snapshot = StockSnapshot(company.live_stock, len(company.world.skus))
            self._view = snapshot
            self.every(company, self.params.latency_days, 0.0, lambda _now: snapshot.refresh())
        licence = cents(self.params.licence_per_month, "policy.systems_integration.licence_per_month")
        self.every(company, 30, 0.0625, lambda _now: self.charge(company, licence, "licence and upkeep"))

    def _covered(self, staff: Sequence[Colleague], rng: np.random.Generator) -> list[Colleague]:
        count = math.ceil(self.params.coverage * len(staff))
        order = rng.permutation(len(staff))
        return [staff[i] for i in sorted(order[:count].tolist())]

    # -- hooks ---------------------------------------------------------------------------------

    def stock_view(self, rep: Colleague) -> StockView | None:
        """A connected rep promises from the ERP's stock and inbound orders."""
        return self._view if rep.label in self._reps else None

    def promise_from_stock(self, rep: Colleague) -> bool:
        """A share of the records a rep looks up is wrong; it then promises what was asked."""
        return rep.label in self._reps and bool(self._quality_rng.random() < self.params.data_quality)

    def pipeline_quality(self, buyer: Colleague) -> float | None:
        """A connected buyer sees the CRM pipeline, a share of it right."""
        return self.params.data_quality if buyer.label in self._buyers else None

    def in_crm(self, rep: Colleague) -> bool:
        """Only connected reps' own expectations are in the CRM."""
        return rep.label in self._reps

    def on_promotion(self, promotion: Promotion) -> None:
        """A campaign entered in the CRM reaches purchasing after the latency."""
        company = self._company
        if company.reps[promotion.rep].label in self._reps:
            self._after_latency(lambda: company.inform_purchasing(promotion, self.name))

    def on_announcement(self, announced: OrderAnnouncement) -> None:
        """An order an account announced, entered in the CRM by its rep, reaches purchasing after the latency."""
        company = self._company
        if company.reps[announced.rep].label in self._reps:
            self._after_latency(lambda: company.inform_of_order(announced, self.name))

    def on_launch_plan(self, sku: int) -> None:
        """A launch plan entered in the CRM reaches purchasing after the latency."""
        company = self._company
        self._after_latency(lambda: company.inform_of_launch(sku, self.name))

    def _after_latency(self, action: Callable[[], None]) -> None:
        env = self._company.env

        def later() -> Generator[simpy.Event, Any, None]:
            yield env.timeout(self.params.latency_days + FORECAST - (env.now - int(env.now)))
            action()

        self._company.process(later())
