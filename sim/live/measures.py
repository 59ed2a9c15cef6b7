"""What the live dashboard measures each simulated day, and the day's story in plain words.

The measures are Mesa :class:`~mesa.DataCollector` model reporters that read the
model's own books at the day's close: stock counts, the ERP's order history, the
ledger, the staff's trust. The one figure the books do not keep (units shipped from
stock on the day they were ordered, the fill rate's numerator) is counted from the
day's events, the same events the run's tables are derived from. A test checks that
every measure equals what :meth:`~sim.model.SalesPurchasingModel.tables` says.

The feed captions the day's new events with :mod:`sim.views.captions`, so the live
words match a replay's.
"""

from collections import deque
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import mesa

from sim.agents.buyer import Buyer
from sim.agents.sales import SalesRep
from sim.views.captions import IMPORTANCE, Caption, describe

if TYPE_CHECKING:
    from sim.model import SalesPurchasingModel

FEED_LENGTH = 30  # captions kept: about what a facilitator can scan between steps


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else float("nan")


def _today(model: "SalesPurchasingModel") -> int:
    """The day that just closed (0-based, as in the run's tables and captions)."""
    return int(model.env.now) - 1


Reporter = Callable[["SalesPurchasingModel"], float]

REPORTERS: dict[str, Reporter] = {
    "day": lambda m: _today(m),
    # Stock levels at the close (units, all SKUs).
    "on_hand": lambda m: sum(m.stock.on_hand),
    "backordered": lambda m: sum(m.stock.backordered),
    "on_order": lambda m: sum(m.stock.on_order),
    # The day's flows (units): customer orders from the ERP's order history; purchases as
    # the change of everything ever put on order (still on order + received).
    "demand": lambda m: sum(history[_today(m)] for history in m.order_to_cash.daily_demand),
    "purchased_total": lambda m: sum(m.stock.on_order) + sum(m.stock.received),
    "served_same_day": lambda m: m.day_tally.served_same_day,
    # Trust each way: the mean over the people who hold it (Mesa's agent sets, by type).
    "trust_in_purchasing": lambda m: m.agents_by_type[SalesRep].agg("trust_in_purchasing", _mean),
    "trust_in_sales": lambda m: m.agents_by_type[Buyer].agg("trust_in_sales", _mean),
    # Money so far (currency), from the ledger: profit after every cost, and gross margin.
    "operating_profit_total": lambda m: m.ledger.profit_cents() / 100,
    "gross_margin_total": lambda m: (
        -(
            m.ledger.balance["revenue"]
            + m.ledger.balance["cogs"]
            + m.ledger.balance["ppv"]
            + m.ledger.balance["allowances"]
        )
        / 100
    ),
}
"""Measure name -> reporter; ``day`` is the day that just closed."""


def collector() -> mesa.DataCollector:
    """A DataCollector of :data:`REPORTERS`, one row per simulated day."""
    return mesa.DataCollector(model_reporters=dict(REPORTERS))


class DayTally:
    """Reads the events a day added to the log: same-day shipments and the day's captions.

    Each step simulates exactly one day, so the events past the cursor are that day's
    (and the holding cost posted at its close, which neither count nor caption).
    """

    def __init__(self, model: "SalesPurchasingModel", feed_length: int = FEED_LENGTH) -> None:
        self.model = model
        self.cursor = 0  # first event not yet read
        self.served_same_day = 0
        self.feed: deque[Caption] = deque(maxlen=feed_length)  # newest first

    def read_day(self) -> None:
        """Read the events logged since the last call."""
        recorder = self.model.recorder
        start, self.cursor = self.cursor, recorder.event_count
        day = recorder.event_table(start)
        kinds = day["event"]
        self.served_same_day = int(day.loc[kinds == "shipment", "quantity"].sum())
        captioned = day[kinds.isin(list(IMPORTANCE))]
        if len(captioned):
            # describe() orders a day's captions most important first; the feed shows them
            # in that order above the earlier days'.
            self.feed.extendleft(reversed(describe(captioned.set_axis(captioned.index + start))))
