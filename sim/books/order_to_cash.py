"""Order to cash: allocate stock to order lines, ship, backorder, cancel, bill.

Revenue is booked when goods ship; what ships leaves inventory at standard cost. Of
what a line cannot get from the shelf, a share is bought elsewhere at once (a lost
sale, ``walk_away_share``); the rest waits in its SKU's backorder queue until a receipt
fills it or the account's patience runs out at the close of its last day (a lost sale
too). At a year end the open backlog is valued at the margin it is expected to lose.
"""

from collections.abc import Callable
from functools import partial
from itertools import count

import simpy

from sim.books.holding import HoldingCost
from sim.books.ledger import Ledger
from sim.books.orders import OrderLine
from sim.books.stock import Stock
from sim.clock import CLOSE
from sim.output import events
from sim.output.events import NA
from sim.output.recorder import Recorder

WAREHOUSE = "warehouse"
ORDER, SHIPMENT, BACKORDER, BACKORDER_SHIPMENT = (
    events.code(kind) for kind in ("order", "shipment", "backorder", "backorder_shipment")
)
CANCELLATION, LATE_PENALTY = events.code("cancellation"), events.code("late_penalty")
BACKLOG_PROVISION = events.code("backlog_provision")
OUTCOMES = {"on time in full": 1.0, "late as promised": 0.6, "promise broken": 0.2, "cancelled": 0.0}
"""How a closed backordered line feels to its account (1: as asked, 0: let down)."""


def waiting_units(missing: int, walk_away_share: float) -> int:
    """Of ``missing`` units a line could not get from the shelf, those the account waits for."""
    return missing - round(missing * walk_away_share) if walk_away_share else missing


class OrderToCash:
    """The order book, the allocation of stock to lines, and billing."""

    def __init__(
        self,
        env: simpy.Environment,
        stock: Stock,
        ledger: Ledger,
        holding: HoldingCost,
        recorder: Recorder,
        late_penalty_rate: float,
        days: int,
        walk_away_share: float = 0.0,
    ) -> None:
        self.env = env
        self.stock = stock
        self.ledger = ledger
        self.holding = holding
        self.recorder = recorder
        self.late_penalty_rate = late_penalty_rate
        self.walk_away_share = walk_away_share
        self.horizon_day = days
        self.waited_units = 0  # units that went on backorder
        self.gave_up_units = 0  # of those, units cancelled when patience ran out
        self.daily_demand = [[0] * (days + 1) for _ in stock.on_hand]  # the ERP's order history
        self.on_line_closed: Callable[[OrderLine, float], None] | None = None
        self.line_ids = count()  # order line numbers
        self._warehouse = recorder.name(WAREHOUSE)
        self._patience_ran_out = recorder.text("patience ran out")
        self._bought_elsewhere = recorder.text("bought elsewhere at once")
        self._closed_unserved = recorder.text("not in stock, bought elsewhere")

    def take_order(
        self,
        now: float,
        account: int,
        agent: int,
        lines: list[tuple[int, int, int]],
        requested_day: int,
        expires_day: int,
        promised_days: list[int] | None = None,
    ) -> dict[int, int] | None:
        """Book an order of ``(sku, units, unit price in cents)`` lines; serve it from stock.

        ``agent`` is the account's code in the record. Returns the units that could not
        be shipped at once, per SKU (None if none); of those, :func:`waiting_units` wait
        and the rest were bought elsewhere.
        """
        # The hottest loop of a run: Stock.take and _bill are inlined, flow rows appended directly,
        # and the order's shipments invoiced in one posting (integer cents: the same balances).
        stock, daily, line_ids = self.stock, self.daily_demand, self.line_ids
        on_hand, shipped, ages = stock.on_hand, stock.shipped, stock.ages
        costs, warehouse = stock.standard_cost_cents, self._warehouse
        rows, record = self.recorder.events_rows()
        day = int(now)
        short: dict[int, int] | None = None
        revenue_cents = cost_cents = 0
        self.holding.accrue(now)
        for position, (sku, units, price) in enumerate(lines):
            if units <= 0:
                continue
            ref = next(line_ids)
            daily[sku][day] += units
            rows.extend((now, ORDER, agent, sku, account, ref, units, units * price, NA, 0))
            shelf = on_hand[sku]
            taken = units if units < shelf else shelf
            if taken > 0:  # shipped at once, invoiced on shipment
                on_hand[sku] = shelf - taken
                shipped[sku] += taken
                cost = taken * costs[sku]
                stock.value_cents -= cost
                if ages is not None:  # StockAges.take; most lines come out of the oldest layer
                    oldest = ages.layers[sku][0]
                    if oldest[1] > taken:
                        oldest[1] -= taken
                    else:
                        ages.take(sku, taken)
                revenue = taken * price
                revenue_cents += revenue
                cost_cents += cost
                rows.extend((now, SHIPMENT, warehouse, sku, account, ref, taken, revenue, NA, 0))
            else:
                taken = 0
            if taken < units:
                missing = units - taken
                waiting = waiting_units(missing, self.walk_away_share)
                walked = missing - waiting
                promised = promised_days[position] if promised_days else requested_day
                line = OrderLine(ref, account, sku, units, price, now, requested_day, expires_day, waiting, promised)
                short = short or {}
                short[sku] = short.get(sku, 0) + missing
                rows.extend((now, BACKORDER, agent, sku, account, ref, waiting, 0, NA, 0))
                if walked:
                    rows.extend(
                        (
                            now,
                            CANCELLATION,
                            agent,
                            sku,
                            account,
                            ref,
                            walked,
                            walked * price,
                            NA,
                            self._bought_elsewhere,
                        )
                    )
                if waiting:
                    stock.owe(line)
                    self.waited_units += waiting
                    if expires_day < self.horizon_day:
                        expiry = self.env.timeout(expires_day + CLOSE - now)
                        expiry.callbacks.append(partial(self._expire, line))
                else:  # nothing left to wait for: the line closes short
                    self._close_unserved(now, line)
        if revenue_cents or cost_cents:
            self.ledger.sell(revenue_cents, cost_cents)
        if len(rows) >= record.limit:
            record.move()
        return short

    def fill_backorders(self, now: float, sku: int) -> None:
        """Serve waiting lines of ``sku`` in order of arrival from what is on the shelf."""
        stock = self.stock
        queue = stock.backorder_queue[sku]
        while queue and stock.on_hand[sku] > 0:
            line = queue[0]
            if line.open_quantity == 0:  # cancelled while waiting
                queue.popleft()
                continue
            taken = stock.take(sku, line.open_quantity)
            stock.backordered[sku] -= taken
            line.open_quantity -= taken
            self._bill(now, BACKORDER_SHIPMENT, sku, line.account, line.line_id, taken, line.price_cents)
            if line.open_quantity == 0:
                queue.popleft()
                self._close_late_or_on_time(now, line)

    def _expire(self, line: OrderLine, _event: simpy.Event) -> None:
        self.cancel(line)

    def cancel(self, line: OrderLine) -> None:
        """The account's patience ran out: what is still open is a lost sale."""
        units = line.open_quantity
        if units == 0:
            return
        now = self.env.now
        line.open_quantity = 0
        self.stock.backordered[line.sku] -= units
        self.gave_up_units += units
        label = f"account {line.account}"
        sku, account, ref = line.sku, line.account, line.line_id
        recorder = self.recorder
        lost_cents = units * line.price_cents
        agent = recorder.name(label)
        recorder.flow(now, CANCELLATION, agent, sku, account, ref, units, lost_cents, detail=self._patience_ran_out)
        recorder.record(events.LineClosed(now, label, sku, account, ref, line.quantity, 0, -1, "cancelled"))
        broken = f"promised day {line.promised_day}, cancelled"
        recorder.record(events.PromiseBroken(now, label, sku, account, ref, units, line.promised_day, broken))
        self._tell_account(line, "cancelled")

    def _close_unserved(self, now: float, line: OrderLine) -> None:
        """A short line whose missing units all went elsewhere: closed now, not in full."""
        label = f"account {line.account}"
        closed = events.LineClosed(
            now, label, line.sku, line.account, line.line_id, line.quantity, 0, -1, "bought elsewhere"
        )
        self.recorder.record(closed)
        self._tell_account(line, "cancelled")

    def provide_for_backlog(self, now: float) -> None:
        """Year end: the open backlog will lose the margin of the share of waiting units that give up."""
        if not self.waited_units:
            return
        giving_up = self.gave_up_units / self.waited_units
        costs, warehouse = self.stock.standard_cost_cents, self._warehouse
        for sku, queue in enumerate(self.stock.backorder_queue):
            units = sum(line.open_quantity for line in queue)
            if not units:
                continue
            margin = sum(line.open_quantity * (line.price_cents - costs[sku]) for line in queue)
            loss = round(max(0, margin) * giving_up)
            if loss:
                self.ledger.post("backlog_provision", "backlog_liability", loss)
                detail = self.recorder.text(f"{units} units open; {giving_up:.0%} of waiting units gave up")
                self.recorder.flow(now, BACKLOG_PROVISION, warehouse, sku, -1, -1, units, loss, detail=detail)

    def _close_late_or_on_time(self, now: float, line: OrderLine) -> None:
        label = f"account {line.account}"
        recorder = self.recorder
        sku, account, ref, units = line.sku, line.account, line.line_id, line.quantity
        day = int(now)
        late = day - line.requested_day
        if late <= 0:
            recorder.record(events.LineClosed(now, label, sku, account, ref, units, 1, 0, "on time in full"))
            self._tell_account(line, "on time in full")
            return
        recorder.record(events.LineClosed(now, label, sku, account, ref, units, 0, late, "late"))
        if day > line.promised_day:
            broken = f"promised day {line.promised_day}, shipped day {day}"
            recorder.record(events.PromiseBroken(now, label, sku, account, ref, units, line.promised_day, broken))
            self._tell_account(line, "promise broken")
        else:
            self._tell_account(line, "late as promised")
        penalty = round(self.late_penalty_rate * units * line.price_cents)
        if penalty:
            self.ledger.post("penalties", "cash", penalty)
            recorder.flow(now, LATE_PENALTY, recorder.name(label), sku, account, ref, units, penalty)

    def _tell_account(self, line: OrderLine, outcome: str) -> None:
        if self.on_line_closed is not None:
            self.on_line_closed(line, OUTCOMES[outcome])

    def _bill(self, now: float, kind: int, sku: int, account: int, ref: int, units: int, price: int) -> None:
        revenue = units * price
        self.ledger.sell(revenue, units * self.stock.standard_cost_cents[sku])
        self.recorder.flow(now, kind, self._warehouse, sku, account, ref, units, revenue)
