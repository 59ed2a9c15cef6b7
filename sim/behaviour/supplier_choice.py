"""Which supplier gets a purchase order: a score over what the buyer cares about."""

from collections.abc import Sequence
from dataclasses import dataclass

from sim.behaviour.incentives import SupplierWeights


@dataclass(frozen=True, slots=True)
class Offer:
    """A supplier's terms for one SKU as the buyer sees them."""

    supplier: int
    unit_price: float
    lead_time_days: float
    reliability: float  # on-time probability
    relationship: float  # 0..1


def best_offer(
    offers: Sequence[Offer],
    weights: SupplierWeights,
    joint_weight: float = 0.0,
    holding_rate_per_day: float = 0.0,
    lateness_days: float = 0.0,
) -> int:
    """The supplier with the highest score (ties to the lowest index).

    The buyer's own score: price and lead time relative to the best offer (10% dearer
    costs as much as a full point of reliability at equal weights), reliability and
    relationship as they are. The company's score is its total cost of a unit
    (:func:`landed_cost`), relative to the lowest, on the price's scale. A joint KPI of
    weight ``joint_weight`` blends the two.
    """
    if len(offers) == 1:
        return offers[0].supplier
    # prices are whole cents: a price that negotiations wore down to 0 compares as 1 cent
    cheapest = max(1.0, min(o.unit_price for o in offers))
    fastest = max(1.0, min(o.lead_time_days for o in offers))
    costs = [landed_cost(o, holding_rate_per_day, lateness_days) for o in offers]
    lowest = max(1.0, min(costs))

    def score(item: tuple[Offer, float]) -> tuple[float, int]:
        offer, cost = item
        own = (
            -weights.price * 10.0 * (offer.unit_price / cheapest - 1.0)
            - weights.lead_time * (offer.lead_time_days / fastest - 1.0)
            + weights.reliability * offer.reliability
            + weights.relationship * offer.relationship
        )
        company = -10.0 * (cost / lowest - 1.0)
        return (-((1.0 - joint_weight) * own + joint_weight * company), offer.supplier)

    return min(zip(offers, costs, strict=True), key=score)[0].supplier


def landed_cost(offer: Offer, holding_rate_per_day: float, lateness_days: float) -> float:
    """What a unit costs the company from this supplier: its price and the capital in the pipeline.

    The capital is tied up while the unit is on its way (the quoted lead time and the expected
    lateness, ``(1 - reliability) x lateness_days``), at the holding rate (Silver, Pyke &
    Peterson 1998, total cost of an order source). Safety stock grows with lead-time
    uncertainty too, but only as its square root: the pipeline term dominates.
    """
    days_in_pipeline = offer.lead_time_days + (1.0 - offer.reliability) * lateness_days
    return offer.unit_price * (1.0 + holding_rate_per_day * days_in_pipeline)
