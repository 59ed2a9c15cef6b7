"""Goods on hand, owed to customers, and on order, per SKU.

Every unit is accounted for: ``opening + received == shipped + on_hand + written_off``;
every unit a customer ordered is shipped, still owed or cancelled; every unit put on
order is received or still on order.
"""

from collections import deque

from sim.books.orders import OrderLine


class Stock:
    """Counts per SKU, the stock value at standard cost, and the backorder queues."""

    def __init__(self, opening: list[int], standard_cost_cents: list[int]) -> None:
        n = len(opening)
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
        """Remove up to ``wanted`` units from the shelf; return how many were taken."""
        on_hand = self.on_hand[sku]
        taken = wanted if wanted < on_hand else on_hand
        if taken <= 0:
            return 0
        self.on_hand[sku] = on_hand - taken
        self.shipped[sku] += taken
        self.value_cents -= taken * self.standard_cost_cents[sku]
        return taken

    def put(self, sku: int, quantity: int) -> None:
        """Shelve units received from a supplier."""
        self.on_hand[sku] += quantity
        self.received[sku] += quantity
        self.on_order[sku] -= quantity
        self.value_cents += quantity * self.standard_cost_cents[sku]

    def owe(self, line: OrderLine) -> None:
        """Queue the unshipped rest of a line as a backorder."""
        self.backordered[line.sku] += line.open_quantity
        self.backorder_queue[line.sku].append(line)

    def goods_balance(self, sku: int) -> int:
        """Opening plus received minus shipped, on hand and written off: always zero."""
        return self.opening[sku] + self.received[sku] - self.shipped[sku] - self.on_hand[sku] - self.written_off[sku]
