"""Is a lever worth what it costs? Its benefit before its own cost, that cost, and what is left.

Read from a sweep's comparison (``sim.analysis.aggregate``): on each seed, a lever's arm and
its baseline face the same market, so the paired difference in ``profit_before_levers``
is the lever's gross benefit that year, which is also its break-even cost (the highest
yearly cost at which it still pays); the difference in ``policy_cost_total`` is what it
cost; the difference in ``operating_profit`` is the net, with its own paired interval.
"""

import math
from dataclasses import dataclass
from typing import Any

from sim.analysis.aggregate import split_overrides

GROSS, COST, NET = "profit_before_levers", "policy_cost_total", "operating_profit"


@dataclass(frozen=True)
class LeverWorth:
    """One lever arm against its baseline, per year, in currency (intervals: paired, 95%)."""

    arm: str
    name: str  # in plain words ("Shared metrics")
    gross: tuple[float, float, float]  # mean, low, high: the benefit before the lever's cost = break-even cost
    cost: float  # the lever's own cost, mean over seeds
    net: tuple[float, float, float]  # mean, low, high
    seeds: int

    @property
    def verdict(self) -> str:
        """In words, how sure the seeds make us that the lever pays."""
        mean, low, high = self.net
        if low > 0:
            return "pays: its interval lies above zero"
        if high < 0:
            if self.gross[2] < 0:
                return "does not pay, even before its cost"
            return "does not pay at this cost"
        if math.isnan(low):
            return "too few seeds to tell"
        return "may pay or not: more seeds would tell" if mean > 0 else "more likely not to pay: more seeds would tell"


ARM_KEYS = ("arm", "policy")  # the override that names an arm's levers, in the experiments and in plain sweeps
REFERENCE_NAMES = {"silo": "The silo (no lever)", "aligned": "The aligned company", "all": "All levers"}


def plain_name(arm: str) -> str:
    """``arm=shared_metrics`` -> "Shared metrics"; ``policy=[a,b]`` -> "A + b"; other settings kept.

    ``arm=rotation,scenario=seasonal`` -> "Rotation" (the scenario is said where the arm is shown).
    """
    parts = split_overrides(arm)
    named = next((part for part in parts if part.split("=", 1)[0] in ARM_KEYS), parts[0] if parts else arm)
    value = named.split("=", 1)[-1].strip("[]")
    if value in REFERENCE_NAMES:
        return REFERENCE_NAMES[value]
    words = " + ".join(part.replace("_", " ").replace(".", " ") for part in value.split(","))
    return words[:1].upper() + words[1:]


def lever_worth(comparison: Any) -> list[LeverWorth]:
    """Each arm with a baseline and a lever cost, in the order of the table, best net first."""
    rows = {(row.arm, row.kpi): row for row in comparison.itertuples(index=False) if row.kpi in (GROSS, COST, NET)}
    found = []
    for arm in dict.fromkeys(comparison["arm"]):
        gross, cost, net = rows.get((arm, GROSS)), rows.get((arm, COST)), rows.get((arm, NET))
        if gross is None or cost is None or net is None or gross.is_baseline or not net.n_paired:
            continue
        if cost.diff_mean <= 0:  # an arm without a lever's cost is not a lever (a scenario, an organisation)
            continue
        found.append(
            LeverWorth(
                arm=arm,
                name=plain_name(arm),
                gross=(gross.diff_mean, gross.diff_ci_low, gross.diff_ci_high),
                cost=cost.diff_mean,
                net=(net.diff_mean, net.diff_ci_low, net.diff_ci_high),
                seeds=int(net.n_paired),
            )
        )
    return sorted(found, key=lambda worth: -worth.net[0])


def money(value: float) -> str:
    """Thousands of currency, signed with a true minus: +68k, −31k."""
    return "n/a" if math.isnan(value) else f"{value / 1000:+,.0f}k".replace("-", "−")


def span(values: tuple[float, float, float]) -> str:
    """A mean with its interval: +68k [+41k to +95k]."""
    mean, low, high = values
    return f"{money(mean)} [{money(low)} to {money(high)}]"


def summary_lines(comparison: Any) -> list[str]:
    """A few lines for the terminal: each lever's net value a year, its cost and its break-even cost."""
    worths = lever_worth(comparison)
    if not worths:
        return []
    width = max(len(worth.name) for worth in worths)
    lines = ["Worth it? a year, against the baseline on the same markets (95% CI):"]
    for worth in worths:
        lines.append(
            f"  {worth.name.ljust(width)}  net {span(worth.net)}; costs {money(worth.cost)[1:]}, "
            f"pays up to a cost of {money(worth.gross[0])[1:]} (break-even); {worth.verdict}"
        )
    return lines


def table(comparison: Any) -> tuple[list[str], list[list[str]]]:
    """The report's table: a row per lever."""
    header = [
        "Lever",
        "Benefit before its cost (= break-even cost)",
        "Its cost",
        "Net a year",
        "How sure",
    ]
    body = [
        [worth.name, span(worth.gross), money(worth.cost)[1:], span(worth.net), worth.verdict]
        for worth in lever_worth(comparison)
    ]
    return header, body
