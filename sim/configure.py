"""Load a run's configuration: the config's sections and every lever's parameters, validated.

The config (:mod:`sim.config`) knows no lever and the levers know no config loader: this
module, above both, gathers the levers' parameter schemas and hands them to validation.
"""

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from sim import policies
from sim.config import RunConfig, validate


def lever_params() -> dict[str, type[BaseModel]]:
    """Every lever's parameter schema, by lever name."""
    return {name: lever.Params for name, lever in policies.levers().items()}


def load_config(raw: Mapping[str, Any]) -> RunConfig:
    """Validate a plain mapping (what Hydra composes, or a dict in a notebook) into a :class:`RunConfig`.

    Raises:
        ConfigError: one line naming the offending key, its value and what is allowed.
    """
    return validate(raw, lever_params())
