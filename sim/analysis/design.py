"""What a sweep was designed to answer: its main arms, the aligned reference of each silo, its frontier.

``compare_policies`` runs every arm at a few values of the buyers' safety factor
(``org.safety_z``), so the report can compare the arms at equal service along the
stock–service frontier. Everything else a report says (the comparison, each lever's worth,
the alignment gap) is read at one value of that key, the *reference*: the company's own
(the config's default), else the middle of the grid. Without a frontier grid, every arm is
a main arm.

The aligned reference of a baseline is the arm in the same group (same scenario, same
other settings) run with ``org=aligned`` and no lever (``arm=aligned``): the silo-to-aligned
difference is the alignment gap, the most any lever could recover.
"""

import math
from dataclasses import dataclass, field, replace
from typing import Any

from sim.analysis import aggregate as agg
from sim.config import CompanyScenario, OrgConfig

FRONTIER_KEY = "org.safety_z"
ALIGNED_ORG = "aligned"
_SECTIONS: dict[str, Any] = {"org": OrgConfig, "scenario": CompanyScenario}


@dataclass(frozen=True)
class Design:
    """A sweep seen through what it was designed to answer.

    Attributes:
        result: the whole sweep (every arm at every frontier value).
        main: the same tables cut to the arms at the reference value (all arms when there is no grid).
        frontier_key: the key swept for the frontier, or None when the sweep has no grid of it.
        frontier_values: the values of that key, ascending.
        reference_value: the value the main arms were run at.
        references: each baseline arm of ``main`` -> its aligned reference arm, where the sweep has one.
    """

    result: agg.Aggregate
    main: agg.Aggregate
    frontier_key: str | None = None
    frontier_values: tuple[float, ...] = ()
    reference_value: float | None = None
    references: dict[str, str] = field(default_factory=dict)

    def reference_of(self, baseline: str | None) -> str | None:
        return self.references.get(baseline or "")


def design(result: agg.Aggregate, frontier_key: str = FRONTIER_KEY) -> Design:
    """The main arms, the frontier grid and the aligned references of ``result``."""
    values = _grid(result.summary, frontier_key)
    if len(values) < 2:
        main = result
        return Design(result, main, references=aligned_references(main))
    reference = _reference_value(frontier_key, values)
    main = _cut(result, frontier_key, reference)
    return Design(result, main, frontier_key, values, reference, aligned_references(main))


def aligned_references(result: agg.Aggregate) -> dict[str, str]:
    """Each baseline -> the arm compared with it that runs the aligned organisation without a lever."""
    facts = result.summary.drop_duplicates("arm").set_index("arm")
    if "org_name" not in facts.columns:
        return {}
    baseline_of = dict(zip(result.comparison["arm"], result.comparison["baseline"], strict=True))
    found: dict[str, str] = {}
    for arm in result.arms:
        baseline = baseline_of.get(arm)
        if not isinstance(baseline, str) or not baseline or arm == baseline or arm not in facts.index:
            continue
        if facts.at[arm, "org_name"] == ALIGNED_ORG and facts.at[arm, "levers"] == "silo":
            found.setdefault(baseline, arm)
    return found


def _grid(summary: Any, key: str) -> tuple[float, ...]:
    if key not in summary.columns:
        return ()
    numbers = {_float(value) for value in summary[key].dropna().unique()}
    return tuple(sorted(value for value in numbers if math.isfinite(value)))


def _reference_value(key: str, values: tuple[float, ...]) -> float:
    """The config's default of ``key`` when the grid holds it, else the grid's middle value."""
    section, _, name = key.partition(".")
    model = _SECTIONS.get(section)
    default = model.model_fields[name].default if model is not None and name in model.model_fields else None
    if isinstance(default, int | float) and float(default) in values:
        return float(default)
    return values[len(values) // 2]


def _cut(result: agg.Aggregate, key: str, value: float) -> agg.Aggregate:
    """``result`` with only the runs and arms at ``key`` = ``value``."""
    summary = result.summary[result.summary[key].map(_float) == value].reset_index(drop=True)
    comparison = result.comparison[result.comparison[key].map(_float) == value].reset_index(drop=True)
    arms = [arm for arm in result.arms if arm in set(comparison["arm"])]
    return replace(result, summary=summary, comparison=comparison, arms=arms)


def _float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan
