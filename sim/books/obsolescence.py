"""Obsolete stock: what is older than its shelf life is sold off for salvage and written off.

Slow sellers and oversized lots leave stock that ages. Each month the units older than
the shelf life are taken off the shelf, sold for a salvage share of their standard cost,
and the rest of their cost is written off. At the end of a run the closing stock is
valued as a finance director would at a year end: the units that will age out before
the SKU's demand sells them are provided for at the same loss. Stock bought in the last
weeks that the business cannot sell thus costs what it would cost.
"""

from sim.books.ledger import Ledger
from sim.books.stock import Stock
from sim.output import events
from sim.output.recorder import Recorder

WRITE_OFF, STOCK_PROVISION = events.code("write_off"), events.code("stock_provision")


class Obsolescence:
    """Writes off aged stock and provides for closing stock that will age out unsold."""

    def __init__(
        self, stock: Stock, ledger: Ledger, recorder: Recorder, shelf_life_days: int, salvage_share: float
    ) -> None:
        assert stock.ages is not None, "ageing needs the stock's layers"
        self.stock = stock
        self.ages = stock.ages
        self.ledger = ledger
        self.recorder = recorder
        self.shelf_life_days = shelf_life_days
        self.salvage_share = salvage_share
        self._warehouse = recorder.name("warehouse")

    def write_off_aged(self, now: float) -> None:
        """Take every unit older than the shelf life off the shelf, at salvage."""
        day = int(now)
        cutoff = day - self.shelf_life_days
        recorder = self.recorder
        for sku in range(len(self.stock.on_hand)):
            units = self.ages.older_than(sku, cutoff + 1)
            if units <= 0:
                continue
            standard = self.stock.write_off(sku, units)
            salvage = round(standard * self.salvage_share)
            self.ledger.post("writeoff", "inventory", standard)
            self.ledger.post("cash", "writeoff", salvage)
            detail = recorder.text(f"received before day {cutoff + 1}, sold for salvage")
            recorder.flow(now, WRITE_OFF, self._warehouse, sku, -1, -1, units, standard - salvage, detail=detail)

    def provide(self, now: float, daily_rates: list[float]) -> None:
        """Year end: provide for the closing stock each SKU's demand will not sell before it ages out."""
        day = int(now)
        recorder, costs = self.recorder, self.stock.standard_cost_cents
        for sku, rate in enumerate(daily_rates):
            units = self.ages.expiring_unsold(sku, day, self.shelf_life_days, rate)
            if units <= 0:
                continue
            loss = round(units * costs[sku] * (1.0 - self.salvage_share))
            self.ledger.post("writeoff", "stock_provision", loss)
            detail = recorder.text(f"{units} units will age out unsold at {rate:.1f} a day")
            recorder.flow(now, STOCK_PROVISION, self._warehouse, sku, -1, -1, units, loss, detail=detail)
