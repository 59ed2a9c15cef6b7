"""Periodic-review replenishment rules: order-up-to and (s, S)."""

import math


def order_up_to_level(daily_mean: float, daily_sd: float, cover_days: float, safety_z: float) -> float:
    """S = cover·m + z·σ·sqrt(cover): expected demand over lead time plus review, plus safety stock.

    Demand over the cover is taken as a sum of independent days (Chen et al. 2000;
    Silver, Pyke & Peterson 1998, ch. 7).
    """
    return cover_days * daily_mean + safety_z * daily_sd * math.sqrt(cover_days)


def order_quantity(order_up_to: float, inventory_position: int) -> int:
    """Units that bring the inventory position up to S, rounded; never negative."""
    gap = order_up_to - inventory_position
    return math.floor(gap + 0.5) if gap > 0 else 0


def reorder_quantity(reorder_point: float, lot_units: float, inventory_position: int) -> int:
    """(s, S): when the position is at or below s, order up to S = s + lot; else nothing."""
    if inventory_position > reorder_point:
        return 0
    return order_quantity(reorder_point + lot_units, inventory_position)
