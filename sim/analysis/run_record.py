"""What aggregation reads of one complete run folder, and the numbers in it."""

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class Run:
    """What aggregation needs of one complete run folder."""

    path: Path
    seed: int
    overrides: dict[str, str]  # key -> value as typed on the command line, seed left out
    manifest: dict[str, Any]
    config: dict[str, Any]
    kpis: dict[str, float]


def number(value: Any) -> float:
    """A number read from a run's files, or nan if it is not one."""
    if isinstance(value, bool | int | float):
        return float(value)
    return math.nan
