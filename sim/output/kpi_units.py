"""What a KPI is: its unit, its direction, whose result it is, and how a report scales its unit.

The words of :mod:`sim.output.kpis`, which lists the KPIs themselves.
"""

from dataclasses import dataclass
from typing import Literal

Unit = Literal["currency", "units", "share", "score", "count", "days", "per year", "ratio"]
Department = Literal["sales", "purchasing", "company"]
HIGHER, LOWER, NEUTRAL = 1, -1, 0


@dataclass(frozen=True)
class Kpi:
    """One KPI of a run summary.

    Attributes:
        name: its key in ``summary.json``; ``policy_cost_<lever>`` stands for one KPI per lever.
        label: its name in plain words, as a chart or a table heads it.
        unit: what its value counts (see :data:`Unit`).
        better: :data:`HIGHER` or :data:`LOWER` is better for the company, or :data:`NEUTRAL`.
        definition: how it is computed, in one line (docs/KPIS.md has the caveats).
        department: whose result it is (charts colour it so): sales, purchasing or the company.
    """

    name: str
    label: str
    unit: Unit
    better: int
    definition: str
    department: Department = "company"

    @property
    def unit_text(self) -> str:
        """The unit as a person reads it after a number or on an axis."""
        return UNIT_TEXT[self.unit]


UNIT_TEXT: dict[Unit, str] = {
    "currency": "currency",
    "units": "units",
    "share": "%",
    "score": "0-1",
    "count": "count",
    "days": "days",
    "per year": "per year",
    "ratio": "ratio",
}

RAW_UNIT_TEXT: dict[Unit, str] = {**UNIT_TEXT, "share": "share, 0–1", "score": "score, 0–1"}
"""The unit of a value as stored (a share is 0.95, not 95%): for the axes of charts of raw values."""


@dataclass(frozen=True)
class Scale:
    """How a report shows a unit: values multiplied by ``factor``, in ``unit``, differences in ``difference_unit``."""

    factor: float
    unit: str
    difference_unit: str
    decimals: int


THOUSANDS = "thousand currency units"
REPORT_SCALES: dict[Unit, Scale] = {
    "currency": Scale(1e-3, THOUSANDS, THOUSANDS, 1),
    "share": Scale(100.0, "%", "percentage points", 1),
    "score": Scale(1.0, "0–1 scale", "points on a 0–1 scale", 3),
    "count": Scale(1.0, "events", "events", 1),
    "units": Scale(1.0, "units", "units", 0),
    "days": Scale(1.0, "days", "days", 1),
    "per year": Scale(1.0, "per year", "per year", 2),
    "ratio": Scale(1.0, "ratio", "ratio", 2),
}
