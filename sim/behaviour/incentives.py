"""What each department is rewarded for, and the decisions that follow from it.

Each rule takes the decision maker's situation and its reward weights and returns a
decision; ``joint_weight`` is the share of the reward that is the joint KPI (0 in
the silo, 1 when fully shared), ``understanding`` the cross-functional understanding
a rotation leaves (0 to 1). Policies change these inputs, never the outcomes.
"""

from dataclasses import dataclass


def forecast_bias(
    *,
    optimism: float,
    shortage_gaming: float,
    shortage_memory: float,
    trust_in_purchasing: float,
    sandbagging: float,
    quota_from_forecast: bool,
    joint_weight: float,
    understanding: float,
) -> float:
    """The relative bias a sales rep adds to its own estimate.

    Padding is optimism (Fildes et al. 2009) plus shortage gaming: inflation to secure
    supply after stock-outs (Lee et al. 1997), the stronger the less the rep trusts
    purchasing to deliver (cheap talk, Cachon & Lariviere 2001). Where the next quota
    follows the forecast, reps shade it down instead (sandbagging; Gonik 1978). A joint
    KPI makes padding cost the rep too (the excess stock counts against it) and
    understanding of the other side lowers both (Oliva & Watson 2011).
    """
    padding = optimism + shortage_gaming * shortage_memory * (1.5 - trust_in_purchasing)
    shading = sandbagging if quota_from_forecast else 0.0
    return (padding - shading) * (1.0 - joint_weight) * (1.0 - understanding)


def quota_shortfall(revenue_to_date: float, quota: float, elapsed_share: float) -> float:
    """How far behind its quota pace a rep is, as a share of the pace (0 if ahead)."""
    pace = quota * elapsed_share
    return max(0.0, 1.0 - revenue_to_date / pace) if pace > 0 else 0.0


def deal_discount(shortfall: float, maximum: float, joint_weight: float) -> float:
    """Discount granted to close deals: grows with the shortfall, up to ``maximum``.

    A rep paid on revenue trades margin for volume; a joint KPI on margin restrains it.
    """
    return maximum * min(1.0, shortfall / 0.2) * (1.0 - joint_weight)


def expedite_value(
    *, loss: float, sales_claim: float, joint_weight: float, trust_in_sales: float, goodwill: float
) -> float:
    """What rushing supply to a short key account is worth to a buyer.

    Rewarded on cost, the buyer values sales' claim only through goodwill, scaled by how
    far it trusts sales' claims; a joint KPI makes the company's loss its own: the margin
    the company can actually lose (sim/behaviour/expediting.py), which purchasing sees.
    """
    return joint_weight * loss + (1.0 - joint_weight) * goodwill * trust_in_sales * sales_claim


def service_safety_bonus(joint_weight: float, service_weight: float) -> float:
    """Extra safety factor of a buyer rewarded on service too: it holds more safety stock."""
    return 0.5 * joint_weight * service_weight


def saved_sale_value(joint_weight: float, service_weight: float) -> float:
    """How much a saved sale counts in a buyer's reward (1: its margin; more where service is rewarded)."""
    return 1.0 + joint_weight * service_weight


@dataclass(frozen=True, slots=True)
class SupplierWeights:
    """How much a buyer cares for price, lead time, reliability and relationship."""

    price: float
    lead_time: float
    reliability: float
    relationship: float


def chase_price_break(
    *, units: int, break_units: int, reach: float, saving: float, extra_holding: float, joint_weight: float
) -> bool:
    """Whether to round an order up to the supplier's price break.

    A buyer rewarded on price savings takes any saving within reach; a joint KPI
    charges it the extra holding cost of the larger lot (Lee et al. 1997, batching).
    """
    if units <= 0 or units >= break_units or units < reach * break_units:
        return False
    return saving - joint_weight * extra_holding > 0


def presses_suppliers(own_price_weight: float, joint_weight: float, relationship: float, standing: float) -> bool:
    """Whether the buyer negotiates prices down at the relationship's expense.

    A buyer rewarded on price presses whatever it does to the supplier. The company presses
    only while the relationship is at least where it stood (``standing``): a supplier gives
    a cut in proportion to the relationship, so burning it costs later cuts and, in a
    shortage, a share of the supplier's capacity. A joint KPI weighs the two views.
    """
    own = 1.0 if own_price_weight > 0.45 else 0.0
    company = 1.0 if relationship >= standing else 0.0
    return (1.0 - joint_weight) * own + joint_weight * company >= 0.5
