"""Regular meetings: sales and purchasing meet on a fixed cadence.

At each meeting that takes place, campaigns in preparation and the large orders accounts
have announced are shared (so the notice purchasing gets depends on when the next
meeting falls), and the people who meet
build rapport, which moves trust each way. Attendance is the chance a meeting
actually happens with both sides in the room.
"""

from typing import ClassVar

from pydantic import Field

from sim.output import events
from sim.policies.base import LeverParams, Policy
from sim.ports import LeverPort

MEETING_PHASE = 0.1875  # after reps submit forecasts, before buyers review


class RegularMeetingsParams(LeverParams):
    """Cadence, attendance and length of the meetings."""

    cadence_days: int = Field(default=14, ge=1, le=365)
    attendance: float = Field(default=0.8, ge=0, le=1, description="chance a meeting takes place")
    meeting_hours: float = Field(default=1.5, ge=0, le=24, description="hours per person: at most a day")
    rapport: float = Field(default=0.05, ge=0, le=1, description="pull of trust toward 1 per meeting")


class RegularMeetings(Policy):
    """Campaigns, forecasts and inventory needs are shared at each meeting."""

    name: ClassVar[str] = "regular_meetings"
    Params = RegularMeetingsParams
    params: RegularMeetingsParams

    @property
    def active(self) -> bool:
        return self.params.attendance > 0

    def attach(self, company: LeverPort) -> None:
        self._rng = company.streams.generator("policy:regular_meetings")
        cadence = self.params.cadence_days
        self.every(company, cadence, MEETING_PHASE, lambda now: self._meet(company, now), first_day=cadence)

    def _meet(self, company: LeverPort, now: float) -> None:
        if self._rng.random() >= self.params.attendance:
            company.recorder.record(events.MeetingSkipped(now, self.name, "not enough attendance"))
            return
        people = len(company.reps) + len(company.buyers)
        self.charge(company, self.staff_hours_cents(people * self.params.meeting_hours), "meeting")
        day = int(now)
        shared = 0
        for rep in company.reps:
            for promotion in rep.promotions:
                if promotion.told_day is None and promotion.start_day > day:
                    company.inform_purchasing(promotion, self.name)
                    shared += 1
        orders = company.orders_unknown_to_purchasing(day)
        for announced in orders:
            company.inform_of_order(announced, self.name)
        for sku in company.launches_unknown_to_purchasing(day):
            company.inform_of_launch(sku, self.name)
        for person in company.staff():
            person.build_rapport(self.params.rapport)
        detail = f"{shared} campaign(s) and {len(orders)} announced order(s) shared with purchasing"
        company.recorder.record(events.Meeting(now, self.name, people, detail))
