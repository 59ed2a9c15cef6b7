"""The event table's vocabulary: its columns, the kinds of event, and how a record is registered.

:mod:`sim.output.events` declares the business events' records with :func:`business_event`;
the flows (orders, shipments, receipts, ...) need no record and are listed here.
"""

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

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


ROW_PADDING = (NA, 0, "")
"""Appended to a record before :attr:`RecordLayout.pick`: what a column holds where the record has no field for it."""


class RecordLayout(NamedTuple):
    """Where a record's fields go in the event table, worked out once per kind (the recorder's hot path)."""

    pick: Callable[[tuple[Any, ...]], tuple[Any, ...]]
    """Of ``record + ROW_PADDING``: agent, sku, account, ref, quantity, value, counterpart, detail."""
    figures: tuple[tuple[str, int], ...]
    """Each typed figure the kind carries: its column and the record's field index."""


_ROW_COLUMNS = {"agent": None, "sku": NA, "account": NA, "ref": NA, "quantity": 0, "value": 0, "counterpart": NA}
"""The integer columns of a row, in order, and what each holds where a record has no field for it."""


def _layout(record: type[Any], mapping: dict[str, str]) -> RecordLayout:
    fields = list(record._fields)
    padding = {default: len(fields) + i for i, default in enumerate(ROW_PADDING)}
    positions = [
        fields.index(mapping[column]) if column in mapping else padding[default]
        for column, default in _ROW_COLUMNS.items()
    ]
    positions.append(fields.index("detail") if "detail" in fields else padding[""])
    figures = tuple((column, fields.index(mapping[column])) for column in FIGURES if column in mapping)
    return RecordLayout(operator.itemgetter(*positions), figures)


@dataclass(frozen=True)
class Kind:
    """One kind of event: its name, code, record type and what its columns mean."""

    name: str
    code: int
    record: type[Any] | None  # the typed record of a business event (None: a flow)
    columns: dict[str, str]  # table column -> the record's field (business events)
    conflict: bool = False  # a conflict between the departments
    shock: bool = False  # an outside shock (supply disruption, price rise, launch, large order): no department's act
    layout: RecordLayout | None = None  # a business event's: where its fields go in a row

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


SHOCK_SOURCES = ("scenario", "facilitator")
"""Who set an outside shock off (a shock event's ``agent``): the scenario's config, or a facilitator in play."""


def code(name: str) -> int:
    """The integer code of an event kind."""
    return KINDS[name].code


def business_event(
    name: str, *, conflict: bool = False, shock: bool = False, **columns: str
) -> Callable[[type[Any]], type[Any]]:
    """Register a NamedTuple as the record of event ``name``; ``columns`` maps table columns to its fields.

    Fields named like a column (``time``, ``sku``, ``account``, ...) need no mapping; a
    field ending in ``_cents`` is money, shown in currency under the name without the suffix.
    """
    return lambda record: register(name, record, columns, conflict=conflict, shock=shock)


def register(
    name: str, record: type[Any], columns: dict[str, str], *, conflict: bool = False, shock: bool = False
) -> type[Any]:
    """Register ``record`` as the record of event ``name`` (what :func:`business_event` does)."""
    mapping = {column: column for column in COLUMNS if column in record._fields}
    mapping |= columns
    unknown = set(mapping) - set(COLUMNS)
    assert not unknown, f"{name}: unknown columns {unknown}"
    KINDS[name] = Kind(name, len(KINDS), record, mapping, conflict, shock, _layout(record, mapping))
    record.KIND = name
    return record


# -- outside shocks ------------------------------------------------------------------------
# The world acts, no department: ``agent`` is "scenario" (the config) or "facilitator" (injected
# during play). Registered by sim.output.events after the business events.

SHOCK_RECORDS: list[tuple[str, type[Any], dict[str, str]]] = []
"""Each outside shock's kind, record and columns, in the order sim.output.events registers them."""


def _shock(name: str, **columns: str) -> Callable[[type[Any]], type[Any]]:
    def keep(record: type[Any]) -> type[Any]:
        SHOCK_RECORDS.append((name, record, columns))
        return record

    return keep


@_shock(
    "disruption_started",
    agent="source",
    counterpart="supplier",
    ref="disruption",
    quantity="extra_lead_days",
    days="end_day",
    share="capacity_factor",
)
class DisruptionStarted(NamedTuple):
    """A supplier ships at ``capacity_factor`` of its capacity, ``extra_lead_days`` later, until ``end_day``."""

    time: float
    source: str
    supplier: int
    disruption: int
    extra_lead_days: int
    end_day: int
    capacity_factor: float
    detail: str


@_shock(
    "disruption_ended",
    agent="source",
    counterpart="supplier",
    ref="disruption",
    quantity="extra_lead_days",
    days="start_day",
    share="capacity_factor",
)
class DisruptionEnded(NamedTuple):
    """A supplier's disruption (from ``start_day``) is over: full capacity and usual lead times again."""

    time: float
    source: str
    supplier: int
    disruption: int
    extra_lead_days: int
    start_day: int
    capacity_factor: float
    detail: str


@_shock("price_rise", agent="source", counterpart="supplier", share="rise")
class PriceRise(NamedTuple):
    """A supplier raises its prices by ``rise`` (0.12: +12%) on every order from this day on."""

    time: float
    source: str
    supplier: int
    rise: float
    detail: str


@_shock("product_launch", agent="source", quantity="skus", share="uncertainty")
class ProductLaunch(NamedTuple):
    """A new SKU goes on sale (quantity: SKUs launched that day; share: the lognormal sigma of its demand)."""

    time: float
    source: str
    sku: int
    skus: int
    uncertainty: float
    detail: str


@_shock("large_order", agent="source", quantity="units", days="order_day")
class LargeOrder(NamedTuple):
    """An unannounced large order of ``units`` that an account adds to its order of ``order_day``."""

    time: float
    source: str
    sku: int
    account: int
    units: int
    order_day: int
    detail: str
