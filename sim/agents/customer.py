"""Customer accounts: they order, wait up to their patience, judge the service, may leave.

Accounts order on their own days at the demand phase. One :class:`OrderCalendar` process
wakes each day and lets the accounts due that day order in the order they were booked,
the order SimPy would wake one process per account in: an account books its next day
when it orders (or when it is won), so earlier bookings order first on a shared day.
"""

from collections.abc import Generator, Iterator
from typing import TYPE_CHECKING, Any

import simpy
from mesa.agent import Agent

from sim.behaviour import expediting
from sim.books.order_to_cash import OUTCOMES, waiting_units
from sim.books.orders import ExpediteRequest, OrderLine
from sim.clock import DEMAND
from sim.output import events
from sim.ports import OrderDesk
from sim.specs import AccountSpec, OrderAnnouncement

if TYPE_CHECKING:
    import numpy as np

    from sim.agents.sales import SalesRep

ON_TIME_IN_FULL = OUTCOMES["on time in full"]
SALES_CLAIM = 2.0  # sales claims twice a key account's line margin is at risk: today's and its goodwill
CHURN_DRAWS = 4096  # an account's churn draws, used in turn (an account orders tens of times a year)


class CustomerAccount(Agent):
    """Orders on its own cycle, at list price less its rep's discounts.

    Satisfaction moves with each order's service (on time in full, promises kept); when
    it falls below the scenario's threshold the account may leave (churn).
    """

    model: OrderDesk

    def __init__(self, model: OrderDesk, spec: AccountSpec, rep: "SalesRep") -> None:
        super().__init__(model)
        self.spec = spec
        self.rep = rep
        self.label = f"account {spec.index}"
        self.code = model.recorder.name(self.label)
        self.satisfaction = 0.8
        self.churned = False
        market = model.world.market
        self._churn_draws: list[float] = []  # drawn when first needed (_churn_draw): most accounts never need one
        self._churn_stream: np.random.Generator | None = None
        # Key accounts are the demanding ones: each order's service moves their satisfaction more.
        weight = market.key_account_sensitivity if spec.key_account else 1.0
        self._learning = min(1.0, market.satisfaction_learning * weight)
        self._announced: dict[int, list[tuple[int, int]]] = {}  # due day -> the announced (sku, units)
        for announced in spec.announcements:
            self._announced.setdefault(announced.due_day, []).append((announced.sku, announced.units))
        self._orders = 0
        self._judging = market.satisfaction_learning > 0
        self.order_days: Iterator[int] = spec.demand.order_days()
        rep.accounts.append(self)

    def order(self, day: int) -> bool:
        """Place the day's order at the rep's prices; judge what arrived. False once the account has left."""
        model, spec, rep = self.model, self.spec, self.rep
        list_prices = model.list_price_cents
        if rep.promotions or rep.deal_discount:
            terms = rep.terms(day)
            wanted = spec.demand.quantities(day, terms.multipliers, terms.deal)
            if self._announced:
                wanted = wanted + self._announced.pop(day, [])
            paid = 1.0 - rep.deal_discount  # a line's price: a running campaign's discount, else the deal's
            if terms.running:
                lines = []
                for k, q in wanted:
                    promotion = terms.running.get(k)
                    if promotion is None:
                        lines.append((k, q, round(list_prices[k] * paid)))
                    else:
                        promotion.units_sold[k] = promotion.units_sold.get(k, 0) + q
                        lines.append((k, q, round(list_prices[k] * (1.0 - promotion.discount))))
            else:
                lines = [(k, q, round(list_prices[k] * paid)) for k, q in wanted]
        else:
            wanted = spec.demand.quantities(day)
            if self._announced:
                wanted = wanted + self._announced.pop(day, [])
            lines = [(k, q, list_prices[k]) for k, q in wanted]
        requested = day + spec.requested_lead_days
        promised = rep.promised_days(lines, requested, day) if model.levers.show_stock or rep.seat is not None else None
        now = model.env.now
        short = model.take_order(now, spec.index, self.code, lines, requested, day + spec.patience_days, promised)
        rep.note_order(wanted, sum([q * p for _, q, p in lines]), sum(short.values()) if short else 0)
        if short:
            self._short(short, lines, day)
        elif self._judging:  # judge(ON_TIME_IN_FULL), inlined: most orders ship at once
            self.satisfaction += self._learning * (ON_TIME_IN_FULL - self.satisfaction)
        market = model.world.market
        if market.churn_rate_per_order <= 0 or self.satisfaction >= market.churn_threshold:
            self._orders += 1  # _leaves' first case, inlined: content accounts stay
            return True
        return not self._leaves()

    def _short(self, short: dict[int, int], lines: list[tuple[int, int, int]], day: int) -> None:
        """Some lines could not be served from stock: promotions and key accounts react."""
        rep, model = self.rep, self.model
        now = model.env.now
        for sku in short:
            promotion = rep.active_promotion(sku, day)
            if promotion is not None:
                rep.blame_stockout(promotion, sku, now)
        if (self.spec.key_account and model.world.org.expedite_requests) or rep.seat is not None:
            prices = {k: p for k, _, p in lines}
            list_prices, costs = model.list_price_cents, model.standard_cost_cents
            market = model.world.market
            orders_per_year = self.spec.demand.orders_per_year()
            churn_risk = expediting.churn_risk_if_lost(
                satisfaction=self.satisfaction,
                learning=self._learning,
                threshold=market.churn_threshold,
                churn_rate_per_order=market.churn_rate_per_order,
                orders_per_year=orders_per_year,
            )
            yearly = sum(
                rate * (list_prices[k] - costs[k]) for k, rate in self.spec.demand.expected_daily_units().items()
            )
            for sku, missing in short.items():
                units = waiting_units(missing, model.world.walk_away_share)
                if units <= 0 or not rep.asks_expedite(self.spec.key_account, units, day):
                    continue
                line_margin = units * (prices[sku] - costs[sku])
                request = ExpediteRequest(
                    rep.index,
                    self.spec.index,
                    sku,
                    units,
                    line_margin * SALES_CLAIM,
                    day + self.spec.patience_days,
                    line_margin,
                    churn_risk,
                    yearly * 365.0,
                )
                model.request_expedite(rep, request)

    def line_closed(self, line: OrderLine, outcome: float) -> None:
        """A backordered line was shipped at last, or cancelled."""
        self.judge(outcome)

    def judge(self, outcome: float) -> None:
        """Satisfaction moves toward how the service felt (a key account's more)."""
        self.satisfaction += self._learning * (outcome - self.satisfaction)

    def _churn_draw(self) -> float:
        """The draw of this order: the ``_orders``-th value of the account's churn stream (its first 4,096 in turn).

        The values are drawn as the orders reach them, in blocks, and are the same as one
        block of 4,096 drawn at the start (``Generator.random`` takes one 64-bit output a
        value), at a fraction of the cost: an account that never falls below the
        threshold draws none, and the stream itself is made only then.
        """
        position, draws = self._orders % CHURN_DRAWS, self._churn_draws
        if position >= len(draws):
            if self._churn_stream is None:
                family, number = self.spec.stream
                name = "churn" if family == "account" else f"{family}:churn"
                self._churn_stream = self.model.streams.generator(name, number)
            wanted = min(CHURN_DRAWS, max(position + 1, 2 * len(draws), 64))
            draws += self._churn_stream.random(wanted - len(draws)).tolist()
        return draws[position]

    def _leaves(self) -> bool:
        market = self.model.world.market
        threshold = market.churn_threshold
        if market.churn_rate_per_order <= 0 or self.satisfaction >= threshold:
            self._orders += 1
            return False
        draw = self._churn_draw()
        self._orders += 1
        if draw >= market.churn_rate_per_order * (threshold - self.satisfaction) / threshold:
            return False
        self.churned = True
        self.rep.accounts.remove(self)
        detail = f"satisfaction {self.satisfaction:.2f} below {threshold:.2f}"
        self.model.recorder.record(
            events.Churn(self.model.env.now, self.label, self.spec.index, self.satisfaction, detail)
        )
        self.remove()
        return True


class OrderCalendar:
    """The days accounts order on, and one process that lets each day's accounts order in turn."""

    def __init__(self, env: simpy.Environment, days: int) -> None:
        self.env = env
        self.days = days
        self.due: dict[int, list[CustomerAccount]] = {}
        self.announcing: dict[int, list[tuple[CustomerAccount, OrderAnnouncement]]] = {}

    def join(self, account: CustomerAccount) -> None:
        """A new account: book its first order day and the days it will announce large orders."""
        for announced in account.spec.announcements:
            self.announcing.setdefault(announced.announce_day, []).append((account, announced))
        self.book(account)

    def book(self, account: CustomerAccount) -> None:
        """Book ``account``'s next order day (an account out of days orders no more)."""
        day = next(account.order_days, None)
        if day is not None and day < self.days:
            self.due.setdefault(day, []).append(account)

    def ordering(self) -> Generator[simpy.Event, Any, None]:
        """The process: each day, at the demand phase, the accounts due order in turn."""
        env, due, book, announcing = self.env, self.due, self.book, self.announcing
        day = 0
        while day < self.days:
            yield env.timeout(day + DEMAND - env.now)
            for account, announced in announcing.pop(day, ()):
                if not account.churned:
                    account.rep.hear_announcement(account, announced)
            for account in due.pop(day, ()):
                if account.order(day):
                    book(account)
            day += 1
