"""Steering committee: a cross-functional body that plans together and arbitrates.

On its cadence it sets a consensus forecast per SKU (purchasing's statistics and the
reps' own expectations, the padding argued away), approves the promotion calendar
(campaigns wait for the meeting; approved ones are known to purchasing at once), and
settles escalated conflicts by its decision rule. Between meetings nothing is decided.
"""

from typing import TYPE_CHECKING, ClassVar, Literal

from pydantic import Field

from sim.agents.buyer import Buyer, ExpediteRequest
from sim.behaviour.promotions import Promotion, incremental_margin_cents
from sim.output import events
from sim.policies.base import LeverParams, Policy

if TYPE_CHECKING:
    from sim.model import SalesPurchasingModel

COMMITTEE_PHASE = 0.1875  # after reps submit forecasts, before buyers review


class SteeringCommitteeParams(LeverParams):
    """Cadence, size and decision rule of the committee."""

    cadence_days: int = Field(default=30, ge=1)
    members: int = Field(default=6, ge=0, description="0 = no committee")
    meeting_hours: float = Field(default=3.0, ge=0)
    decision_rule: Literal["company_objective", "sales_first", "purchasing_first"] = "company_objective"


class SteeringCommittee(Policy):
    """Consensus forecast, an approved promotion calendar, arbitration by the company objective."""

    name: ClassVar[str] = "steering_committee"
    Params = SteeringCommitteeParams
    params: SteeringCommitteeParams

    @property
    def active(self) -> bool:
        return self.params.members > 0

    def attach(self, model: "SalesPurchasingModel") -> None:
        self._proposals: list[Promotion] = []
        self._escalations: list[tuple[ExpediteRequest, Buyer]] = []
        model.promotion_checks.append(self._hold_for_meeting)
        model.escalation_handlers.append(lambda request, buyer: self._escalations.append((request, buyer)))
        self.every(
            model,
            self.params.cadence_days,
            COMMITTEE_PHASE,
            lambda now: self._meet(model, now),
            first_day=self.params.cadence_days,
        )

    def _hold_for_meeting(self, promotion: Promotion) -> bool:
        self._proposals.append(promotion)
        return False  # decided at the next meeting

    def _meet(self, model: "SalesPurchasingModel", now: float) -> None:
        self.charge(
            model,
            self.staff_hours_cents(self.params.members * self.params.meeting_hours),
            "committee meeting",
        )
        approved = self._decide_calendar(model, now)
        arbitrated = self._arbitrate(model, now)
        self._agree_forecast(model, now)
        detail = f"consensus forecast set; {approved} promotion(s) approved; {arbitrated} escalation(s) settled"
        model.recorder.record(events.Committee(now, self.name, self.params.members, detail))

    def _decide_calendar(self, model: "SalesPurchasingModel", now: float) -> int:
        approved = 0
        for promotion in self._proposals:
            rep = model.reps[promotion.rep]
            margin, _ = incremental_margin_cents(promotion, model.list_price_cents, model.standard_cost_cents)
            rule = self.params.decision_rule
            accept = rule == "sales_first" or (rule == "company_objective" and margin >= 0)
            if accept:
                rep.commit_promotion(promotion)
                model.inform_purchasing(promotion, self.name)
                approved += 1
            else:
                rep.pending_promotion = None
                model.recorder.record(
                    events.PromotionRejected(
                        now,
                        self.name,
                        promotion.skus[0],
                        promotion.promotion_id,
                        len(promotion.skus),
                        margin,
                        f"expected incremental margin {margin / 100:,.0f}",
                    )
                )
        self._proposals = []
        return approved

    def _arbitrate(self, model: "SalesPurchasingModel", now: float) -> int:
        settled = 0
        for request, buyer in self._escalations:
            if model.stock.backordered[request.sku] <= 0:
                continue  # supply caught up while the conflict waited
            supplier = buyer.choose_supplier(request.sku, int(now))
            premium = round(
                supplier.unit_price_cents(request.sku, 1, int(now)) * supplier.spec.expedite_premium * request.units
            )
            rule = self.params.decision_rule
            grant = rule == "sales_first" or (rule == "company_objective" and request.margin_at_risk_cents >= premium)
            verdict = "expedite granted" if grant else "refusal upheld"
            model.recorder.record(
                events.Arbitration(
                    now,
                    self.name,
                    request.sku,
                    request.account,
                    request.units,
                    request.rep,
                    premium,
                    request.margin_at_risk_cents,
                    int(grant),
                    f"{verdict} for rep {request.rep}",
                )
            )
            if grant:
                buyer.expedite(request, supplier, premium)
            settled += 1
        self._escalations = []
        return settled

    def _agree_forecast(self, model: "SalesPurchasingModel", now: float) -> None:
        """Half purchasing's statistics, half the reps' own expectations: the padding argued away."""
        for buyer in model.buyers:
            buyer.observe(int(now))
            for sku in buyer.spec.skus:
                own = buyer.history[sku].mean(prior=model.world.skus[sku].expected_daily_units)
                pipeline = model.pipeline_forecast(sku)
                consensus = 0.5 * own + 0.5 * pipeline if pipeline > 0 else own
                buyer.consensus[sku] = consensus
                model.recorder.signal(now, "consensus_forecast", self.name, sku, consensus)
