"""What a person typed, checked and turned into a decision; bad entries come back with a message each.

Every check names the field and what is allowed, so the screen can show the message
next to the field and keep everything else the person entered. An order that is allowed
but absurd -- more than :data:`CONFIRM_WEEKS` weeks of the SKU's demand, the hoarding a
price break tempts -- is not refused but asked about (:class:`Unconfirmed`): the screen
asks, and the same entries submitted with ``confirm=True`` are taken.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sim.play.seat import BuyerDecision, SalesDecision
from sim.ports import PromotionPlan

MAX_ORDER_UNITS = 1_000_000  # a typo guard: far above any week's need in these markets
CONFIRM_WEEKS = 10  # an order above this many weeks of demand is asked about: a year's stock is rarely meant
ADJUSTMENT_RANGE = (-50.0, 200.0)  # forecast adjustment, percent of the rep's own estimate
WEEKS_AHEAD_RANGE = (1, 8)
NOTICES = {"early": "tell purchasing now", "late": "tell purchasing just before it starts", "none": "don't tell"}


@dataclass(frozen=True)
class Refused:
    """Entries that cannot be taken: field -> what is wrong and what is allowed."""

    errors: dict[str, str]


@dataclass(frozen=True)
class Unconfirmed:
    """Entries that can be taken once the person confirms them: field -> the question, and the decision."""

    questions: dict[str, str]
    decision: BuyerDecision


def order_field(sku: int) -> str:
    """The name of the entry field for an SKU's order quantity."""
    return f"sku {sku}"


def buyer_decision(
    entries: Mapping[int, str],
    skus: Sequence[int],
    *,
    weekly_demand: Mapping[int, float] | None = None,
    confirm: bool = False,
) -> BuyerDecision | Refused | Unconfirmed:
    """Order quantities, one whole number of units (0 or more) per SKU of the buyer's family.

    With ``weekly_demand`` (units a week per SKU, as the briefing shows them), an order of
    more than :data:`CONFIRM_WEEKS` weeks of it comes back :class:`Unconfirmed` unless
    ``confirm`` is true.
    """
    errors: dict[str, str] = {}
    orders: dict[int, int] = {}
    for sku in skus:
        text = str(entries.get(sku, "")).strip().replace(",", "").replace("_", "")
        name = order_field(sku)
        if not text:
            errors[name] = f"SKU {sku}: enter a quantity (0 orders nothing)"
            continue
        try:
            units = int(text)
        except ValueError:
            errors[name] = f"SKU {sku}: {text!r} is not a whole number of units"
            continue
        if units < 0:
            errors[name] = f"SKU {sku}: {units} is negative; enter 0 or more units"
        elif units > MAX_ORDER_UNITS:
            errors[name] = f"SKU {sku}: {units:,} is more than {MAX_ORDER_UNITS:,} units; check the number"
        else:
            orders[sku] = units
    unknown = sorted(set(entries) - set(skus))
    if unknown:
        errors["skus"] = f"SKUs {unknown} are not in your family; yours: {list(skus)}"
    if errors:
        return Refused(errors)
    questions = {} if confirm else _absurd(orders, weekly_demand or {})
    return Unconfirmed(questions, BuyerDecision(orders)) if questions else BuyerDecision(orders)


def _absurd(orders: Mapping[int, int], weekly_demand: Mapping[int, float]) -> dict[str, str]:
    """A question per order above :data:`CONFIRM_WEEKS` weeks of its SKU's demand (or of an SKU that sells nothing)."""
    questions = {}
    for sku, units in orders.items():
        demand = float(weekly_demand.get(sku, float("nan")))
        if units <= 0 or demand != demand:  # nothing ordered, or no demand known: nothing to ask
            continue
        if demand <= 0:
            questions[order_field(sku)] = f"SKU {sku} sells nothing now and you order {units:,} units: confirm?"
        elif units > CONFIRM_WEEKS * demand:
            questions[order_field(sku)] = f"this is {units / demand:.0f} weeks of demand for SKU {sku}: confirm?"
    return questions


def sales_decision(
    adjustment_percent: str,
    promotion_skus: Sequence[int],
    weeks_ahead: str,
    notice: str,
    *,
    portfolio: Sequence[int],
    max_skus: int,
    promotion_allowed: bool,
) -> SalesDecision | Refused:
    """A forecast adjustment (percent of the rep's own estimate) and an optional promotion."""
    errors: dict[str, str] = {}
    adjustment = _number(adjustment_percent, "forecast adjustment", ADJUSTMENT_RANGE, errors, "%")
    plan = None
    if promotion_skus:
        skus = tuple(sorted(set(promotion_skus)))
        weeks = _number(weeks_ahead, "weeks ahead", WEEKS_AHEAD_RANGE, errors, " weeks", whole=True)
        if not promotion_allowed:
            errors["promotion"] = "promotion: one is already planned or running; wait until it ends"
        elif len(skus) > max_skus:
            errors["promotion"] = f"promotion: {len(skus)} SKUs chosen; at most {max_skus}"
        elif not set(skus) <= set(portfolio):
            errors["promotion"] = f"promotion: SKUs {sorted(set(skus) - set(portfolio))} are not in your portfolio"
        if notice not in NOTICES:
            errors["notice"] = f"notice: {notice!r} is not a choice; allowed: {', '.join(NOTICES)}"
        if not errors:
            plan = PromotionPlan(skus, int(weeks or 0), notice)  # type: ignore[arg-type]
    if errors or adjustment is None:
        return Refused(errors)
    return SalesDecision(adjustment / 100.0, plan)


def _number(
    text: str,
    name: str,
    bounds: tuple[float, float],
    errors: dict[str, str],
    unit: str,
    *,
    whole: bool = False,
) -> float | None:
    cleaned = str(text).strip().removesuffix("%").strip()
    low, high = bounds
    if not cleaned:
        errors[name] = f"{name}: enter a number from {low:g} to {high:g}{unit}"
        return None
    try:
        value = float(int(cleaned)) if whole else float(cleaned)
    except ValueError:
        kind = "a whole number" if whole else "a number"
        errors[name] = f"{name}: {cleaned!r} is not {kind}; enter {low:g} to {high:g}{unit}"
        return None
    if not low <= value <= high:
        errors[name] = f"{name}: {value:g} is out of range; allowed {low:g} to {high:g}{unit}"
        return None
    return value
