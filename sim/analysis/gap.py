"""How much of the alignment gap each lever closes.

The gap is what the aligned organisation earns above the silo on the same markets: the
most alignment could be worth (``configs/org/aligned.yaml`` removes every misalignment by
construction, at no cost). A lever's share of it is ``(lever − silo) / (aligned − silo)`` in
operating profit: *gross* with the lever's benefit before its own cost
(``profit_before_levers``), *net* after it (``operating_profit``).

Seeds are paired: on each seed the silo, the lever and the aligned company face the same
market. The share is a ratio of two paired means, so its 95% interval comes from a paired
bootstrap over the seeds (``scipy.stats.bootstrap``, percentile method, a fixed generator so
a report is reproducible); a t interval would need the ratio to be normal, which it is not
when the gap is small. When the gap itself is not distinguishable from zero, a share means
nothing and none is given.
"""

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats

from sim.analysis import aggregate as agg
from sim.analysis.stats import CONFIDENCE, paired_difference
from sim.analysis.worth import GROSS, NET, plain_name

RESAMPLES = 4999
Triple = tuple[float, float, float]  # mean (or point estimate), low, high
_NONE: Triple = (math.nan, math.nan, math.nan)


@dataclass(frozen=True)
class GapShare:
    """One lever's share of its group's alignment gap, gross and net of its cost."""

    arm: str
    name: str
    baseline: str  # the silo it is paired with (one per situation)
    gap: Triple  # aligned − silo, operating profit a year (currency), paired t interval
    gross: Triple  # share of the gap closed before the lever's cost (1.0 = all of it)
    net: Triple  # after it
    seeds: int

    @property
    def gap_established(self) -> bool:
        return bool(self.gap[1] > 0)


@dataclass(frozen=True)
class Gap:
    """A group's gap: the silo, its aligned reference, and what the aligned company earns more a year."""

    baseline: str
    reference: str
    profit: Triple
    seeds: int


def gaps(main: agg.Aggregate, references: dict[str, str]) -> list[Gap]:
    """The gap of each baseline that has an aligned reference (operating profit, paired t interval)."""
    per_seed = _per_seed(main.summary, [NET])
    found = []
    for baseline, reference in references.items():
        silo, aligned = _paired(per_seed, baseline, reference, NET)
        interval = paired_difference(aligned, silo).interval
        found.append(Gap(baseline, reference, (interval.mean, interval.low, interval.high), interval.n))
    return found


def shares(main: agg.Aggregate, references: dict[str, str]) -> list[GapShare]:
    """Each lever arm's share of its group's gap (arms with a lever's cost; best net share first)."""
    if not references or main.summary.empty:
        return []
    per_seed = _per_seed(main.summary, [GROSS, NET])
    baseline_of = dict(zip(main.comparison["arm"], main.comparison["baseline"], strict=True))
    levers_of = main.summary.drop_duplicates("arm").set_index("arm")["levers"].to_dict()
    found = []
    for arm in main.arms:
        baseline = baseline_of.get(arm)
        if not isinstance(baseline, str):
            continue
        reference = references.get(baseline)
        if reference is None or arm in (baseline, reference) or levers_of.get(arm, "silo") == "silo":
            continue  # the silo, the aligned reference and any other arm without a lever
        seeds = _common_seeds(per_seed, arm, baseline, reference)
        if len(seeds) < 1:
            continue
        value = {name: per_seed.loc[name].loc[seeds] for name in (arm, baseline, reference)}
        gap = (value[reference][NET] - value[baseline][NET]).to_numpy()
        gap_interval = paired_difference(value[reference][NET].to_numpy(), value[baseline][NET].to_numpy()).interval
        established = gap_interval.low > 0 or (len(seeds) == 1 and gap_interval.mean > 0)
        gross = (value[arm][GROSS] - value[baseline][GROSS]).to_numpy()
        net = (value[arm][NET] - value[baseline][NET]).to_numpy()
        found.append(
            GapShare(
                arm=arm,
                name=plain_name(arm),
                baseline=baseline,
                gap=(gap_interval.mean, gap_interval.low, gap_interval.high),
                gross=ratio_interval(gross, gap) if established else _NONE,
                net=ratio_interval(net, gap) if established else _NONE,
                seeds=len(seeds),
            )
        )
    return sorted(found, key=lambda share: -share.net[0] if math.isfinite(share.net[0]) else math.inf)


def ratio_interval(numerator: np.ndarray, denominator: np.ndarray) -> Triple:
    """``mean(numerator) / mean(denominator)`` with a paired percentile-bootstrap 95% interval."""
    estimate = float(numerator.mean() / denominator.mean())
    if len(numerator) < 3:  # too few seeds to resample
        return (estimate, math.nan, math.nan)

    def ratio(top: np.ndarray, bottom: np.ndarray, axis: int = -1) -> np.ndarray:
        return np.mean(top, axis=axis) / np.mean(bottom, axis=axis)

    result = scipy_stats.bootstrap(
        (numerator, denominator),
        ratio,
        paired=True,
        vectorized=True,
        confidence_level=CONFIDENCE,
        n_resamples=RESAMPLES,
        method="percentile",
        rng=np.random.default_rng(0),
    )
    low, high = result.confidence_interval
    return (estimate, float(low), float(high))


def percent(values: Triple) -> str:
    """A share with its interval: 48% [31% to 66%]."""
    mean, low, high = values
    if not math.isfinite(mean):
        return "n/a (no gap to close)"
    if not math.isfinite(low):
        return f"{mean:.0%}"
    return f"{mean:.0%} [{low:.0%} to {high:.0%}]".replace("-", "−")


# -- per-seed values ------------------------------------------------------------------------------


def _per_seed(summary: pd.DataFrame, kpis: list[str]) -> pd.DataFrame:
    """The KPIs by arm and seed (a seed run twice in an arm counts once, averaged)."""
    present = [kpi for kpi in kpis if kpi in summary.columns]
    return summary.groupby(["arm", "seed"], sort=True)[present].mean()


def _common_seeds(per_seed: pd.DataFrame, *arms: str) -> list[int]:
    common = set(per_seed.loc[arms[0]].index)
    for arm in arms[1:]:
        common &= set(per_seed.loc[arm].index)
    return sorted(common)


def _paired(per_seed: pd.DataFrame, first: str, second: str, kpi: str) -> tuple[np.ndarray, np.ndarray]:
    seeds = _common_seeds(per_seed, first, second)
    return per_seed.loc[first].loc[seeds][kpi].to_numpy(), per_seed.loc[second].loc[seeds][kpi].to_numpy()
