"""Intervals for sweep results: the mean of an arm and paired differences against a baseline.

Seeds are the replications. Two arms run on the same seed face the same market (common
random numbers), so the difference on each seed is one observation of the effect, and
the 95% interval of their mean follows the t distribution with n - 1 degrees of freedom:
``scipy.stats.ttest_rel(...).confidence_interval()`` for the paired difference, and
``scipy.stats.t`` for the one-sample interval of a mean.
"""

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import stats

CONFIDENCE = 0.95


@lru_cache(maxsize=256)
def t_critical(n: int, confidence: float = CONFIDENCE) -> float:
    """The two-sided t quantile for a mean of ``n`` observations (nan below two)."""
    if n < 2:
        return float("nan")
    return float(stats.t.ppf(0.5 + confidence / 2.0, n - 1))


@dataclass(frozen=True)
class Interval:
    """A mean with its 95% t interval over ``n`` observations (the bounds are nan below two)."""

    mean: float
    low: float
    high: float
    n: int

    @property
    def excludes_zero(self) -> bool:
        return bool(self.low > 0.0 or self.high < 0.0)


def mean_interval(values: np.ndarray) -> Interval:
    """The mean of the finite ``values`` and its t interval (``scipy.stats.t``)."""
    finite = np.asarray(values, dtype=np.float64)
    finite = finite[np.isfinite(finite)]
    n = len(finite)
    if n == 0:
        return Interval(float("nan"), float("nan"), float("nan"), 0)
    mean = float(finite.mean())
    if n < 2:
        return Interval(mean, float("nan"), float("nan"), 1)
    spread = float(finite.std(ddof=1))
    if spread == 0.0:  # every observation the same: a point, not a degenerate t interval
        return Interval(mean, mean, mean, n)
    low, high = stats.t.interval(CONFIDENCE, n - 1, loc=mean, scale=spread / np.sqrt(n))
    return Interval(mean, float(low), float(high), n)


@dataclass(frozen=True)
class PairedDifference:
    """Arm minus baseline over the seeds both have: the interval and how often the arm was higher."""

    interval: Interval
    baseline_mean: float
    higher: int  # seeds on which the arm's value was above the baseline's
    lower: int


def paired_difference(arm: np.ndarray, baseline: np.ndarray) -> PairedDifference:
    """``arm - baseline`` seed by seed (aligned arrays); seeds where either is nan are left out.

    The interval is the paired t test's (``scipy.stats.ttest_rel``), of the mean difference.
    """
    arm = np.asarray(arm, dtype=np.float64)
    baseline = np.asarray(baseline, dtype=np.float64)
    both = np.isfinite(arm) & np.isfinite(baseline)
    differences = arm[both] - baseline[both]
    n = len(differences)
    if n < 2 or float(differences.std(ddof=1)) == 0.0:
        interval = mean_interval(differences)  # one seed, or the same difference on every seed
    else:
        bounds = stats.ttest_rel(arm[both], baseline[both]).confidence_interval(CONFIDENCE)
        interval = Interval(float(differences.mean()), float(bounds.low), float(bounds.high), n)
    return PairedDifference(
        interval=interval,
        baseline_mean=float(baseline[both].mean()) if both.any() else float("nan"),
        higher=int((differences > 0).sum()),
        lower=int((differences < 0).sum()),
    )
