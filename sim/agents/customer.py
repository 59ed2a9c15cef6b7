"""Customer accounts: they order from their demand source and wait, up to their patience."""

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import mesa
import simpy

from sim.clock import DEMAND
from sim.world import AccountSpec

if TYPE_CHECKING:
    from sim.model import SalesPurchasingModel


class CustomerAccount(mesa.Agent):
    """An account orders on its own cycle at list price and tells its sales rep."""

    model: "SalesPurchasingModel"

    def __init__(self, model: "SalesPurchasingModel", spec: AccountSpec) -> None:
        super().__init__(model)
        self.spec = spec
        self.label = f"account {spec.index}"
        self.process = model.env.process(self._ordering())

    def _ordering(self) -> Generator[simpy.Event, Any, None]:
        model = self.model
        env, desk, prices = model.env, model.order_to_cash, model.list_price_cents
        spec = self.spec
        rep = model.reps[spec.rep]
        for day in spec.demand.order_days():
            yield env.timeout(day + DEMAND - env.now)
            wanted = spec.demand.quantities(day, 1.0)
            lines = [(sku, units, prices[sku]) for sku, units in wanted]
            desk.take_order(env.now, spec.index, self.label, lines,
                            day + spec.requested_lead_days, day + spec.patience_days)
            rep.note_order(wanted)
