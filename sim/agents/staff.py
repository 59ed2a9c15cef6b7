"""What sales reps and buyers share: a department, trust in the other one, and what experience leaves.

Trust, understanding and productivity are a person's own state. Experience moves them:
the person's own results (in :mod:`sim.agents.sales` and :mod:`sim.agents.buyer`) and
what levers arrange: meeting the other side, a spell in its department, time that fades
what the spell taught. Levers call these methods; they never write the fields.
"""

from functools import cached_property
from typing import TYPE_CHECKING, ClassVar

from mesa.agent import Agent

from sim.behaviour import trust
from sim.ports import Reward

if TYPE_CHECKING:
    from sim.ports import Company


class Staff(Agent):
    """A rep or a buyer: one department's person, with trust in the other department."""

    department: ClassVar[str]
    trust_signal: ClassVar[str]  # the signal its trust in the other department is recorded as

    model: "Company"

    def __init__(self, model: "Company", index: int, label: str) -> None:
        super().__init__(model)
        self.index = index
        self.label = label
        self.code = model.recorder.name(label)
        self.trust = model.world.org.initial_trust
        self.understanding = 0.0  # of the other department, from a rotation (0 to 1)
        self.productivity = 1.0  # below 1 while on a rotation spell

    @cached_property
    def reward(self) -> Reward:
        """What the person is rewarded for, as the active levers set it (asked once, when first needed)."""
        return self.model.levers.reward(self)

    @property
    def joint_weight(self) -> float:
        """Share of the person's reward that is the joint KPI (0 in the silo)."""
        return self.reward.joint_weight

    def trust_in_other(self) -> float:
        """Trust in the other department (0 to 1)."""
        return self.trust

    def _trust_moved(self, value: float) -> None:
        self.trust = value
        self.model.recorder.signal(self.model.env.now, self.trust_signal, self.label, -1, value)

    def build_rapport(self, pull: float) -> None:
        """Time spent with the other department pulls trust toward 1."""
        self._trust_moved(trust.learned(self.trust, 1.0, pull))

    def begin_rotation(self, productivity: float) -> None:
        """A spell in the other department starts: work at lower productivity."""
        self.productivity = productivity

    def end_rotation(self, understanding_gained: float, trust_boost: float) -> None:
        """Back from a spell: full productivity, more understanding, and trust in the other side."""
        self.productivity = 1.0
        self.understanding = min(1.0, self.understanding + understanding_gained)
        self._trust_moved(trust.learned(self.trust, 1.0, trust_boost))

    def fade_understanding(self, keep: float) -> None:
        """What a spell taught fades: keep this share of it."""
        self.understanding *= keep
