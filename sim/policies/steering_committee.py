"""Steering committee: a cross-functional body that plans together and arbitrates.

On its cadence it sets a consensus forecast per SKU (purchasing's statistics and the
reps' own expectations, the padding argued away), approves the promotion calendar
(campaigns wait for the meeting; approved ones are known to purchasing at once), and
settles escalated conflicts by its decision rule. Between meetings nothing is decided.
Its hooks: promotions are held for the meeting (:meth:`check_promotion`), escalations
wait for it (:meth:`on_escalation`), and buyers plan on its consensus
(:meth:`consensus_forecast`).
"""

from typing import ClassVar, Literal

from pydantic import Field

from sim.behaviour import expediting
from sim.behaviour.promotions import incremental_margin_cents, supplied_share
from sim.books.campaigns import Promotion
from sim.books.orders import ExpediteRequest
from sim.output import events
from sim.policies.base import LeverParams, Policy
from sim.ports import LeverPort

COMMITTEE_PHASE = 0.1875  # after reps submit forecasts, before buyers review


class SteeringCommitteeParams(LeverParams):
    """Cadence, size and decision rule of the committee."""

    cadence_days: int = Field(default=30, ge=1, le=365)
    members: int = Field(default=6, ge=0, le=1000, description="0 = no committee")
    meeting_hours: float = Field(default=3.0, ge=0, le=24, description="hours per member: at most a day")
    decision_rule: Literal["company_objective", "sales_first", "purchasing_first"] = "company_objective"


class SteeringCommittee(Policy):
    """Consensus forecast, an approved promotion calendar, arbitration by the company objective."""

    name: ClassVar[str] = "steering_committee"
    Params = SteeringCommitteeParams
    params: SteeringCommitteeParams

    @property
    def active(self) -> bool:
        return self.params.members > 0

    def attach(self, company: LeverPort) -> None:
        self._proposals: list[Promotion] = []
        self._escalations: list[ExpediteRequest] = []
        self._consensus: dict[int, float] = {}  # daily rates agreed per SKU
        cadence = self.params.cadence_days
        self.every(company, cadence, COMMITTEE_PHASE, lambda now: self._meet(company, now), first_day=cadence)

    # -- hooks ---------------------------------------------------------------------------------

    def check_promotion(self, promotion: Promotion) -> None:
        """Every campaign waits for the next meeting."""
        self._proposals.append(promotion)

    def on_escalation(self, request: ExpediteRequest) -> None:
        """An escalated refusal waits for the next meeting."""
        self._escalations.append(request)

    def consensus_forecast(self, sku: int) -> float | None:
        """The daily rate the committee last agreed for ``sku``."""
        return self._consensus.get(sku)

    # -- the meeting ---------------------------------------------------------------------------

    def _meet(self, company: LeverPort, now: float) -> None:
        hours = self.params.members * self.params.meeting_hours
        self.charge(company, self.staff_hours_cents(hours), "committee meeting")
        approved = self._decide_calendar(company, now)
        arbitrated = self._arbitrate(company, now)
        for announced in company.orders_unknown_to_purchasing(int(now)):  # planned together
            company.inform_of_order(announced, self.name)
        for sku in company.launches_unknown_to_purchasing(int(now)):
            company.inform_of_launch(sku, self.name)
        self._agree_forecast(company, now)
        detail = f"consensus forecast set; {approved} promotion(s) approved; {arbitrated} escalation(s) settled"
        company.recorder.record(events.Committee(now, self.name, self.params.members, detail))

    def _decide_calendar(self, company: LeverPort, now: float) -> int:
        approved = 0
        day = int(now)
        for promotion in self._proposals:
            rep = company.reps[promotion.rep]
            # Approved now, purchasing hears of it now: what it can stock before the start is served.
            lead = max(company.lead_time_days(k) for k in promotion.skus)
            notice = max(promotion.start_day, day + 1) - day
            supplied = supplied_share(notice, lead)
            margin, revenue = incremental_margin_cents(
                promotion, company.list_price_cents, company.standard_cost_cents, supplied
            )
            if self._approves(margin, revenue, supplied):
                detail = f"expected incremental margin {margin / 100:,.0f}"
                skus = (promotion.skus[0], promotion.promotion_id, len(promotion.skus))
                company.recorder.record(events.PromotionApproved(now, self.name, *skus, margin, detail))
                rep.commit_promotion(promotion)
                company.inform_purchasing(promotion, self.name)
                approved += 1
                continue
            rep.drop_promotion(promotion)
            rejected = events.PromotionRejected(
                now,
                self.name,
                promotion.skus[0],
                promotion.promotion_id,
                len(promotion.skus),
                margin,
                f"expected incremental margin {margin / 100:,.0f}",
            )
            company.recorder.record(rejected)
        self._proposals = []
        return approved

    def _approves(self, margin: float, revenue: float, supplied: float) -> bool:
        """The decision rule: the company's expected margin, sales' revenue, or purchasing's supply first."""
        rule = self.params.decision_rule
        if rule == "sales_first":
            return revenue >= 0
        if rule == "purchasing_first":
            return margin >= 0 and supplied >= 1.0  # only what purchasing can stock in full, and that pays
        return margin >= 0

    def _arbitrate(self, company: LeverPort, now: float) -> int:
        settled = 0
        day = int(now)
        for request in self._escalations:
            if company.backordered(request.sku) <= 0:
                continue  # supply caught up while the conflict waited
            buyer = company.buyers[company.world.skus[request.sku].buyer]
            supplier, premium_cents = buyer.expedite_quote(request, day)
            premium = round(premium_cents)
            loss = expediting.loss_of_request(request, company.supplied_day(request.sku, day))
            rule = self.params.decision_rule
            grant = rule == "sales_first" or (rule == "company_objective" and loss >= premium)
            verdict = "expedite granted" if grant else "refusal upheld"
            arbitration = events.Arbitration(
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
            company.recorder.record(arbitration)
            if grant:
                buyer.expedite(request, supplier, premium)
            settled += 1
        self._escalations = []
        return settled

    def _agree_forecast(self, company: LeverPort, now: float) -> None:
        """Half purchasing's statistics, half the reps' own expectations: the padding argued away."""
        day = int(now)
        for buyer in company.buyers:
            for sku in buyer.skus:
                own = buyer.own_forecast(sku, day)
                pipeline = company.pipeline_forecast(sku)
                consensus = 0.5 * own + 0.5 * pipeline if pipeline > 0 else own
                self._consensus[sku] = consensus
                company.recorder.signal(now, "consensus_forecast", self.name, sku, consensus)
