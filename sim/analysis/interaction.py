"""Why "all levers together" is not the sum of its parts: the interaction of the levers.

On each seed, the joint arm's gain over the silo minus the sum of the single levers' gains
over the silo on that same market is one observation of the interaction: negative when
the levers fix the same misalignment twice (or get in each other's way), positive when one
makes another work better. Its 95% interval is the one-sample t interval over the seeds
(``scipy.stats.ttest_1samp(...).confidence_interval()``). Read in operating profit, both
before the levers' own costs (``profit_before_levers``: do the benefits overlap?) and after.
"""

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats

from sim.analysis import aggregate as agg
from sim.analysis.stats import CONFIDENCE
from sim.analysis.worth import GROSS, NET, plain_name

Triple = tuple[float, float, float]


@dataclass(frozen=True)
class Interaction:
    """The joint arm against the sum of its singles, a year, in currency."""

    joint: str  # the arm with several levers
    baseline: str  # the silo all of them are paired with
    singles: tuple[str, ...]  # the arms with one of its levers each
    joint_gain: float  # mean over seeds, operating profit
    sum_of_singles: float
    gross: Triple  # interaction before the levers' costs: mean, low, high
    net: Triple  # after them
    seeds: int

    @property
    def words(self) -> str:
        _, low, high = self.gross
        if not math.isfinite(low):
            return "too few seeds to tell"
        if high < 0:
            return "the levers overlap: together they recover less than the sum of what each recovers alone"
        if low > 0:
            return "the levers reinforce each other: together they recover more than the sum of their parts"
        return "not distinguishable from the sum of the parts"


def interactions(main: agg.Aggregate) -> list[Interaction]:
    """Each arm with several levers whose single levers all ran, against the same baseline."""
    summary = main.summary
    if summary.empty or "levers" not in summary.columns:
        return []
    levers_of = {str(arm): str(levers) for arm, levers in zip(summary["arm"], summary["levers"], strict=True)}
    baseline_of = dict(zip(main.comparison["arm"], main.comparison["baseline"], strict=True))
    per_seed = summary.groupby(["arm", "seed"], sort=True)[[kpi for kpi in (GROSS, NET) if kpi in summary]].mean()
    found = []
    for joint in main.arms:
        parts = [lever for lever in str(levers_of.get(joint, "silo")).split(",") if lever != "silo"]
        baseline = baseline_of.get(joint)
        if len(parts) < 2 or not isinstance(baseline, str) or baseline == joint:
            continue
        singles = _singles(parts, baseline, levers_of, baseline_of)
        if singles is None:
            continue
        found.append(_interaction(per_seed, joint, singles, baseline))
    return found


def _singles(
    parts: list[str], baseline: str, levers_of: dict[str, str], baseline_of: dict[str, str]
) -> tuple[str, ...] | None:
    """The arm of each single lever compared with the same baseline, or None if one is missing."""
    by_lever = {levers_of[arm]: arm for arm in levers_of if baseline_of.get(arm) == baseline and arm != baseline}
    singles = tuple(by_lever.get(lever) for lever in parts)
    return None if any(arm is None for arm in singles) else tuple(str(arm) for arm in singles)


def _interaction(per_seed: pd.DataFrame, joint: str, singles: tuple[str, ...], baseline: str) -> Interaction:
    seeds = set(per_seed.loc[baseline].index) & set(per_seed.loc[joint].index)
    for arm in singles:
        seeds &= set(per_seed.loc[arm].index)
    chosen = sorted(seeds)

    def gains(arm: str, kpi: str) -> np.ndarray:
        return (per_seed.loc[arm].loc[chosen][kpi] - per_seed.loc[baseline].loc[chosen][kpi]).to_numpy()

    triples = {}
    for kpi in (GROSS, NET):
        observed = gains(joint, kpi) - sum((gains(arm, kpi) for arm in singles), np.zeros(len(chosen)))
        triples[kpi] = _t_interval(observed)
    return Interaction(
        joint=joint,
        baseline=baseline,
        singles=singles,
        joint_gain=float(gains(joint, NET).mean()) if chosen else math.nan,
        sum_of_singles=float(sum(gains(arm, NET).mean() for arm in singles)) if chosen else math.nan,
        gross=triples[GROSS],
        net=triples[NET],
        seeds=len(chosen),
    )


def _t_interval(values: np.ndarray) -> Triple:
    if len(values) < 2:
        return (float(values.mean()) if len(values) else math.nan, math.nan, math.nan)
    if float(values.std(ddof=1)) == 0.0:
        mean = float(values.mean())
        return (mean, mean, mean)
    bounds = scipy_stats.ttest_1samp(values, 0.0).confidence_interval(CONFIDENCE)
    return (float(values.mean()), float(bounds.low), float(bounds.high))


def describe(found: Interaction) -> str:
    """One sentence: joint gain, the sum of the singles, the interaction and what it means."""
    from sim.analysis.worth import money, span

    names = ", ".join(plain_name(arm) for arm in found.singles)
    return (
        f"{plain_name(found.joint)} gained {money(found.joint_gain)} a year net of their costs; the singles "
        f"({names}) gained {money(found.sum_of_singles)} added up. Before the levers' costs the interaction is "
        f"{span(found.gross)} a year over {found.seeds} seeds: {found.words}."
    )
