"""Holding cost: each day's closing stock value times the daily holding rate.

Stock value only changes when goods move, so the cost is accrued lazily: just
before a movement, every day since the last one is charged at the value that held
through it. No daily process is needed, and the total equals the daily definition.
The accrual is posted to the ledger once a week (and when a run ends or pauses):
whole cents are posted, the fraction is carried, never lost.
"""

from sim.books.ledger import Ledger
from sim.books.stock import Stock
from sim.output import events
from sim.output.recorder import Recorder

POSTING_DAYS = 7  # post the accrued holding cost weekly
HOLDING_COST = events.code("holding_cost")


class HoldingCost:
    """Charges holding cost to the ledger for the days not yet charged."""

    def __init__(self, stock: Stock, ledger: Ledger, recorder: Recorder, rate_per_day: float) -> None:
        self.stock = stock
        self.ledger = ledger
        self.recorder = recorder
        self.rate_per_day = rate_per_day
        self.charged_until = 0  # first day whose cost is not yet accrued
        self._carry = 0.0  # accrued, not yet posted, in cents
        self._posted_until = 0  # first day whose accrual is not yet posted

    def accrue(self, now: float) -> None:
        """Charge the days before today; call before any stock movement."""
        day = int(now)
        if day > self.charged_until:
            self._charge(now, day)

    def settle(self, end_day: int) -> None:
        """Charge and post every day before ``end_day`` (at the end of a run or a step)."""
        if end_day > self.charged_until:
            self._charge(float(end_day), end_day)
        self._post(float(end_day), end_day)

    def _charge(self, now: float, day: int) -> None:
        self._carry += self.stock.value_cents * self.rate_per_day * (day - self.charged_until)
        self.charged_until = day
        if day - self._posted_until >= POSTING_DAYS:
            self._post(now, day)

    def _post(self, now: float, day: int) -> None:
        cents = int(self._carry)
        if cents:
            self._carry -= cents
            self.ledger.post("holding", "cash", cents)
            recorder = self.recorder
            detail = recorder.text(f"days {self._posted_until} to {day - 1}")
            days = day - self._posted_until
            recorder.flow(now, HOLDING_COST, recorder.name("warehouse"), -1, -1, -1, days, cents, detail=detail)
        self._posted_until = day
