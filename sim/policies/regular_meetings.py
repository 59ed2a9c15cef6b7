"""Regular meetings: sales and purchasing meet on a fixed cadence.

At each meeting that takes place, campaigns in preparation are shared (so the notice
purchasing gets depends on when the next meeting falls), and the people who meet
build rapport, which moves trust each way. Attendance is the chance a meeting
actually happens with both sides in the room.
"""

from typing import TYPE_CHECKING, ClassVar

from pydantic import Field

from sim.behaviour import trust
from sim.output import events
from sim.policies.base import LeverParams, Policy

if TYPE_CHECKING:
    from sim.model import SalesPurchasingModel

MEETING_PHASE = 0.1875  # after reps submit forecasts, before buyers review


class RegularMeetingsParams(LeverParams):
    """Cadence, attendance and length of the meetings."""

    cadence_days: int = Field(default=14, ge=1)
    attendance: float = Field(default=0.8, ge=0, le=1, description="chance a meeting takes place")
    meeting_hours: float = Field(default=1.5, ge=0)
    rapport: float = Field(default=0.05, ge=0, le=1, description="pull of trust toward 1 per meeting")


class RegularMeetings(Policy):
    """Campaigns, forecasts and inventory needs are shared at each meeting."""

    name: ClassVar[str] = "regular_meetings"
    Params = RegularMeetingsParams
    params: RegularMeetingsParams

    @property
    def active(self) -> bool:
        return self.params.attendance > 0

    def attach(self, model: "SalesPurchasingModel") -> None:
        self._rng = model.streams.generator("policy:regular_meetings")
        self.every(
            model,
            self.params.cadence_days,
            MEETING_PHASE,
            lambda now: self._meet(model, now),
            first_day=self.params.cadence_days,
        )

    def _meet(self, model: "SalesPurchasingModel", now: float) -> None:
        if self._rng.random() >= self.params.attendance:
            model.recorder.record(events.MeetingSkipped(now, self.name, "not enough attendance"))
            return
        people = len(model.reps) + len(model.buyers)
        self.charge(model, self.staff_hours_cents(people * self.params.meeting_hours), "meeting")
        day = int(now)
        shared = 0
        for rep in model.reps:
            for promotion in rep.promotions:
                if promotion.told_day is None and promotion.start_day > day:
                    model.inform_purchasing(promotion, self.name)
                    shared += 1
        for rep in model.reps:
            rep.trust_in_purchasing = trust.learned(rep.trust_in_purchasing, 1.0, self.params.rapport)
            model.recorder.signal(now, "trust_in_purchasing", rep.label, -1, rep.trust_in_purchasing)
        for buyer in model.buyers:
            buyer.trust_in_sales = trust.learned(buyer.trust_in_sales, 1.0, self.params.rapport)
            model.recorder.signal(now, "trust_in_sales", buyer.label, -1, buyer.trust_in_sales)
        model.recorder.record(events.Meeting(now, self.name, people, f"{shared} campaign(s) shared with purchasing"))
