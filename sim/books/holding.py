"""Holding cost: each day's closing stock value times the daily holding rate.

Stock value only changes when goods move, so the cost is accrued lazily: just
before a movement, every day since the last one is charged at the value that held
through it. No daily process is needed, and the total equals the daily definition
(whole cents are posted; the fraction is carried, never lost).
"""

from sim.books.ledger import Ledger
from sim.books.stock import Stock
from sim.output.recorder import Recorder


class HoldingCost:
    """Charges holding cost to the ledger for the days not yet charged."""

    def __init__(self, stock: Stock, ledger: Ledger, recorder: Recorder, rate_per_day: float) -> None:
        self.stock = stock
        self.ledger = ledger
        self.recorder = recorder
        self.rate_per_day = rate_per_day
        self.charged_until = 0  # first day whose cost is not yet booked
        self._carry = 0.0

    def accrue(self, now: float) -> None:
        """Charge the days before today; call before any stock movement."""
        day = int(now)
        if day > self.charged_until:
            self._charge(now, day)

    def settle(self, end_day: int) -> None:
        """Charge every day before ``end_day`` (at the end of a run or a step)."""
        if end_day > self.charged_until:
            self._charge(float(end_day), end_day)

    def _charge(self, now: float, day: int) -> None:
        days = day - self.charged_until
        self._carry += self.stock.value_cents * self.rate_per_day * days
        cents = int(self._carry)
        self._carry -= cents
        self.charged_until = day
        if cents:
            self.ledger.post("holding", "cash", cents)
            self.recorder.log((now, "holding_cost", "warehouse", -1, -1, -1, days, cents, ""))
