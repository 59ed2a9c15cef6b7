"""Sales effort wins new accounts: leads become deals, deals are decided, some are won.

Leads arrive at random for each rep. A lead opens a deal in the CRM with what the
account would buy and a win probability (its rep's portfolio satisfaction, the
reputation that converts it); a few weeks later the deal is decided. A deal the rep
wins becomes an account that starts ordering the next day. What a won account buys
is drawn from its rep's lead number alone (common random numbers), and so is the draw
that decides it, so the same lead is won or lost alike wherever its reputation is alike.
"""

from collections.abc import Generator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import simpy

from sim.accounts import AccountFactory
from sim.output import events
from sim.output.recorder import Recorder
from sim.specs import AccountSpec
from sim.streams import RandomStreams

if TYPE_CHECKING:
    from sim.agents.sales import SalesRep


class Prospects(Protocol):
    """What the pipeline asks of the company: its clock and streams, its accounts, and to add one."""

    env: simpy.Environment
    streams: RandomStreams
    recorder: Recorder
    accounts: Sequence[Any]

    def process(self, generator: Generator[simpy.Event, Any, None]) -> None: ...

    def add_account(self, spec: AccountSpec, rep: "SalesRep") -> None: ...


@dataclass(frozen=True, slots=True)
class Deal:
    """A prospective account in the CRM: what it would buy, from when, and how likely it is won."""

    rep: int
    lead: int
    decision_day: int
    win_probability: float
    daily_units: dict[int, float]  # what the account would buy per day, per SKU


class Pipeline:
    """Every rep's open deals, and the leads that feed them."""

    def __init__(self, factory: AccountFactory, leads_per_rep_per_year: float, decision_days: int) -> None:
        self.factory = factory
        self.leads_per_rep_per_year = leads_per_rep_per_year
        self.decision_days = decision_days
        self.open: list[Deal] = []

    def expected_daily_units(self, sku: int, day: int) -> float:
        """Daily units of ``sku`` open deals would bring, weighted by their win probability."""
        return sum(
            deal.win_probability * deal.daily_units.get(sku, 0.0) for deal in self.open if deal.decision_day >= day
        )

    def prospecting(self, model: Prospects, rep: "SalesRep") -> Generator[simpy.Event, Any, None]:
        """The process of one rep's leads: open a deal per lead, decide it after the decision days."""
        rng = model.streams.generator("leads", rep.index)
        lead = 0
        while True:
            yield model.env.timeout(float(rng.exponential(365.0 / self.leads_per_rep_per_year)))
            draw = float(rng.random())
            lead += 1  # the rep's lead number: what a won account's draws are keyed by
            today = int(model.env.now)
            reputation = sum(a.satisfaction for a in rep.accounts) / len(rep.accounts) if rep.accounts else 0.5
            daily_units = self.factory.lead_demand(rep.index, lead)  # what the account would buy, not yet an account
            deal = Deal(rep.index, lead, today + self.decision_days, reputation, daily_units)
            self.open.append(deal)
            model.process(self._decide(model, rep, deal, draw))

    def _decide(self, model: Prospects, rep: "SalesRep", deal: Deal, draw: float) -> Generator[simpy.Event, Any, None]:
        yield model.env.timeout(self.decision_days)
        self.open.remove(deal)
        if draw >= deal.win_probability:
            return
        index = len(model.accounts)
        spec: AccountSpec = self.factory.new_account(index, rep.index, deal.lead, int(model.env.now))
        model.add_account(spec, rep)
        detail = f"lead converted (portfolio satisfaction {deal.win_probability:.2f})"
        model.recorder.record(events.AccountWon(model.env.now, rep.label, index, deal.win_probability, detail))
