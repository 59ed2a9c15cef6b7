"""Mesa's core without its spaces: ``import mesa.agent`` at the price of Agent and Model alone.

Mesa is the agent framework here, but ``mesa/__init__.py`` eagerly imports every space,
batch runner and experimental module (scipy.spatial, networkx, ...): about a second and
40 MB before the first agent exists, for a model that uses none of them. This module
registers ``mesa`` and ``mesa.experimental`` as packages whose ``__init__`` runs on first
use of one of their own names (PEP 562 ``__getattr__``): ``mesa.agent`` and ``mesa.model``
then import alone, and ``mesa.DataCollector`` or ``from mesa import Model`` still give
Mesa's real objects, the whole package being loaded then. Nothing changes where Mesa is
already imported.
"""

import importlib.util
import sys
from types import ModuleType
from typing import Any

PACKAGES = ("mesa", "mesa.experimental")


def _lazy_package(name: str) -> None:
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None or name in sys.modules:
        return
    module = importlib.util.module_from_spec(spec)
    loader = spec.loader

    def load_on_first_use(attribute: str) -> Any:
        if attribute.startswith("__"):  # the import machinery probing: not a use of Mesa
            raise AttributeError(attribute)
        del module.__dict__["__getattr__"]
        loader.exec_module(module)
        return getattr(module, attribute)

    module.__getattr__ = load_on_first_use  # type: ignore[method-assign]
    sys.modules[name] = module
    parent, _, child = name.rpartition(".")
    if parent:
        setattr(sys.modules[parent], child, module)


def install() -> None:
    """Register Mesa's packages to load on first use (once; no effect if Mesa is imported already)."""
    if "mesa" in sys.modules:
        return
    for name in PACKAGES:
        _lazy_package(name)


def loaded_whole(module: ModuleType) -> bool:
    """Whether a lazily registered package has run its ``__init__``."""
    return "__getattr__" not in module.__dict__
