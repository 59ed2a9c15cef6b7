"""Periodic-review replenishment rules."""

import math


def order_up_to_level(daily_mean: float, daily_sd: float, cover_days: float, safety_z: float) -> float:
    """S = cover·m + z·σ·sqrt(cover): expected demand over lead time plus review, plus safety stock.

    Demand over the cover is taken as a sum of independent days (Chen et al. 2000;
    Silver, Pyke & Peterson, ch. 7).
    """
    return cover_days * daily_mean + safety_z * daily_sd * math.sqrt(cover_days)


def order_quantity(order_up_to: float, inventory_position: int) -> int:
    """Units that bring the inventory position up to S, rounded; never negative."""
    gap = order_up_to - inventory_position
    return math.floor(gap + 0.5) if gap > 0 else 0
