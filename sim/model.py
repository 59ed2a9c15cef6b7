"""The sales–purchasing model: one SimPy clock, the agents, the books and the record.

Build it from a validated :class:`~sim.config.RunConfig`, then either ``run()`` it to
the end (SimPy drives) or call ``step()`` once per day (as a dashboard does); never
both in one run.
"""

import gc
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import count
from typing import Any

import numpy as np
import pandas as pd
import simpy
from mesa.model import Model

from sim import lean, period_end, policies
from sim.agents import Buyer, CustomerAccount, SalesRep, Supplier
from sim.agents.customer import OrderCalendar
from sim.agents.prospecting import Pipeline
from sim.agents.shocks import Shock, inject, record_scenario
from sim.agents.staff import Staff
from sim.books import campaigns
from sim.books.campaigns import Promotion
from sim.books.expenses import OperatingExpenses
from sim.books.holding import HoldingCost
from sim.books.ledger import Ledger
from sim.books.obsolescence import Obsolescence
from sim.books.order_to_cash import OrderToCash
from sim.books.orders import ExpediteRequest, OrderLine
from sim.books.procure_to_pay import ProcureToPay
from sim.books.stock import Stock
from sim.config import RunConfig
from sim.news import PurchasingNews
from sim.output import events, metrics, timeseries
from sim.output.recorder import Recorder
from sim.policies.hooks import Levers
from sim.policies.organisation import Organisation
from sim.ports import StockView
from sim.specs import AccountSpec
from sim.streams import RandomStreams
from sim.world import build_world


@contextmanager
def _collector_paused() -> Iterator[None]:
    # A run allocates many small objects and few cycles: pausing the cyclic garbage
    # collector meanwhile saves about a fifth of the run time.
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


class LiveStockView:
    """Stock as it is now."""

    def __init__(self, stock: Stock, procure_to_pay: ProcureToPay) -> None:
        self.on_hand = stock.on_hand
        self.backordered = stock.backordered
        self.inbound = procure_to_pay.inbound


TableReady = Callable[[str, pd.DataFrame], None]
"""Told a run's table by name (one of RunTables' tables) once it is final; see SalesPurchasingModel.tables."""


def _unheard(_name: str, _table: pd.DataFrame) -> None:
    """No one waits for the tables one by one."""


@dataclass(frozen=True)
class RunTables:
    """What a run returns: the KPI summary and the tables behind it."""

    summary: dict[str, float]
    timeseries: pd.DataFrame  # one row per day, company totals and money
    sku_timeseries: pd.DataFrame  # one row per day and SKU
    events: pd.DataFrame  # every business event
    signals: pd.DataFrame  # every change of a mechanism measure


class SalesPurchasingModel(Model):
    """A distributor's sales and purchasing departments, their customers and suppliers.

    It owns the clock, the books and the record, and implements the ports its agents and
    levers see (:mod:`sim.ports`): each asks it only what its role may ask.
    """

    def __init__(self, config: RunConfig) -> None:
        super().__init__(rng=config.seed)
        self.config = config
        self.env = simpy.Environment()
        # Processes wait here until the run starts, in the order they were made: the order
        # SimPy breaks ties in. A lean run (sim/lean.py) never starts them.
        self._waiting: list[Generator[simpy.Event, Any, None]] | None = []
        self._closed = False  # the closing valuation is done once, at the run's end
        self.streams = RandomStreams(config.seed)
        self.world = world = build_world(config, self.streams)
        self.standard_cost_cents = [sku.standard_cost_cents for sku in world.skus]
        self.list_price_cents = [sku.list_price_cents for sku in world.skus]

        self.stock = Stock(world.opening_stock, self.standard_cost_cents, ageing=world.shelf_life_days is not None)
        self.ledger = Ledger()
        self.recorder = Recorder()
        self.ledger.post("inventory", "capital", self.stock.value_cents)
        warehouse, opening = self.recorder.name("warehouse"), events.code("opening_stock")
        for sku, units in enumerate(world.opening_stock):
            value = units * self.standard_cost_cents[sku]
            self.recorder.flow(0.0, opening, warehouse, sku, -1, -1, units, value)
        self.holding = HoldingCost(self.stock, self.ledger, self.recorder, world.holding_rate_per_day)
        self.expenses = OperatingExpenses(self.ledger, self.recorder, world.operating_expenses_cents_per_day)
        self.obsolescence = (
            None
            if world.shelf_life_days is None
            else Obsolescence(self.stock, self.ledger, self.recorder, world.shelf_life_days, world.salvage_share)
        )
        self.order_to_cash = OrderToCash(
            self.env,
            self.stock,
            self.ledger,
            self.holding,
            self.recorder,
            world.late_penalty_rate,
            config.total_days,
            world.walk_away_share,
        )
        self.suppliers = [
            Supplier(self, spec, self.streams.generator("supply", spec.index), config.total_days + 1)
            for spec in world.suppliers
        ]
        self.procure_to_pay = ProcureToPay(
            self.stock,
            self.ledger,
            self.holding,
            self.recorder,
            self.order_to_cash,
            [s.label for s in self.suppliers],
        )
        self.price_index = [
            {s: self.suppliers[s].spec.unit_price_cents[sku.index] for s in sku.suppliers} for sku in world.skus
        ]
        # What the ports offer agents and levers, bound once (the hot paths call them directly).
        self.demand_history = self.order_to_cash.daily_demand
        self.take_order = self.order_to_cash.take_order
        self.receive = self.procure_to_pay.receive
        self.place_order = self.procure_to_pay.place
        self.live_stock: StockView = LiveStockView(self.stock, self.procure_to_pay)
        self.sales_forecast = [0.0] * len(world.skus)
        self.promotions_run: list[Promotion] = []  # every promotion committed, for the record
        self._promotion_ids = count()
        self.policies = [p for p in policies.build(config.policy) if p.active]
        self.levers = Levers(self.policies, Organisation(world.org, self))
        self.reps = [SalesRep(self, spec, len(world.skus)) for spec in world.reps]
        self.buyers = [Buyer(self, spec) for spec in world.buyers]
        self.order_calendar = OrderCalendar(self.env, config.total_days)
        self.process(self.order_calendar.ordering())
        self.news = news = PurchasingNews(self)
        self.announcement_number, self.inform_of_order = news.announcement_number, news.inform_of_order
        self.orders_unknown_to_purchasing = news.orders_unknown_to_purchasing
        self.launch_known, self.inform_of_launch = news.launch_known, news.inform_of_launch
        self.launches_unknown_to_purchasing = news.launches_unknown_to_purchasing
        for product in world.skus:
            if product.launch_day > 0:
                self.process(news.launch_plan(product.index, product.launch_day))
        if self.obsolescence is not None:
            self.process(period_end.ageing(self, self.obsolescence))
        if world.reset_standards:
            self.process(period_end.year_ends(self))
        self.accounts = [CustomerAccount(self, spec, self.reps[spec.rep]) for spec in world.accounts]
        for account in self.accounts:
            self.order_calendar.join(account)
        self.order_to_cash.on_line_closed = self._line_closed
        for policy in self.policies:  # after the agents: their processes come first on a tie
            policy.attach(self)
        self.pipeline: Pipeline | None = None
        leads = world.market.new_account_rate_per_rep_per_year
        if leads > 0 and world.account_factory is not None:
            self.pipeline = Pipeline(world.account_factory, leads, world.market.deal_decision_days)
            for rep in self.reps:
                self.process(self.pipeline.prospecting(self, rep))
        self.injected_shocks: list[Shock] = []  # what a facilitator injected (inject_shock)
        record_scenario(self)  # the scenario's shocks into the record (recorded only: the specs apply them)

    # -- running ---------------------------------------------------------------------

    def run(self, ready: TableReady | None = None) -> RunTables:
        """Simulate warm-up and horizon, then return the tables (``ready``: see :meth:`tables`)."""
        self.simulate()
        return self.tables(ready)

    def simulate(self, lean_loop: bool = True) -> None:
        """Simulate warm-up and horizon; with ``lean_loop``, in the lean loop where it plays the run exactly.

        The lean loop gives the same tables as SimPy, bit for bit (tests/test_lean.py), only faster.
        """
        if lean_loop and self._waiting is not None and not self.injected_shocks and lean.fits(self):
            self._waiting = None  # the lean loop does what these processes would
            with _collector_paused():
                lean.run(self)
        self._advance(self.config.total_days)

    def process(self, generator: Generator[simpy.Event, Any, None]) -> None:
        """Run ``generator`` as a SimPy process, from the start of the run if it has not started."""
        if self._waiting is None:
            self.env.process(generator)
        else:
            self._waiting.append(generator)

    def _start(self) -> None:
        waiting, self._waiting = self._waiting or [], None
        for generator in waiting:
            self.env.process(generator)

    def step(self) -> None:
        """Simulate one day (Mesa's step; SolaraViz calls it)."""
        if self.env.now < self.config.total_days:
            self._advance(int(self.env.now) + 1)
        self.running = self.env.now < self.config.total_days

    def _advance(self, until: int) -> None:
        if self._waiting is not None:
            self._start()
        with _collector_paused():
            self.env.run(until=until)
        if until >= self.config.total_days and not self._closed:
            self._closed = True
            period_end.close_the_books(self)
        self.holding.settle(until)
        self.expenses.settle(until)
        self.time = self.env.now

    def inject_shock(self, shock: Shock) -> None:
        """A facilitator's shock from ``shock.day`` on (sim.agents.shocks.inject): applied and recorded."""
        inject(self, shock)

    # -- what agents call --------------------------------------------------------------

    def submit_sales_forecast(self, rep: SalesRep, forecast: list[float]) -> None:
        """A rep's new forecast replaces its previous one in the company's sales forecast."""
        total, now, signal = self.sales_forecast, self.env.now, self.recorder.signal
        for sku, (new, old) in enumerate(zip(forecast, rep.forecast, strict=True)):
            if new != old:
                total[sku] += new - old
                signal(now, "sales_forecast", "sales", sku, total[sku])
        rep.forecast = forecast

    def promise_days(
        self, rep: Staff, lines: list[tuple[int, int, int]], requested: int, today: int
    ) -> list[int] | None:
        """Delivery days the rep promises per line; without stock visibility, what was asked (None)."""
        view = self.levers.stock_view(rep)
        if view is None or not self.levers.promise_from_stock(rep):
            return None
        return [self.available_to_promise(view, sku, units, requested, today) for sku, units, _ in lines]

    def available_to_promise(self, view: StockView, sku: int, units: int, requested: int, today: int) -> int:
        """The first day ``units`` more of ``sku`` can ship, as ``view`` shows stock and inbound orders."""
        needed = view.backordered[sku] + units - view.on_hand[sku]
        if needed <= 0:
            return requested
        for due_day, inbound in view.inbound(sku):
            needed -= inbound
            if needed <= 0:
                return max(requested, due_day)
        source = self.suppliers[self.world.skus[sku].suppliers[0]].spec
        return max(requested, today + round(source.lead_time_mean_days) + self.world.org.review_period_days)

    def request_expedite(self, rep: SalesRep, request: ExpediteRequest) -> None:
        """Sales asks the SKU's buyer to rush supply; a refusal hurts trust and may be escalated."""
        buyer = self.buyers[self.world.skus[request.sku].buyer]
        rep.expedites_asked += 1
        detail = f"key account {request.account} short of {request.units} units"
        asked = events.ExpediteRequested(
            self.env.now,
            rep.label,
            request.sku,
            request.account,
            request.units,
            buyer.index,
            request.margin_at_risk_cents,
            detail,
        )
        self.recorder.record(asked)
        if buyer.consider_expedite(request):
            return
        rep.expedites_refused += 1
        if not rep.escalates():
            return
        detail = f"{buyer.label} refused to expedite for key account {request.account}"
        now = self.env.now
        escalated = events.Escalation(now, rep.label, request.sku, request.account, request.units, buyer.index, detail)
        self.recorder.record(escalated)
        self.levers.on_escalation(request)

    def supplied_day(self, sku: int, today: int) -> int:
        """The day open purchase orders cover every unit of ``sku`` customers wait for (as stock stands now)."""
        return self.available_to_promise(self.live_stock, sku, 0, today, today)

    def sales_team(self) -> list[SalesRep]:
        """Every sales rep (the team a campaign may draw on)."""
        return self.reps

    def staff(self) -> list[Staff]:
        """Every sales rep and buyer: the people alignment levers act on."""
        return [*self.reps, *self.buyers]

    def pipeline_forecast(self, sku: int) -> float:
        """The reps' own expectations for ``sku`` (what a CRM shows), before any bias.

        Reps not connected to the CRM show only what they submitted; open deals add what
        their accounts would buy, weighted by the chance of winning them.
        """
        in_crm = self.levers.in_crm
        expected = sum(rep.own_estimate[sku] if in_crm(rep) else rep.forecast[sku] for rep in self.reps)
        if self.pipeline is not None:  # and the deals in the CRM, by their chance of being won
            expected += self.pipeline.expected_daily_units(sku, int(self.env.now))
        return expected

    def next_promotion_id(self) -> int:
        """A new promotion's number."""
        return next(self._promotion_ids)

    def promotion_committed(self, promotion: Promotion) -> None:
        """A promotion will run: it enters the record, and levers that listen hear of it."""
        self.promotions_run.append(promotion)
        self.levers.on_promotion(promotion)

    def inform_purchasing(self, promotion: Promotion, source: str) -> None:
        """Purchasing learns of a promotion (from the rep, a meeting or the CRM)."""
        if promotion.told_day is not None:
            return
        now = self.env.now
        promotion.told_day = int(now)
        for buyer in self._buyers_of(promotion.skus):
            buyer.learn_promotion(promotion)
        notice = promotion.start_day - promotion.told_day
        told = events.PromotionNotice(
            now,
            source,
            promotion.skus[0],
            promotion.promotion_id,
            len(promotion.skus),
            notice,
            promotion.rep,
            f"{notice} days before it starts",
        )
        self.recorder.record(told)

    def claim_allowance(self, promotion: Promotion, rep_label: str) -> None:
        """A campaign ended: its suppliers pay back their share of the discount."""
        campaigns.claim_allowance(promotion, self.list_price_cents, self.ledger, self.recorder, self.env.now, rep_label)

    def promotion_surprise(self, promotion: Promotion) -> None:
        """A promotion started that purchasing was never told of: it finds out, and minds."""
        now = self.env.now
        for buyer in self._buyers_of(promotion.skus):
            buyer.learn_promotion(promotion)
            buyer.surprised_by_promotion(self.world.org.unannounced_promotion_trust_loss)
            surprise = events.UnannouncedPromotion(
                now,
                buyer.label,
                promotion.skus[0],
                promotion.promotion_id,
                len(promotion.skus),
                promotion.rep,
                f"rep {promotion.rep}'s promotion started without notice",
            )
            self.recorder.record(surprise)

    def lead_time_days(self, sku: int) -> float:
        """The mean lead time of the supplier ``sku`` was last bought from."""
        buyer = self.buyers[self.world.skus[sku].buyer]
        return self.suppliers[buyer.main_supplier(sku)].spec.lead_time_mean_days

    def backordered(self, sku: int) -> int:
        """Units of ``sku`` owed to customers now."""
        return self.stock.backordered[sku]

    def pay_expediting(self, cents: int) -> None:
        """Pay a premium for expedited supply."""
        self.ledger.post("expediting", "cash", cents)

    def book_cost(self, account: str, cents: int) -> None:
        """Pay a lever's cost from cash into its own profit-and-loss account."""
        self.ledger.post(account, "cash", cents)

    def _buyers_of(self, skus: tuple[int, ...]) -> list[Buyer]:
        owners = sorted({self.world.skus[sku].buyer for sku in skus})
        return [self.buyers[b] for b in owners]

    def _line_closed(self, line: OrderLine, outcome: float) -> None:
        account = self.accounts[line.account] if line.account < len(self.accounts) else None
        if account is not None and not account.churned:
            account.line_closed(line, outcome)

    def add_account(self, spec: AccountSpec, rep: SalesRep) -> None:
        """A new account, won by ``rep``: it joins the portfolio and the order calendar."""
        account = CustomerAccount(self, spec, rep)
        self.accounts.append(account)
        self.order_calendar.join(account)

    # -- results ----------------------------------------------------------------------

    def tables(self, ready: TableReady | None = None) -> RunTables:
        """The run's tables and KPI summary so far.

        Args:
            ready: called with each table's name and the table as soon as it is final (the
                record's, first), so a caller can write it while the daily tables are summed.
        """
        # As in a run: many objects and few cycles; a collection now would only traverse the run's objects again.
        with _collector_paused():
            return self._tables(ready or _unheard)

    def _tables(self, ready: TableReady) -> RunTables:
        events = self.recorder.event_table()
        ready("events", events)
        signals = self.recorder.signal_table()
        ready("signals", signals)
        days = int(self.env.now) if self.env.now < self.config.total_days else self.config.total_days
        calendar = [(p.skus, p.start_day, p.end_day) for p in self.promotions_run]
        sku_table = timeseries.sku_daily(events, signals, len(self.world.skus), days, calendar)
        ready("sku_timeseries", sku_table)
        levers = tuple(policies.levers())
        daily = timeseries.company_daily(
            sku_table,
            events,
            [sku.standard_cost_cents for sku in self.world.skus],  # as the run began: a year end may reset them
            self.world.holding_rate_per_day,
            levers,
            self.world.operating_expenses_cents_per_day / 100.0,
        )
        org = self.world.org
        initial = {
            "trust_in_purchasing": org.initial_trust,
            "trust_in_sales": org.initial_trust,
            "forecast_bias": 0.0,
            "productivity": 1.0,
            "understanding": 0.0,
            "supplier_relationship": self.suppliers[0].spec.initial_relationship,
        }
        for name, values in timeseries.company_signals(signals, days, initial).items():
            daily[name] = values  # the same days, 0 … days-1: columns added, not a merge that copies the table
        ready("timeseries", daily)
        summary = metrics.summarize(
            daily,
            sku_table,
            events,
            signals,
            warmup_days=self.config.warmup_days,
            bucket_days=self.world.kpi_bucket_days,
            initial_trust=org.initial_trust,
            levers=levers,
        )
        return RunTables(summary, daily, sku_table, events, signals)

    def balances(self) -> dict[str, int]:
        """The books' invariants: each is zero when goods and money balance."""
        stock = self.stock
        skus = range(len(stock.on_hand))
        ordered = [sum(days) for days in self.order_to_cash.daily_demand]
        table = self.recorder.event_table()
        cancelled = table[table["event"] == "cancellation"]
        lost = np.bincount(cancelled["sku"], weights=cancelled["quantity"], minlength=len(stock.on_hand)).astype(int)
        return {
            "trial_balance": self.ledger.trial_balance(),
            "inventory_at_standard": self.ledger.balance["inventory"] - stock.value_cents,
            "stock_value": stock.value_cents
            - sum(q * c for q, c in zip(stock.on_hand, self.standard_cost_cents, strict=True)),
            "goods": sum(abs(stock.goods_balance(k)) for k in skus),
            "customer_units": sum(abs(ordered[k] - stock.shipped[k] - stock.backordered[k] - lost[k]) for k in skus),
            "negative_levels": sum(
                1 for k in skus if min(stock.on_hand[k], stock.backordered[k], stock.on_order[k]) < 0
            ),
        }
