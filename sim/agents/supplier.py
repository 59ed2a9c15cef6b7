"""Suppliers: they ship purchase orders within capacity, on their own lead times."""

from collections import deque
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import mesa
import numpy as np
import simpy

from sim.books.orders import PurchaseOrder
from sim.clock import DISPATCH, RECEIVE, day_of
from sim.world import SupplierSpec

if TYPE_CHECKING:
    from sim.model import SalesPurchasingModel


class Supplier(mesa.Agent):
    """Ships what capacity allows each day; goods arrive after that day's lead time.

    Lead time, lateness and short shipment are drawn per dispatch day in advance from
    the supplier's own stream: exogenous, identical whatever the company orders.
    """

    model: "SalesPurchasingModel"

    def __init__(
        self, model: "SalesPurchasingModel", spec: SupplierSpec, rng: np.random.Generator, days: int
    ) -> None:
        super().__init__(model)
        self.spec = spec
        self.label = f"supplier {spec.index}"
        floor = min(1, round(spec.lead_time_mean_days))
        lead = np.rint(rng.normal(spec.lead_time_mean_days, spec.lead_time_sd_days, days))
        late = rng.random(days) >= spec.on_time_probability
        delay = 1 + rng.poisson(max(spec.late_days_mean - 1.0, 0.0), days)
        self.transit_days = (np.maximum(lead, floor) + np.where(late, delay, 0)).astype(int).tolist()
        self.short_shipped = (rng.random(days) >= spec.in_full_probability).tolist()
        self.backlog: deque[list[Any]] = deque()  # [purchase order, units not yet shipped]
        if spec.capacity_per_day is not None:
            self.process = model.env.process(self._dispatching(spec.capacity_per_day))

    def accept(self, po: PurchaseOrder) -> None:
        """Take a purchase order: ship at once if capacity is unlimited, else queue it."""
        if self.spec.capacity_per_day is None:
            self._ship(po, po.quantity)
        else:
            self.backlog.append([po, po.quantity])

    def _ship(self, po: PurchaseOrder, units: int) -> None:
        env = self.model.env
        day = day_of(env.now)
        index = min(day, len(self.transit_days) - 1)
        arrival = day + self.transit_days[index]
        if self.short_shipped[index] and units > 1:
            rest = round(units * self.spec.short_ship_share)
            units -= rest
            self._deliver(po, rest, arrival + 1 + round(self.spec.late_days_mean))
        self._deliver(po, units, arrival)

    def _deliver(self, po: PurchaseOrder, units: int, day: int) -> None:
        env = self.model.env
        receive = self.model.procure_to_pay.receive
        arrival = env.timeout(max(0.0, day + RECEIVE - env.now))
        arrival.callbacks.append(lambda _event: receive(env.now, po, units))

    def _dispatching(self, capacity_per_day: float) -> Generator[simpy.Event, Any, None]:
        env = self.model.env
        yield env.timeout(DISPATCH)
        budget = 0.0
        while True:
            budget = min(budget + capacity_per_day, capacity_per_day + 1.0)
            backlog = self.backlog
            while backlog and budget >= 1.0:
                entry = backlog[0]
                units = min(entry[1], int(budget))
                self._ship(entry[0], units)
                budget -= units
                entry[1] -= units
                if entry[1] == 0:
                    backlog.popleft()
            yield env.timeout(1.0)
