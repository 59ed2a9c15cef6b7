"""The two tables of a sweep, built once from plain lists: one row per run, and each arm against its baseline.

Seeds are replications: arms run on the same seed face the same market (common random
numbers), so each arm is compared with its baseline by the difference on every seed
both have, with a 95% t interval of those differences (:mod:`sim.analysis.stats`).
"""

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.run_record import Run, number
from sim.analysis.stats import mean_interval, paired_difference
from sim.output.sweepfolder import relative

# Facts of each run's config kept in the summary next to its overrides.
_CONFIG_COLUMNS = ("scenario_name", "org_name", "levers", "warmup_days", "horizon_days")
_MANIFEST_COLUMNS = ("config_hash", "wall_time_s", "git_commit")


# -- the tables --------------------------------------------------------------------------------


def summary_table(
    sweep_dir: Path, runs: Sequence[Run], labels: Sequence[str]
) -> tuple[pd.DataFrame, list[str], list[str]]:
    """One row per run, built column by column from plain lists (no per-run pandas)."""
    kpis = list(dict.fromkeys(name for run in runs for name in run.kpis))
    reserved = {"run", "arm", "seed", *_CONFIG_COLUMNS, *_MANIFEST_COLUMNS, *kpis}
    override_keys = [key for key in dict.fromkeys(k for run in runs for k in run.overrides) if key not in reserved]
    columns: dict[str, Any] = {
        "run": [relative(run.path, sweep_dir) for run in runs],
        "arm": list(labels),
    }
    for key in override_keys:
        columns[key] = _typed([run.overrides.get(key) for run in runs])
    columns["seed"] = np.array([run.seed for run in runs], dtype=np.int64)
    columns["config_hash"] = [_text(run.manifest.get("config_hash")) for run in runs]
    columns["scenario_name"] = [
        _text((run.config.get("scenario") or {}).get("name") or run.manifest.get("scenario")) for run in runs
    ]
    columns["org_name"] = [_text((run.config.get("org") or {}).get("name")) for run in runs]
    columns["levers"] = [_levers(run.config) for run in runs]
    for name in ("warmup_days", "horizon_days"):
        columns[name] = _whole_if_possible(np.array([number(run.config.get(name)) for run in runs]))
    columns["wall_time_s"] = np.array([number(run.manifest.get("wall_time_s")) for run in runs])
    columns["git_commit"] = [_text(run.manifest.get("git_commit")) for run in runs]
    for name in kpis:
        columns[name] = np.array([run.kpis.get(name, math.nan) for run in runs], dtype=np.float64)
    return pd.DataFrame(columns), kpis, override_keys


def comparison_table(
    summary: pd.DataFrame,
    kpis: list[str],
    arms: dict[str, dict[str, str]],
    baselines: dict[str, str | None],
    override_columns: list[str],
) -> pd.DataFrame:
    """One row per arm and KPI: mean over seeds, and the paired difference with the baseline."""
    # A seed run twice in one arm (a repeated job) counts once: its runs are averaged.
    per_seed = summary.groupby(["arm", "seed"], sort=True)[kpis].mean() if kpis else None
    arm_values = {arm: per_seed.xs(arm, level="arm") for arm in arms} if per_seed is not None else {}
    first_row = summary.drop_duplicates("arm").set_index("arm")
    rows = []
    for arm in arms:
        values = arm_values.get(arm)
        baseline = baselines.get(arm)
        paired = None
        if baseline is not None and baseline != arm and values is not None:
            base_values = arm_values[baseline]
            common = values.index.intersection(base_values.index)
            paired = (values.loc[common].to_numpy(), base_values.loc[common].to_numpy())
        described = {key: first_row.at[arm, key] for key in override_columns}
        for position, kpi in enumerate(kpis):
            mean = mean_interval(values[kpi].to_numpy() if values is not None else np.array([]))
            row = {
                "arm": arm,
                **described,
                "baseline": baseline,
                "is_baseline": baseline == arm,
                "kpi": kpi,
                "n": mean.n,
                "mean": mean.mean,
                "mean_ci_low": mean.low,
                "mean_ci_high": mean.high,
            }
            row |= _difference_columns(paired, position)
            rows.append(row)
    return pd.DataFrame(rows, columns=_comparison_columns(override_columns))


def _difference_columns(paired: tuple[np.ndarray, np.ndarray] | None, position: int) -> dict[str, Any]:
    if paired is None:
        return {
            "baseline_mean": math.nan,
            "diff_mean": math.nan,
            "diff_ci_low": math.nan,
            "diff_ci_high": math.nan,
            "diff_relative": math.nan,
            "n_paired": 0,
            "n_higher": 0,
            "n_lower": 0,
        }
    arm_values, base_values = paired
    difference = paired_difference(arm_values[:, position], base_values[:, position])
    interval = difference.interval
    base = difference.baseline_mean
    return {
        "baseline_mean": base,
        "diff_mean": interval.mean,
        "diff_ci_low": interval.low,
        "diff_ci_high": interval.high,
        "diff_relative": interval.mean / abs(base) if base and math.isfinite(base) else math.nan,
        "n_paired": interval.n,
        "n_higher": difference.higher,
        "n_lower": difference.lower,
    }


def _comparison_columns(override_columns: list[str]) -> list[str]:
    return [
        "arm",
        *override_columns,
        "baseline",
        "is_baseline",
        "kpi",
        "n",
        "mean",
        "mean_ci_low",
        "mean_ci_high",
        "baseline_mean",
        "diff_mean",
        "diff_ci_low",
        "diff_ci_high",
        "diff_relative",
        "n_paired",
        "n_higher",
        "n_lower",
    ]


def _typed(values: list[str | None]) -> list[Any]:
    """Override values as numbers when every value given is one, else as text."""
    given = [value for value in values if value is not None]
    for kind in (int, float):
        try:
            converted = [kind(value) for value in given]
        except ValueError:
            continue
        if kind is int or all(math.isfinite(number) for number in converted):
            numbers = iter(converted)
            return [next(numbers) if value is not None else None for value in values]
    return values


def _whole_if_possible(values: np.ndarray) -> np.ndarray:
    whole = np.isfinite(values).all() and bool((values == np.round(values)).all())
    return values.astype(np.int64) if whole else values


def _levers(config: dict[str, Any]) -> str:
    policy = config.get("policy")
    return ",".join(policy) if isinstance(policy, dict) and policy else "silo"


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
