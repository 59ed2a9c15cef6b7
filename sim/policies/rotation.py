"""Rotation programme: staff work a spell in the other department.

While away they work at lower productivity (buyers find time for fewer reviews, reps convert fewer leads), which is
the programme's cost. They come back with cross-functional understanding, which
lowers their forecast bias, makes them tell campaigns early and weigh the other
side's needs, and with trust in the other side; understanding fades with a half-life.
"""

import math
from collections.abc import Generator
from typing import Any, ClassVar

import simpy
from pydantic import Field

from sim.books.money import cents
from sim.output import events
from sim.policies.base import LeverParams, Policy
from sim.ports import PURCHASING, Colleague, LeverPort

ROTATION_PHASE = 0.0625  # before anyone acts that day


class RotationParams(LeverParams):
    """Who rotates, for how long, how often, and what it teaches."""

    share_rotated: float = Field(default=0.2, ge=0, le=1, description="share of reps and buyers per round")
    spell_days: int = Field(default=60, ge=1, le=730, description="a secondment of at most two years")
    interval_days: int = Field(default=120, ge=1, le=3650, description="days between rounds")
    productivity_during: float = Field(default=0.7, ge=0, le=1)
    learning_per_day: float = Field(default=0.01, ge=0, le=1, description="understanding gained per spell day")
    half_life_days: float = Field(default=180.0, ge=1, le=36_500, description="days; at least one")
    trust_boost: float = Field(default=0.3, ge=0, le=1, description="pull of trust toward 1 on return")
    daily_salary: float = Field(default=400.0, ge=0, le=100_000, description="currency per staff day")


class Rotation(Policy):
    """Spells in the other department; understanding that fades."""

    name: ClassVar[str] = "rotation"
    Params = RotationParams
    params: RotationParams

    @property
    def active(self) -> bool:
        return self.params.share_rotated > 0

    def attach(self, company: LeverPort) -> None:
        self._rng = company.streams.generator("policy:rotation")
        self._away: set[str] = set()
        for person in company.staff():  # everyone starts at full productivity, no understanding
            company.recorder.signal(0.0, "productivity", person.label, -1, 1.0)
            company.recorder.signal(0.0, "understanding", person.label, -1, 0.0)
        interval = self.params.interval_days
        self.every(company, interval, ROTATION_PHASE, lambda now: self._rotate(company, now), first_day=interval / 2)
        self.every(company, 7, ROTATION_PHASE, lambda now: self._fade(company, now), first_day=7)

    def _rotate(self, company: LeverPort, now: float) -> None:
        everyone = company.staff()
        staff = [person for person in everyone if person.label not in self._away]
        count = min(len(staff), math.ceil(self.params.share_rotated * len(everyone)))
        chosen = [staff[i] for i in sorted(self._rng.choice(len(staff), count, replace=False).tolist())]
        for person in chosen:
            company.process(self._spell(company, person))

    def _spell(self, company: LeverPort, person: Colleague) -> Generator[simpy.Event, Any, None]:
        env, params, recorder = company.env, self.params, company.recorder
        other = "sales" if person.department == PURCHASING else "purchasing"
        self._away.add(person.label)
        person.begin_rotation(params.productivity_during)
        detail = f"to {other} for {params.spell_days} days"
        recorder.record(events.RotationStarted(env.now, person.label, params.spell_days, detail))
        recorder.signal(env.now, "productivity", person.label, -1, person.productivity)
        lost_per_day = self._cents_per_day_lost()
        for _ in range(params.spell_days):
            yield env.timeout(1.0)
            self.charge(company, lost_per_day, f"{person.label} on rotation")
        person.end_rotation(params.learning_per_day * params.spell_days, params.trust_boost)
        self._away.discard(person.label)
        detail = f"back from {other}; understanding {person.understanding:.2f}"
        recorder.record(events.RotationEnded(env.now, person.label, params.spell_days, person.understanding, detail))
        recorder.signal(env.now, "productivity", person.label, -1, 1.0)
        recorder.signal(env.now, "understanding", person.label, -1, person.understanding)

    def _cents_per_day_lost(self) -> int:
        lost = self.params.daily_salary * (1.0 - self.params.productivity_during)
        return cents(lost, "policy.rotation.daily_salary")

    def _fade(self, company: LeverPort, now: float) -> None:
        """Understanding halves every ``half_life_days`` once back at one's desk."""
        decay = 0.5 ** (7.0 / self.params.half_life_days)
        for person in company.staff():
            if person.understanding > 0 and person.label not in self._away:
                person.fade_understanding(decay)
                company.recorder.signal(now, "understanding", person.label, -1, person.understanding)
