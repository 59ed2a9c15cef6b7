"""What purchasing has heard of what is coming: large orders accounts announced, and product launches.

Sales hears first: an account tells its rep of a large order; product management gives
sales a launch's plan months ahead. Purchasing learns of them only when someone tells
it: the rep (early, late or never), a meeting, the committee, the CRM, or an
organisation that shares all its data. This module keeps what purchasing knows, so
that the same news is never told twice and meetings can share what is still unknown.
"""

from collections.abc import Generator, Sequence
from typing import Any, Protocol

import simpy

from sim.agents.buyer import Buyer
from sim.agents.sales import SalesRep
from sim.clock import FORECAST
from sim.output import events
from sim.output.recorder import Recorder
from sim.ports import LeverHooks
from sim.specs import OrderAnnouncement
from sim.world import World

LAUNCH_PLAN_DAYS = 90  # sales has a launch's plan (volumes, date) this long before it


class Company(Protocol):
    """What the news desk reads: the clock, the people, the catalogue, the record and the levers."""

    env: simpy.Environment
    world: World
    recorder: Recorder
    levers: LeverHooks
    buyers: Sequence[Buyer]
    reps: Sequence[SalesRep]

    def process(self, generator: Generator[simpy.Event, Any, None]) -> None: ...


class PurchasingNews:
    """The announced orders and launch plans purchasing knows of."""

    def __init__(self, company: Company) -> None:
        self.company = company
        self._announcements: dict[OrderAnnouncement, int] = {}  # announced orders, numbered as first heard
        self._orders_known: set[OrderAnnouncement] = set()
        self._launches_known: set[int] = set()

    def announcement_number(self, announced: OrderAnnouncement) -> int:
        """The number of an announced order in the record (in the order they are first heard)."""
        return self._announcements.setdefault(announced, len(self._announcements))

    def inform_of_order(self, announced: OrderAnnouncement, source: str) -> None:
        """Purchasing learns of a large order an account announced (from the rep, a meeting or the CRM)."""
        if announced in self._orders_known or announced.due_day < int(self.company.env.now):
            return
        self._orders_known.add(announced)
        now = self.company.env.now
        self.company.buyers[self.company.world.skus[announced.sku].buyer].learn_order(announced)
        notice = announced.due_day - int(now)
        told = events.OrderNotice(
            now,
            source,
            announced.sku,
            self.announcement_number(announced),
            announced.units,
            announced.account,
            notice,
            f"{notice} days before it is due",
        )
        self.company.recorder.record(told)

    def launch_plan(self, sku: int, launch_day: int) -> Generator[simpy.Event, Any, None]:
        """Sales has a launch's plan from LAUNCH_PLAN_DAYS before; it tells purchasing as the org does."""
        env = self.company.env
        planned = max(0, launch_day - LAUNCH_PLAN_DAYS)
        yield env.timeout(planned + FORECAST - env.now)
        self.company.levers.on_launch_plan(sku)
        told = max(planned, launch_day - self.company.world.org.launch_notice_days)
        if told + FORECAST > env.now:
            yield env.timeout(told + FORECAST - env.now)
        self.inform_of_launch(sku, "sales")

    def launch_known(self, sku: int) -> bool:
        """Whether purchasing knows the plan of ``sku``'s launch (a product on sale from the start: yes)."""
        return sku in self._launches_known or self.company.world.skus[sku].launch_day == 0

    def inform_of_launch(self, sku: int, source: str) -> None:
        """Purchasing learns of a product launch plan (from sales, a meeting, the committee or the CRM)."""
        if sku in self._launches_known:
            return
        self._launches_known.add(sku)
        now = self.company.env.now
        notice = self.company.world.skus[sku].launch_day - int(now)
        self.company.recorder.record(events.LaunchNotice(now, source, sku, notice, f"launch in {notice} days"))

    def launches_unknown_to_purchasing(self, day: int) -> list[int]:
        """Launches sales has a plan of that purchasing has not heard of (what a meeting can share)."""
        planned = day + LAUNCH_PLAN_DAYS
        known = self._launches_known
        return [k.index for k in self.company.world.skus if 0 < k.launch_day <= planned and k.index not in known]

    def orders_unknown_to_purchasing(self, day: int) -> list[OrderAnnouncement]:
        """Announced orders still to come that purchasing has not heard of (what a meeting can share)."""
        return [
            a for rep in self.company.reps for a in rep.announced if a.due_day >= day and a not in self._orders_known
        ]
