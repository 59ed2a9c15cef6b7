"""Systems integration (CRM/ERP): each side sees the other's data.

Sales sees available-to-promise stock and inbound orders, so its delivery promises
follow what can be shipped; purchasing sees the CRM pipeline (the reps' own
expectations, before padding) and the promotion calendar. Data arrive after a
latency, a share of it is wrong (data quality), and only covered staff are connected.
"""

import math
from collections.abc import Generator
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import simpy
from pydantic import Field

from sim.behaviour.promotions import Promotion
from sim.clock import FORECAST
from sim.policies.base import LeverParams, Policy

if TYPE_CHECKING:
    from sim.model import SalesPurchasingModel


class SystemsIntegrationParams(LeverParams):
    """Coverage, latency and quality of the shared data, and what it costs."""

    coverage: float = Field(default=1.0, ge=0, le=1, description="share of reps and buyers connected")
    latency_days: int = Field(default=1, ge=0)
    data_quality: float = Field(default=0.9, ge=0, le=1, description="share of records that are right")
    licence_per_month: float = Field(default=4000.0, ge=0, description="currency per month, with upkeep")


class StockSnapshot:
    """Stock and inbound orders as the ERP last synchronised them (every latency days)."""

    def __init__(self, model: "SalesPurchasingModel") -> None:
        self.model = model
        self.refresh()

    def refresh(self) -> None:
        stock, procurement = self.model.stock, self.model.procure_to_pay
        self.on_hand = list(stock.on_hand)
        self.backordered = list(stock.backordered)
        self._inbound = [procurement.inbound(sku) for sku in range(len(stock.on_hand))]

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

    def attach(self, model: "SalesPurchasingModel") -> None:
        rng = model.streams.generator("policy:systems_integration")
        self._quality_rng = model.streams.generator("policy:systems_integration:quality")
        reps = self._covered(list(model.reps), rng)
        buyers = self._covered(list(model.buyers), rng)
        for rep in model.reps:
            rep.in_crm = rep in reps
        for rep in reps:
            rep.sees_stock = True
        for buyer in buyers:
            buyer.sees_pipeline = True
            buyer.pipeline_quality = self.params.data_quality
        covered = {rep.spec.index for rep in reps}
        if self.params.latency_days > 0:
            snapshot = StockSnapshot(model)
            model.stock_view = snapshot
            self.every(model, self.params.latency_days, 0.0, lambda _now: snapshot.refresh())
        model.promise_filters.append(lambda rep: rep.spec.index in covered and self._record_right())
        model.promotion_listeners.append(lambda promotion: self._publish(model, promotion, covered))
        self.every(
            model,
            30,
            0.0625,
            lambda _now: self.charge(model, round(self.params.licence_per_month * 100), "licence and upkeep"),
        )

    def _covered(self, staff: list[Any], rng: np.random.Generator) -> list[Any]:
        count = math.ceil(self.params.coverage * len(staff))
        order = rng.permutation(len(staff))
        return [staff[i] for i in sorted(order[:count].tolist())]

    def _record_right(self) -> bool:
        return bool(self._quality_rng.random() < self.params.data_quality)

    def _publish(self, model: "SalesPurchasingModel", promotion: Promotion, covered: set[int]) -> None:
        """A campaign entered in the CRM reaches purchasing after the latency."""
        if promotion.rep not in covered:
            return
        env = model.env

        def later() -> Generator[simpy.Event, Any, None]:
            yield env.timeout(self.params.latency_days + FORECAST - (env.now - int(env.now)))
            model.inform_purchasing(promotion, self.name)

        env.process(later())
