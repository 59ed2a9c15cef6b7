"""Suppliers: price lists with breaks, capacity shared with other customers, expediting."""

import math
from collections import deque
from collections.abc import Generator
from typing import Any

import numpy as np
import simpy
from mesa.agent import Agent

from sim.behaviour.supplier_choice import Offer
from sim.books.orders import PurchaseOrder
from sim.clock import DISPATCH, RECEIVE
from sim.ports import SupplyDesk
from sim.specs import SupplierSpec

OTHERS_RELATIONSHIP = 0.5  # the standing of the supplier's average other customer


class Supplier(Agent):
    """Ships what capacity allows each day; goods arrive after that day's lead time.

    Under scarcity (the company's backlog and other customers' load exceed capacity)
    capacity is shared in proportion to relationship-weighted claims, so a supplier
    that has been squeezed on price serves the company last. Lead time, lateness, short
    shipment and other customers' load are drawn per day in advance from the supplier's
    own stream: exogenous, identical whatever the company orders.
    """

    model: SupplyDesk

    def __init__(self, model: SupplyDesk, spec: SupplierSpec, rng: np.random.Generator, days: int) -> None:
        super().__init__(model)
        self.spec = spec
        self.label = f"supplier {spec.index}"
        floor = min(1, round(spec.lead_time_mean_days))
        lead = np.maximum(np.rint(rng.normal(spec.lead_time_mean_days, spec.lead_time_sd_days, days)), floor)
        late = rng.random(days) >= spec.on_time_probability
        delay = 1 + rng.poisson(max(spec.late_days_mean - 1.0, 0.0), days)
        transit = lead + np.where(late, delay, 0)
        self.short_shipped: list[bool] = (rng.random(days) >= spec.in_full_probability).tolist()
        sigma = math.sqrt(math.log1p(spec.other_customers_load_cv**2))
        load = spec.other_customers_load * rng.lognormal(-0.5 * sigma**2, sigma, days)
        capacity = np.full(days, spec.capacity_per_day or 0.0)
        if spec.disruption is not None:
            window = slice(spec.disruption.start_day, spec.disruption.end_day)
            transit[window] += spec.disruption.lead_time_extra_days
            capacity[window] *= spec.disruption.capacity_factor
        self.transit_days: list[int] = transit.astype(int).tolist()
        self.capacity: list[float] = capacity.tolist()
        self.others_load: list[float] = (load * (spec.capacity_per_day or 0.0)).tolist()
        self.relationship = spec.initial_relationship
        self.price_factor = 1.0  # what negotiations have taken off the list price
        self._relationship_day = 0.0
        self.backlog: deque[list[Any]] = deque()  # [purchase order, units not yet shipped]
        if spec.capacity_per_day is not None:
            model.process(self._dispatching())

    # -- terms ------------------------------------------------------------------------

    def unit_price_cents(self, sku: int, units: int, day: int) -> int:
        """Price per unit for an order of ``units`` placed on ``day`` (breaks, rises, deals)."""
        spec = self.spec
        price: float = spec.unit_price_cents[sku] * self.price_factor
        if spec.price_rise_day is not None and day >= spec.price_rise_day:
            price *= 1.0 + spec.price_rise_share
        if units >= spec.break_units.get(sku, math.inf):
            price *= 1.0 - spec.break_discount
        return round(price)

    def offer(self, sku: int, day: int) -> Offer:
        """The terms a buyer compares: list price, quoted lead time, reliability, standing."""
        return Offer(
            self.spec.index,
            self.unit_price_cents(sku, 1, day),
            self.spec.lead_time_mean_days,
            self.spec.on_time_probability,
            self.current_relationship(),
        )

    def current_relationship(self) -> float:
        """The relationship score, recovering slowly toward 1 since it was last hurt."""
        now = self.model.env.now
        rate = self.model.world.org.relationship_recovery_per_year / 365.0
        elapsed = now - self._relationship_day
        if elapsed > 0:
            self.relationship = 1.0 - (1.0 - self.relationship) * math.exp(-rate * elapsed)
            self._relationship_day = now
        return self.relationship

    def concede(self, price_cut: float, relationship_cost: float) -> None:
        """A buyer pressed for a lower price.

        A supplier that values the relationship gives more; the pressure is remembered.
        """
        relationship = self.current_relationship()
        self.price_factor *= 1.0 - price_cut * relationship
        self.relationship = max(0.0, relationship - relationship_cost)
        self.model.recorder.signal(self.model.env.now, "supplier_relationship", self.label, -1, self.relationship)

    # -- shipping ---------------------------------------------------------------------

    def accept(self, po: PurchaseOrder) -> None:
        """Take a purchase order: ship at once if capacity is unlimited, else queue it."""
        if self.spec.capacity_per_day is None:
            self._ship(po, po.quantity)
        else:
            self.backlog.append([po, po.quantity])

    def expedite(self, po: PurchaseOrder) -> None:
        """Premium freight from spot stock: outside capacity, on the short expedite lead time."""
        day = int(self.model.env.now)
        self._deliver(po, po.quantity, day + self.spec.expedite_lead_days)

    def _ship(self, po: PurchaseOrder, units: int) -> None:
        day = int(self.model.env.now)
        index = min(day, len(self.transit_days) - 1)
        arrival = day + self.transit_days[index]
        if self.short_shipped[index] and units > 1:
            rest = min(units - 1, round(units * self.spec.short_ship_share))
            if rest > 0:
                units -= rest
                self._deliver(po, rest, arrival + 1 + round(self.spec.late_days_mean))
        self._deliver(po, units, arrival)

    def _deliver(self, po: PurchaseOrder, units: int, day: int) -> None:
        po.expected_day = max(po.expected_day or 0, day)  # the shipping notice
        env = self.model.env
        receive = self.model.receive
        arrival = env.timeout(max(0.0, day + RECEIVE - env.now))
        arrival.callbacks.append(lambda _event: receive(env.now, po, units))

    def _dispatching(self) -> Generator[simpy.Event, Any, None]:
        env = self.model.env
        yield env.timeout(DISPATCH)
        last = len(self.capacity) - 1
        while True:
            day = min(int(env.now), last)
            backlog = self.backlog
            if backlog:
                self._dispatch(self._company_share(day))
            yield env.timeout(1.0)

    def _company_share(self, day: int) -> int:
        """Units the company gets today: all it asks while capacity lasts, else a share."""
        claim: int = sum(entry[1] for entry in self.backlog)
        capacity, others = self.capacity[day], self.others_load[day]
        if claim + others <= capacity:
            return claim
        weight = self.current_relationship() * claim
        share = weight / (weight + OTHERS_RELATIONSHIP * others) if weight > 0 else 0.0
        return min(claim, math.floor(capacity * share))

    def _dispatch(self, units: int) -> None:
        backlog = self.backlog
        while backlog and units > 0:
            entry = backlog[0]
            shipped = min(entry[1], units)
            self._ship(entry[0], shipped)
            units -= shipped
            entry[1] -= shipped
            if entry[1] == 0:
                backlog.popleft()
