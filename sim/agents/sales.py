"""Sales reps: they own accounts, watch their orders and submit a forecast."""

from collections import deque
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import mesa
import simpy

from sim.clock import FORECAST
from sim.world import RepSpec

if TYPE_CHECKING:
    from sim.model import SalesPurchasingModel


class SalesRep(mesa.Agent):
    """Submits, each planning period, a daily-rate forecast per SKU for its accounts.

    The silo rep's estimate is its accounts' average daily demand over its window;
    the submitted figure is that estimate (the place where incentives add a bias).
    """

    model: "SalesPurchasingModel"

    def __init__(self, model: "SalesPurchasingModel", spec: RepSpec, n_skus: int) -> None:
        super().__init__(model)
        self.spec = spec
        self.label = f"rep {spec.index}"
        self.ordered = [0] * n_skus  # cumulative units ordered by the portfolio
        self.forecast = [0.0] * n_skus  # submitted, units per day
        self._history: deque[tuple[float, list[int]]] = deque()
        self.process = model.env.process(self._forecasting())

    def note_order(self, lines: list[tuple[int, int]]) -> None:
        """An account of the portfolio ordered these (sku, units)."""
        ordered = self.ordered
        for sku, units in lines:
            ordered[sku] += units

    def estimate(self, now: float) -> list[float]:
        """Average daily units over the window, from the portfolio's order history."""
        window = self.spec.forecast_window_days
        history = self._history
        history.append((now, self.ordered[:]))
        while len(history) > 1 and history[1][0] <= now - window:
            history.popleft()
        then, ordered_then = history[0]
        span = now - then
        if span <= 0:
            return [0.0] * len(self.ordered)
        return [(a - b) / span for a, b in zip(self.ordered, ordered_then, strict=True)]

    def _forecasting(self) -> Generator[simpy.Event, Any, None]:
        env = self.model.env
        period = self.spec.forecast_period_days
        yield env.timeout(FORECAST)
        while True:
            submitted = self.estimate(env.now)
            self.model.submit_sales_forecast(self, submitted)
            yield env.timeout(period)
