"""Price promotions: what customers do, what purchasing is told, what a campaign is worth."""

from sim.books.campaigns import Promotion


def promotion_uplift(discount: float, uplift_per_discount: float) -> float:
    """Demand multiplier of a price cut: linear response (e.g. 3.0: 10% off, +30%)."""
    return 1.0 + uplift_per_discount * discount


def post_promotion_dip(uplift: float, dip_share: float) -> float:
    """Demand multiplier after a promotion: customers use up ``dip_share`` of what they bought extra."""
    return max(0.0, 1.0 - dip_share * (uplift - 1.0))


def notice_day(
    mode: str,
    planned_day: int,
    start_day: int,
    late_notice_days: int,
    trust: float,
    propensity: float,
    draw: float,
) -> int | None:
    """When the rep tells purchasing of a promotion: early, late, never, or by trust.

    By trust, a rep tells at once with probability propensity × trust in purchasing
    (telling pays only if purchasing acts on it); otherwise it tells late or not at
    all, half each. A judgement after Oliva & Watson (2011): in silos, campaign
    information reaches operations late or by accident.
    """
    late = max(planned_day, start_day - late_notice_days)
    if mode == "early":
        return planned_day
    if mode == "late":
        return late
    if mode == "none":
        return None
    early = propensity * trust
    if draw < early:
        return planned_day
    return late if draw < early + (1.0 - early) / 2 else None


def supplied_share(notice_days: float, lead_time_days: float) -> float:
    """Share of a campaign's extra demand purchasing can buy in time, told ``notice_days`` ahead."""
    return 1.0 if lead_time_days <= 0 else min(1.0, max(0.0, notice_days / lead_time_days))


def incremental_margin_cents(
    promotion: Promotion, list_price_cents: list[int], standard_cost_cents: list[int], supplied: float = 1.0
) -> tuple[float, float]:
    """What a promotion adds to margin and to revenue, expected, in cents.

    Margin: extra units at the promoted margin, less the discount given on the units
    that would have sold anyway, less the margin of the sales lost in the dip after,
    plus what the suppliers pay back of the discount on every unit sold in the campaign.
    Only the ``supplied`` share of the extra demand can be served (the rest is not
    stocked in time: no extra margin, and no dip after it either).
    """
    days = promotion.end_day - promotion.start_day
    margin = revenue = 0.0
    for sku, expected_extra in promotion.extra_daily_units.items():
        extra_daily = expected_extra * supplied
        price, cost = list_price_cents[sku], standard_cost_cents[sku]
        promoted = price * (1.0 - promotion.discount)
        base_daily = promotion.base_daily_units[sku]
        dip_units = base_daily * promotion.dip_days * (1.0 - promotion.dip[sku]) * supplied
        funded = promotion.funding_share * (price - promoted) * (base_daily + extra_daily) * days
        margin += (
            extra_daily * days * (promoted - cost)
            - base_daily * days * (price - promoted)
            - dip_units * (price - cost)
            + funded
        )
        revenue += extra_daily * days * promoted - base_daily * days * (price - promoted) - dip_units * price
    return margin, revenue
