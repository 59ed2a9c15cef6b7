"""Standard costs, reset at each year end to what buying costs now.

Inventory is carried at standard cost, and paying more or less than standard is
purchase price variance. A standard frozen at the first year's list would credit every
later year with the savings of all earlier negotiations; reset yearly, the variance
measures the year's own buying. The stock on hand is revalued at the new standards;
the difference is a revaluation in the profit and loss of the year that ends.
"""

from sim.books.ledger import Ledger
from sim.books.stock import Stock
from sim.output import events
from sim.output.recorder import Recorder


def reset(stock: Stock, ledger: Ledger, recorder: Recorder, now: float, prices_cents: list[int]) -> None:
    """Make ``prices_cents`` the standard costs and revalue the stock on hand at them."""
    for sku, cents in enumerate(prices_cents):
        if cents == stock.standard_cost_cents[sku]:
            continue
        change = stock.restandardise(sku, cents)
        if change:
            ledger.post("inventory", "revaluation", change)
        detail = f"standard cost now {cents / 100:,.2f}"
        recorder.record(events.Revaluation(now, "warehouse", sku, stock.on_hand[sku], change, cents, detail))
