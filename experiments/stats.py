"""Intervals for sweep results: the mean of an arm and paired differences against a baseline.

Seeds are the replications. Two arms run on the same seed face the same market (common
random numbers), so the difference on each seed is one observation of the effect, and
the 95% interval of their mean follows the t distribution with n - 1 degrees of freedom.
"""

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

CONFIDENCE = 0.95


@lru_cache(maxsize=256)
def t_critical(n: int, confidence: float = CONFIDENCE) -> float:
    """The two-sided t quantile for a mean of ``n`` observations (nan below two)."""
    if n < 2:
        return float("nan")
    from scipy.stats import t  # scipy is slow to import: only when an interval is needed

    return float(t.ppf(0.5 + confidence / 2.0, n - 1))


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
    """The mean of the finite ``values`` and its t interval."""
    finite = np.asarray(values, dtype=np.float64)
    finite = finite[np.isfinite(finite)]
    n = len(finite)
    if n == 0:
        return Interval(float("nan"), float("nan"), float("nan"), 0)
    mean = float(finite.mean())
    if n < 2:
        return Interval(mean, float("nan"), float("nan"), 1)
    half = t_critical(n) * float(finite.std(ddof=1)) / np.sqrt(n)
    return Interval(mean, mean - half, mean + half, n)


@dataclass(frozen=True)
class PairedDifference:
    """Arm minus baseline over the seeds both have: the interval and how often the arm was higher."""

    interval: Interval
    baseline_mean: float
    higher: int  # seeds on which the arm's value was above the baseline's
    lower: int


def paired_difference(arm: np.ndarray, baseline: np.ndarray) -> PairedDifference:
    """``arm - baseline`` seed by seed (aligned arrays); seeds where either is nan are left out."""
    arm = np.asarray(arm, dtype=np.float64)
    baseline = np.asarray(baseline, dtype=np.float64)
    both = np.isfinite(arm) & np.isfinite(baseline)
    differences = arm[both] - baseline[both]
    return PairedDifference(
        interval=mean_interval(differences),
        baseline_mean=float(baseline[both].mean()) if both.any() else float("nan"),
        higher=int((differences > 0).sum()),
        lower=int((differences < 0).sum()),
    )
