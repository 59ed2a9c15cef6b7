"""How old the stock on the shelf is: receipts kept as layers, shipped first in, first out.

A layer is the day a lot arrived and how many of its units are left. Shipments take
the oldest units first, so what stays longest on the shelf is what a slow seller or an
oversized lot left behind, and it can be written off once it is older than its shelf life.
"""

from collections import deque


class StockAges:
    """Per SKU, the units on the shelf by the day they arrived (oldest first)."""

    def __init__(self, opening: list[int]) -> None:
        self.layers: list[deque[list[int]]] = [deque([[0, units]]) if units else deque() for units in opening]

    def put(self, sku: int, units: int, day: int) -> None:
        """Units arrived on ``day``."""
        layers = self.layers[sku]
        if layers and layers[-1][0] == day:
            layers[-1][1] += units
        else:
            layers.append([day, units])

    def take(self, sku: int, units: int) -> None:
        """Units left the shelf: the oldest first."""
        layers = self.layers[sku]
        while units > 0:
            oldest = layers[0]
            if oldest[1] > units:
                oldest[1] -= units
                return
            units -= oldest[1]
            layers.popleft()

    def older_than(self, sku: int, day: int) -> int:
        """Units of ``sku`` that arrived before ``day``."""
        total = 0
        for arrived, units in self.layers[sku]:
            if arrived >= day:
                break
            total += units
        return total

    def expiring_unsold(self, sku: int, today: int, shelf_life_days: int, daily_rate: float) -> int:
        """Units that will pass their shelf life before the SKU's demand, at ``daily_rate``, sells them."""
        expiring = 0.0
        on_shelf = 0
        for arrived, units in self.layers[sku]:
            on_shelf += units
            sold_before_expiry = daily_rate * max(0, arrived + shelf_life_days - today)
            expiring = max(expiring, on_shelf - sold_before_expiry)
        return round(expiring)
