"""Agent-based simulation of sales–purchasing dynamics in a distributor.

Use it without Hydra::

    from sim import SalesPurchasingModel, load_config
    tables = SalesPurchasingModel(load_config({"scenario": {"kind": "textbook"}})).run()
"""

from typing import TYPE_CHECKING, Any

from sim import lazy_mesa

lazy_mesa.install()  # before anything imports Mesa: its core without the spaces the model never uses

if TYPE_CHECKING:
    from sim.config import RunConfig
    from sim.configure import load_config
    from sim.model import RunTables, SalesPurchasingModel

__all__ = ["RunConfig", "RunTables", "SalesPurchasingModel", "load_config"]

_HOMES = {
    "RunConfig": "sim.config",
    "load_config": "sim.configure",
    "RunTables": "sim.model",
    "SalesPurchasingModel": "sim.model",
}


def __getattr__(name: str) -> Any:
    # Lazy: charts and analysis import sim.views or sim.output without paying for the
    # model (Mesa, SimPy); the model loads on first use of these names.
    if name in _HOMES:
        import importlib

        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
