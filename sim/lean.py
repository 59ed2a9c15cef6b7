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

from typing import Protocol

import simpy

from sim.agents.buyer import Buyer
from sim.agents.customer import CustomerAccount
from sim.agents.sales import SalesRep
from sim.agents.supplier import Supplier
from sim.behaviour import incentives
from sim.behaviour.replenishment import order_quantity, order_up_to_level
from sim.books.holding import HoldingCost
from sim.books.ledger import Ledger
from sim.books.order_to_cash import BACKORDER, ORDER, SHIPMENT, WAREHOUSE, OrderToCash
from sim.books.orders import OrderLine, PurchaseOrder
from sim.books.procure_to_pay import ProcureToPay
from sim.books.stock import Stock
from sim.clock import DEMAND, FORECAST, RECEIVE, REVIEW
from sim.config import RunConfig, TextbookScenario
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
    """Play every day of the run; the caller then closes the books as after a SimPy run."""
    (buyer,), (rep,), (account,), (supplier,) = model.buyers, model.reps, model.accounts, model.suppliers
    procure, stock = model.procure_to_pay, model.stock
    sku = 0
    window = buyer.history[sku]
    known_mean, known_sd = buyer.spec.known_daily_mean, buyer.spec.known_daily_sd
    assert known_sd is not None  # the textbook gives sigma
    prior = model.world.skus[sku].expected_daily_units
    cover = order_up_to_cover(supplier.spec.lead_time_mean_days, buyer.spec.review_period_days)
    safety_z = buyer.spec.safety_z + incentives.service_safety_bonus(0.0, 0.0)
    price = supplier.unit_price_cents(sku, 1, 0)  # no breaks, rises or deals in the textbook
    lead = round(supplier.spec.lead_time_mean_days)
    transit, last = supplier.transit_days, len(supplier.transit_days) - 1
    signal, label = model.recorder.signal, buyer.label
    place, receive = procure.place, procure.receive
    forecast_every = rep.spec.forecast_period_days
    buyer.choose_supplier(sku, 0)  # the buyer's one source, as the first review would note it
    quantities = account.spec.demand.quantities
    account_index, requested_lead, patience_days = (
        account.spec.index,
        account.spec.requested_lead_days,
        account.spec.patience_days,
    )
    order_to_cash = model.order_to_cash
    daily, line_ids, accrue = order_to_cash.daily_demand[sku], order_to_cash.line_ids, model.holding.accrue
    list_price, standard_cost = model.list_price_cents[sku], model.standard_cost_cents[sku]
    take, owe, sell, flow = stock.take, stock.owe, model.ledger.sell, model.recorder.flow
    warehouse = model.recorder.name(WAREHOUSE)
    arriving: dict[int, list[tuple[PurchaseOrder, int]]] = {}
    clock = model.env

    for day in range(model.config.total_days):
        delivered = arriving.pop(day, ())
        if delivered:
            clock._now = now = day + RECEIVE
            for po, units in delivered:
                receive(now, po, units)
        if day % forecast_every == 0:
            clock._now = now = day + FORECAST
            rep._follow_quota(now, rep._submit_forecast(now))
        # the review (Buyer.review with nothing to judge, no promotion, one supplier, no lot sizing)
        clock._now = now = day + REVIEW
        buyer.observe(day)
        mean = known_mean if known_mean is not None else window.mean(prior=prior)
        level = order_up_to_level(mean, known_sd, cover, safety_z) + 0.0
        signal(now, "planned_forecast", label, sku, mean + 0.0 / cover)
        units = order_quantity(level, stock.inventory_position(sku))
        if units > 0:
            po = place(now, buyer.index, buyer.code, supplier.spec.index, sku, units, price, day + lead)
            arrival = day + transit[min(day, last)]
            po.expected_day = max(po.expected_day or 0, arrival)
            if arrival <= day:  # no lead time: SimPy delivers right after the review
                receive(now, po, units)
            else:
                arriving.setdefault(arrival, []).append((po, units))
        # the order (CustomerAccount.order and OrderToCash.take_order: one line, list price, patient)
        clock._now = now = day + DEMAND
        wanted = quantities(day)
        ((_, units),) = wanted
        short = 0
        accrue(now)
        if units > 0:
            line_id = next(line_ids)
            daily[day] += units
            flow(now, ORDER, account.code, sku, account_index, line_id, units, units * list_price)
            taken = take(sku, units)
            if taken:
                revenue = taken * list_price
                sell(revenue, taken * standard_cost)
                flow(now, SHIPMENT, warehouse, sku, account_index, line_id, taken, revenue)
            if taken < units:
                short = units - taken
                requested = day + requested_lead
                patience = day + patience_days
                owe(
                    OrderLine(
                        line_id, account_index, sku, units, list_price, now, requested, patience, short, requested
                    )
                )
                flow(now, BACKORDER, account.code, sku, account_index, line_id, short, 0)
        rep.note_order(wanted, units * list_price, short)
        account._orders += 1  # as CustomerAccount._leaves counts them (nobody leaves the textbook)
