"""What the live dashboard measures each simulated day, and the day's story in plain words.

The measures are Mesa :class:`~mesa.DataCollector` model reporters that read the
model's own books at the day's close: stock counts, the ERP's order history, the
ledger, the staff's trust. The one figure the books do not keep (units shipped from
stock on the day they were ordered, the fill rate's numerator) is counted from the
day's events, the same events the run's tables are derived from. A test checks that
every measure equals what :meth:`~sim.model.SalesPurchasingModel.tables` says.

The feed captions the day's new events with :mod:`sim.views.captions`, so the live
words match a replay's. The tally also keeps the log's outside shocks (a handful of rows a
run), which the charts shade as bands.

Reading the log costs more than simulating the day (a table of the new events: ~11 ms, the
day itself ~4 ms), so the dashboard reads it once per redraw, not once per day
(:meth:`DayTally.read_days`): play at a month a second and a jump of a year stay fast.
"""

from collections import deque
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import mesa
import numpy as np
import pandas as pd

from sim.agents.buyer import Buyer
from sim.agents.sales import SalesRep
from sim.output.events import SHOCKS
from sim.views import shocks
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
    """Reads the events added to the log: same-day shipments, captions for the feed, and shocks.

    Read after each step (:meth:`read_day`), the events past the cursor are that day's (and
    the holding cost posted at its close, which neither counts nor captions). Read after
    several steps (:meth:`read_days`), they are split by the day they happened.
    """

    def __init__(self, model: "SalesPurchasingModel", feed_length: int = FEED_LENGTH) -> None:
        self.model = model
        self.cursor = 0  # first event not yet read
        self.served_same_day = 0
        self.feed: deque[Caption] = deque(maxlen=feed_length)  # newest first
        self._shock_rows: list[pd.DataFrame] = []  # the log's shock events, as read
        self._bands: tuple[int, int, list[shocks.Band]] = (0, 0, [])  # (shock rows, days, bands) last built

    def read_day(self) -> None:
        """Read the events logged since the last call, as one day's."""
        events = self._read()
        self.served_same_day = int(events.loc[events["event"] == "shipment", "quantity"].sum())

    def read_days(self, first_day: int, days: int) -> np.ndarray:
        """Read the events logged since the last call, as days ``first_day`` on; their same-day shipments.

        Returns:
            units shipped on the day ordered, one entry per day from ``first_day`` (``days`` entries).
        """
        events = self._read()
        shipped = events[events["event"] == "shipment"]
        offsets = shipped["day"].to_numpy(dtype=np.int64) - first_day
        inside = (offsets >= 0) & (offsets < days)
        weights = shipped["quantity"].to_numpy(dtype=np.int64)[inside]
        return np.bincount(offsets[inside], weights=weights, minlength=days).astype(np.int64)

    def bands(self, days: int) -> list[shocks.Band]:
        """The outside shocks read so far, as the charts shade them (``days``: the run's length)."""
        rows = sum(len(frame) for frame in self._shock_rows)
        if self._bands[:2] != (rows, days):  # rebuilt only when a shock arrives: a step stays cheap
            found = shocks.bands(pd.concat(self._shock_rows), days) if rows else []
            self._bands = (rows, days, found)
        return self._bands[2]

    def _read(self) -> pd.DataFrame:
        """The events since the cursor (indexed by their row in the log); keeps their shocks, captions the rest."""
        recorder = self.model.recorder
        start, self.cursor = self.cursor, recorder.event_count
        events = recorder.event_table(start)
        events = events.set_axis(events.index + start)
        kinds = events["event"]
        shock = events[kinds.isin(SHOCKS)]
        if len(shock):
            self._shock_rows.append(shock)
        captioned = events[kinds.isin(list(IMPORTANCE))]
        if len(captioned):
            context = self.bands(self.model.config.total_days)
            # describe() orders captions by day, most important first within a day; the feed
            # shows the newest day on top, each day's captions in that order.
            captions = sorted(describe(captioned, context=context), key=lambda c: -c.day)
            self.feed.extendleft(reversed(captions))
        return events
