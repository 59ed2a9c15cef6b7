"""The hook every alignment lever implements, and what levers share.

A policy may change only what agents know, what they are rewarded for, whom they
talk to and how often. It never writes a KPI or a demand figure: its effect has to
arise from the agents' decisions. Each lever is one class with one hook,
:meth:`Policy.attach`, called once when the model is built; there it sets agents'
attributes, installs checks and handlers on the model, registers its own SimPy
processes, and books its costs to ``policy:<name>`` in the ledger.
"""

from abc import ABC, abstractmethod
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any, ClassVar

import simpy
from pydantic import BaseModel, ConfigDict, Field

from sim.output import events

if TYPE_CHECKING:
    from sim.model import SalesPurchasingModel

POLICY_COST = events.code("policy_cost")


class LeverParams(BaseModel):
    """Parameters every lever has: what an hour of staff time costs."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    hourly_cost: float = Field(default=60.0, ge=0, description="currency per staff hour")


class Policy(ABC):
    """An alignment lever, attached to a model before it runs."""

    name: ClassVar[str]
    Params: ClassVar[type[LeverParams]] = LeverParams

    def __init__(self, params: LeverParams) -> None:
        self.params = params

    @property
    @abstractmethod
    def active(self) -> bool:
        """False at zero intensity: the lever then leaves the run exactly as the silo's."""

    @abstractmethod
    def attach(self, model: "SalesPurchasingModel") -> None:
        """Change what the lever changes in ``model``; called once, before the run."""

    # -- what levers share ----------------------------------------------------------------

    def charge(self, model: "SalesPurchasingModel", cents: int, detail: str) -> None:
        """Book a cost of this lever: the ledger's ``policy:<name>`` and a ``policy_cost`` event."""
        if cents <= 0:
            return
        model.ledger.post(f"policy:{self.name}", "cash", cents)
        recorder = model.recorder
        recorder.flow(
            model.env.now, POLICY_COST, recorder.name(self.name), -1, -1, -1, 0, cents, detail=recorder.text(detail)
        )

    def staff_hours_cents(self, hours: float) -> int:
        """The cost of ``hours`` of staff time, in cents."""
        return round(hours * self.params.hourly_cost * 100)

    def every(
        self,
        model: "SalesPurchasingModel",
        cadence_days: float,
        phase: float,
        action: Callable[[float], None],
        first_day: float = 0.0,
    ) -> None:
        """Run ``action(now)`` every ``cadence_days`` days at ``phase`` of the day."""

        def repeat() -> Generator[simpy.Event, Any, None]:
            env = model.env
            yield env.timeout(first_day + phase)
            while True:
                action(env.now)
                yield env.timeout(cadence_days)

        model.env.process(repeat())
