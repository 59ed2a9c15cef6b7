"""A rep's promotions: company campaigns proposed when behind quota, run, announced to purchasing, or not.

A rep behind its quota pace proposes a price campaign on the best sellers of the reps
taking part: every rep not already in a campaign joins (a company campaign), so it
reaches all their accounts. Levers may approve it, drop it or hold it for a committee. Once it runs, the
proposer tells purchasing early, late or never (by trust in purchasing, or as a person
in the seat chose); customers of every rep taking part see the discount.
"""

from collections.abc import Generator
from typing import TYPE_CHECKING, Any, NamedTuple

import simpy

from sim.behaviour import promotions
from sim.books.campaigns import Promotion
from sim.clock import CLOSE, FORECAST
from sim.output import events
from sim.ports import PromotionPlan, SalesDesk, SalesSeat

if TYPE_CHECKING:
    import numpy as np


class Terms(NamedTuple):
    """What a rep's accounts see on a day (:meth:`Campaigning.terms`)."""

    multipliers: dict[int, float] | None  # demand multipliers of the campaigns, per SKU (None: none)
    deal: float  # the deal's demand multiplier, on every line
    running: dict[int, Promotion]  # SKU -> the campaign whose discount its lines get (else the deal's)


class Campaigning:
    """What a rep does with promotions (mixed into :class:`sim.agents.sales.SalesRep`)."""

    promotions: list[Promotion]  # the campaigns it takes part in, running or still dipping
    pending_promotion: Promotion | None  # proposed, waiting for an approval
    # the rep's own, set by SalesRep
    model: SalesDesk
    index: int
    label: str
    trust: float
    understanding: float
    bias: float
    forecast: list[float]
    deal_discount: float
    shortfall: float
    seat: SalesSeat | None
    _notice_rng: "np.random.Generator"
    _pending_notice: str
    _pending_notice_days: int | None  # a person's "tell purchasing N days before" (None: by the notice mode)
    _pending_draw: float

    # -- what customers see ----------------------------------------------------------------

    _terms: tuple[tuple[Any, ...], list[Promotion], Terms] | None = None  # the last terms: for what, from what

    def terms(self, day: int) -> Terms:
        """Multipliers, deal and running campaigns on ``day``: :meth:`price_factors` and :meth:`active_promotion`.

        Every account of the rep ordering on a day sees the same, so they are worked out
        once, and again only if the rep's deal or campaigns changed since. A campaign is not
        changed once it runs, so its identity tells it (the cache holds the campaigns, so no
        other object can take their ``id``).
        """
        key = (day, self.deal_discount, *map(id, self.promotions))
        if self._terms is None or self._terms[0] != key:
            multipliers, deal = self.price_factors(day)
            running: dict[int, Promotion] = {}
            for promotion in self.promotions:
                if promotion.running(day):
                    for sku in promotion.skus:
                        running.setdefault(sku, promotion)  # the first campaign, as active_promotion finds it
            self._terms = key, list(self.promotions), Terms(multipliers, deal, running)
        return self._terms[2]

    def price_factors(self, day: int) -> tuple[dict[int, float] | None, float]:
        """Per-SKU demand multipliers of running campaigns, and the deal multiplier."""
        deal = 1.0 + self.model.world.market.deal_uplift_per_discount * self.deal_discount
        if not self.promotions:
            return None, deal
        multipliers: dict[int, float] = {}
        for promotion in self.promotions:
            for sku in promotion.skus:
                factor = promotion.multiplier(sku, day)
                if factor != 1.0:
                    multipliers[sku] = multipliers.get(sku, 1.0) * factor
        # A promoted line is priced at the promotion's discount, not the deal's: undo the
        # deal's uplift there (the deal multiplies every line).
        for sku in multipliers:
            if self.active_promotion(sku, day) is not None:
                multipliers[sku] /= deal
        return multipliers or None, deal

    def discount(self, sku: int, day: int) -> float:
        """Discount on an order line: a running campaign's, else the deal discount."""
        promotion = self.active_promotion(sku, day)
        return promotion.discount if promotion is not None else self.deal_discount

    def active_promotion(self, sku: int, day: int) -> Promotion | None:
        """The campaign running on ``sku`` for this rep's accounts on ``day``, if any."""
        for promotion in self.promotions:
            if sku in promotion.skus and promotion.running(day):
                return promotion
        return None

    def promotion_pending(self, day: int) -> bool:
        """Whether the rep is already in a campaign (proposed, running, or its dip still on)."""
        if self.pending_promotion is not None:
            return True
        return any(p.end_day + p.dip_days > day for p in self.promotions)

    # -- proposing -------------------------------------------------------------------------

    def propose_promotion(self, now: float, plan: PromotionPlan | None = None) -> None:
        """A campaign on the best sellers of the reps behind their pace (or a person's choice).

        It starts after the planning lead (or when the person said) and reaches the
        accounts of every rep taking part.
        """
        model, org, market = self.model, self.model.world.org, self.model.world.market
        day = int(now)
        team = [self, *(rep for rep in model.sales_team() if rep is not self and rep.joins_campaign(day))]
        base = [sum(rep.expected_rate(k) for rep in team) for k in range(len(self.forecast))]
        if plan is None:
            prices = model.list_price_cents
            ranked = sorted(range(len(base)), key=lambda k: (-base[k] * prices[k], k))
            skus = tuple(sorted(k for k in ranked[: org.promotion_skus] if base[k] > 0))
            start = day + org.promotion_lead_days
            self._pending_notice, self._pending_notice_days = org.promotion_notice, None
            discount = org.promotion_discount
        else:
            skus, start, self._pending_notice = tuple(sorted(plan.skus)), day + 7 * plan.weeks_ahead, plan.notice
            self._pending_notice_days = plan.notice_days
            discount = org.promotion_discount if plan.discount is None else plan.discount
        if not skus:
            return
        catalogue = model.world.skus
        uplift = {k: promotions.promotion_uplift(discount, catalogue[k].promotion_response) for k in skus}
        promotion = Promotion(
            promotion_id=model.next_promotion_id(),
            rep=self.index,
            skus=skus,
            planned_day=day,
            start_day=start,
            end_day=start + org.promotion_days,
            discount=discount,
            uplift=uplift,
            dip_days=market.promotion_dip_days,
            dip={k: promotions.post_promotion_dip(uplift[k], market.promotion_dip_share) for k in skus},
            base_daily_units={k: base[k] for k in skus},
            reps=tuple(sorted(rep.index for rep in team)),
            funding_share=market.promotion_funding_share,
        )
        # Drawn before any check, so a check that vetoes does not shift later draws.
        self._pending_draw = float(self._notice_rng.random())
        for rep in team:
            rep.pending_promotion = promotion
        verdict = model.levers.check_promotion(promotion)
        if verdict is True:
            self.commit_promotion(promotion)
        elif verdict is False:
            self.drop_promotion(promotion)
        # None: held for a decision above the reps (a committee's next meeting)

    def joins_campaign(self, day: int) -> bool:
        """Whether the rep takes part in a colleague's campaign: any rep not in one already (a person decides alone)."""
        return self.seat is None and not self.promotion_pending(day)

    def expected_rate(self, sku: int) -> float:
        """Daily units the rep's accounts would order of ``sku`` without a campaign: its estimate, unpadded."""
        submitted = self.forecast[sku]
        return submitted / (1.0 + self.bias) if self.bias > -1 else submitted

    # -- approved or not -------------------------------------------------------------------

    def drop_promotion(self, promotion: Promotion) -> None:
        """A campaign was not approved: the reps in it let it go."""
        for rep in self.model.sales_team():
            if rep.pending_promotion is promotion:
                rep.pending_promotion = None

    def commit_promotion(self, promotion: Promotion) -> None:
        """Run an approved campaign.

        Customers of every rep taking part see it from its start; purchasing is told when
        the proposer chooses to (by the draw made when it was planned, for a notice by trust).
        """
        model, org = self.model, self.model.world.org
        now = model.env.now
        day = int(now)
        if promotion.start_day <= day:  # approval came late: the campaign slips
            length = promotion.end_day - promotion.start_day
            promotion.start_day = day + 1
            promotion.end_day = promotion.start_day + length
        for rep in model.sales_team():
            if rep.index in promotion.reps:
                rep.pending_promotion = None
                rep.promotions.append(promotion)
        # Understanding of purchasing's lead times (from a rotation) makes a rep tell early.
        propensity = org.promotion_notice_propensity
        propensity += self.understanding * (1.0 - propensity)
        told = promotions.notice_day(
            self._pending_notice,
            day,
            promotion.start_day,
            org.late_notice_days,
            self.trust,
            propensity,
            self._pending_draw,
        )
        if self._pending_notice_days is not None:  # a person chose how many days ahead purchasing hears
            told = max(day, promotion.start_day - self._pending_notice_days)
        detail = (
            f"{100 * promotion.discount:.0f}% off SKUs {', '.join(map(str, promotion.skus))} "
            f"from day {promotion.start_day} to {promotion.end_day - 1}, reps {', '.join(map(str, promotion.reps))}"
        )
        planned = events.PromotionPlanned(
            now,
            self.label,
            promotion.skus[0],
            promotion.promotion_id,
            len(promotion.skus),
            promotion.start_day,
            promotion.discount,
            detail,
        )
        model.recorder.record(planned)
        if told is not None:
            model.process(self._tell_purchasing(promotion, told))
        model.process(self._run_promotion(promotion))
        model.promotion_committed(promotion)

    # -- running ---------------------------------------------------------------------------

    def _tell_purchasing(self, promotion: Promotion, day: int) -> Generator[simpy.Event, Any, None]:
        env = self.model.env
        if day + FORECAST > env.now:
            yield env.timeout(day + FORECAST - env.now)
        self.model.inform_purchasing(promotion, self.label)

    def _run_promotion(self, promotion: Promotion) -> Generator[simpy.Event, Any, None]:
        env, model = self.model.env, self.model
        yield env.timeout(promotion.start_day + FORECAST - env.now)
        notice = promotion.notice_days()
        detail = "purchasing not told" if notice is None else f"purchasing told {notice} days before"
        started = events.PromotionStarted(
            env.now,
            self.label,
            promotion.skus[0],
            promotion.promotion_id,
            len(promotion.skus),
            -1 if notice is None else notice,
            int(notice is not None),
            detail,
        )
        model.recorder.record(started)
        notice_days = float(notice) if notice is not None else 0.0
        model.recorder.signal(env.now, "promotion_notice_days", self.label, -1, notice_days)
        if notice is None:
            model.promotion_surprise(promotion)
        if promotion.funding_share > 0:
            yield env.timeout(promotion.end_day - 1 + CLOSE - env.now)  # never, past the horizon
            model.claim_allowance(promotion, self.label)

    def blame_stockout(self, promotion: Promotion, sku: int, now: float) -> None:
        """A stock-out on a promoted SKU that purchasing learned of too late: a conflict."""
        if promotion.stockout_blamed:
            return
        notice = promotion.notice_days()
        sources = self.model.world.skus[sku].suppliers
        supplier_lead = min(self.model.suppliers[s].spec.lead_time_mean_days for s in sources)
        if notice is not None and notice >= supplier_lead:
            return
        promotion.stockout_blamed = True
        told = "never told" if notice is None else f"told only {notice} days before"
        detail = f"stock-out in promotion {promotion.promotion_id}; purchasing {told}"
        notice_days = -1 if notice is None else notice
        blamed = events.StockoutLateNotice(now, self.label, sku, promotion.promotion_id, notice_days, detail)
        self.model.recorder.record(blamed)
