"""Alignment levers, one module each; every module defines one :class:`Policy` subclass.

Levers are found by name: adding one is a module here plus a YAML file in
``configs/policy/`` — the model does not change.
"""

import importlib
import pkgutil
from collections.abc import Mapping
from functools import cache

from pydantic import BaseModel

from sim.policies.base import LeverParams, Policy


@cache
def levers() -> dict[str, type[Policy]]:
    """Every lever in this package, by name."""
    found: dict[str, type[Policy]] = {}
    for module in pkgutil.iter_modules(__path__):
        if module.name == "base":
            continue
        loaded = importlib.import_module(f"{__name__}.{module.name}")
        for value in vars(loaded).values():
            if isinstance(value, type) and issubclass(value, Policy) and value.is_lever:
                found[value.name] = value
    return dict(sorted(found.items()))


def build(configured: Mapping[str, BaseModel]) -> list[Policy]:
    """The policies a run configures, in a fixed order (by name)."""
    catalogue = levers()
    built = []
    for name, params in sorted(configured.items()):
        lever = catalogue[name]
        built.append(lever(params if isinstance(params, lever.Params) else lever.Params.model_validate(params)))
    return built


__all__ = ["LeverParams", "Policy", "build", "levers"]
