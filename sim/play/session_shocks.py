"""The shocks a facilitator injects into a session: as typed on the console, checked, and as saved.

A shock is one of :mod:`sim.agents.shocks`' dataclasses (a supplier disruption, a price
rise, a large customer order). ``session.json`` keeps each as a record: its kind, its
fields and ``at``, the day the model stood on when it was injected. A session is
re-simulated by running to that day, injecting the shock and running on: the same steps in
the same order as in play, so a resumed session is the played one bit for bit (injecting
every shock before the first day would start its processes in another order).

Every value is checked here, before the model sees it: :func:`sim.agents.shocks.inject`
keeps a shock before it finds a bad account, and a refused shock must leave nothing behind.
"""

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from sim.agents.shocks import LargeCustomerOrder, Shock, SupplierPriceRise, SupplyDisruption
from sim.play.info import PlayError

KINDS: dict[str, type[Shock]] = {
    "disruption": SupplyDisruption,
    "price_rise": SupplierPriceRise,
    "large_order": LargeCustomerOrder,
}
WORDS = {
    "disruption": "supplier disruption",
    "price_rise": "supplier price rise",
    "large_order": "large customer order",
}
MAX_LEAD_DAYS = 120
MAX_SHOCK_DAYS = 365
MAX_RISE = 2.0  # +200%: beyond it a typo, not a shock
MAX_UNITS = 1_000_000


@dataclass(frozen=True)
class Field:
    """One value the console asks for: its label, its key in the form and what it starts at."""

    key: str
    label: str
    default: str


FORM: dict[str, tuple[Field, ...]] = {
    "disruption": (
        Field("capacity_percent", "Capacity left (%)", "30"),
        Field("extra_lead_days", "Extra lead days", "10"),
        Field("days", "Days", "28"),
        Field("supplier", "Supplier (blank: every one)", ""),
    ),
    "price_rise": (
        Field("percent", "Price rise (%)", "10"),
        Field("supplier", "Supplier (blank: every one)", ""),
    ),
    "large_order": (
        Field("account", "Account", "0"),
        Field("sku", "SKU", "0"),
        Field("units", "Units", "500"),
    ),
}


@dataclass(frozen=True)
class Limits:
    """What a shock may name in one market: days from ``today`` to ``horizon`` - 1, and how many of each."""

    today: int
    horizon: int
    suppliers: int
    accounts: int
    skus: int


def limits_of(model: Any) -> Limits:
    """The limits of a session's model as it stands."""
    return Limits(
        int(model.env.now), model.config.total_days, len(model.suppliers), len(model.accounts), len(model.world.skus)
    )


def from_form(kind: str, day: int, texts: Mapping[str, str], limits: Limits) -> Shock:
    """The shock the console's fields describe (percentages as typed), checked against ``limits``.

    Raises:
        PlayError: one line naming the value that is wrong; nothing is made.
    """
    if kind not in FORM:
        raise PlayError(f"shock: choose one of {', '.join(WORDS.values())}")
    label = {f.key: f.label for f in FORM[kind]}

    def number(key: str) -> float:
        text = str(texts.get(key, "")).strip()
        try:
            value = float(text)
        except ValueError:
            raise PlayError(f"{label[key]}: {text!r} is not a number") from None
        if not math.isfinite(value):
            raise PlayError(f"{label[key]}: {text!r} is not a number")
        return value

    def whole(key: str) -> int:
        value = number(key)
        if value != int(value):
            raise PlayError(f"{label[key]}: {texts.get(key)!r} is not a whole number")
        return int(value)

    def suppliers() -> tuple[int, ...] | None:
        return None if not str(texts.get("supplier", "")).strip() else (whole("supplier"),)

    figures: dict[str, Any]
    if kind == "disruption":
        figures = {
            "capacity_factor": number("capacity_percent") / 100.0,
            "extra_lead_days": whole("extra_lead_days"),
            "days": whole("days"),
            "suppliers": suppliers(),
        }
    elif kind == "price_rise":
        figures = {"share": number("percent") / 100.0, "suppliers": suppliers()}
    else:
        figures = {"account": whole("account"), "sku": whole("sku"), "units": whole("units")}
    return make_shock(kind, day, figures, limits)


def make_shock(kind: str, day: int, figures: Mapping[str, Any], limits: Limits) -> Shock:
    """A shock of ``kind`` from ``day`` on with ``figures`` (its dataclass's fields), checked against ``limits``.

    Raises:
        PlayError: an unknown kind or figure, or a value out of range (one line); nothing is made.
    """
    if kind not in KINDS:
        raise PlayError(f"shock {kind!r}: choose one of {', '.join(KINDS)}")
    names = {f.name for f in fields(KINDS[kind])} - {"day"}
    unknown = sorted(set(figures) - names)
    if unknown:
        raise PlayError(f"{WORDS[kind]}: no such figure {', '.join(unknown)} (it takes {', '.join(sorted(names))})")
    values: dict[str, Any] = {k: (tuple(v) if isinstance(v, list) else v) for k, v in figures.items()}
    try:
        shock = KINDS[kind](day=day, **values)
    except TypeError as error:
        raise PlayError(f"{WORDS[kind]}: {' '.join(str(error).split())}") from None
    problem = _type_problem(asdict(shock), kind) or _range_problem(shock) or _limits_problem(shock, limits)
    if problem:
        raise PlayError(problem)
    return shock


def record(at: int, shock: Shock) -> dict[str, Any]:
    """What ``session.json`` keeps of a shock injected on day ``at``."""
    values = asdict(shock)
    if values.get("suppliers") is not None:
        values["suppliers"] = list(values["suppliers"])
    return {"at": at, "kind": kind_of(shock), **values}


def from_record(saved: Mapping[str, Any]) -> tuple[int, Shock]:
    """The day a saved shock was injected on, and the shock (the record checked by :func:`shock_problem`)."""
    values = {key: value for key, value in saved.items() if key not in ("at", "kind")}
    if values.get("suppliers") is not None:
        values["suppliers"] = tuple(values["suppliers"])
    return int(saved["at"]), KINDS[str(saved["kind"])](**values)


def kind_of(shock: Shock) -> str:
    """A shock's kind as :data:`KINDS` names it."""
    return next(name for name, kind in KINDS.items() if isinstance(shock, kind))


def describe(shock: Shock) -> str:
    """A shock in plain words, for the console's list."""
    if isinstance(shock, SupplyDisruption):
        who = _who(shock.suppliers)
        return (
            f"{who} at {shock.capacity_factor:.0%} of capacity, lead times +{shock.extra_lead_days} days, "
            f"days {shock.day}-{shock.day + shock.days}"
        )
    if isinstance(shock, SupplierPriceRise):
        return f"{_who(shock.suppliers)}: prices {shock.share:+.0%} from day {shock.day}"
    return f"account {shock.account} orders {shock.units:,} units of SKU {shock.sku} from day {shock.day}"


def shock_problem(saved: Any) -> str | None:
    """What is wrong with a saved shock record (its keys, types and ranges), or None."""
    if not isinstance(saved, dict) or saved.get("kind") not in KINDS:
        return f"shock is not a record of one of the kinds {', '.join(KINDS)}"
    kind = str(saved["kind"])
    keys = {"at", "kind"} | {f.name for f in fields(KINDS[kind])}
    if set(saved) != keys:
        return f"{WORDS[kind]} needs exactly the keys {', '.join(sorted(keys))}"
    at, day = saved["at"], saved["day"]
    if not isinstance(at, int) or isinstance(at, bool) or not isinstance(day, int) or isinstance(day, bool):
        return f"{WORDS[kind]}: at and day are whole days"
    if not 0 <= at <= day:
        return f"{WORDS[kind]}: injected on day {at}, for day {day}: a shock is injected on or before its day"
    problem = _type_problem(saved, kind)
    if problem:
        return problem
    return _range_problem(from_record(saved)[1])


def _type_problem(values: Mapping[str, Any], kind: str) -> str | None:
    for f in fields(KINDS[kind]):
        value = values[f.name]
        if f.name == "suppliers":
            ok = value is None or (
                isinstance(value, list | tuple)
                and bool(value)
                and all(isinstance(s, int) and not isinstance(s, bool) for s in value)
            )
        elif f.type is float:
            ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        else:
            ok = isinstance(value, int) and not isinstance(value, bool)
        if not ok:
            return f"{WORDS[kind]}: {f.name} = {value!r}: the wrong type"
    return None


def _range_problem(shock: Shock) -> str | None:
    """What is out of range in a shock whatever the market (None: nothing)."""
    if isinstance(shock, SupplyDisruption):
        if not 0.0 <= shock.capacity_factor <= 1.0:
            return f"capacity left = {shock.capacity_factor:.0%}: allowed 0% to 100%"
        if not 0 <= shock.extra_lead_days <= MAX_LEAD_DAYS:
            return f"extra lead days = {shock.extra_lead_days}: allowed 0 to {MAX_LEAD_DAYS}"
        if not 1 <= shock.days <= MAX_SHOCK_DAYS:
            return f"days = {shock.days}: allowed 1 to {MAX_SHOCK_DAYS}"
        if shock.capacity_factor == 1.0 and shock.extra_lead_days == 0:
            return "a disruption at 100% of capacity and no extra lead days changes nothing"
    elif isinstance(shock, SupplierPriceRise):
        if not 0.0 < shock.share <= MAX_RISE:
            return f"price rise = {shock.share:.0%}: allowed above 0% up to {MAX_RISE:.0%}"
    elif not 1 <= shock.units <= MAX_UNITS:
        return f"units = {shock.units}: allowed 1 to {MAX_UNITS:,}"
    return None


def _limits_problem(shock: Shock, limits: Limits) -> str | None:
    """What a shock names that this market does not have, or a day it cannot take."""
    if limits.today >= limits.horizon:
        return "the session is over: a shock cannot be injected"
    if not limits.today <= shock.day < limits.horizon:
        return f"day {shock.day}: a shock starts from today (day {limits.today}) to day {limits.horizon - 1}"
    if isinstance(shock, LargeCustomerOrder):
        if not 0 <= shock.account < limits.accounts:
            return f"account {shock.account}: this market has accounts 0 to {limits.accounts - 1}"
        if not 0 <= shock.sku < limits.skus:
            return f"SKU {shock.sku}: this market has SKUs 0 to {limits.skus - 1}"
        return None
    unknown = [s for s in shock.suppliers or () if not 0 <= s < limits.suppliers]
    if unknown:
        return f"supplier {unknown[0]}: this market has suppliers 0 to {limits.suppliers - 1}"
    return None


def _who(suppliers: tuple[int, ...] | None) -> str:
    if suppliers is None:
        return "every supplier"
    return ("supplier " if len(suppliers) == 1 else "suppliers ") + ", ".join(map(str, suppliers))
