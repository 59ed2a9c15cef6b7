"""The sales–purchasing model: one SimPy clock, the agents, the books and the record.

Build it from a validated :class:`~sim.config.RunConfig`, then either ``run()`` it to
the end (SimPy drives) or call ``step()`` once per day (as a dashboard does); never
both in one run.
"""

import gc
from dataclasses import dataclass

import mesa
import pandas as pd
import simpy

from sim.agents import Buyer, CustomerAccount, SalesRep, Supplier
from sim.books.holding import HoldingCost
from sim.books.ledger import Ledger
from sim.books.order_to_cash import OrderToCash
from sim.books.procure_to_pay import ProcureToPay
from sim.books.stock import Stock
from sim.config import RunConfig
from sim.output import metrics, timeseries
from sim.output.recorder import Recorder
from sim.streams import RandomStreams
from sim.world import build_world


@dataclass(frozen=True)
class RunTables:
    """What a run returns: the KPI summary and the tables behind it."""

    summary: dict[str, float]
    timeseries: pd.DataFrame  # one row per day, company totals and money
    sku_timeseries: pd.DataFrame  # one row per day and SKU
    events: pd.DataFrame  # every business event
    signals: pd.DataFrame  # every change of a mechanism measure


class SalesPurchasingModel(mesa.Model):
    """A distributor's sales and purchasing departments, their customers and suppliers."""

    def __init__(self, config: RunConfig) -> None:
        super().__init__(rng=config.seed)
        self.config = config
        self.env = simpy.Environment()
        self.streams = RandomStreams(config.seed)
        self.world = world = build_world(config, self.streams)
        n_skus = len(world.skus)
        self.standard_cost_cents = [sku.standard_cost_cents for sku in world.skus]
        self.list_price_cents = [sku.list_price_cents for sku in world.skus]

        self.stock = Stock(world.opening_stock, self.standard_cost_cents)
        self.ledger = Ledger()
        self.recorder = Recorder()
        self.ledger.post("inventory", "capital", self.stock.value_cents)
        for sku, units in enumerate(world.opening_stock):
            self.recorder.log((0.0, "opening_stock", "warehouse", sku, -1, -1, units,
                               units * self.standard_cost_cents[sku], ""))
        self.holding = HoldingCost(self.stock, self.ledger, self.recorder, world.holding_rate_per_day)
        self.order_to_cash = OrderToCash(self.env, self.stock, self.ledger, self.holding,
                                         self.recorder, world.late_penalty_rate, config.total_days)
        self.suppliers = [
            Supplier(self, spec, self.streams.generator("supply", spec.index), config.total_days + 1)
            for spec in world.suppliers
        ]
        self.procure_to_pay = ProcureToPay(self.stock, self.ledger, self.holding, self.recorder,
                                           self.order_to_cash, [s.label for s in self.suppliers])
        self.price_index = [
            {s: self.suppliers[s].spec.unit_price_cents[sku.index] for s in sku.suppliers}
            for sku in world.skus
        ]
        self.sales_forecast = [0.0] * len(world.skus)
        self.reps = [SalesRep(self, spec, len(world.skus)) for spec in world.reps]
        self.buyers = [Buyer(self, spec) for spec in world.buyers]
        self.accounts = [CustomerAccount(self, spec) for spec in world.accounts]

    # -- running ---------------------------------------------------------------------

    def run(self) -> RunTables:
        """Simulate warm-up and horizon, then return the tables."""
        self._advance(self.config.total_days)
        return self.tables()

    def step(self) -> None:
        """Simulate one day (Mesa's step; SolaraViz calls it)."""
        if self.env.now < self.config.total_days:
            self._advance(int(self.env.now) + 1)
        self.running = self.env.now < self.config.total_days

    def _advance(self, until: int) -> None:
        # The run allocates many small objects and few cycles: pausing the cyclic
        # garbage collector meanwhile saves about a fifth of the run time.
        collecting = gc.isenabled()
        gc.disable()
        try:
            self.env.run(until=until)
        finally:
            if collecting:
                gc.enable()
        self.holding.settle(until)
        self.time = self.env.now

    # -- what agents call --------------------------------------------------------------

    def submit_sales_forecast(self, rep: SalesRep, forecast: list[float]) -> None:
        """A rep's new forecast replaces its previous one in the company's sales forecast."""
        total, now, signal = self.sales_forecast, self.env.now, self.recorder.signal
        for sku, (new, old) in enumerate(zip(forecast, rep.forecast, strict=True)):
            if new != old:
                total[sku] += new - old
                signal(now, "sales_forecast", sku, total[sku])
        rep.forecast = forecast

    # -- results ----------------------------------------------------------------------

    def tables(self) -> RunTables:
        """The run's tables and KPI summary so far."""
        events = self.recorder.event_table()
        signals = self.recorder.signal_table()
        days = int(self.env.now) if self.env.now < self.config.total_days else self.config.total_days
        sku_table = timeseries.sku_daily(events, signals, len(self.world.skus), days)
        daily = timeseries.company_daily(
            sku_table, events, self.standard_cost_cents, self.world.holding_rate_per_day
        )
        summary = metrics.summarize(
            daily, sku_table, warmup_days=self.config.warmup_days,
            bucket_days=self.world.kpi_bucket_days,
        )
        return RunTables(summary, daily, sku_table, events, signals)

    def balances(self) -> dict[str, int]:
        """The books' invariants: each is zero when goods and money balance."""
        stock = self.stock
        skus = range(len(stock.on_hand))
        ordered = [sum(days) for days in self.order_to_cash.daily_demand]
        lost = [0] * len(stock.on_hand)
        for event in self.recorder.events:
            if event[1] == "cancellation":
                lost[event[3]] += event[6]
        return {
            "trial_balance": self.ledger.trial_balance(),
            "inventory_at_standard": self.ledger.balance["inventory"] - stock.value_cents,
            "stock_value": stock.value_cents
            - sum(q * c for q, c in zip(stock.on_hand, self.standard_cost_cents, strict=True)),
            "goods": sum(abs(stock.goods_balance(k)) for k in skus),
            "customer_units": sum(
                abs(ordered[k] - stock.shipped[k] - stock.backordered[k] - lost[k]) for k in skus
            ),
            "negative_levels": sum(
                1 for k in skus if min(stock.on_hand[k], stock.backordered[k], stock.on_order[k]) < 0
            ),
        }
