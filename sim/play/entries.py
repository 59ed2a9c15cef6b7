"""What a person typed, checked and turned into a decision; bad entries come back with a message each.

Every check names the field and what is allowed, so the screen can show the message
next to the field and keep everything else the person entered. An order that is allowed
but absurd -- more than :data:`CONFIRM_WEEKS` weeks of the SKU's demand, the hoarding a
price break tempts -- is not refused but asked about (:class:`Unconfirmed`): the screen
asks, and the same entries submitted with ``confirm=True`` are taken.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sim.play.seat import BuyerDecision, ExpediteRule, SalesDecision
from sim.ports import PromiseRule, PromotionPlan, RequestRule

MAX_ORDER_UNITS = 1_000_000  # a typo guard: far above any week's need in these markets
CONFIRM_WEEKS = 10  # an order above this many weeks of demand is asked about: a year's stock is rarely meant
ADJUSTMENT_RANGE = (-50.0, 200.0)  # forecast adjustment, percent of the rep's own estimate
WEEKS_AHEAD_RANGE = (1, 8)
NOTICES = {
    "early": "tell purchasing now",
    "late": "tell purchasing just before it starts",
    "days": "tell purchasing a number of days before it starts",
    "none": "don't tell",
}
DISCOUNT_RANGE = (5.0, 50.0)  # promotion depth, percent off list: below 5% customers hardly notice
NOTICE_DAYS_RANGE = (0, 56)  # tell purchasing this many days before the start (8 weeks: beyond any lead time)
RULE = "rule"  # every standing choice: leave it to the agent's own rule
EXPEDITE_CHOICES = {
    RULE: "your usual rule (premium against margin at risk)",
    "approve": "approve every request",
    "refuse": "refuse every request",
    "up_to": "approve up to a premium",
}
ANSWERS = {RULE: "as this week's choice", "approve": "approve", "refuse": "refuse"}
MAX_PREMIUM_RANGE = (0.0, 10_000_000.0)
PROMISE_CHOICES = {
    RULE: "your usual way (the day the customer asks, or stock where a system shows it)",
    "ask": "promise the day the customer asks",
    "stock": "promise from stock and inbound orders (available to promise)",
    "buffer": "promise the day asked plus a buffer",
}
BUFFER_DAYS_RANGE = (1, 28)
REQUEST_CHOICES = {
    RULE: "your usual rule (key accounts' shortfalls)",
    "key": "key accounts' shortfalls only",
    "above": "every shortfall above a number of units",
    "none": "none",
}
MIN_UNITS_RANGE = (0, MAX_ORDER_UNITS)


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
    suppliers: Mapping[int, int] | None = None,
    sources: Mapping[int, Sequence[int]] | None = None,
    expedites: str = RULE,
    max_premium: str = "",
    answers: Mapping[tuple[int, int], str] | None = None,
) -> BuyerDecision | Refused | Unconfirmed:
    """Order quantities, one whole number of units (0 or more) per SKU of the buyer's family.

    With ``weekly_demand`` (units a week per SKU, as the briefing shows them), an order of
    more than :data:`CONFIRM_WEEKS` weeks of it comes back :class:`Unconfirmed` unless
    ``confirm`` is true. ``suppliers`` picks an SKU's supplier among its ``sources``;
    ``expedites`` (one of :data:`EXPEDITE_CHOICES`, with ``max_premium`` for ``up_to``)
    answers the week's expedite requests, and ``answers`` ((account, SKU) -> one of
    :data:`ANSWERS`) those of an account and SKU over it.
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
    picked = _suppliers(suppliers or {}, sources or {}, errors)
    rule = _expedite_rule(expedites, max_premium, errors)
    answered = _answers(answers or {}, errors)
    if errors:
        return Refused(errors)
    decision = BuyerDecision(orders, picked, rule, answered)
    questions = {} if confirm else _absurd(orders, weekly_demand or {})
    return Unconfirmed(questions, decision) if questions else decision


def supplier_field(sku: int) -> str:
    """The name of the entry field for an SKU's supplier."""
    return f"supplier of sku {sku}"


def _suppliers(
    picked: Mapping[int, int], sources: Mapping[int, Sequence[int]], errors: dict[str, str]
) -> dict[int, int]:
    """The suppliers picked per SKU, each one of the SKU's sources."""
    chosen = {}
    for sku, supplier in sorted(picked.items()):
        allowed = list(sources.get(sku, ()))
        if supplier not in allowed:
            errors[supplier_field(sku)] = f"SKU {sku}: supplier {supplier} does not sell it; allowed: {allowed}"
        else:
            chosen[sku] = supplier
    return chosen


def _expedite_rule(kind: str, max_premium: str, errors: dict[str, str]) -> ExpediteRule | None:
    if kind not in EXPEDITE_CHOICES:
        errors["expedites"] = f"expedites: {kind!r} is not a choice; allowed: {', '.join(EXPEDITE_CHOICES)}"
        return None
    if kind == RULE:
        return None
    if kind != "up_to":
        return ExpediteRule(kind)  # type: ignore[arg-type]
    premium = _number(max_premium, "max premium", MAX_PREMIUM_RANGE, errors, "")
    return None if premium is None else ExpediteRule("up_to", premium)


def _answers(answers: Mapping[tuple[int, int], str], errors: dict[str, str]) -> dict[tuple[int, int], bool]:
    """Approve or refuse per (account, SKU); "rule" leaves the request to the week's choice."""
    taken = {}
    for (account, sku), answer in sorted(answers.items()):
        if answer not in ANSWERS:
            errors["answers"] = (
                f"account {account}, SKU {sku}: {answer!r} is not an answer; allowed: {', '.join(ANSWERS)}"
            )
        elif answer != RULE:
            taken[(account, sku)] = answer == "approve"
    return taken


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
    discount_percent: str = "",
    notice_days: str = "",
    promises: str = RULE,
    buffer_days: str = "",
    requests: str = RULE,
    min_units: str = "",
) -> SalesDecision | Refused:
    """A forecast adjustment (percent of the own estimate), an optional promotion, and the week's standing choices.

    A promotion's depth is ``discount_percent`` (blank: the company's usual); with ``notice``
    "days", purchasing hears ``notice_days`` before it starts. ``promises`` (one of
    :data:`PROMISE_CHOICES`, with ``buffer_days``) and ``requests`` (one of
    :data:`REQUEST_CHOICES`, with ``min_units``) hold for the week.
    """
    errors: dict[str, str] = {}
    adjustment = _number(adjustment_percent, "forecast adjustment", ADJUSTMENT_RANGE, errors, "%")
    promise = _promise_rule(promises, buffer_days, errors)
    request = _request_rule(requests, min_units, errors)
    plan = None
    if promotion_skus:
        skus = tuple(sorted(set(promotion_skus)))
        weeks = _number(weeks_ahead, "weeks ahead", WEEKS_AHEAD_RANGE, errors, " weeks", whole=True)
        depth = _number(discount_percent, "discount", DISCOUNT_RANGE, errors, "%") if discount_percent.strip() else None
        days = (
            _number(notice_days, "notice days", NOTICE_DAYS_RANGE, errors, " days", whole=True)
            if notice == "days"
            else None
        )
        if not promotion_allowed:
            errors["promotion"] = "promotion: one is already planned or running; wait until it ends"
        elif len(skus) > max_skus:
            errors["promotion"] = f"promotion: {len(skus)} SKUs chosen; at most {max_skus}"
        elif not set(skus) <= set(portfolio):
            errors["promotion"] = f"promotion: SKUs {sorted(set(skus) - set(portfolio))} are not in your portfolio"
        if notice not in NOTICES:
            errors["notice"] = f"notice: {notice!r} is not a choice; allowed: {', '.join(NOTICES)}"
        if not errors:
            told = "late" if notice == "days" else notice  # told a chosen number of days before: a late notice
            discount = None if depth is None else depth / 100.0
            plan = PromotionPlan(skus, int(weeks or 0), told, discount, None if days is None else int(days))  # type: ignore[arg-type]
    if errors or adjustment is None:
        return Refused(errors)
    return SalesDecision(adjustment / 100.0, plan, promise, request)


def _promise_rule(kind: str, buffer_days: str, errors: dict[str, str]) -> PromiseRule | None:
    if kind not in PROMISE_CHOICES:
        errors["promises"] = f"promises: {kind!r} is not a choice; allowed: {', '.join(PROMISE_CHOICES)}"
        return None
    if kind == RULE:
        return None
    if kind != "buffer":
        return PromiseRule(kind)  # type: ignore[arg-type]
    days = _number(buffer_days, "buffer days", BUFFER_DAYS_RANGE, errors, " days", whole=True)
    return None if days is None else PromiseRule("buffer", int(days))


def _request_rule(kind: str, min_units: str, errors: dict[str, str]) -> RequestRule | None:
    if kind not in REQUEST_CHOICES:
        errors["requests"] = f"expedite requests: {kind!r} is not a choice; allowed: {', '.join(REQUEST_CHOICES)}"
        return None
    if kind == RULE:
        return None
    if kind != "above":
        return RequestRule(kind)  # type: ignore[arg-type]
    units = _number(min_units, "units short", MIN_UNITS_RANGE, errors, " units", whole=True)
    return None if units is None else RequestRule("above", int(units))


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
