"""The organisation itself: what people know and are rewarded for before any lever is pulled.

The silo organisation answers every hook with the silo's answer. An organisation can
also be aligned by construction (``org=aligned``): everyone rewarded on the company's
objective, perfect shared data (purchasing sees the CRM pipeline, announced orders and
the campaign calendar as they are entered; sales promises from live stock), campaigns
run only if the company expects them to pay. It is not a lever and costs nothing: it is
the reference that bounds what levers can recover. Levers answer on top of it.
"""

from typing import ClassVar

from sim.behaviour.promotions import incremental_margin_cents, supplied_share
from sim.books.campaigns import Promotion
from sim.config import OrgConfig
from sim.policies.base import LeverParams, Policy
from sim.ports import Colleague, LeverPort, Reward, StockView
from sim.specs import OrderAnnouncement

SHARED_DATA = "shared data"  # the source purchasing hears from in an organisation that shares all its data
SHARED_DATA_HOOKS = ("stock_view", "pipeline_quality", "on_promotion", "on_announcement", "on_launch_plan")


class Organisation(Policy):
    """The organisation's own answers to the hooks (the silo's, or an aligned company's)."""

    name: ClassVar[str] = "organisation"
    is_lever: ClassVar[bool] = False

    def __init__(self, org: OrgConfig, company: LeverPort) -> None:
        super().__init__(LeverParams(hourly_cost=0.0))
        self.org = org
        self.company = company
        self._reward = Reward(org.joint_weight, org.service_weight)

    def answers(self, hook: str) -> bool:
        """The silo shares no data and lets every campaign run: it has no say on those hooks then."""
        if hook in SHARED_DATA_HOOKS and not self.org.shared_data:
            return False
        if hook == "check_promotion" and not self.org.campaigns_must_pay:
            return False
        return super().answers(hook)

    def reward(self, person: Colleague) -> Reward:
        return self._reward

    def stock_view(self, rep: Colleague) -> StockView | None:
        return self.company.live_stock if self.org.shared_data else None

    def pipeline_quality(self, buyer: Colleague) -> float | None:
        return 1.0 if self.org.shared_data else None

    def on_promotion(self, promotion: Promotion) -> None:
        if self.org.shared_data:
            self.company.inform_purchasing(promotion, SHARED_DATA)

    def on_announcement(self, announced: OrderAnnouncement) -> None:
        if self.org.shared_data:
            self.company.inform_of_order(announced, SHARED_DATA)

    def on_launch_plan(self, sku: int) -> None:
        if self.org.shared_data:
            self.company.inform_of_launch(sku, SHARED_DATA)

    def check_promotion(self, promotion: Promotion) -> bool:
        """Where campaigns must pay for the company, one runs only if its expected margin is positive."""
        if not self.org.campaigns_must_pay:
            return True
        company = self.company
        lead = max(company.lead_time_days(k) for k in promotion.skus)
        supplied = supplied_share(promotion.start_day - promotion.planned_day, lead)
        margin, _ = incremental_margin_cents(promotion, company.list_price_cents, company.standard_cost_cents, supplied)
        return margin >= 0
