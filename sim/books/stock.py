"""Goods on hand, owed to customers, and on order, per SKU.

Every unit is accounted for: ``opening + received == shipped + on_hand + written_off``;
every unit a customer ordered is shipped, still owed or cancelled; every unit put on
order is received or still on order.
"""

from collections import deque

from sim.books.ageing import StockAges
from sim.books.orders import OrderLine


class Stock:
    """Counts per SKU, the stock value at standard cost, and the backorder queues."""

    def __init__(self, opening: list[int], standard_cost_cents: list[int], ageing: bool = False) -> None:
        n = len(opening)
        self.ages = StockAges(opening) if ageing else None  # how old the shelf is (where stock can age out)
        self.standard_cost_cents = standard_cost_cents
        self.opening = list(opening)
        self.on_hand = list(opening)
        self.received = [0] * n
        self.shipped = [0] * n
        self.written_off = [0] * n
        self.backordered = [0] * n  # units owed to customers, still open
        self.on_order = [0] * n  # units ordered from suppliers, not yet received
        self.backorder_queue: list[deque[OrderLine]] = [deque() for _ in range(n)]
        self.value_cents = sum(q * c for q, c in zip(opening, standard_cost_cents, strict=True))

    def inventory_position(self, sku: int) -> int:
        """On hand plus on order minus owed: what an order-up-to policy tops up."""
        return self.on_hand[sku] + self.on_order[sku] - self.backordered[sku]

    def take(self, sku: int, wanted: int) -> int:
        """Remove up to ``wanted`` units from the shelf; return how many were taken.

        ``OrderToCash.take_order`` does the same inline (the hottest loop of a run): change both.
        """
        on_hand = self.on_hand[sku]
        taken = wanted if wanted < on_hand else on_hand
        if taken <= 0:
            return 0
        self.on_hand[sku] = on_hand - taken
        self.shipped[sku] += taken
        self.value_cents -= taken * self.standard_cost_cents[sku]
        if self.ages is not None:
            self.ages.take(sku, taken)
        return taken

    def put(self, sku: int, quantity: int, day: int = 0) -> None:
        """Shelve units received from a supplier on ``day``."""
        self.on_hand[sku] += quantity
        self.received[sku] += quantity
        self.on_order[sku] -= quantity
        self.value_cents += quantity * self.standard_cost_cents[sku]
        if self.ages is not None:
            self.ages.put(sku, quantity, day)

    def write_off(self, sku: int, units: int) -> int:
        """Take the oldest ``units`` off the shelf as obsolete; return their value at standard cost."""
        self.on_hand[sku] -= units
        self.written_off[sku] += units
        value = units * self.standard_cost_cents[sku]
        self.value_cents -= value
        if self.ages is not None:
            self.ages.take(sku, units)
        return value

    def restandardise(self, sku: int, cents: int) -> int:
        """A new standard cost for ``sku``; return the change in the value of what is on hand."""
        change = self.on_hand[sku] * (cents - self.standard_cost_cents[sku])
        self.standard_cost_cents[sku] = cents
        self.value_cents += change
        return change

    def owe(self, line: OrderLine) -> None:
        """Queue the unshipped rest of a line as a backorder."""
        self.backordered[line.sku] += line.open_quantity
        self.backorder_queue[line.sku].append(line)

    def goods_balance(self, sku: int) -> int:
        """Opening plus received minus shipped, on hand and written off: always zero."""
        return self.opening[sku] + self.received[sku] - self.shipped[sku] - self.on_hand[sku] - self.written_off[sku]
