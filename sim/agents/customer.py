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

from sim.books.order_to_cash import OUTCOMES
from sim.books.orders import OrderLine
from sim.clock import DEMAND
from sim.output import events
from sim.ports import OrderDesk
from sim.world import AccountSpec

if TYPE_CHECKING:
    from sim.agents.sales import SalesRep

KEY_ACCOUNT_FUTURE_MARGIN = 2.0  # a key account's lost line costs its margin twice: today and in goodwill


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
        self._churn_draws = (
            model.streams.generator("churn", spec.index).random(4096).tolist()
            if market.churn_rate_per_order > 0
            else []
        )
        self._orders = 0
        self._judging = market.satisfaction_learning > 0
        self.order_days: Iterator[int] = spec.demand.order_days()
        rep.accounts.append(self)

    def order(self, day: int) -> bool:
        """Place the day's order at the rep's prices; judge what arrived. False once the account has left."""
        model, spec, rep = self.model, self.spec, self.rep
        list_prices = model.list_price_cents
        if rep.promotions or rep.deal_discount:
            multipliers, deal = rep.price_factors(day)
            wanted = spec.demand.quantities(day, multipliers, deal)
            lines = [(k, q, round(list_prices[k] * (1.0 - rep.discount(k, day)))) for k, q in wanted]
        else:
            wanted = spec.demand.quantities(day)
            lines = [(k, q, list_prices[k]) for k, q in wanted]
        requested = day + spec.requested_lead_days
        promised = model.promise_days(rep, lines, requested, day) if model.levers.show_stock else None
        now = model.env.now
        short = model.take_order(now, spec.index, self.code, lines, requested, day + spec.patience_days, promised)
        rep.note_order(wanted, sum(q * p for _, q, p in lines), sum(short.values()) if short else 0)
        if short:
            self._short(short, lines, day)
        elif self._judging:
            self.judge(OUTCOMES["on time in full"])
        return not self._leaves()

    def _short(self, short: dict[int, int], lines: list[tuple[int, int, int]], day: int) -> None:
        """Some lines could not be served from stock: promotions and key accounts react."""
        rep, model = self.rep, self.model
        now = model.env.now
        for sku in short:
            promotion = rep.active_promotion(sku, day)
            if promotion is not None:
                rep.blame_stockout(promotion, sku, now)
        if self.spec.key_account and model.world.org.expedite_requests:
            prices = {k: p for k, _, p in lines}
            for sku, units in short.items():
                margin = units * (prices[sku] - model.standard_cost_cents[sku]) * KEY_ACCOUNT_FUTURE_MARGIN
                model.request_expedite(rep, self.spec.index, sku, units, margin)

    def line_closed(self, line: OrderLine, outcome: float) -> None:
        """A backordered line was shipped at last, or cancelled."""
        self.judge(outcome)

    def judge(self, outcome: float) -> None:
        """Satisfaction moves toward how the service felt."""
        learning = self.model.world.market.satisfaction_learning
        self.satisfaction += learning * (outcome - self.satisfaction)

    def _leaves(self) -> bool:
        market = self.model.world.market
        threshold = market.churn_threshold
        if market.churn_rate_per_order <= 0 or self.satisfaction >= threshold:
            self._orders += 1
            return False
        draw = self._churn_draws[self._orders % len(self._churn_draws)]
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

    def book(self, account: CustomerAccount) -> None:
        """Book ``account``'s next order day (an account out of days orders no more)."""
        day = next(account.order_days, None)
        if day is not None and day < self.days:
            self.due.setdefault(day, []).append(account)

    def ordering(self) -> Generator[simpy.Event, Any, None]:
        """The process: each day, at the demand phase, the accounts due order in turn."""
        env, due, book = self.env, self.due, self.book
        day = 0
        while day < self.days:
            yield env.timeout(day + DEMAND - env.now)
            for account in due.pop(day, ()):
                if account.order(day):
                    book(account)
            day += 1
