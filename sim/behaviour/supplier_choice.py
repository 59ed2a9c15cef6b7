"""Which supplier gets a purchase order."""

from collections.abc import Mapping, Sequence


def cheapest(candidates: Sequence[int], unit_price_cents: Mapping[int, int]) -> int:
    """The silo buyer's choice: the lowest unit price (ties to the lowest index)."""
    return min(candidates, key=lambda supplier: (unit_price_cents[supplier], supplier))
