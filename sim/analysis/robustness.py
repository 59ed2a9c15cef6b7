"""Would it hold? Where each lever pays, and where the ranking of the levers flips.

Two questions a decision rests on, read from the levers' worth (:mod:`sim.analysis.worth`):

- **Across business situations** (``+experiment=policy_by_scenario``: a group of arms per
  scenario, each against its own silo): on how many situations each lever pays with its
  interval above zero, and in which the best lever is not the one that is best elsewhere.
- **Under other costs**: a lever's net is its gross benefit minus its cost,
  ``net(m) = gross − m · cost`` when its cost is ``m`` times what the config assumed (hours,
  licence, salaries are the client's). Two levers swap places at
  ``m = (gross_a − gross_b) / (cost_a − cost_b)``, and a lever stops (or starts) paying at
  ``m = gross / cost``, its break-even. Flips within ±``COST_SPREAD`` of the assumed costs are
  said, with how far the costs would have to move.
"""

import math
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from sim.analysis.worth import LeverWorth, lever_worth, money

COST_SPREAD = 0.5  # costs up to 50% off what was assumed: what a client's own hours and rates can differ by


@dataclass(frozen=True)
class Situation:
    """One business situation (a group of arms with its own silo) and its levers' worth, best first."""

    name: str
    worths: list[LeverWorth]

    @property
    def best(self) -> LeverWorth | None:
        return self.worths[0] if self.worths else None


@dataclass(frozen=True)
class Tally:
    """On how many situations a lever pays (net interval above zero), loses (below) or is unclear."""

    name: str
    pays: int
    loses: int
    unclear: int

    @property
    def total(self) -> int:
        return self.pays + self.loses + self.unclear


def situations(comparison: Any, groups: list[Any]) -> list[Situation]:
    """The levers' worth in each group of arms that has a baseline (``sim.analysis.report_arms.Group``)."""
    found = []
    for group in groups:
        if group.baseline is None:
            continue
        rows = comparison[comparison["arm"].isin(group.members)]
        found.append(Situation(situation_name(group.name), lever_worth(rows)))
    return found


def tallies(found: list[Situation]) -> list[Tally]:
    """Each lever's count of situations where it pays, loses or is unclear; most often paying first."""
    counts: dict[str, list[int]] = {}
    for situation in found:
        for worth in situation.worths:
            low, high = worth.net[1], worth.net[2]
            slot = 0 if low > 0 else 1 if high < 0 else 2
            counts.setdefault(worth.name, [0, 0, 0])[slot] += 1
    tallied = [Tally(name, *values) for name, values in counts.items()]
    return sorted(tallied, key=lambda tally: (-tally.pays, tally.loses, tally.name))


def ranking_flips(found: list[Situation]) -> list[str]:
    """Sentences naming the situations whose best lever differs from the one best most often."""
    bests = [situation.best.name for situation in found if situation.best is not None]
    if len(bests) < 2:
        return []
    usual = max(dict.fromkeys(bests), key=bests.count)
    flips = []
    for situation in found:
        best = situation.best
        if best is not None and best.name != usual:
            flips.append(
                f"In {situation.name}, {best.name} comes first ({money(best.net[0])} a year), not {usual} "
                f"(first in {bests.count(usual)} of {len(bests)} situations)."
            )
    return flips


def cost_flips(worths: list[LeverWorth], spread: float = COST_SPREAD) -> list[str]:
    """Sentences naming the rankings and verdicts that change when lever costs move within ±``spread``."""
    sentences: list[tuple[float, str]] = []
    for worth in worths:
        if worth.cost > 0 and math.isfinite(worth.gross[0]):
            factor = worth.gross[0] / worth.cost  # net(m) = 0
            if abs(factor - 1) <= spread and factor > 0:
                change = "rises" if factor > 1 else "falls"
                verb = "stops paying" if worth.net[0] > 0 else "starts to pay"
                sentences.append(
                    (
                        abs(factor - 1),
                        f"On the means, {worth.name} {verb} if its cost {change} by {abs(factor - 1):.0%}.",
                    )
                )
    for first, second in combinations(worths, 2):  # worths come best net first
        if first.cost == second.cost:
            continue
        factor = (first.gross[0] - second.gross[0]) / (first.cost - second.cost)  # net_a(m) = net_b(m)
        if math.isfinite(factor) and factor > 0 and abs(factor - 1) <= spread and factor != 1:
            change = "rise" if factor > 1 else "fall"
            sentences.append(
                (
                    abs(factor - 1),
                    f"{second.name} overtakes {first.name} if every lever's cost {change}s by "
                    f"{abs(factor - 1):.0%} (their nets now: {money(first.net[0])} and {money(second.net[0])}).",
                )
            )
    return [text for _, text in sorted(sentences)]


def situation_name(overrides: str) -> str:
    """``scenario=seasonal`` or ``arm=silo,scenario=seasonal`` -> "the seasonal scenario"; "" -> "this situation"."""
    parts = dict(part.split("=", 1) for part in overrides.split(",") if "=" in part)
    if "scenario" in parts:
        return f"the {parts['scenario'].replace('_', ' ')} scenario"
    shown = [f"{key}={value}" for key, value in parts.items() if key not in ("arm", "policy")]
    return ", ".join(shown) or "this situation"
