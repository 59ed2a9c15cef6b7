"""Shared metrics: both departments are rewarded partly on a joint KPI.

The joint KPI is contribution margin net of inventory and expediting costs, with a
share for service. Its weight enters every decision rule that reads a reward: the
reps' forecast bias and deal discounts, the buyers' supplier weights, lot sizes,
negotiations and expedite approvals (sim/behaviour/incentives.py). Promotions also
get a joint cost-benefit check before they run.
"""

from typing import TYPE_CHECKING, ClassVar

from pydantic import Field

from sim.behaviour.promotions import Promotion, incremental_margin_cents
from sim.output import events
from sim.policies.base import LeverParams, Policy

if TYPE_CHECKING:
    from sim.model import SalesPurchasingModel


class SharedMetricsParams(LeverParams):
    """Weight of the joint KPI and its definition."""

    joint_weight: float = Field(default=0.5, ge=0, le=1, description="0 = silo, 1 = fully shared")
    service_weight: float = Field(default=0.3, ge=0, le=1, description="share of service in the joint KPI")
    promotion_check: bool = True
    analysis_hours_per_month: float = Field(default=8.0, ge=0)
    check_hours: float = Field(default=2.0, ge=0, description="staff hours per promotion checked")


class SharedMetrics(Policy):
    """Rewards move toward the company's objective; promotions must pay for the company."""

    name: ClassVar[str] = "shared_metrics"
    Params = SharedMetricsParams
    params: SharedMetricsParams

    @property
    def active(self) -> bool:
        return self.params.joint_weight > 0

    def attach(self, model: "SalesPurchasingModel") -> None:
        weight, service = self.params.joint_weight, self.params.service_weight
        for agent in model.staff():
            agent.joint_weight = weight
            model.recorder.signal(0.0, "joint_weight", agent.label, -1, weight)
        for buyer in model.buyers:
            # Rewarded on service too, buyers hold more safety stock and value a saved sale more.
            buyer.safety_z_bonus = 0.5 * weight * service
            buyer.service_value = 1.0 + weight * service
        if self.params.promotion_check:
            model.promotion_checks.append(lambda promotion: self._worth_it(model, promotion))
        self.every(
            model,
            30,
            0.0625,
            lambda _now: self.charge(
                model, self.staff_hours_cents(self.params.analysis_hours_per_month), "joint KPI reporting"
            ),
        )

    def _worth_it(self, model: "SalesPurchasingModel", promotion: Promotion) -> bool:
        """The joint check: revenue counts for the rep's share, margin for the joint share."""
        self.charge(model, self.staff_hours_cents(self.params.check_hours), "promotion cost-benefit check")
        margin, revenue = incremental_margin_cents(promotion, model.list_price_cents, model.standard_cost_cents)
        weight = self.params.joint_weight
        verdict = weight * margin + (1.0 - weight) * revenue >= 0
        detail = (
            f"{'approved' if verdict else 'rejected'}: incremental margin "
            f"{margin / 100:,.0f}, extra revenue {revenue / 100:,.0f}"
        )
        model.recorder.record(
            events.PromotionChecked(
                model.env.now,
                self.name,
                promotion.skus[0],
                promotion.promotion_id,
                len(promotion.skus),
                margin,
                int(verdict),
                detail,
            )
        )
        if not verdict:
            model.reps[promotion.rep].pending_promotion = None
        return verdict
