"""Agent-based simulation of sales–purchasing dynamics in a distributor.

Use it without Hydra::

    from sim import SalesPurchasingModel, load_config
    model = SalesPurchasingModel(load_config({"scenario": {"kind": "textbook"}}))
    tables = model.run()
"""

from sim.config import RunConfig, load_config
from sim.model import RunTables, SalesPurchasingModel

__all__ = ["RunConfig", "RunTables", "SalesPurchasingModel", "load_config"]
