"""Is a lever better, or does it only hold more (or less) stock? Each arm compared at equal service.

A sweep runs every arm (the silo, each lever, the aligned organisation) on the same seeds
and at a small grid of the buyers' safety factor (``org.safety_z``). More safety stock buys
more service for more inventory, so on each seed an arm's runs trace its stock–service
frontier. Each KPI is fitted against fill rate on that seed by least squares
(``numpy.polynomial.Polynomial.fit``: a straight line through two or three grid points, a
quadratic through four or more) and read at the silo's fill rate at the default safety
factor on the same seed (and at a target fill rate, if one is given). A reference outside
the arm's fill-rate range on a seed is an extrapolation: it is still read, and counted.
Each arm is then compared with the silo seed by seed (common random numbers) with the
paired t interval of :func:`sim.analysis.stats.paired_difference`, at equal service and,
for comparison, as run at the default safety factor.

The verdict reads the first KPI (operating profit) and applies, in this order:

- "shifts the frontier up": its equal-service difference has a 95% interval above zero;
- "shifts the frontier down": that interval lies below zero;
- "moves along the frontier": that interval holds zero, but as run at the default safety
  factor the arm's fill rate, profit or stock differs from the silo's (an interval excludes
  zero): it buys or sells service with stock, as the silo could by changing its safety factor;
- "no clear difference": neither;
- "too few seeds to tell": fewer than two seeds give an equal-service value.

Each verdict follows from the data alone (the tests build one of each).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.polynomial import Polynomial

from sim.analysis.stats import Interval, PairedDifference, mean_interval, paired_difference

SERVICE = "fill_rate"
DEFAULT_KPIS = ("operating_profit", "avg_inventory_value")
UP = "shifts the frontier up"
DOWN = "shifts the frontier down"
ALONG = "moves along the frontier"
UNCLEAR = "no clear difference"
TOO_FEW = "too few seeds to tell"
BASELINE = "baseline"
QUADRATIC_FROM = 4  # distinct grid points; with fewer a quadratic would pass through every noisy point


@dataclass(frozen=True)
class ArmAtEqualService:
    """One arm at the silo's fill rate (and the target's), against the silo on the same seeds."""

    arm: str
    seeds: int  # seeds with an equal-service value
    extrapolated: int  # seeds on which the silo's fill rate lies outside this arm's fill-rate range
    level: Mapping[str, Interval]  # each KPI read off the arm's frontier at the silo's fill rate
    equal_service: Mapping[str, PairedDifference]  # arm − silo at the silo's fill rate (empty for the silo)
    as_run: Mapping[str, PairedDifference]  # arm − silo at the default safety factor, fill rate included
    target_level: Mapping[str, Interval]  # each KPI at the target fill rate (empty without a target)
    at_target: Mapping[str, PairedDifference]  # arm − silo at the target fill rate
    extrapolated_target: int
    verdict: str


@dataclass(frozen=True)
class Frontier:
    """Every arm at equal service, and the mean curves to draw its frontier."""

    lever: str
    key: str
    base: str
    reference_value: float
    reference_fill_rate: Interval  # the silo's fill rate at the default safety factor, over seeds
    target_fill_rate: float | None
    kpis: tuple[str, ...]
    arms: tuple[ArmAtEqualService, ...]  # the silo first
    curves: pd.DataFrame  # per arm and grid value: mean over seeds of fill rate and each KPI, and the seeds
    per_seed: pd.DataFrame  # per arm and seed: grid points, fit degree, each KPI at the reference and target

    def arm(self, name: str) -> ArmAtEqualService:
        return next(row for row in self.arms if row.arm == name)

    def to_frame(self) -> pd.DataFrame:
        """One row per arm and KPI: its level and difference at equal service, as run and at the target."""
        rows = []
        for row in self.arms:
            fill = _columns("fill_rate_as_run", row.as_run.get(SERVICE))
            for kpi in self.kpis:
                level = row.level[kpi]
                target = row.target_level.get(kpi)
                rows.append(
                    {
                        "arm": row.arm,
                        "kpi": kpi,
                        "seeds": row.seeds,
                        "extrapolated": row.extrapolated,
                        "level": level.mean,
                        "level_low": level.low,
                        "level_high": level.high,
                        **_columns("equal_service", row.equal_service.get(kpi)),
                        **_columns("as_run", row.as_run.get(kpi)),
                        **fill,
                        "target_level": target.mean if target else np.nan,
                        **_columns("at_target", row.at_target.get(kpi)),
                        "extrapolated_target": row.extrapolated_target,
                        "verdict": row.verdict,
                    }
                )
        return pd.DataFrame(rows)


def frontier(
    summary: pd.DataFrame,
    *,
    lever: str,
    base: str,
    reference_value: float,
    key: str = "org.safety_z",
    target_fill_rate: float | None = None,
    kpis: Sequence[str] = DEFAULT_KPIS,
) -> Frontier:
    """Each arm of ``summary`` (one row per run) at the silo's fill rate, from its fit over the ``key`` grid.

    Args:
        summary: one row per run (``summary.parquet``): ``lever``, ``key``, ``seed``, ``fill_rate``, ``kpis``.
        lever: the column naming the arm without the grid key.
        base: the silo's label in ``lever``: every arm is read at its fill rate and compared with it.
        reference_value: the default value of ``key``, at which the silo's fill rate is read.
        key: the grid column (numbers, or text holding numbers).
        target_fill_rate: a second fill rate (0..1) to read every arm at, or None.
        kpis: the KPIs read at equal service; the first is the verdict's objective.

    Raises:
        ValueError: a missing column, a grid value that is no number, fewer than two grid
            values, a reference value off the grid, or a base that names no arm (one line).
    """
    kpis = tuple(kpis)
    table = _runs(summary, lever, key, kpis, base, reference_value)
    arms = [arm for arm in dict.fromkeys(summary[lever]) if arm in set(table[lever])]  # the sweep's order
    arms.sort(key=lambda arm: arm != base)
    at_reference = table[np.isclose(table[key], reference_value)]
    silo_now = at_reference[at_reference[lever] == base].set_index("seed")[SERVICE]
    if silo_now.empty:
        raise ValueError(f"equal-service comparison: {lever} = {base!r} has no run at {key} = {reference_value}")
    per_seed = pd.DataFrame(
        [
            _read_seed(arm, seed, points, kpis, silo_now.get(seed, np.nan), target_fill_rate)
            for (arm, seed), points in table.groupby([lever, "seed"], sort=True)
        ]
    )
    as_run = at_reference.set_index([lever, "seed"])[[SERVICE, *kpis]]
    rows = tuple(_arm(arm, base, per_seed, as_run, kpis, target_fill_rate) for arm in arms)
    curves = table.groupby([lever, key], sort=True)[[SERVICE, *kpis]].mean()
    curves["seeds"] = table.groupby([lever, key], sort=True)["seed"].nunique()
    return Frontier(
        lever=lever,
        key=key,
        base=base,
        reference_value=float(reference_value),
        reference_fill_rate=mean_interval(silo_now.to_numpy()),
        target_fill_rate=target_fill_rate,
        kpis=kpis,
        arms=rows,
        curves=curves.reset_index().rename(columns={lever: "arm"}),
        per_seed=per_seed,
    )


# -- the steps -------------------------------------------------------------------------------------


def _runs(summary: pd.DataFrame, lever: str, key: str, kpis: tuple[str, ...], base: str, reference: float) -> Any:
    """The columns needed, the grid parsed to numbers, a run repeated on a seed averaged (it counts once)."""
    if not kpis:
        raise ValueError("equal-service comparison: no KPI to compare")
    needed = [lever, key, "seed", SERVICE, *kpis]
    missing = [column for column in dict.fromkeys(needed) if column not in summary.columns]
    if missing:
        raise ValueError(f"equal-service comparison: the summary has no column {', '.join(missing)}")
    table = summary[list(dict.fromkeys(needed))].copy()
    grid = pd.to_numeric(table[key], errors="coerce")
    if grid.isna().any():
        bad = table.loc[grid.isna(), key].iloc[0]
        raise ValueError(f"equal-service comparison: {key} = {bad!r} is not a number")
    table[key] = grid.round(9)  # "1.8" and 1.8000000001 are one grid point
    values = sorted(table[key].unique())
    if len(values) < 2:
        raise ValueError(f"equal-service comparison: {key} takes {len(values)} value(s); a frontier needs two or more")
    if not np.isclose(values, reference).any():
        raise ValueError(f"equal-service comparison: {key} = {reference} is not on the grid {values}")
    arms = sorted(map(str, set(table[lever])))
    if base not in arms:
        raise ValueError(f"equal-service comparison: {lever} = {base!r} names no run; the arms are {arms}")
    return table.groupby([lever, "seed", key], sort=True, as_index=False).mean()


def _read_seed(
    arm: str, seed: int, points: pd.DataFrame, kpis: tuple[str, ...], reference: float, target: float | None
) -> dict[str, Any]:
    """One arm on one seed: each KPI's fit against fill rate, read at the silo's fill rate and the target."""
    service = points[SERVICE].to_numpy(dtype=np.float64)
    distinct = len(np.unique(service[np.isfinite(service)]))
    row: dict[str, Any] = {
        "arm": arm,
        "seed": seed,
        "points": distinct,
        "degree": 2 if distinct >= QUADRATIC_FROM else 1,
        "reference": reference,
        "extrapolated": _outside(service, reference),
        "extrapolated_target": target is not None and _outside(service, target),
    }
    for kpi in kpis:
        values = points[kpi].to_numpy(dtype=np.float64)
        row[kpi] = _fit_at(service, values, reference)
        row[f"{kpi}@target"] = _fit_at(service, values, target) if target is not None else np.nan
    return row


def _fit_at(service: np.ndarray, values: np.ndarray, at: float) -> float:
    """The least-squares line (quadratic from four fill rates) through the points, at ``at`` (nan if undefined)."""
    finite = np.isfinite(service) & np.isfinite(values)
    service, values = service[finite], values[finite]
    distinct = len(np.unique(service))
    if distinct < 2 or not np.isfinite(at):  # every run at one fill rate: no slope to read along
        return float("nan")
    curve = Polynomial.fit(service, values, 2 if distinct >= QUADRATIC_FROM else 1)
    return float(curve(at))


def _outside(service: np.ndarray, at: float) -> bool:
    finite = service[np.isfinite(service)]
    return bool(np.isfinite(at) and len(finite) and (at < finite.min() or at > finite.max()))


def _arm(
    arm: str,
    base: str,
    per_seed: pd.DataFrame,
    as_run: pd.DataFrame,
    kpis: tuple[str, ...],
    target: float | None,
) -> ArmAtEqualService:
    mine = per_seed[per_seed["arm"] == arm].set_index("seed")
    level = {kpi: mean_interval(mine[kpi].to_numpy()) for kpi in kpis}
    target_level = {kpi: mean_interval(mine[f"{kpi}@target"].to_numpy()) for kpi in kpis} if target is not None else {}
    seeds = int(mine[list(kpis)].notna().all(axis=1).sum())
    equal: dict[str, PairedDifference] = {}
    raw: dict[str, PairedDifference] = {}
    at_target: dict[str, PairedDifference] = {}
    if arm != base:
        silo = per_seed[per_seed["arm"] == base].set_index("seed")
        common = mine.index.intersection(silo.index)
        for kpi in kpis:
            equal[kpi] = paired_difference(mine.loc[common, kpi].to_numpy(), silo.loc[common, kpi].to_numpy())
            if target is not None:
                name = f"{kpi}@target"
                at_target[kpi] = paired_difference(mine.loc[common, name].to_numpy(), silo.loc[common, name].to_numpy())
        if arm in as_run.index.get_level_values(0):
            ran, silo_ran = as_run.xs(arm), as_run.xs(base)
            both = ran.index.intersection(silo_ran.index)
            for column in (SERVICE, *kpis):
                raw[column] = paired_difference(ran.loc[both, column].to_numpy(), silo_ran.loc[both, column].to_numpy())
    return ArmAtEqualService(
        arm=arm,
        seeds=seeds,
        extrapolated=int(mine["extrapolated"].sum()),
        level=level,
        equal_service=equal,
        as_run=raw,
        target_level=target_level,
        at_target=at_target,
        extrapolated_target=int(mine["extrapolated_target"].sum()),
        verdict=BASELINE if arm == base else verdict(equal[kpis[0]], raw),
    )


def verdict(equal_service: PairedDifference, as_run: Mapping[str, PairedDifference]) -> str:
    """The rule of the module's docstring: the objective at equal service, then every difference as run."""
    interval = equal_service.interval
    if interval.n < 2:
        return TOO_FEW
    if interval.low > 0:
        return UP
    if interval.high < 0:
        return DOWN
    if any(d.interval.n >= 2 and d.interval.excludes_zero for d in as_run.values()):
        return ALONG
    return UNCLEAR


def _columns(prefix: str, difference: PairedDifference | None) -> dict[str, float]:
    interval = difference.interval if difference else Interval(np.nan, np.nan, np.nan, 0)
    return {prefix: interval.mean, f"{prefix}_low": interval.low, f"{prefix}_high": interval.high}
