"""Sales reps: quotas, biased forecasts, promotions, deals, promises and expedite requests."""

from collections import deque
from collections.abc import Generator
from typing import Any, ClassVar

import simpy

from sim.agents.campaigning import Campaigning
from sim.agents.staff import Staff
from sim.behaviour import incentives, promotions, trust
from sim.books.campaigns import Promotion
from sim.clock import FORECAST
from sim.output import events
from sim.ports import SALES, Account, SalesDesk, SalesSeat
from sim.specs import OrderAnnouncement, RepSpec

QUARTER_DAYS = 91


class SalesRep(Campaigning, Staff):
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
        self.shortfall = 0.0  # behind the quota pace, as a share of it (at the last quota review)
        self.promotions: list[Promotion] = []
        self.pending_promotion: Promotion | None = None  # waiting for an approval
        self._pending_draw = 0.0  # decides how it will be announced, drawn when planned
        self.seat: SalesSeat | None = None  # play mode: a person decides forecast, promotions, promises, expedites
        self._pending_notice = model.world.org.promotion_notice
        self._pending_notice_days: int | None = None
        self._notice_rng = model.streams.generator("notice", spec.index)
        self._order_notice_rng = model.streams.generator("order_notice", spec.index)
        self.announced: list[OrderAnnouncement] = []  # large orders accounts told the rep of, not yet due
        self._escalation_rng = model.streams.generator("escalation", spec.index)
        model.process(self._planning())

    @property
    def trust_in_purchasing(self) -> float:
        """How far the rep trusts purchasing to deliver (0 to 1)."""
        return self.trust

    # -- what accounts report -----------------------------------------------------------

    def hear_announcement(self, account: Account, announced: OrderAnnouncement) -> None:
        """An account tells of a large order ahead; the rep passes it to purchasing early, late or never.

        As with promotions, telling early is a choice that trust in purchasing and
        understanding of its lead times make likelier (sim/behaviour/promotions.py).
        """
        model, org = self.model, self.model.world.org
        now = model.env.now
        day = int(now)
        self.announced = [a for a in self.announced if a.due_day >= day]
        self.announced.append(announced)
        number = model.announcement_number(announced)
        detail = f"{announced.units} units of SKU {announced.sku} to order on day {announced.due_day}"
        model.recorder.record(
            events.OrderAnnounced(
                now, f"account {announced.account}", announced.sku, announced.account, number, announced.units,
                self.index, announced.due_day, detail,
            )
        )  # fmt: skip
        propensity = org.promotion_notice_propensity + self.understanding * (1.0 - org.promotion_notice_propensity)
        draw = float(self._order_notice_rng.random())
        told = promotions.notice_day(
            org.order_notice, day, announced.due_day, org.late_notice_days, self.trust, propensity, draw
        )
        if told is not None:
            model.process(self._tell_of_order(announced, told))
        model.levers.on_announcement(announced)

    def _tell_of_order(self, announced: OrderAnnouncement, day: int) -> Generator[simpy.Event, Any, None]:
        env = self.model.env
        if day + FORECAST > env.now:
            yield env.timeout(day + FORECAST - env.now)
        self.model.inform_of_order(announced, self.label)

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

    # -- promises and expedite requests (a person in the seat may set them for the week) -------

    def promised_days(self, lines: list[tuple[int, int, int]], requested: int, today: int) -> list[int] | None:
        """Delivery days promised per line of an account's order (None: the day asked).

        The rep's rule promises from stock only where a lever shows it stock; a person in
        the seat promises as it chose for the week.
        """
        model = self.model
        rule = self.seat.promise_rule(today) if self.seat is not None else None
        if rule is None:
            return model.promise_days(self, lines, requested, today) if model.levers.show_stock else None
        if rule.kind == "buffer":
            return [requested + rule.buffer_days] * len(lines)
        if rule.kind == "ask":
            return None
        view = model.levers.stock_view(self) or model.live_stock  # without a system, the rep asks the warehouse
        return [model.available_to_promise(view, sku, units, requested, today) for sku, units, _ in lines]

    def asks_expedite(self, key_account: bool, units: int, today: int) -> bool:
        """Whether a line short of ``units`` is worth an expedite request: key accounts', or as the person chose."""
        rule = self.seat.request_rule(today) if self.seat is not None else None
        if rule is None:
            return key_account and self.model.world.org.expedite_requests
        if rule.kind == "above":
            return units > rule.min_units
        return rule.kind == "key" and key_account

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
        if seat is not None:
            seat.note_forecast(int(now), sum(submitted))
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
            self.promotions = [p for p in self.promotions if p.end_day + p.dip_days > day]
            plan = seat.promotion(day)
            if plan is not None and org.promotions and not self.promotion_pending(day):
                self.propose_promotion(now, plan)
        if quarter != self.quarter:
            basis = submitted if org.quota_from_forecast else self._expected_rates()
            self.quota = org.quota_stretch * QUARTER_DAYS * sum(r * p for r, p in zip(basis, prices, strict=True))
            self.quarter, self.bookings, self.deal_discount = quarter, 0.0, 0.0
            return
        elapsed = (day - quarter * QUARTER_DAYS) / QUARTER_DAYS
        self.shortfall = incentives.quota_shortfall(self.bookings, self.quota, elapsed)
        self.deal_discount = incentives.deal_discount(self.shortfall, org.deal_discount_max, self.joint_weight)
        self.promotions = [p for p in self.promotions if p.end_day + p.dip_days > day]
        if seat is not None:
            return  # the person in the seat planned (or not) above
        if org.promotions and self.shortfall > org.promotion_trigger and not self.promotion_pending(day):
            self.propose_promotion(now)

    def _seat_deciding(self, day: int) -> SalesSeat | None:
        return self.seat if self.seat is not None and self.seat.decides(day) else None

    def _expected_rates(self) -> list[float]:
        rates = [0.0] * len(self.ordered)
        for account in self.accounts:
            for sku, rate in account.spec.demand.expected_daily_units().items():
                rates[sku] += rate
        return rates

    # -- the planning cycle ---------------------------------------------------------------

    def _planning(self) -> Generator[simpy.Event, Any, None]:
        env = self.model.env
        period = self.spec.forecast_period_days
        yield env.timeout(FORECAST)
        while True:
            submitted = self._submit_forecast(env.now)
            self._follow_quota(env.now, submitted)
            yield env.timeout(period)
