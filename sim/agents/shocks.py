"""Outside shocks in the record: a supplier disruption, a price rise, a product launch, a large order.

A scenario's shocks are drawn with the world (sim/world.py) and act through the specs the
suppliers and accounts read; :func:`record_scenario` only writes them into the event log on
the day they happen (``agent`` "scenario"), so a chart can shade them and a caption can name
them as the context of what follows, never a department's doing. Recording changes nothing:
the processes it starts write rows and nothing else.

:func:`inject` is the facilitator's hook: during play (or before a run) it schedules a shock
at a day, applies it from that day on as the scenario would, and records the same kinds of
event with ``agent`` "facilitator".
"""

from collections import defaultdict
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import simpy

from sim.agents.customer import CustomerAccount, OrderCalendar
from sim.agents.supplier import Supplier
from sim.clock import RECEIVE
from sim.config import RunConfig
from sim.output import events
from sim.output.recorder import Recorder
from sim.world import World

SCENARIO, FACILITATOR = events.SHOCK_SOURCES


@dataclass(frozen=True)
class SupplyDisruption:
    """Suppliers ship at ``capacity_factor`` of their capacity and ``extra_lead_days`` later for ``days`` days."""

    day: int
    days: int
    capacity_factor: float = 0.0
    extra_lead_days: int = 0
    suppliers: tuple[int, ...] | None = None  # None: every supplier


@dataclass(frozen=True)
class SupplierPriceRise:
    """Suppliers raise their prices by ``share`` (0.12: +12%) on every order from ``day`` on."""

    day: int
    share: float
    suppliers: tuple[int, ...] | None = None  # None: every supplier


@dataclass(frozen=True)
class LargeCustomerOrder:
    """An account adds ``units`` of ``sku`` to its first order on or after ``day``, unannounced."""

    day: int
    account: int
    sku: int
    units: int


Shock = SupplyDisruption | SupplierPriceRise | LargeCustomerOrder


class ShockedModel(Protocol):
    """What the shocks read and act on: the clock, the record, the suppliers and the accounts."""

    env: simpy.Environment
    config: RunConfig
    world: World
    recorder: Recorder
    suppliers: list[Supplier]
    accounts: list[CustomerAccount]
    order_calendar: OrderCalendar
    injected_shocks: list[Shock]

    def process(self, generator: Generator[simpy.Event, Any, None]) -> None: ...


def record_scenario(model: ShockedModel) -> None:
    """Record the scenario's shocks on the days they happen (nothing else: they act through the specs)."""
    horizon = model.config.total_days
    for supplier in model.suppliers:
        spec = supplier.spec
        if spec.disruption is not None and spec.disruption.start_day < horizon:
            d = spec.disruption
            _disruption(
                model, SCENARIO, 0, spec.index, d.start_day, d.end_day, d.capacity_factor, d.lead_time_extra_days
            )
    rises = [s.spec.index for s in model.suppliers if s.spec.price_rise_day is not None]
    day = model.suppliers[rises[0]].spec.price_rise_day if rises else None
    if day is not None and day < horizon:
        share = model.suppliers[rises[0]].spec.price_rise_share
        _at(model, day, [events.PriceRise(float(day), SCENARIO, s, share, _rise_words(share)) for s in rises])
    launches: dict[int, list[int]] = defaultdict(list)
    for sku in model.world.skus:
        if 0 < sku.launch_day < horizon:
            launches[sku.launch_day].append(sku.index)
    sigma = float(getattr(model.config.scenario, "launch_uncertainty", 0.0))
    for day, skus in sorted(launches.items()):
        words = f"{len(skus)} new SKU(s) on sale, demand uncertain (sigma {sigma:g})"
        _at(model, day, [events.ProductLaunch(float(day), SCENARIO, k, len(skus), sigma, words) for k in skus])


def inject(model: ShockedModel, shock: Shock) -> None:
    """A facilitator's shock from ``shock.day`` on: applied as a scenario's would be, and recorded.

    Call it before the run or during it (between steps), for today or a later day.

    Raises:
        ValueError: a day already past or beyond the run, or an unknown supplier, account or SKU.
    """
    today, horizon = int(model.env.now), model.config.total_days
    if not today <= shock.day < horizon:
        raise ValueError(f"a shock's day must be from today ({today}) to {horizon - 1}, not {shock.day}")
    model.injected_shocks.append(shock)
    if isinstance(shock, LargeCustomerOrder):
        _large_order(model, shock)
        return
    hit = _suppliers(model, shock.suppliers)
    if isinstance(shock, SupplierPriceRise):
        model.process(_price_rise(model, shock, hit))
        return
    number = sum(isinstance(s, SupplyDisruption) for s in model.injected_shocks)
    end = min(shock.day + shock.days, horizon)
    for supplier in hit:
        for day in range(shock.day, end):  # the days ahead: as the scenario's window is applied
            supplier.capacity[day] *= shock.capacity_factor
            supplier.transit_days[day] += shock.extra_lead_days
        s = supplier.spec.index
        _disruption(model, FACILITATOR, number, s, shock.day, end, shock.capacity_factor, shock.extra_lead_days)


# -- recording ------------------------------------------------------------------------------


def _at(model: ShockedModel, day: int, records: Sequence[Any]) -> None:
    """Record ``records`` at the start of ``day``."""

    def recording() -> Generator[simpy.Event, Any, None]:
        env = model.env
        yield env.timeout(max(0.0, day + RECEIVE - env.now))
        for record in records:
            model.recorder.record(record)

    model.process(recording())


def _disruption(
    model: ShockedModel, source: str, number: int, supplier: int, start: int, end: int, factor: float, extra: int
) -> None:
    words = f"supplier {supplier} at {factor:.0%} of capacity, lead times +{extra} days, days {start}-{end}"
    _at(model, start, [events.DisruptionStarted(float(start), source, supplier, number, extra, end, factor, words)])
    if end < model.config.total_days:
        over = f"supplier {supplier} recovered from its disruption of days {start}-{end}"
        _at(model, end, [events.DisruptionEnded(float(end), source, supplier, number, extra, start, factor, over)])


def _rise_words(share: float) -> str:
    return f"supplier prices up {share:+.0%} on every order from today"


def _suppliers(model: ShockedModel, chosen: tuple[int, ...] | None) -> list[Supplier]:
    if chosen is None:
        return list(model.suppliers)
    unknown = [s for s in chosen if not 0 <= s < len(model.suppliers)]
    if unknown:
        raise ValueError(f"no such supplier: {unknown} (there are {len(model.suppliers)})")
    return [model.suppliers[s] for s in sorted(set(chosen))]


def _price_rise(
    model: ShockedModel, shock: SupplierPriceRise, hit: list[Supplier]
) -> Generator[simpy.Event, Any, None]:
    env = model.env
    yield env.timeout(max(0.0, shock.day + RECEIVE - env.now))
    for supplier in hit:  # before the day's purchase orders: every order from today pays the rise
        supplier.price_factor *= 1.0 + shock.share
        model.recorder.record(
            events.PriceRise(env.now, FACILITATOR, supplier.spec.index, shock.share, _rise_words(shock.share))
        )


def _large_order(model: ShockedModel, shock: LargeCustomerOrder) -> None:
    if not 0 <= shock.account < len(model.accounts) or not 0 <= shock.sku < len(model.world.skus):
        raise ValueError(f"no such account {shock.account} or SKU {shock.sku}")
    if shock.units <= 0:
        raise ValueError(f"a large order needs units > 0, not {shock.units}")

    def placing() -> Generator[simpy.Event, Any, None]:
        env = model.env
        yield env.timeout(max(0.0, shock.day + RECEIVE - env.now))
        account = model.accounts[shock.account]
        due = model.order_calendar.due
        day = next((d for d in sorted(due) if d >= shock.day and account in due[d]), events.NA)
        if day != events.NA and not account.churned:
            account._announced.setdefault(day, []).append((shock.sku, shock.units))
            words = f"account {shock.account} orders {shock.units:,} units of SKU {shock.sku} unannounced, day {day}"
        else:
            day, words = events.NA, f"account {shock.account} orders no more: the large order is not placed"
        order = events.LargeOrder(env.now, FACILITATOR, shock.sku, shock.account, shock.units, day, words)
        model.recorder.record(order)

    model.process(placing())
