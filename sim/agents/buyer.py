"""Buyers: they plan their SKUs' demand, replenish, pick suppliers, negotiate, expedite."""

from collections.abc import Generator
from typing import Any, ClassVar

import simpy

from sim.agents.staff import Staff
from sim.behaviour import expediting, incentives, trust
from sim.behaviour.forecasting import MovingWindow
from sim.behaviour.replenishment import order_quantity, order_up_to_level, reorder_quantity
from sim.behaviour.supplier_choice import best_offer
from sim.books.campaigns import Promotion
from sim.books.orders import ExpediteRequest
from sim.clock import REVIEW
from sim.output import events
from sim.ports import PURCHASING, OrderSeat, PurchasingDesk, SupplierPort
from sim.specs import BuyerSpec, OrderAnnouncement
from sim.world import order_up_to_cover

EXCESS_CONFLICT_GAP_DAYS = 91  # one "excess stock" complaint per SKU per quarter at most


class Buyer(Staff):
    """Owns a set of SKUs; rewarded on purchase price savings and an inventory budget.

    What levers change it answers through hooks (``model.levers``): its reward (the
    joint KPI's weight and service), the CRM pipeline it sees and a consensus forecast
    agreed above the departments; rotation and meetings move its understanding and trust.
    """

    department: ClassVar[str] = PURCHASING
    trust_signal: ClassVar[str] = "trust_in_sales"
    model: PurchasingDesk

    def __init__(self, model: PurchasingDesk, spec: BuyerSpec) -> None:
        super().__init__(model, spec.index, f"buyer {spec.index}")
        org = model.world.org
        self.spec = spec
        self.skus = spec.skus
        self.history = {sku: MovingWindow(spec.forecast_window_days) for sku in spec.skus}
        self.observed_until = 0  # first day not yet in the buyer's statistics
        self.own_weights = incentives.SupplierWeights(
            org.buyer_price_weight,
            org.buyer_lead_time_weight,
            org.buyer_reliability_weight,
            org.buyer_relationship_weight,
        )
        self.known_promotions: list[Promotion] = []
        self.known_orders: list[OrderAnnouncement] = []  # large orders announced to come, that purchasing knows of
        self._forecasts_then: dict[int, tuple[float, float]] = {}
        self._excess_blamed: dict[int, int] = {}
        self._main_supplier: dict[int, int] = {}
        self.seat: OrderSeat | None = None  # play mode: a person decides orders, suppliers and expedites
        model.process(self._reviewing())
        if org.negotiation_interval_days > 0:
            model.process(self._negotiating(org.negotiation_interval_days))

    @property
    def trust_in_sales(self) -> float:
        """How far the buyer trusts sales' numbers (0 to 1)."""
        return self.trust

    # -- what the buyer plans on --------------------------------------------------------

    def observe(self, today: int) -> None:
        """Every full day of orders since the last look enters the buyer's statistics."""
        since = self.observed_until
        if today <= since:
            return
        daily = self.model.demand_history
        launch = self.model.world.skus
        for sku, window in self.history.items():
            orders = daily[sku]
            for day in range(max(since, launch[sku].launch_day), today):
                window.push(orders[day])
        self.observed_until = today

    def sales_weight(self) -> float:
        """Weight on sales' forecast: how far the buyer trusts sales' numbers."""
        return self.model.world.org.sales_forecast_max_weight * self.trust_in_sales

    def own_forecast(self, sku: int, day: int) -> float:
        """The buyer's own statistics: mean daily orders over its window (the plan before any history)."""
        self.observe(day)
        return self.history[sku].mean(prior=self.model.world.skus[sku].expected_daily_units)

    def planned_daily_mean(self, sku: int, day: int) -> float:
        """The daily demand the buyer plans on, before promotions it knows of."""
        consensus = self.model.levers.consensus_forecast(sku)
        if consensus is not None:
            return consensus
        known = self.spec.known_daily_mean
        if known is not None:
            return known
        spec = self.model.world.skus[sku]
        planned = day + 30 >= spec.launch_day and self.model.launch_known(sku)
        own = self.history[sku].mean(prior=spec.expected_daily_units if planned else 0.0)
        sales = self.sales_view(sku)
        weight = self.sales_weight()
        if weight <= 0 or sales <= 0:
            return own
        return (1.0 - weight) * own + weight * sales

    def sales_view(self, sku: int) -> float:
        """Sales' numbers as this buyer sees them: the submitted forecast, or the CRM pipeline."""
        submitted = self.model.sales_forecast[sku]
        quality = self.model.levers.pipeline_quality(self)
        if quality is None:
            return submitted
        return quality * self.model.pipeline_forecast(sku) + (1.0 - quality) * submitted

    def planned_daily_sd(self, sku: int, mean: float) -> float:
        known = self.spec.known_daily_sd
        if known is not None:
            return known
        return self.history[sku].sd(prior=mean**0.5)

    def promotion_units(self, sku: int, day: int, cover: float) -> float:
        """Extra units the promotions purchasing knows of will pull within the cover."""
        extra = 0.0
        end = day + cover
        for promotion in self.known_promotions:
            if sku in promotion.extra_daily_units:
                overlap = min(end, promotion.end_day) - max(day, promotion.start_day)
                if overlap > 0:
                    extra += overlap * promotion.extra_daily_units[sku]
        return extra

    def learn_order(self, announced: OrderAnnouncement) -> None:
        """Purchasing heard of a large order an account will place."""
        self.known_orders.append(announced)

    def ordered_ahead(self, sku: int, day: int, cover: float) -> int:
        """Units of announced orders purchasing knows of, due within the cover."""
        return sum(a.units for a in self.known_orders if a.sku == sku and day <= a.due_day < day + cover)

    def learn_promotion(self, promotion: Promotion) -> None:
        """Sales told purchasing of a promotion (or purchasing saw it in the CRM)."""
        if promotion not in self.known_promotions:
            self.known_promotions.append(promotion)

    # -- the periodic review ------------------------------------------------------------

    def review(self, now: float) -> None:
        """For each SKU: plan demand, pick a supplier, order up to S (or per (s, S))."""
        model = self.model
        day = int(now)
        self.observe(day)
        self._judge_sales_forecast(now)
        if self.known_promotions:
            self.known_promotions = [p for p in self.known_promotions if p.end_day > day]
        if self.known_orders:
            self.known_orders = [a for a in self.known_orders if a.due_day >= day]
        skus = model.world.skus
        signal = model.recorder.signal
        blaming = self.sales_weight() > 0
        chasing = self.chases_price_breaks()
        seat = self.seat if self.seat is not None and self.seat.decides(day) else None
        for sku in self.spec.skus:
            if day + 60 < skus[sku].launch_day or not model.launch_known(sku):
                continue  # nothing to buy yet for a product not launched (or that purchasing has not heard of)
            supplier = self.choose_supplier(sku, day)
            if seat is not None:
                supplier = self._seated_supplier(seat, sku, day, supplier)
            level, mean, planned = self.target(sku, day, supplier)
            signal(now, "planned_forecast", self.label, sku, planned)
            units = self.rule_units(sku, day, supplier, level, mean, chasing)
            if seat is not None:
                units = seat.order_units(sku, day, units)
            if units > 0:
                self._place(now, supplier, sku, units, day)
            if blaming:
                self._blame_padded_forecast(now, sku, level, mean)

    def target(self, sku: int, day: int, supplier: SupplierPort) -> tuple[float, float, float]:
        """The order-up-to level S, the planned daily mean, and the daily rate planned with what it knows is coming.

        Known promotions' extra demand and known announced orders within the cover add to S.
        """
        cover = order_up_to_cover(supplier.spec.lead_time_mean_days, self.spec.review_period_days)
        mean = self.planned_daily_mean(sku, day)
        promoted = self.promotion_units(sku, day, cover) if self.known_promotions else 0.0
        if self.known_orders:
            promoted += self.ordered_ahead(sku, day, cover)
        z = self.spec.safety_z + incentives.service_safety_bonus(self.reward.joint_weight, self.reward.service_weight)
        level = order_up_to_level(mean, self.planned_daily_sd(sku, mean), cover, z) + promoted
        return level, mean, mean + promoted / cover

    def rule_units(self, sku: int, day: int, supplier: SupplierPort, level: float, mean: float, chasing: bool) -> int:
        """What the buyer's rule orders: up to S (or per (s, S)), rounded up to a price break if it chases them."""
        org = self.model.world.org
        position = self.model.stock.inventory_position(sku)
        if org.replenishment == "s_S":
            units = reorder_quantity(level, org.s_S_lot_days * mean, position)
        else:
            units = order_quantity(level, position)
        if units > 0:  # the supplier's minimum order and whole cases, whatever the buyer would rather buy
            units = max(units, supplier.spec.minimum_order_units.get(sku, 0))
            pack = supplier.spec.case_pack_units
            units = -(-units // pack) * pack
        if units > 0 and chasing:
            units = self._lot_size(supplier, sku, units, day, mean)
        return units

    def chases_price_breaks(self) -> bool:
        """Rewarded on price and within its inventory budget, the buyer rounds orders up to price breaks."""
        return self.model.world.org.price_break_chasing and self.within_budget()

    def within_budget(self) -> bool:
        """Whether the buyer's stock on hand is within its budget (weeks of planned demand at cost).

        A buyer rewarded on an inventory budget stops buying lots bigger than it needs
        once its stock is over it.
        """
        model = self.model
        on_hand, costs, skus = model.stock.on_hand, model.standard_cost_cents, model.world.skus
        value = sum(on_hand[k] * costs[k] for k in self.spec.skus)
        weekly = sum(skus[k].expected_daily_units * 7 * costs[k] for k in self.spec.skus)
        return value <= model.world.org.inventory_budget_weeks * weekly

    def choose_supplier(self, sku: int, day: int) -> SupplierPort:
        suppliers = self.model.suppliers
        candidates = self.model.world.skus[sku].suppliers
        if len(candidates) == 1:
            self._main_supplier[sku] = candidates[0]
            return suppliers[candidates[0]]
        offers = [suppliers[s].offer(sku, day) for s in candidates]
        lateness = suppliers[candidates[0]].spec.late_days_mean
        holding = self.model.world.holding_rate_per_day
        chosen = best_offer(offers, self.own_weights, self.joint_weight, holding, lateness)
        self._main_supplier[sku] = chosen
        return suppliers[chosen]

    def _seated_supplier(self, seat: OrderSeat, sku: int, day: int, chosen: SupplierPort) -> SupplierPort:
        """The supplier the person in the seat picked for ``sku`` (one of its sources), else the scorecard's."""
        picked = seat.supplier(sku, day, chosen.spec.index)
        if picked == chosen.spec.index or picked not in self.model.world.skus[sku].suppliers:
            return chosen
        self._main_supplier[sku] = picked
        return self.model.suppliers[picked]

    def main_supplier(self, sku: int) -> int:
        """The supplier the buyer last ordered ``sku`` from (its first source before any order)."""
        return self._main_supplier.get(sku, self.model.world.skus[sku].suppliers[0])

    def _lot_size(self, supplier: SupplierPort, sku: int, units: int, day: int, mean: float) -> int:
        """Round up to the price break if the buyer's reward says so."""
        org = self.model.world.org
        break_units = supplier.spec.break_units.get(sku)
        if break_units is None:
            return units
        price = supplier.unit_price_cents(sku, units, day)
        saving = break_units * price * supplier.spec.break_discount
        extra = break_units - units
        days_held = extra / mean if mean > 0 else 365.0
        extra_holding = (
            extra * self.model.standard_cost_cents[sku] * self.model.world.holding_rate_per_day * days_held / 2.0
        )
        if incentives.chase_price_break(
            units=units,
            break_units=break_units,
            reach=org.price_break_reach,
            saving=saving,
            extra_holding=extra_holding,
            joint_weight=self.joint_weight,
        ):
            return break_units
        return units

    def _place(self, now: float, supplier: SupplierPort, sku: int, units: int, day: int) -> None:
        price = supplier.unit_price_cents(sku, units, day)
        due = day + round(supplier.spec.lead_time_mean_days)
        po = self.model.place_order(now, self.spec.index, self.code, supplier.spec.index, sku, units, price, due)
        supplier.accept(po)

    # -- judging sales ------------------------------------------------------------------

    def _judge_sales_forecast(self, now: float) -> None:
        """Compare sales' last forecast and the buyer's own with what came; trust follows."""
        model = self.model
        if model.world.org.sales_forecast_max_weight <= 0:
            return  # a buyer who never uses sales' numbers does not grade them
        day = int(now)
        previous = self._forecasts_then
        if previous:
            period = self.spec.review_period_days
            daily = model.demand_history
            own_error = sales_error = 0.0
            for sku, (own, sales) in previous.items():
                actual = sum(daily[sku][max(0, day - period) : day])
                own_error += abs(own * period - actual)
                sales_error += abs(sales * period - actual)
            accuracy = trust.relative_accuracy(own_error, sales_error)
            # Knowing how sales works, a buyer reads its misses more generously.
            if accuracy < 0:
                accuracy *= 1.0 - self.understanding / 2.0
            org = model.world.org
            self._trust_moved(trust.moved(self.trust, accuracy, org.trust_learning, org.trust_gain_ratio))
        self._forecasts_then = {
            sku: (self.history[sku].mean(prior=0.0), model.sales_forecast[sku])
            for sku in self.spec.skus
            if model.sales_forecast[sku] > 0 and len(self.history[sku])
        }

    def _blame_padded_forecast(self, now: float, sku: int, level: float, mean: float) -> None:
        """Excess stock that a padded sales forecast put there is a conflict."""
        model = self.model
        on_hand = model.stock.on_hand[sku]
        if on_hand <= level:
            return
        own = self.history[sku].mean(prior=mean)
        sales = model.sales_forecast[sku]
        day = int(now)
        if own <= 0 or sales <= 1.1 * own:
            return
        if day - self._excess_blamed.get(sku, -EXCESS_CONFLICT_GAP_DAYS) < EXCESS_CONFLICT_GAP_DAYS:
            return
        self._excess_blamed[sku] = day
        over = sales / own - 1
        detail = f"{on_hand} on hand above target {level:.0f}; sales forecast {100 * over:+.0f}% above demand"
        model.recorder.record(events.ExcessStock(now, self.label, sku, on_hand, over, detail))

    # -- expediting and negotiating -----------------------------------------------------

    def expedite_quote(self, request: ExpediteRequest, day: int) -> tuple[int, float]:
        """The supplier the buyer would rush ``request`` from, and the premium it would pay, in cents."""
        supplier = self.choose_supplier(request.sku, day)
        return supplier.spec.index, self._premium(supplier, request, day)

    def _premium(self, supplier: SupplierPort, request: ExpediteRequest, day: int) -> float:
        return supplier.unit_price_cents(request.sku, 1, day) * supplier.spec.expedite_premium * request.units

    def consider_expedite(self, request: ExpediteRequest) -> bool:
        """Approve or refuse a rush order by the buyer's own reward."""
        model = self.model
        now = model.env.now
        day = int(now)
        supplier = self.choose_supplier(request.sku, day)
        premium_cost = self._premium(supplier, request, day)
        answer = self.seat.expedite_answer(request.account, request.sku, premium_cost, day) if self.seat else None
        if answer is not None:
            return self._answered(request, supplier, premium_cost, answer)
        reward = self.reward
        loss = expediting.loss_of_request(request, model.supplied_day(request.sku, day))
        valued = incentives.expedite_value(
            loss=loss * incentives.saved_sale_value(reward.joint_weight, reward.service_weight),
            sales_claim=request.margin_at_risk_cents,
            joint_weight=self.joint_weight,
            trust_in_sales=self.trust_in_sales,
            goodwill=min(1.0, model.world.org.expedite_goodwill * (1.0 + self.understanding)),
        )
        approved = valued >= premium_cost
        if approved:
            self._rush(request, supplier, round(premium_cost))
        else:
            reason = (
                f"rep {request.rep} asked; premium {premium_cost / 100:,.0f} outweighs the margin at risk "
                f"as purchasing values it, {valued / 100:,.0f} (of {request.margin_at_risk_cents / 100:,.0f})"
            )
            self._refuse(request, premium_cost, reason)
        return approved

    def _answered(self, request: ExpediteRequest, supplier: SupplierPort, premium_cost: float, approve: bool) -> bool:
        """The person in the seat answered the request (by its standing answer for the week)."""
        if approve:
            self._rush(request, supplier, round(premium_cost))
        else:
            reason = f"rep {request.rep} asked; the buyer refused a premium of {premium_cost / 100:,.0f}"
            self._refuse(request, premium_cost, reason)
        return approve

    def _refuse(self, request: ExpediteRequest, premium_cost: float, reason: str) -> None:
        self.model.recorder.record(
            events.ExpediteRefused(
                self.model.env.now,
                self.label,
                request.sku,
                request.account,
                request.units,
                request.rep,
                premium_cost,
                request.margin_at_risk_cents,
                reason,
            )
        )

    def expedite(self, request: ExpediteRequest, supplier: int, premium_cents: int) -> None:
        """Rush ``request.units`` from ``supplier`` by premium freight (a decision taken above the buyer)."""
        self._rush(request, self.model.suppliers[supplier], premium_cents)

    def _rush(self, request: ExpediteRequest, supplier: SupplierPort, premium_cents: int) -> None:
        """Rush ``request.units`` by premium freight; the premium is an expediting cost."""
        model = self.model
        now = model.env.now
        day = int(now)
        price = supplier.unit_price_cents(request.sku, request.units, day)
        po = model.place_order(
            now,
            self.spec.index,
            self.code,
            supplier.spec.index,
            request.sku,
            request.units,
            price,
            day + supplier.spec.expedite_lead_days,
        )
        model.pay_expediting(premium_cents)
        model.recorder.record(
            events.Expedite(
                now,
                self.label,
                request.sku,
                request.account,
                po.po_id,
                request.units,
                request.rep,
                premium_cents,
                f"for rep {request.rep}",
            )
        )
        supplier.expedite(po)

    def _negotiating(self, interval: int) -> Generator[simpy.Event, Any, None]:
        env = self.model.env
        org = self.model.world.org
        yield env.timeout(interval + REVIEW)
        while True:
            target = self._main_source()
            if target is not None and incentives.presses_suppliers(
                self.own_weights.price,
                self.joint_weight,
                target.current_relationship(),
                target.spec.initial_relationship,
            ):
                target.concede(org.negotiation_price_cut, org.negotiation_relationship_cost)
                detail = (
                    f"pressed {target.label} for {100 * org.negotiation_price_cut:.0f}% "
                    f"off; relationship now {target.relationship:.2f}"
                )
                self.model.recorder.record(
                    events.Negotiation(env.now, self.label, target.spec.index, target.relationship, detail)
                )
            yield env.timeout(interval)

    def _main_source(self) -> Any:
        """The supplier most of the buyer's SKUs were last ordered from (None before any order)."""
        if not self._main_supplier:
            return None
        counts: dict[int, int] = {}
        for supplier in self._main_supplier.values():
            counts[supplier] = counts.get(supplier, 0) + 1
        return self.model.suppliers[max(sorted(counts), key=counts.__getitem__)]

    def _reviewing(self) -> Generator[simpy.Event, Any, None]:
        env = self.model.env
        yield env.timeout(self.spec.first_review_day + REVIEW)
        while True:
            # A buyer away on a rotation spell has its reviews covered by a colleague: none is skipped.
            self.review(env.now)
            yield env.timeout(self.spec.review_period_days)

    def surprised_by_promotion(self, trust_loss: float) -> None:
        """A promotion started that purchasing was never told of: trust in sales suffers."""
        self._trust_moved(trust.hurt(self.trust, trust_loss))
