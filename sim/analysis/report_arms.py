"""What a sweep report is about: its arms, grouped under their baselines, with labels and colours.

The report (:mod:`sim.analysis.report`) writes its text (:mod:`sim.analysis.report_text`)
and draws its charts (:mod:`sim.analysis.report_charts`) from one :class:`ReportData`:
the comparison table of the sweep, its groups of arms and how each KPI is shown, taken
from the KPI registry (:mod:`sim.output.kpis`): its label, unit, scale and direction.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sim.analysis import aggregate as agg
from sim.analysis.worth import ARM_KEYS, plain_name
from sim.output import kpis
from sim.views import style

HEADLINE_KPIS = (
    "operating_profit",
    "fill_rate",
    "on_time_in_full",
    "avg_inventory_value",
    "bullwhip_ratio",
    "conflict_count",
    "trust_sales_in_purchasing",
    "policy_cost_total",
)
SERVICE_KPI = "fill_rate"
INVENTORY_COST_KPIS = ("holding_cost", "avg_inventory_value")  # the first the sweep has
# Colours of the arms (the department colours stay with the KPIs): distinct from
# style.SALES/PURCHASING first, and never grey, which is the baseline's.
ARM_COLOURS = (
    "#1f77b4",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#393b79",
    "#ff7f0e",
    "#2ca02c",
    "#843c39",
    "#637939",
)
GROUP_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "<", ">")
DEPARTMENT_COLOURS = {"sales": style.SALES, "purchasing": style.PURCHASING, "company": style.COMPANY}


@dataclass(frozen=True)
class Measure:
    """How the report shows a KPI: its title, the unit on an axis, the scale to that unit, which way is better."""

    title: str
    unit: str  # of a value, e.g. "thousand currency units" or "%"
    difference_unit: str  # of a difference, e.g. "percentage points"
    scale: float  # shown = value * scale
    better: int  # +1 higher is better, -1 lower is better, 0 neither
    colour: str
    decimals: int


def measure(kpi: str) -> Measure:
    """How ``kpi`` is shown, from the KPI registry (a column that is no KPI: as a plain number)."""
    found = kpis.find(kpi)
    scale = kpis.report_scale(kpi)
    if found is None:
        return Measure(kpi.replace("_", " ").capitalize(), "", "", 1.0, kpis.NEUTRAL, style.COMPANY, 2)
    colour = DEPARTMENT_COLOURS[found.department]
    return Measure(found.label, scale.unit, scale.difference_unit, scale.factor, found.better, colour, scale.decimals)


def definition(kpi: str) -> str:
    """The KPI's definition from the registry (the per-lever cost shares one); empty for other columns."""
    found = kpis.find(kpi)
    return found.definition if found else ""


@dataclass
class Group:
    """A baseline and the arms compared with it (the baseline is None for arms without one)."""

    baseline: str | None
    arms: list[str]
    name: str  # what sets the group apart ("scenario=seasonal"); "" when there is one group

    @property
    def members(self) -> list[str]:
        return ([self.baseline] if self.baseline else []) + self.arms


def groups(result: agg.Aggregate) -> list[Group]:
    """The arms grouped under their baselines (arms without one in a last group), named when there are several."""
    first = result.comparison.drop_duplicates("arm").set_index("arm")
    found = {arm: first.at[arm, "baseline"] for arm in result.arms if arm in first.index}
    baseline_of = {arm: (b if isinstance(b, str) and b else None) for arm, b in found.items()}
    order = list(dict.fromkeys(baseline_of[arm] for arm in result.arms))
    groups = {key: Group(key, [], "") for key in order}
    for arm in result.arms:
        if baseline_of[arm] != arm:
            groups[baseline_of[arm]].arms.append(arm)
    chosen = [group for group in groups.values() if group.arms or group.baseline]
    spec = set(agg.split_overrides(result.baseline or ""))
    if len(chosen) > 1:
        for group in chosen:
            if group.baseline is None:
                group.name = "arms without a baseline"
            else:
                rest = [part for part in agg.split_overrides(group.baseline) if part not in spec]
                group.name = ",".join(rest) or group.baseline
    return chosen


def short_labels(arms: Sequence[str]) -> dict[str, str]:
    """Labels without the overrides all ``arms`` share; only the value when one key is left."""
    pieces = {arm: agg.split_overrides(arm) for arm in arms}
    common = set.intersection(*(set(p) for p in pieces.values())) if len(arms) > 1 else set()
    left = {arm: [part for part in parts if part not in common] or parts for arm, parts in pieces.items()}
    keys = {part.split("=", 1)[0] for parts in left.values() for part in parts}
    if len(keys) == 1 and all(len(parts) == 1 for parts in left.values()):
        return {arm: parts[0].split("=", 1)[-1] for arm, parts in left.items()}
    return {arm: ",".join(parts) for arm, parts in left.items()}


def plain_labels(arms: Sequence[str]) -> dict[str, str]:
    """Short labels, in plain words where only the levers differ ("Regular meetings", not ``regular_meetings``)."""
    labels = short_labels(arms)
    keys = {part.split("=", 1)[0] for arm in arms for part in agg.split_overrides(arm)}
    if all("=" not in label for label in labels.values()) and keys & set(ARM_KEYS):
        varying = [key for key in keys if len({_value(arm, key) for arm in arms}) > 1]
        if not varying or set(varying) <= set(ARM_KEYS):
            return {arm: plain_name(arm) for arm in arms}
    return labels


def _value(arm: str, key: str) -> str | None:
    return next((part.split("=", 1)[1] for part in agg.split_overrides(arm) if part.split("=", 1)[0] == key), None)


class ReportData:
    """The sweep's comparison, its groups of arms, their labels and colours: what the report is written from."""

    def __init__(self, result: agg.Aggregate, objective: str, folder: Path) -> None:
        self.result = result
        self.objective = objective
        self.folder = folder
        self.comparison = result.comparison.set_index(["arm", "kpi"])
        self.groups = groups(result)
        self.labels: dict[str, str] = {}
        for group in self.groups:
            self.labels |= plain_labels(group.members)
        self.colours: dict[str, str] = {}
        baselines = {group.baseline for group in self.groups}
        palette: dict[str, str] = {}  # one colour per label, so "rotation" looks the same in every chart
        for arm in result.arms:
            label = self.labels.get(arm, arm)
            if arm not in baselines and label not in palette:
                palette[label] = ARM_COLOURS[len(palette) % len(ARM_COLOURS)]
            self.colours[arm] = style.NEUTRAL if arm in baselines else palette[label]
        self.headline = [kpi for kpi in HEADLINE_KPIS if kpi in result.kpis]
        self.inventory_cost = next((kpi for kpi in INVENTORY_COST_KPIS if kpi in result.kpis), None)
        self.notes: list[str] = []
        self.currency = currency_of(result)

    def measure(self, kpi: str) -> Measure:
        """How ``kpi`` is shown, its money in the scenario's currency ("thousand EUR")."""
        shown = measure(kpi)
        return replace(
            shown,
            unit=shown.unit.replace("currency units", self.currency),
            difference_unit=shown.difference_unit.replace("currency units", self.currency),
        )

    def value(self, arm: str, kpi: str, column: str) -> Any:
        return self.comparison.at[(arm, kpi), column]

    def label(self, arm: str) -> str:
        return self.labels.get(arm, arm)

    def baseline_name(self, group: Group) -> str:
        """The baseline as prose: "the silo" for policy=silo, else its label."""
        label = self.label(group.baseline or "")
        if label.startswith("The "):  # "The silo (no lever)" -> "the silo"
            return "the " + label.removeprefix("The ").split(" (")[0]
        return f"the {label}" if label and "=" not in label else label or "the baseline"


def currency_of(result: agg.Aggregate) -> str:
    """The currency the sweep's scenario counts money in (read from its first run's config)."""
    from sim.output.runfolder import read_config

    if result.summary.empty:
        return "currency units"
    config = read_config(result.sweep_dir / str(result.summary["run"].iloc[0])) or {}
    return str((config.get("scenario") or {}).get("currency") or "currency units")
