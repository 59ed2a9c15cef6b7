"""The documents that move goods: customer order lines, purchase orders and rush requests."""

from dataclasses import dataclass


@dataclass(slots=True, eq=False)
class OrderLine:
    """One SKU on one customer order: what was asked, by when, and what is still open."""

    line_id: int
    account: int
    sku: int
    quantity: int
    price_cents: int
    ordered_at: float
    requested_day: int
    expires_day: int
    open_quantity: int = 0
    promised_day: int = 0


@dataclass(slots=True, eq=False)
class PurchaseOrder:
    """One SKU ordered from one supplier; ``open_quantity`` is still to be received."""

    po_id: int
    buyer: int
    supplier: int
    sku: int
    quantity: int
    unit_price_cents: int
    placed_at: float
    due_day: int
    open_quantity: int = 0
    expected_day: int | None = None  # the arrival a shipping notice announced, once shipped


@dataclass(frozen=True, slots=True)
class ExpediteRequest:
    """Sales asks purchasing to rush units of an SKU to a short key account."""

    rep: int
    account: int
    sku: int
    units: int
    margin_at_risk_cents: float
