"""The event table's vocabulary: its columns, the kinds of event, and how a record is registered.

:mod:`sim.output.events` declares the business events' records with :func:`business_event`;
the flows (orders, shipments, receipts, ...) need no record and are listed here.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

NA = -1  # "not applicable" in the integer columns
COLUMNS = (
    "time",
    "day",
    "event",
    "agent",
    "sku",
    "account",
    "ref",
    "quantity",
    "value",
    "counterpart",
    "days",
    "amount",
    "at_risk",
    "share",
    "verdict",
    "detail",
)
"""The event table's columns, in order."""
FIGURES: dict[str, Any] = {"days": NA, "amount": math.nan, "at_risk": math.nan, "share": math.nan, "verdict": NA}
"""The typed figures only some kinds carry, and what they hold where a kind has none."""
MONEY = ("value", "amount", "at_risk")
"""Columns kept in cents in the books and shown in currency in the table."""


@dataclass(frozen=True)
class Kind:
    """One kind of event: its name, code, record type and what its columns mean."""

    name: str
    code: int
    record: type[Any] | None  # the typed record of a business event (None: a flow)
    columns: dict[str, str]  # table column -> the record's field (business events)
    conflict: bool = False  # a conflict between the departments

    def fields(self) -> dict[str, str]:
        """The record's field -> the table column it is stored in."""
        return {field: column for column, field in self.columns.items()}


KINDS: dict[str, Kind] = {}
"""Every kind by name, in code order."""

FLOWS = (
    "opening_stock",  # the warehouse's opening units of an SKU (value: at standard cost)
    "order",  # a customer order line (agent: the account; ref: the line; value: at its price)
    "shipment",  # units of a line shipped from stock the day it was ordered (value: revenue)
    "backorder",  # the part of a line that waits for stock
    "backorder_shipment",  # a waiting line served later (value: revenue)
    "cancellation",  # the account's patience ran out: a lost sale (value: revenue lost)
    "late_penalty",  # a contractual penalty for a late line (value: the penalty)
    "purchase_order",  # units ordered from a supplier (counterpart: the supplier; value: at the price paid)
    "receipt",  # units received from a supplier (agent: the supplier; value: paid)
    "holding_cost",  # holding cost posted (quantity: days it covers)
    "policy_cost",  # a lever's cost booked (agent: the lever; detail: what for)
    "operating_expenses",  # staff and overhead posted (quantity: days it covers)
    "write_off",  # units older than their shelf life written off (value: standard cost less salvage)
    "stock_provision",  # year end: closing stock that will age out unsold (value: its cost less salvage)
    "backlog_provision",  # year end: the margin open backlog is expected to lose (value)
    "promotion_allowance",  # suppliers pay back a campaign's funded discount (ref: the campaign; value)
)

for _code, _name in enumerate(FLOWS):
    KINDS[_name] = Kind(_name, _code, None, {})


def code(name: str) -> int:
    """The integer code of an event kind."""
    return KINDS[name].code


def business_event(name: str, *, conflict: bool = False, **columns: str) -> Callable[[type[Any]], type[Any]]:
    """Register a NamedTuple as the record of event ``name``; ``columns`` maps table columns to its fields.

    Fields named like a column (``time``, ``sku``, ``account``, ...) need no mapping; a
    field ending in ``_cents`` is money, shown in currency under the name without the suffix.
    """

    def register(record: type[Any]) -> type[Any]:
        mapping = {column: column for column in COLUMNS if column in record._fields}
        mapping |= columns
        unknown = set(mapping) - set(COLUMNS)
        assert not unknown, f"{name}: unknown columns {unknown}"
        KINDS[name] = Kind(name, len(KINDS), record, mapping, conflict)
        record.KIND = name
        return record

    return register
