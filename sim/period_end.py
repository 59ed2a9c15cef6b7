"""The books' calendar: the monthly check of aged stock, year ends, and the close of a run.

Each month stock past its shelf life is written off; at each year end standard costs
are reset to what buying costs then; when the run ends, closing stock and the open
backlog are valued as a finance director values them at a year end, and where each
supplier relationship stands is recorded.
"""

from collections.abc import Generator, Sequence
from typing import Any, Protocol

import simpy

from sim.agents.buyer import Buyer
from sim.agents.sales import SalesRep
from sim.agents.supplier import Supplier
from sim.books import campaigns, standards
from sim.books.holding import HoldingCost
from sim.books.ledger import Ledger
from sim.books.obsolescence import Obsolescence
from sim.books.order_to_cash import OrderToCash
from sim.books.stock import Stock
from sim.clock import CLOSE, YEAR_END
from sim.config import RunConfig
from sim.output.recorder import Recorder
from sim.world import World


class Books(Protocol):
    """What the calendar of the books reads and posts to (the model)."""

    env: simpy.Environment
    config: RunConfig
    world: World
    stock: Stock
    ledger: Ledger
    recorder: Recorder
    holding: HoldingCost
    order_to_cash: OrderToCash
    obsolescence: Obsolescence | None
    demand_history: list[list[int]]
    suppliers: Sequence[Supplier]
    buyers: Sequence[Buyer]
    reps: Sequence[SalesRep]
    list_price_cents: list[int]


AGEING_CHECK_DAYS = 28  # stock past its shelf life is written off monthly
RECENT_DEMAND_DAYS = 91  # the demand rate a year-end valuation expects: the last quarter's


def ageing(model: Books, obsolescence: Obsolescence) -> Generator[simpy.Event, Any, None]:
    """Each month, after the close, stock older than its shelf life is written off."""
    env = model.env
    yield env.timeout(AGEING_CHECK_DAYS - 1 + YEAR_END)
    while True:
        model.holding.accrue(env.now)  # the stock's value moves: charge the days before at the old value
        obsolescence.write_off_aged(env.now)
        yield env.timeout(AGEING_CHECK_DAYS)


def year_ends(model: Books) -> Generator[simpy.Event, Any, None]:
    """At each year end (the last warm-up day first) standard costs are reset to today's prices."""
    env, config = model.env, model.config
    first = config.warmup_days - 1 if config.warmup_days > 0 else 364
    yield env.timeout(first + YEAR_END)
    while env.now < config.total_days - 1:  # a year end on the last day: the books close instead
        day = int(env.now)
        prices = [
            model.suppliers[model.buyers[sku.buyer].main_supplier(sku.index)].unit_price_cents(sku.index, 1, day)
            for sku in model.world.skus
        ]
        model.holding.accrue(env.now)
        standards.reset(model.stock, model.ledger, model.recorder, env.now, prices)
        yield env.timeout(365)


def close_the_books(model: Books) -> None:
    """The run's end: value closing stock and open backlog; record where relationships stand."""
    total = model.config.total_days
    year_end = total - 1 + YEAR_END
    if model.obsolescence is not None:
        window = min(total, RECENT_DEMAND_DAYS)
        rates = [sum(days[total - window : total]) / window for days in model.demand_history]
        model.obsolescence.provide(year_end, rates)
    model.order_to_cash.provide_for_backlog(year_end)
    for rep in model.reps:  # campaigns still running at the end claim what they sold so far
        for promotion in rep.promotions:
            campaigns.claim_allowance(
                promotion, model.list_price_cents, model.ledger, model.recorder, year_end, rep.label
            )
    # Relationships recover between presses: record where they stand at the last close.
    close = total - 1 + CLOSE
    for supplier in model.suppliers:
        model.recorder.signal(close, "supplier_relationship", supplier.label, -1, supplier.current_relationship())
