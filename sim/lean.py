"""A lean run of the textbook scenario: the same books and the same record, without SimPy.

The textbook company is one account ordering daily, one buyer reviewing daily on an
order-up-to rule with no behaviour, one rep forecasting weekly and one supplier with a
fixed lead time and unlimited capacity: every day unfolds in the same phase order
(receipts, the weekly forecast, the review, the order), so a plain loop can play it,
calling the same books (order to cash, procure to pay, holding cost) and the agents'
own decisions where they are not trivial. What the loop writes is what the SimPy run
writes, bit for bit (tests/test_lean.py runs both on many textbook configs); it is
only faster, because a day here is a few calls, not three SimPy events and a hundred calls.
The loop moves the SimPy clock itself, phase by phase, so everything that reads the time
(``env.now``) reads what it would in a SimPy run; no event is ever scheduled.
"""

import math
from collections.abc import Callable
from typing import Protocol

import simpy

from sim.agents.buyer import Buyer
from sim.agents.customer import CustomerAccount
from sim.agents.sales import SalesRep
from sim.agents.supplier import Supplier
from sim.behaviour import incentives
from sim.books.holding import POSTING_DAYS, HoldingCost
from sim.books.ledger import Ledger
from sim.books.order_to_cash import BACKORDER, ORDER, SHIPMENT, WAREHOUSE, OrderToCash
from sim.books.orders import OrderLine, PurchaseOrder
from sim.books.procure_to_pay import PURCHASE_ORDER, RECEIPT, ProcureToPay
from sim.books.stock import Stock
from sim.clock import DEMAND, FORECAST, RECEIVE, REVIEW
from sim.config import RunConfig, TextbookScenario
from sim.market import DrawnDemand
from sim.output.events import NA
from sim.output.recorder import Recorder
from sim.policies.base import Policy
from sim.world import TEXTBOOK_ORG, World, order_up_to_cover


class TextbookModel(Protocol):
    """What the lean loop needs of a built model."""

    config: RunConfig
    world: World
    policies: list[Policy]
    buyers: list[Buyer]
    reps: list[SalesRep]
    accounts: list[CustomerAccount]
    suppliers: list[Supplier]
    stock: Stock
    procure_to_pay: ProcureToPay
    order_to_cash: OrderToCash
    holding: HoldingCost
    ledger: Ledger
    list_price_cents: list[int]
    standard_cost_cents: list[int]
    recorder: Recorder
    env: simpy.Environment


def fits(model: TextbookModel) -> bool:
    """Whether the lean loop plays this run exactly: the textbook, drawn demand, no lever, no one seated."""
    scenario = model.config.scenario
    return (
        isinstance(scenario, TextbookScenario)
        and scenario.demand_file is None
        and not model.policies
        and all(buyer.seat is None for buyer in model.buyers)
        and all(rep.seat is None for rep in model.reps)
        and model.world.org is TEXTBOOK_ORG  # no promotions, deals, expedites, trust or price breaks
        and all(account.spec.patience_days >= model.config.total_days for account in model.accounts)
        and not any(any(supplier.short_shipped) for supplier in model.suppliers)
    )


def run(model: TextbookModel) -> None:
    """Play every day of the run; the caller then closes the books as after a SimPy run.

    Each phase says which general code it plays; the calls into the books are theirs.
    """
    (buyer,), (rep,), (account,), (supplier,) = model.buyers, model.reps, model.accounts, model.suppliers
    procure, stock, recorder = model.procure_to_pay, model.stock, model.recorder
    sku = 0
    # -- the buyer's rule, fixed for the run ------------------------------------------------
    window = buyer.history[sku]
    values, window_size = window._values, window.size
    known_mean, known_sd = buyer.spec.known_daily_mean, buyer.spec.known_daily_sd
    assert known_sd is not None  # the textbook gives sigma
    prior = model.world.skus[sku].expected_daily_units
    cover = order_up_to_cover(supplier.spec.lead_time_mean_days, buyer.spec.review_period_days)
    safety_z = buyer.spec.safety_z + incentives.service_safety_bonus(0.0, 0.0)
    safety_stock = safety_z * known_sd * math.sqrt(cover)  # order_up_to_level's second term, fixed
    zero = 0.0 / cover  # the planned rate adds the promotion uplift over the cover: none in the textbook
    price = supplier.unit_price_cents(sku, 1, 0)  # no breaks, rises or deals in the textbook
    lead = round(supplier.spec.lead_time_mean_days)
    transit, last = supplier.transit_days, len(supplier.transit_days) - 1
    buyer.choose_supplier(sku, 0)  # the buyer's one source, as the first review would note it
    # -- the account's demand: DrawnDemand.quantities for one line, no uplift ------------------
    demand = account.spec.demand
    assert isinstance(demand, DrawnDemand) and len(demand.lines) == 1 and demand.additive
    rate, interval = demand.lines[0].daily_rate, demand.interval
    profile, days_of_profile = demand.profile, len(demand.profile) - 1
    next_shocks = demand._shock_row
    account_index, requested_lead, patience_days = (
        account.spec.index,
        account.spec.requested_lead_days,
        account.spec.patience_days,
    )
    # -- the books ------------------------------------------------------------------------------
    daily, line_ids = model.order_to_cash.daily_demand[sku], model.order_to_cash.line_ids
    holding = model.holding
    list_price, standard_cost = model.list_price_cents[sku], model.standard_cost_cents[sku]
    on_hand, on_order, backordered = stock.on_hand, stock.on_order, stock.backordered
    shipped, owe, balance = stock.shipped, stock.owe, model.ledger.balance
    holding_rate = holding.rate_per_day
    ordered = rep.ordered
    po_ids, open_orders = procure.po_ids, procure.open_orders[sku]
    buyer_index, buyer_code, supplier_index = buyer.index, buyer.code, supplier.spec.index
    rows, events = recorder.events_rows()
    signal_rows, signals = recorder.signal_rows()
    warehouse, customer = recorder.name(WAREHOUSE), account.code
    planned, source = recorder.name("planned_forecast"), recorder.text(supplier.label)
    deliver = _receipts(model)
    forecast_every = rep.spec.forecast_period_days
    arriving: dict[int, list[tuple[PurchaseOrder, int]]] = {}
    clock = model.env

    for day in range(model.config.total_days):
        # receipts (Supplier._deliver's timeout, then ProcureToPay.receive)
        delivered = arriving.pop(day, ())
        if delivered:
            clock._now = now = day + RECEIVE
            for po, units in delivered:
                deliver(now, po, units)
        # the rep's weekly forecast (SalesRep._planning)
        if day % forecast_every == 0:
            clock._now = now = day + FORECAST
            rep._follow_quota(now, rep._submit_forecast(now))
        # the review (Buyer.review: nothing to judge, no promotion, one supplier, no lot sizing)
        clock._now = now = day + REVIEW
        if day and window_size:  # Buyer.observe: yesterday's orders enter the window (MovingWindow.push)
            value = daily[day - 1]
            values.append(value)
            window._sum += value
            window._sum_squares += value * value
            if len(values) > window_size:
                old = values.popleft()
                window._sum -= old
                window._sum_squares -= old * old
        buyer.observed_until = day
        mean = window._sum / len(values) if values else prior  # MovingWindow.mean
        if known_mean is not None:
            mean = known_mean
        level = cover * mean + safety_stock + 0.0  # order_up_to_level
        signal_rows.extend((now, planned, buyer_code, sku, mean + zero))
        gap = level - (on_hand[sku] + on_order[sku] - backordered[sku])  # order_quantity
        units = math.floor(gap + 0.5) if gap > 0 else 0
        if units > 0:  # ProcureToPay.place, then Supplier.accept ships it at once (unlimited capacity)
            po_id = next(po_ids)
            po = PurchaseOrder(po_id, buyer_index, supplier_index, sku, units, price, now, day + lead, units)
            on_order[sku] += units
            open_orders.append(po)
            rows.extend((now, PURCHASE_ORDER, buyer_code, sku, NA, po_id, units, units * price, supplier_index, source))
            arrival = day + transit[min(day, last)]
            po.expected_day = arrival
            if arrival <= day:  # no lead time: SimPy delivers right after the review
                deliver(now, po, units)
            else:
                arriving.setdefault(arrival, []).append((po, units))
        # the order (CustomerAccount.order, OrderToCash.take_order: one line at list price, patient)
        clock._now = now = day + DEMAND
        shock = next_shocks()[0]
        mean = rate * (interval * profile[min(day, days_of_profile)] * 1.0)
        units = max(0, math.floor(mean + shock + 0.5)) if mean > 0 else 0
        short = 0
        if day > holding.charged_until:
            # HoldingCost._charge: stock value held since the last charge, posted weekly
            holding._carry += stock.value_cents * holding_rate * (day - holding.charged_until)
            holding.charged_until = day
            if day - holding._posted_until >= POSTING_DAYS:
                holding._post(now, day)
        if units > 0:
            line_id = next(line_ids)
            daily[day] += units
            rows.extend((now, ORDER, customer, sku, account_index, line_id, units, units * list_price, NA, 0))
            have = on_hand[sku]  # Stock.take
            taken = units if units < have else have
            if taken > 0:
                on_hand[sku] = have - taken
                shipped[sku] += taken
                stock.value_cents -= taken * standard_cost
                revenue, cost = taken * list_price, taken * standard_cost  # Ledger.sell
                balance["cash"] += revenue
                balance["revenue"] -= revenue
                balance["cogs"] += cost
                balance["inventory"] -= cost
                rows.extend((now, SHIPMENT, warehouse, sku, account_index, line_id, taken, revenue, NA, 0))
            else:
                taken = 0
            if taken < units:
                short = units - taken
                requested = day + requested_lead
                expires = day + patience_days
                owe(
                    OrderLine(line_id, account_index, sku, units, list_price, now, requested, expires, short, requested)
                )
                rows.extend((now, BACKORDER, customer, sku, account_index, line_id, short, 0, NA, 0))
        ordered[sku] += units  # SalesRep.note_order
        rep.bookings += units * list_price
        rep._units_ordered += units
        rep._units_short += short
        account._orders += 1  # as CustomerAccount._leaves counts them (nobody leaves the textbook)
        if len(rows) >= events.limit:
            events.move()
        if len(signal_rows) >= signals.limit:
            signals.move()


def _receipts(model: TextbookModel) -> Callable[[float, PurchaseOrder, int], None]:
    """ProcureToPay.receive for a purchase order that arrives whole."""
    procure, stock, ledger, holding = model.procure_to_pay, model.stock, model.ledger, model.holding
    rows, _ = model.recorder.events_rows()
    on_time, late = model.recorder.text("on time"), model.recorder.text("late")
    fill = model.order_to_cash.fill_backorders
    on_hand, received, on_order, balance = stock.on_hand, stock.received, stock.on_order, ledger.balance
    holding_rate, standard_costs = holding.rate_per_day, stock.standard_cost_cents

    def receive(now: float, po: PurchaseOrder, units: int) -> None:
        sku, day = po.sku, int(now)
        if day > holding.charged_until:  # HoldingCost.accrue and _charge, as the order phase plays them
            holding._carry += stock.value_cents * holding_rate * (day - holding.charged_until)
            holding.charged_until = day
            if day - holding._posted_until >= POSTING_DAYS:
                holding._post(now, day)
        po.open_quantity -= units
        procure.open_orders[sku].remove(po)
        standard = units * standard_costs[sku]
        on_hand[sku] += units  # Stock.put
        received[sku] += units
        on_order[sku] -= units
        stock.value_cents += standard
        paid = units * po.unit_price_cents
        balance["inventory"] += standard  # Ledger.post
        balance["cash"] -= standard
        if paid != standard:
            balance["ppv"] += paid - standard
            balance["cash"] -= paid - standard
        timing = late if day > po.due_day else on_time
        rows.extend((now, RECEIPT, procure.supplier_codes[po.supplier], sku, NA, po.po_id, units, paid, NA, timing))
        if stock.backordered[sku]:
            fill(now, sku)

    return receive
