"""What a short line stands to lose, and so what rushing its supply is worth.

A waiting line is lost only if supply does not come before the account gives up; losing
it costs the line's margin and, through the account's satisfaction, a chance that the
account leaves with all its future margin. Purchasing can tell when supply comes (it
sees its open purchase orders); sales, without that view, claims the margin as at risk.
"""

from sim.books.orders import ExpediteRequest


def loss_if_not_rushed(
    *,
    supplied_day: float,
    expires_day: int,
    line_margin_cents: float,
    churn_risk: float,
    account_margin_cents: float,
) -> float:
    """Expected margin lost if the line waits for regular supply (0 if supply comes in time)."""
    if supplied_day <= expires_day:
        return 0.0
    return line_margin_cents + churn_risk * account_margin_cents


def loss_of_request(request: ExpediteRequest, supplied_day: float) -> float:
    """:func:`loss_if_not_rushed` for a rep's expedite request (its line, its account's margin and risk)."""
    return loss_if_not_rushed(
        supplied_day=supplied_day,
        expires_day=request.expires_day,
        line_margin_cents=request.line_margin_cents,
        churn_risk=request.churn_risk,
        account_margin_cents=request.account_margin_cents,
    )


def churn_risk_if_lost(
    *, satisfaction: float, learning: float, threshold: float, churn_rate_per_order: float, orders_per_year: float
) -> float:
    """The chance an account leaves within a year after a lost line (its satisfaction falling below the threshold).

    A lost line pulls satisfaction toward 0 by ``learning``; below ``threshold`` each
    order carries the scenario's churn chance, scaled by how far below it is (as
    :meth:`sim.agents.customer.CustomerAccount` decides), for about a year of orders.
    """
    after = satisfaction * (1.0 - learning)
    if threshold <= 0 or after >= threshold:
        return 0.0
    per_order = churn_rate_per_order * (threshold - after) / threshold
    return float(1.0 - (1.0 - min(1.0, per_order)) ** orders_per_year)
