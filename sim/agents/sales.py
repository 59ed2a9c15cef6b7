"""Sales reps: quotas, biased forecasts, promotions, deals, promises and expedite requests."""

from collections import deque
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, Protocol

import simpy

from sim.agents.staff import Staff
from sim.behaviour import incentives, promotions, trust
from sim.books.campaigns import Promotion
from sim.clock import FORECAST
from sim.output import events
from sim.ports import SALES, Account, SalesDesk
from sim.world import RepSpec

QUARTER_DAYS = 91


@dataclass(frozen=True)
class PromotionPlan:
    """A promotion a person in the sales seat decided: which SKUs, when, and when to tell purchasing."""

    skus: tuple[int, ...]
    weeks_ahead: int
    notice: Literal["early", "late", "none"]


class SalesSeat(Protocol):
    """A person in a rep's seat (play mode): on the days it decides, its forecast and promotions replace the rule's."""

    def decides(self, day: int) -> bool: ...

    def forecast_adjustment(self, day: int) -> float: ...

    def promotion(self, day: int) -> PromotionPlan | None: ...


class SalesRep(Staff):
    """Owns a portfolio of accounts; paid commission on bookings against a quarterly quota.

    Each planning period it submits a forecast (own estimate plus a bias its incentives
    and experience set), and when behind its quota pace it discounts and plans price
    promotions, telling purchasing early, late or never. What levers change it answers
    through hooks (``model.levers``): its reward and whether a promotion may run;
    rotation and meetings move its understanding and trust.
    """

    department: ClassVar[str] = SALES
    trust_signal: ClassVar[str] = "trust_in_purchasing"
    model: SalesDesk

    def __init__(self, model: SalesDesk, spec: RepSpec, n_skus: int) -> None:
        super().__init__(model, spec.index, f"rep {spec.index}")
        self.spec = spec
        self.accounts: list[Account] = []
        self.ordered = [0] * n_skus  # cumulative units ordered by the portfolio
        self.forecast = [0.0] * n_skus  # submitted, units per day
        self.own_estimate = [0.0] * n_skus  # what the rep really expects (the CRM pipeline)
        self._history: deque[tuple[float, list[int]]] = deque()
        self.bias = 0.0
        self.shortage_memory = 0.0
        self._units_ordered = 0
        self._units_short = 0
        self.expedites_asked = 0
        self.expedites_refused = 0
        self.quota = 0.0
        self.bookings = 0.0  # this quarter, in cents
        self.quarter = -1
        self.deal_discount = 0.0
        self.promotions: list[Promotion] = []
        self.pending_promotion: Promotion | None = None  # waiting for an approval
        self._pending_draw = 0.0  # decides how it will be announced, drawn when planned
        self.seat: SalesSeat | None = None  # play mode: a person decides the forecast and promotions
        self._pending_notice = model.world.org.promotion_notice
        self._notice_rng = model.streams.generator("notice", spec.index)
        self._escalation_rng = model.streams.generator("escalation", spec.index)
        model.process(self._planning())

    @property
    def trust_in_purchasing(self) -> float:
        """How far the rep trusts purchasing to deliver (0 to 1)."""
        return self.trust

    # -- what accounts report -----------------------------------------------------------

    def note_order(self, lines: list[tuple[int, int]], booked_cents: int, units_short: int) -> None:
        """An account of the portfolio ordered these (sku, units); some may be short."""
        ordered = self.ordered
        total = 0
        for sku, units in lines:
            ordered[sku] += units
            total += units
        self.bookings += booked_cents
        self._units_ordered += total
        self._units_short += units_short

    def escalates(self) -> bool:
        """Take a refusal above purchasing's head? The less a rep trusts it, the likelier."""
        return float(self._escalation_rng.random()) >= self.trust_in_purchasing

    def price_factors(self, day: int) -> tuple[dict[int, float] | None, float]:
        """Per-SKU demand multipliers of running promotions, and the deal multiplier."""
        market = self.model.world.market
        deal = 1.0 + market.deal_uplift_per_discount * self.deal_discount
        if not self.promotions:
            return None, deal
        multipliers: dict[int, float] = {}
        for promotion in self.promotions:
            factor = promotion.multiplier(day)
            if factor != 1.0:
                for sku in promotion.skus:
                    multipliers[sku] = multipliers.get(sku, 1.0) * factor
        # A promoted line is priced at the promotion's discount, not the deal's: undo the
        # deal's uplift there (the deal multiplies every line).
        for sku in multipliers:
            if self.active_promotion(sku, day) is not None:
                multipliers[sku] /= deal
        return multipliers or None, deal

    def discount(self, sku: int, day: int) -> float:
        """Discount on an order line: a running promotion's, else the deal discount."""
        for promotion in self.promotions:
            if sku in promotion.skus and promotion.start_day <= day < promotion.end_day:
                return promotion.discount
        return self.deal_discount

    def active_promotion(self, sku: int, day: int) -> Promotion | None:
        for promotion in self.promotions:
            if sku in promotion.skus and promotion.start_day <= day < promotion.end_day:
                return promotion
        return None

    # -- the forecast ---------------------------------------------------------------------

    def estimate_preview(self, now: float) -> list[float]:
        """What :meth:`estimate` would give at ``now``, without moving the window (for a briefing)."""
        return self._estimate(deque(self._history), now)

    def estimate(self, now: float) -> list[float]:
        """Average daily units over the window, from the portfolio's order history."""
        return self._estimate(self._history, now)

    def _estimate(self, history: deque[tuple[float, list[int]]], now: float) -> list[float]:
        window = self.spec.forecast_window_days
        history.append((now, self.ordered[:]))
        while len(history) > 1 and history[1][0] <= now - window:
            history.popleft()
        then, ordered_then = history[0]
        span = now - then
        if span <= 0:
            return [0.0] * len(self.ordered)
        return [(a - b) / span for a, b in zip(self.ordered, ordered_then, strict=True)]

    def current_bias(self) -> float:
        """The bias incentives and experience set now (see behaviour.incentives)."""
        org = self.model.world.org
        return incentives.forecast_bias(
            optimism=org.forecast_optimism,
            shortage_gaming=org.shortage_gaming,
            shortage_memory=self.shortage_memory,
            trust_in_purchasing=self.trust_in_purchasing,
            sandbagging=org.sandbagging,
            quota_from_forecast=org.quota_from_forecast,
            joint_weight=self.joint_weight,
            understanding=self.understanding,
        )

    def _learn_from_service(self) -> None:
        """The period's stock-outs and refusals feed shortage memory and trust in purchasing."""
        org = self.model.world.org
        if self._units_ordered:
            short_share = self._units_short / self._units_ordered
            refused_share = self.expedites_refused / self.expedites_asked if self.expedites_asked else 0.0
            self.shortage_memory += org.shortage_memory * (short_share - self.shortage_memory)
            # Knowing purchasing's constraints, a rep blames it less for what went wrong.
            leniency = 1.0 - self.understanding
            evidence = trust.service_evidence(
                short_share,
                refused_share,
                org.trust_stockout_sensitivity * leniency,
                org.trust_refusal_weight * leniency,
            )
            self.trust = trust.learned(self.trust, evidence, org.trust_learning, org.trust_gain_ratio)
        self._units_ordered = self._units_short = 0
        self.expedites_asked = self.expedites_refused = 0

    def _submit_forecast(self, now: float) -> list[float]:
        self._learn_from_service()
        seat = self._seat_deciding(int(now))
        # In play mode the person's own adjustment of the estimate is the forecast's bias.
        self.bias = seat.forecast_adjustment(int(now)) if seat is not None else self.current_bias()
        self.own_estimate = self.estimate(now)
        submitted = [rate * max(0.0, 1.0 + self.bias) for rate in self.own_estimate]
        self.model.submit_sales_forecast(self, submitted)
        signal = self.model.recorder.signal
        signal(now, "forecast_bias", self.label, -1, self.bias)
        signal(now, "trust_in_purchasing", self.label, -1, self.trust_in_purchasing)
        return submitted

    # -- quota, deals and promotions ----------------------------------------------------

    def _follow_quota(self, now: float, submitted: list[float]) -> None:
        org = self.model.world.org
        day = int(now)
        quarter = day // QUARTER_DAYS
        prices = self.model.list_price_cents
        seat = self._seat_deciding(day)
        if seat is not None:
            self._follow_plan(now, submitted, seat.promotion(day))
        if quarter != self.quarter:
            basis = submitted if org.quota_from_forecast else self._expected_rates()
            self.quota = org.quota_stretch * QUARTER_DAYS * sum(r * p for r, p in zip(basis, prices, strict=True))
            self.quarter, self.bookings, self.deal_discount = quarter, 0.0, 0.0
            return
        elapsed = (day - quarter * QUARTER_DAYS) / QUARTER_DAYS
        shortfall = incentives.quota_shortfall(self.bookings, self.quota, elapsed)
        self.deal_discount = incentives.deal_discount(shortfall, org.deal_discount_max, self.joint_weight)
        self.promotions = [p for p in self.promotions if p.end_day + p.dip_days > day]
        if seat is not None:
            return  # the person in the seat planned (or not) above
        if org.promotions and shortfall > org.promotion_trigger and not self.promotion_pending(day):
            self._plan_promotion(now, submitted)

    def _seat_deciding(self, day: int) -> SalesSeat | None:
        return self.seat if self.seat is not None and self.seat.decides(day) else None

    def _follow_plan(self, now: float, submitted: list[float], plan: PromotionPlan | None) -> None:
        """The promotion a person in the seat decided, if any (and if none is running or pending)."""
        day = int(now)
        self.promotions = [p for p in self.promotions if p.end_day + p.dip_days > day]
        if plan is None or not self.model.world.org.promotions or self.promotion_pending(day):
            return
        self._plan_promotion(now, submitted, plan)

    def _expected_rates(self) -> list[float]:
        rates = [0.0] * len(self.ordered)
        for account in self.accounts:
            for sku, rate in account.spec.demand.expected_daily_units().items():
                rates[sku] += rate
        return rates

    def promotion_pending(self, day: int) -> bool:
        if self.pending_promotion is not None:
            return True
        return any(p.end_day + p.dip_days > day for p in self.promotions)

    def _plan_promotion(self, now: float, submitted: list[float], plan: PromotionPlan | None = None) -> None:
        """A price cut on the portfolio's best sellers (or a person's choice), starting after the planning lead."""
        model, org, market = self.model, self.model.world.org, self.model.world.market
        day = int(now)
        prices = model.list_price_cents
        if plan is None:
            ranked = sorted(range(len(submitted)), key=lambda k: (-submitted[k] * prices[k], k))
            skus = tuple(sorted(k for k in ranked[: org.promotion_skus] if submitted[k] > 0))
            start = day + org.promotion_lead_days
            self._pending_notice = org.promotion_notice
        else:
            skus, start, self._pending_notice = tuple(sorted(plan.skus)), day + 7 * plan.weeks_ahead, plan.notice
        if not skus:
            return
        uplift = promotions.promotion_uplift(org.promotion_discount, market.promotion_uplift_per_discount)
        estimate = [submitted[k] / (1.0 + self.bias) if self.bias > -1 else submitted[k] for k in skus]
        promotion = Promotion(
            promotion_id=model.next_promotion_id(),
            rep=self.spec.index,
            skus=skus,
            planned_day=day,
            start_day=start,
            end_day=start + org.promotion_days,
            discount=org.promotion_discount,
            uplift=uplift,
            dip_days=market.promotion_dip_days,
            dip=max(0.0, 1.0 - market.promotion_dip_share * (uplift - 1.0)),
            extra_daily_units={k: e * (uplift - 1.0) for k, e in zip(skus, estimate, strict=True)},
        )
        # Drawn before any check, so a check that vetoes does not shift later draws.
        self._pending_draw = float(self._notice_rng.random())
        self.pending_promotion = promotion
        verdict = model.levers.check_promotion(promotion)
        if verdict is True:
            self.commit_promotion(promotion)
        elif verdict is False:
            self.drop_promotion(promotion)
        # None: held for a decision above the rep (a committee's next meeting)

    def drop_promotion(self, promotion: Promotion) -> None:
        """A promotion was not approved: the rep lets it go."""
        if self.pending_promotion is promotion:
            self.pending_promotion = None

    def commit_promotion(self, promotion: Promotion) -> None:
        """Run an approved promotion.

        Customers see it from its start; purchasing is told when the rep chooses to
        (by the draw made when it was planned, for a notice by trust).
        """
        model, org = self.model, self.model.world.org
        now = model.env.now
        day = int(now)
        if promotion.start_day <= day:  # approval came late: the campaign slips
            length = promotion.end_day - promotion.start_day
            promotion.start_day = day + 1
            promotion.end_day = promotion.start_day + length
        self.pending_promotion = None
        self.promotions.append(promotion)
        # Understanding of purchasing's lead times (from a rotation) makes a rep tell early.
        propensity = org.promotion_notice_propensity
        propensity += self.understanding * (1.0 - propensity)
        told = promotions.notice_day(
            self._pending_notice,
            day,
            promotion.start_day,
            org.late_notice_days,
            self.trust_in_purchasing,
            propensity,
            self._pending_draw,
        )
        detail = (
            f"{100 * promotion.discount:.0f}% off SKUs {', '.join(map(str, promotion.skus))} "
            f"from day {promotion.start_day} to {promotion.end_day - 1}"
        )
        model.recorder.record(
            events.PromotionPlanned(
                now,
                self.label,
                promotion.skus[0],
                promotion.promotion_id,
                len(promotion.skus),
                promotion.start_day,
                promotion.discount,
                detail,
            )
        )
        if told is not None:
            model.process(self._tell_purchasing(promotion, told))
        model.process(self._run_promotion(promotion))
        model.promotion_committed(promotion)

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
        model.recorder.record(
            events.PromotionStarted(
                env.now,
                self.label,
                promotion.skus[0],
                promotion.promotion_id,
                len(promotion.skus),
                -1 if notice is None else notice,
                int(notice is not None),
                detail,
            )
        )
        model.recorder.signal(
            env.now, "promotion_notice_days", self.label, -1, float(notice) if notice is not None else 0.0
        )
        if notice is None:
            model.promotion_surprise(promotion)

    def blame_stockout(self, promotion: Promotion, sku: int, now: float) -> None:
        """A stock-out on a promoted SKU that purchasing learned of too late: a conflict."""
        if promotion.stockout_blamed:
            return
        notice = promotion.notice_days()
        lead = self.model.world.skus[sku]
        supplier_lead = min(self.model.suppliers[s].spec.lead_time_mean_days for s in lead.suppliers)
        if notice is not None and notice >= supplier_lead:
            return
        promotion.stockout_blamed = True
        told = "never told" if notice is None else f"told only {notice} days before"
        detail = f"stock-out in promotion {promotion.promotion_id}; purchasing {told}"
        notice_days = -1 if notice is None else notice
        self.model.recorder.record(
            events.StockoutLateNotice(now, self.label, sku, promotion.promotion_id, notice_days, detail)
        )

    # -- the planning cycle ---------------------------------------------------------------

    def _planning(self) -> Generator[simpy.Event, Any, None]:
        env = self.model.env
        period = self.spec.forecast_period_days
        yield env.timeout(FORECAST)
        while True:
            submitted = self._submit_forecast(env.now)
            self._follow_quota(env.now, submitted)
            yield env.timeout(period)
