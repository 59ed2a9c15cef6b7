"""Shared metrics: both departments are rewarded partly on a joint KPI.

The joint KPI is contribution margin net of inventory and expediting costs, with a
share for service. Its weight is what :meth:`SharedMetrics.reward` answers, and every
decision rule that reads a reward uses it (sim/behaviour/incentives.py): the reps'
forecast bias and deal discounts, the buyers' supplier weights, safety stock, lot sizes,
negotiations and expedite approvals. Promotions also get a joint cost-benefit check
before they run (:meth:`SharedMetrics.check_promotion`).
"""

from typing import ClassVar

from pydantic import Field

from sim.behaviour.promotions import incremental_margin_cents, supplied_share
from sim.books.campaigns import Promotion
from sim.output import events
from sim.policies.base import LeverParams, Policy
from sim.ports import Colleague, LeverPort, Reward


class SharedMetricsParams(LeverParams):
    """Weight of the joint KPI and its definition."""

    joint_weight: float = Field(default=0.5, ge=0, le=1, description="0 = silo, 1 = fully shared")
    service_weight: float = Field(default=0.3, ge=0, le=1, description="share of service in the joint KPI")
    promotion_check: bool = True
    analysis_hours_per_month: float = Field(
        default=8.0, ge=0, le=10_000, description="staff hours: 60 full-time people"
    )
    check_hours: float = Field(default=2.0, ge=0, le=1000, description="staff hours per promotion checked")


class SharedMetrics(Policy):
    """Rewards move toward the company's objective; promotions must pay for the company."""

    name: ClassVar[str] = "shared_metrics"
    Params = SharedMetricsParams
    params: SharedMetricsParams

    @property
    def active(self) -> bool:
        return self.params.joint_weight > 0

    def attach(self, company: LeverPort) -> None:
        self._company = company
        for person in company.staff():
            company.recorder.signal(0.0, "joint_weight", person.label, -1, self.params.joint_weight)
        reporting = self.staff_hours_cents(self.params.analysis_hours_per_month)
        self.every(company, 30, 0.0625, lambda _now: self.charge(company, reporting, "joint KPI reporting"))

    def reward(self, person: Colleague) -> Reward:
        """Everyone is paid partly on the joint KPI; buyers' share of it counts service too."""
        return Reward(self.params.joint_weight, self.params.service_weight)

    def check_promotion(self, promotion: Promotion) -> bool:
        """The joint cost-benefit check: the campaign runs if the company expects it to pay.

        Sales and purchasing check it together, so it counts what the campaign adds to
        margin (not to revenue), with the share of its extra demand purchasing can stock
        before it starts, told as it is planned.
        """
        if not self.params.promotion_check:
            return True
        company = self._company
        self.charge(company, self.staff_hours_cents(self.params.check_hours), "promotion cost-benefit check")
        lead = max(company.lead_time_days(k) for k in promotion.skus)
        supplied = supplied_share(promotion.start_day - promotion.planned_day, lead)
        margin, revenue = incremental_margin_cents(
            promotion, company.list_price_cents, company.standard_cost_cents, supplied
        )
        verdict = margin >= 0
        detail = (
            f"{'approved' if verdict else 'rejected'}: incremental margin "
            f"{margin / 100:,.0f}, extra revenue {revenue / 100:,.0f}"
        )
        checked = events.PromotionChecked(
            company.env.now,
            self.name,
            promotion.skus[0],
            promotion.promotion_id,
            len(promotion.skus),
            margin,
            int(verdict),
            detail,
        )
        company.recorder.record(checked)
        return verdict
