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


def best_offer(offers: Sequence[Offer], weights: SupplierWeights) -> int:
    """The supplier with the highest score (ties to the lowest index).

    Price and lead time count relative to the best offer (10% dearer costs as much as
    a full point of reliability at equal weights); reliability and relationship as they are.
    """
    if len(offers) == 1:
        return offers[0].supplier
    cheapest = min(o.unit_price for o in offers)
    fastest = max(1.0, min(o.lead_time_days for o in offers))

    def score(offer: Offer) -> tuple[float, int]:
        value = (
            -weights.price * 10.0 * (offer.unit_price / cheapest - 1.0)
            - weights.lead_time * (offer.lead_time_days / fastest - 1.0)
            + weights.reliability * offer.reliability
            + weights.relationship * offer.relationship
        )
        return (-value, offer.supplier)

    return min(offers, key=score).supplier
