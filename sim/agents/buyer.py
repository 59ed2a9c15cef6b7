"""Buyers: they plan on their own demand statistics and replenish their SKUs."""

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import mesa
import simpy

from sim.behaviour.forecasting import MovingWindow
from sim.behaviour.replenishment import order_quantity, order_up_to_level
from sim.behaviour.supplier_choice import cheapest
from sim.clock import REVIEW, day_of
from sim.world import BuyerSpec, order_up_to_cover

if TYPE_CHECKING:
    from sim.model import SalesPurchasingModel


class Buyer(mesa.Agent):
    """Reviews its SKUs periodically and orders up to S from the chosen supplier."""

    model: "SalesPurchasingModel"

    def __init__(self, model: "SalesPurchasingModel", spec: BuyerSpec) -> None:
        super().__init__(model)
        self.spec = spec
        self.label = f"buyer {spec.index}"
        self.history = {sku: MovingWindow(spec.forecast_window_days) for sku in spec.skus}
        self.observed_until = 0  # first day not yet in the buyer's statistics
        self.process = model.env.process(self._reviewing())

    def observe(self, today: int) -> None:
        """Every full day of orders since the last review enters the buyer's statistics."""
        daily = self.model.order_to_cash.daily_demand
        for sku, window in self.history.items():
            orders = daily[sku]
            for day in range(self.observed_until, today):
                window.push(orders[day])
        self.observed_until = today

    def planned_daily_mean(self, sku: int) -> float:
        """The daily demand the buyer plans on: known, or its own moving average."""
        known = self.spec.known_daily_mean
        if known is not None:
            return known
        return self.history[sku].mean(prior=self.model.world.skus[sku].expected_daily_units)

    def planned_daily_sd(self, sku: int, mean: float) -> float:
        known = self.spec.known_daily_sd
        if known is not None:
            return known
        return self.history[sku].sd(prior=mean**0.5)

    def review(self, now: float) -> None:
        """One periodic review: for each SKU, order up to S if the position is below it."""
        model = self.model
        day = day_of(now)
        self.observe(day)
        for sku in self.spec.skus:
            mean = self.planned_daily_mean(sku)
            model.recorder.signal(now, "planned_forecast", sku, mean)
            supplier = model.suppliers[cheapest(model.world.skus[sku].suppliers, model.price_index[sku])]
            cover = order_up_to_cover(supplier.spec.lead_time_mean_days, self.spec.review_period_days)
            level = order_up_to_level(mean, self.planned_daily_sd(sku, mean), cover, self.spec.safety_z)
            units = order_quantity(level, model.stock.inventory_position(sku))
            if units > 0:
                due = day + round(supplier.spec.lead_time_mean_days)
                price = supplier.spec.unit_price_cents[sku]
                po = model.procure_to_pay.place(now, self.spec.index, self.label,
                                                supplier.spec.index, sku, units, price, due)
                supplier.accept(po)

    def _reviewing(self) -> Generator[simpy.Event, Any, None]:
        env = self.model.env
        yield env.timeout(self.spec.first_review_day + REVIEW)
        while True:
            self.review(env.now)
            yield env.timeout(self.spec.review_period_days)
