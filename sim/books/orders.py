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
    """Sales asks purchasing to rush units of an SKU to a short key account.

    ``margin_at_risk_cents`` is what sales claims is at stake; what can really be lost
    depends on when supply comes (``expires_day``: the account gives up after it), on
    the line's margin, and on the chance a lost line makes the account leave.
    """

    rep: int
    account: int
    sku: int
    units: int
    margin_at_risk_cents: float
    expires_day: int = 0
    line_margin_cents: float = 0.0
    churn_risk: float = 0.0  # the account leaves within a year if the line is lost
    account_margin_cents: float = 0.0  # the account's margin over a year
