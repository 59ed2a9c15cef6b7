"""What every alignment lever is: typed hooks with the silo's answers, and what levers share.

A lever may change only what agents know, what they are rewarded for, whom they talk
to and how often. It never writes a KPI, a demand figure or an agent's field: agents
ask the active levers through the hooks below when they decide (each hook's default is
the silo's answer), and a lever's own processes act on people only through what a
colleague can experience (:class:`sim.ports.Colleague`). A lever overrides the hooks it
changes and nothing else; :mod:`sim.policies.hooks` asks the active levers together.
"""

from collections.abc import Callable, Generator
from typing import Any, ClassVar

import simpy
from pydantic import BaseModel, ConfigDict, Field

from sim.books.campaigns import Promotion
from sim.books.money import cents
from sim.books.orders import ExpediteRequest
from sim.output import events
from sim.ports import Colleague, LeverPort, Reward, StockView
from sim.specs import OrderAnnouncement

POLICY_COST = events.code("policy_cost")


class LeverParams(BaseModel):
    """Parameters every lever has: what an hour of staff time costs."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)

    # bounds: the range in which a lever is valid and its costs fit the books (docs/ODD.md)
    hourly_cost: float = Field(default=60.0, ge=0, le=10_000, description="currency per staff hour")


class Policy:
    """An alignment lever: parameters, the hooks it overrides, and what it runs on its own."""

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        cls.is_lever = "is_lever" not in cls.__dict__ or bool(cls.__dict__["is_lever"])

    name: ClassVar[str]
    Params: ClassVar[type[LeverParams]] = LeverParams
    is_lever: ClassVar[bool] = False  # True for every lever (subclasses), False here and for the organisation

    def __init__(self, params: LeverParams) -> None:
        self.params = params

    @property
    def active(self) -> bool:
        """False at zero intensity: the lever then leaves the run exactly as the silo's."""
        return True

    def attach(self, company: LeverPort) -> None:
        """Start what the lever runs on its own (meetings, licences, spells); called once, before the run."""

    def answers(self, hook: str) -> bool:
        """Whether this policy has a say on ``hook`` in this run: by default, whether it overrides it.

        Only the policies that answer are asked, so a hook nobody answers costs nothing
        where agents ask it on every order.
        """
        return getattr(type(self), hook) is not getattr(Policy, hook)

    # -- hooks: what agents ask; the default is the silo's answer ---------------------------

    def reward(self, person: Colleague) -> Reward | None:
        """What ``person`` is rewarded for beyond its department's KPI (None: the lever does not say)."""
        return None

    def check_promotion(self, promotion: Promotion) -> bool | None:
        """A planned promotion: True lets it run, False drops it, None holds it for the lever to decide later."""
        return True

    def on_promotion(self, promotion: Promotion) -> None:
        """A promotion was committed."""

    def on_escalation(self, request: ExpediteRequest) -> None:
        """Sales took a refused expedite above purchasing's head."""

    def on_announcement(self, announced: OrderAnnouncement) -> None:
        """An account announced a large order to its rep."""

    def on_launch_plan(self, sku: int) -> None:
        """Sales has the plan of a product launch (entered in the CRM)."""

    def stock_view(self, rep: Colleague) -> StockView | None:
        """The stock ``rep`` can see to promise delivery (None: the lever shows none)."""
        return None

    def promise_from_stock(self, rep: Colleague) -> bool:
        """Whether the record ``rep`` looks up now is right."""
        return True

    def pipeline_quality(self, buyer: Colleague) -> float | None:
        """Share of the CRM pipeline ``buyer`` sees that is right (None: the lever shows no pipeline)."""
        return None

    def in_crm(self, rep: Colleague) -> bool:
        """Whether ``rep``'s own expectations are in the CRM pipeline."""
        return True

    def consensus_forecast(self, sku: int) -> float | None:
        """A daily rate agreed above the departments (None: none)."""
        return None

    # -- what levers share --------------------------------------------------------------------

    def charge(self, company: LeverPort, cents: int, detail: str) -> None:
        """Book a cost of this lever: the ledger's ``policy:<name>`` and a ``policy_cost`` event."""
        if cents <= 0:
            return
        company.book_cost(f"policy:{self.name}", cents)
        recorder = company.recorder
        agent, text = recorder.name(self.name), recorder.text(detail)
        recorder.flow(company.env.now, POLICY_COST, agent, -1, -1, -1, 0, cents, detail=text)

    def staff_hours_cents(self, hours: float) -> int:
        """The cost of ``hours`` of staff time, in cents."""
        return cents(hours * self.params.hourly_cost, f"policy.{self.name}.hourly_cost")

    def every(
        self,
        company: LeverPort,
        cadence_days: float,
        phase: float,
        action: Callable[[float], None],
        first_day: float = 0.0,
    ) -> None:
        """Run ``action(now)`` every ``cadence_days`` days at ``phase`` of the day."""

        def repeat() -> Generator[simpy.Event, Any, None]:
            env = company.env
            yield env.timeout(first_day + phase)
            while True:
                action(env.now)
                yield env.timeout(cadence_days)

        company.process(repeat())
