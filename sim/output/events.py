"""The business events of a run: what each kind is, and the figures it carries.

Every event is one row of the event table, whose columns are common to all kinds:
when (``time``), what (``event``), who (``agent``), which SKU, account and document
(``sku``, ``account``, ``ref``), how many units (``quantity``) and how much money
(``value``), plus the typed figures some kinds need: the other party (``counterpart``),
a number of days (``days``), a second amount of money (``amount``), the margin at risk
(``at_risk``), a ratio (``share``) and a yes or no (``verdict``). ``detail`` is a sentence
for people; no reader parses it.

*Flows* (orders, shipments, receipts, ...) move goods or money and carry the common
columns only: they are written on the hot path as plain rows (:meth:`Recorder.flow`).
*Business events* (a refused expedite, a promotion started, a meeting, ...) are typed
records, one :class:`typing.NamedTuple` per kind with fields named in the domain's words
(:meth:`Recorder.record`); :func:`typed` reads them back under those names.
"""

from typing import Any, NamedTuple

import numpy as np

from sim.output.event_kinds import (
    COLUMNS,
    FIGURES,
    FLOWS,
    KINDS,
    MONEY,
    NA,
    SHOCK_RECORDS,
    SHOCK_SOURCES,
    DisruptionEnded,
    DisruptionStarted,
    Kind,
    LargeOrder,
    PriceRise,
    ProductLaunch,
    business_event,
    code,
    register,
)

__all__ = [
    "COLUMNS",
    "FIGURES",
    "FLOWS",
    "KINDS",
    "MONEY",
    "NA",
    "SHOCK_SOURCES",
    "DisruptionEnded",
    "DisruptionStarted",
    "Kind",
    "LargeOrder",
    "PriceRise",
    "ProductLaunch",
    "business_event",
    "code",
]


# -- business events ------------------------------------------------------------------------
# Each record lists its fields in the domain's words; the decorator says which table column
# holds each. Money is in cents (``_cents``), as the books keep it.


@business_event("revaluation", agent="warehouse", quantity="on_hand", value="change_cents", amount="standard_cents")
class Revaluation(NamedTuple):
    """A new standard cost for an SKU at a year end (value: the change in the stock's value; amount: the standard)."""

    time: float
    warehouse: str
    sku: int
    on_hand: int
    change_cents: int
    standard_cents: int
    detail: str


@business_event(
    "line_closed", agent="customer", ref="line", quantity="units", verdict="on_time_in_full", days="days_late"
)
class LineClosed(NamedTuple):
    """A backordered line closes: shipped (verdict: on time in full; days: days late) or cancelled (days: -1)."""

    time: float
    customer: str
    sku: int
    account: int
    line: int
    units: int
    on_time_in_full: int
    days_late: int
    detail: str


@business_event("promise_broken", agent="customer", ref="line", quantity="units", days="promised_day")
class PromiseBroken(NamedTuple):
    """A line shipped after the day promised to the account, or cancelled (units: those late or lost)."""

    time: float
    customer: str
    sku: int
    account: int
    line: int
    units: int
    promised_day: int
    detail: str


@business_event(
    "expedite_requested", agent="rep", counterpart="buyer", quantity="units", at_risk="margin_at_risk_cents"
)
class ExpediteRequested(NamedTuple):
    """A rep asks the SKU's buyer to rush supply to a short key account (at_risk: the margin sales sees at risk)."""

    time: float
    rep: str
    sku: int
    account: int
    units: int
    buyer: int
    margin_at_risk_cents: float
    detail: str


@business_event("escalation", agent="rep", counterpart="buyer", quantity="units")
class Escalation(NamedTuple):
    """A rep takes a refused expedite above purchasing's head (the refusal's incident: not a second conflict)."""

    time: float
    rep: str
    sku: int
    account: int
    units: int
    buyer: int
    detail: str


@business_event(
    "expedite_refused",
    conflict=True,
    agent="buyer",
    counterpart="rep",
    quantity="units",
    amount="premium_cents",
    at_risk="margin_at_risk_cents",
)
class ExpediteRefused(NamedTuple):
    """A buyer refuses an expedite: the premium (amount) outweighs the margin at risk as purchasing values it."""

    time: float
    buyer: str
    sku: int
    account: int
    units: int
    rep: int
    premium_cents: float
    margin_at_risk_cents: float
    detail: str


@business_event(
    "expedite", agent="buyer", ref="purchase_order", counterpart="rep", quantity="units", value="premium_cents"
)
class Expedite(NamedTuple):
    """Premium freight placed for a short key account (value: the premium paid)."""

    time: float
    buyer: str
    sku: int
    account: int
    purchase_order: int
    units: int
    rep: int
    premium_cents: int
    detail: str


@business_event("negotiation", agent="buyer", counterpart="supplier", share="relationship")
class Negotiation(NamedTuple):
    """A buyer presses its main supplier on price (share: the relationship after it)."""

    time: float
    buyer: str
    supplier: int
    relationship: float
    detail: str


@business_event("excess_stock", conflict=True, agent="buyer", quantity="on_hand", share="forecast_over_demand")
class ExcessStock(NamedTuple):
    """Stock above target that a padded sales forecast put there (share: forecast / demand - 1)."""

    time: float
    buyer: str
    sku: int
    on_hand: int
    forecast_over_demand: float
    detail: str


@business_event("promotion_planned", agent="rep", ref="promotion", quantity="skus", days="start_day", share="discount")
class PromotionPlanned(NamedTuple):
    """A promotion approved to run (sku: its first SKU; days: its first day; share: its discount)."""

    time: float
    rep: str
    sku: int
    promotion: int
    skus: int
    start_day: int
    discount: float
    detail: str


@business_event(
    "promotion_notice", agent="source", ref="promotion", quantity="skus", days="notice_days", counterpart="rep"
)
class PromotionNotice(NamedTuple):
    """Purchasing learns of a promotion (agent: who told it; days: days before it starts)."""

    time: float
    source: str
    sku: int
    promotion: int
    skus: int
    notice_days: int
    rep: int
    detail: str


@business_event("promotion_started", agent="rep", ref="promotion", quantity="skus", days="notice_days", verdict="told")
class PromotionStarted(NamedTuple):
    """A promotion starts (days: days purchasing knew of it, -1 if never told; verdict: told at all)."""

    time: float
    rep: str
    sku: int
    promotion: int
    skus: int
    notice_days: int
    told: int
    detail: str


@business_event(
    "unannounced_promotion", conflict=True, agent="buyer", ref="promotion", quantity="skus", counterpart="rep"
)
class UnannouncedPromotion(NamedTuple):
    """Purchasing finds a promotion running that it was never told of."""

    time: float
    buyer: str
    sku: int
    promotion: int
    skus: int
    rep: int
    detail: str


@business_event("stockout_late_notice", conflict=True, agent="rep", ref="promotion", days="notice_days")
class StockoutLateNotice(NamedTuple):
    """A stock-out on a promoted SKU that purchasing learned of too late (days: notice, -1 if never)."""

    time: float
    rep: str
    sku: int
    promotion: int
    notice_days: int
    detail: str


@business_event("account_won", agent="rep", share="portfolio_satisfaction")
class AccountWon(NamedTuple):
    """Sales converts a lead into a new account."""

    time: float
    rep: str
    account: int
    portfolio_satisfaction: float
    detail: str


@business_event("churn", agent="customer", share="satisfaction")
class Churn(NamedTuple):
    """An account leaves: its satisfaction fell below the threshold."""

    time: float
    customer: str
    account: int
    satisfaction: float
    detail: str


@business_event("meeting", agent="lever", quantity="people")
class Meeting(NamedTuple):
    """A regular meeting of sales and purchasing took place."""

    time: float
    lever: str
    people: int
    detail: str


@business_event("meeting_skipped", agent="lever")
class MeetingSkipped(NamedTuple):
    """A regular meeting did not take place."""

    time: float
    lever: str
    detail: str


@business_event("committee", agent="lever", quantity="members")
class Committee(NamedTuple):
    """The steering committee met."""

    time: float
    lever: str
    members: int
    detail: str


@business_event(
    "order_announced", agent="customer", counterpart="rep", quantity="units", days="due_day", ref="announcement"
)
class OrderAnnounced(NamedTuple):
    """An account tells its rep of a large order ahead (days: the day it will order)."""

    time: float
    customer: str
    sku: int
    account: int
    announcement: int
    units: int
    rep: int
    due_day: int
    detail: str


@business_event("order_notice", agent="source", quantity="units", days="notice_days", ref="announcement")
class OrderNotice(NamedTuple):
    """Purchasing learns of an announced order (agent: who told it; days: days before it is due)."""

    time: float
    source: str
    sku: int
    announcement: int
    units: int
    account: int
    notice_days: int
    detail: str


@business_event("launch_notice", agent="source", days="notice_days")
class LaunchNotice(NamedTuple):
    """Purchasing learns of a product launch plan (agent: who told it; days: days before the launch)."""

    time: float
    source: str
    sku: int
    notice_days: int
    detail: str


@business_event("promotion_approved", agent="lever", ref="promotion", quantity="skus", amount="margin_cents")
class PromotionApproved(NamedTuple):
    """The committee approves a promotion (amount: its expected value to the company)."""

    time: float
    lever: str
    sku: int
    promotion: int
    skus: int
    margin_cents: float
    detail: str


@business_event("promotion_rejected", agent="lever", ref="promotion", quantity="skus", amount="margin_cents")
class PromotionRejected(NamedTuple):
    """The committee rejects a promotion (amount: its expected incremental margin)."""

    time: float
    lever: str
    sku: int
    promotion: int
    skus: int
    margin_cents: float
    detail: str


@business_event(
    "arbitration",
    agent="lever",
    counterpart="rep",
    quantity="units",
    value="premium_cents",
    at_risk="margin_at_risk_cents",
    verdict="granted",
)
class Arbitration(NamedTuple):
    """The committee settles an escalated expedite (verdict: granted; value: the premium at stake)."""

    time: float
    lever: str
    sku: int
    account: int
    units: int
    rep: int
    premium_cents: int
    margin_at_risk_cents: float
    granted: int
    detail: str


@business_event(
    "promotion_checked", agent="lever", ref="promotion", quantity="skus", amount="margin_cents", verdict="approved"
)
class PromotionChecked(NamedTuple):
    """The joint cost-benefit check of a promotion (verdict: approved; amount: incremental margin)."""

    time: float
    lever: str
    sku: int
    promotion: int
    skus: int
    margin_cents: float
    approved: int
    detail: str


@business_event("rotation_started", agent="person", quantity="spell_days")
class RotationStarted(NamedTuple):
    """A rep or buyer starts a spell in the other department."""

    time: float
    person: str
    spell_days: int
    detail: str


@business_event("rotation_ended", agent="person", quantity="spell_days", share="understanding")
class RotationEnded(NamedTuple):
    """Back from a spell (share: the person's understanding of the other side now)."""

    time: float
    person: str
    spell_days: int
    understanding: float
    detail: str


# The outside shocks' records live in sim.output.event_kinds (this module is full); registered
# here, after the business events, so every kind keeps its code.
for _name, _record, _columns in SHOCK_RECORDS:
    register(_name, _record, _columns, shock=True)


CONFLICTS = tuple(name for name, kind in KINDS.items() if kind.conflict)
"""The events that are conflicts between the departments."""
SHOCKS = tuple(name for name, kind in KINDS.items() if kind.shock)
"""The events that are outside shocks: the context of a run, never a department's doing."""


def typed(events: Any, record: type[Any]) -> Any:
    """The rows of one business event kind, under its record's field names (money in currency).

    Args:
        events: the event table.
        record: the kind's record type (e.g. :class:`ExpediteRefused`).
    """
    kind = KINDS[record.KIND]
    rows = events[events["event"] == kind.name]
    stored = kind.fields()
    fields = [field for field in record._fields if field in stored and field != "detail"]
    names = {stored[field]: field.removesuffix("_cents") for field in fields}
    return rows[["day", *(stored[field] for field in fields)]].rename(columns=names)


INT_DTYPES: dict[str, Any] = {
    "sku": np.int32,
    "account": np.int32,
    "ref": np.int64,
    "quantity": np.int64,
    "counterpart": np.int32,
    "days": np.int32,
    "verdict": np.int8,
}


def with_figures(events: Any) -> Any:
    """An event table with every typed figure column (an older table has none: "not applicable")."""
    missing = {name: default for name, default in FIGURES.items() if name not in events}
    missing |= {"counterpart": NA} if "counterpart" not in events else {}
    return events.assign(**missing) if missing else events
