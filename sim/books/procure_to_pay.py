"""Procure to pay: purchase orders go out, goods come in, suppliers are paid.

Receipts enter inventory at standard cost; the difference to the price paid is
purchase price variance. Every receipt first serves waiting customer lines.
"""

from itertools import count

from sim.books.holding import HoldingCost
from sim.books.ledger import Ledger
from sim.books.order_to_cash import OrderToCash
from sim.books.orders import PurchaseOrder
from sim.books.stock import Stock
from sim.output import events
from sim.output.recorder import Recorder

PURCHASE_ORDER, RECEIPT = events.code("purchase_order"), events.code("receipt")


class ProcureToPay:
    """Purchase orders, receipts and supplier payments."""

    def __init__(
        self,
        stock: Stock,
        ledger: Ledger,
        holding: HoldingCost,
        recorder: Recorder,
        order_to_cash: OrderToCash,
        supplier_labels: list[str],
    ) -> None:
        self.stock = stock
        self.ledger = ledger
        self.holding = holding
        self.recorder = recorder
        self.order_to_cash = order_to_cash
        self.supplier_labels = supplier_labels
        self.supplier_codes = [recorder.name(label) for label in supplier_labels]  # as agents (receipts)
        self._supplier_texts = [recorder.text(label) for label in supplier_labels]  # as details (orders)
        self._on_time, self._late = recorder.text("on time"), recorder.text("late")
        self.open_orders: list[list[PurchaseOrder]] = [[] for _ in stock.on_hand]
        self.po_ids = count()  # purchase order numbers

    def place(
        self,
        now: float,
        buyer: int,
        agent: int,
        supplier: int,
        sku: int,
        units: int,
        unit_price_cents: int,
        due_day: int,
    ) -> PurchaseOrder:
        """Put ``units`` of ``sku`` on order with ``supplier``."""
        po = PurchaseOrder(next(self.po_ids), buyer, supplier, sku, units, unit_price_cents, now, due_day, units)
        self.stock.on_order[sku] += units
        self.open_orders[sku].append(po)
        value = units * unit_price_cents
        label = self._supplier_texts[supplier]
        self.recorder.flow(now, PURCHASE_ORDER, agent, sku, -1, po.po_id, units, value, supplier, detail=label)
        return po

    def inbound(self, sku: int) -> list[tuple[int, int]]:
        """Open purchase orders of ``sku`` as (expected day, units still to come), soonest first.

        The expected day is the one the supplier's shipping notice gave, once it has
        shipped (the latest of its shipments), else the due day.
        """
        orders = self.open_orders[sku]  # a list, not a generator, for sorted(): an ERP snapshot asks every day
        return sorted([(max(po.due_day, po.expected_day or 0), po.open_quantity) for po in orders]) if orders else []

    def receive(self, now: float, po: PurchaseOrder, units: int) -> None:
        """Goods of ``po`` arrive: shelve them, pay for them, serve backorders."""
        sku = po.sku
        self.holding.accrue(now)
        po.open_quantity -= units
        if po.open_quantity == 0:
            self.open_orders[sku].remove(po)
        self.stock.put(sku, units, int(now))
        standard = units * self.stock.standard_cost_cents[sku]
        paid = units * po.unit_price_cents
        self.ledger.post("inventory", "cash", standard)
        if paid != standard:
            self.ledger.post("ppv", "cash", paid - standard)
        supplier = self.supplier_codes[po.supplier]
        timing = self._late if int(now) > po.due_day else self._on_time
        self.recorder.flow(now, RECEIPT, supplier, sku, -1, po.po_id, units, paid, detail=timing)
        if self.stock.backordered[sku]:
            self.order_to_cash.fill_backorders(now, sku)
