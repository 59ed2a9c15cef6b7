"""What a calibration leaves behind: its trials, the spread of its best ones, the checks, the scenario file.

The fitted values are the best trial's, rounded to four significant digits: what a person
would write in a scenario file, and exactly what the validation runs and the file hold,
so ``spsim --config-dir <out> scenario=<name>`` reruns the validated company bit for bit.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from sim.analysis import settings
from sim.analysis.calibration_spec import CalibrationSpec, Target
from sim.analysis.stats import Interval, mean_interval
from sim.config import OrgConfig
from sim.config_files import config_dir
from sim.configure import load_config
from sim.output.atomic import write_atomically

SCENARIO_DIR = "scenario"


# -- the trials -------------------------------------------------------------------------------


def trials_table(spec: CalibrationSpec, study: Any) -> pd.DataFrame:
    """One row per trial: state, loss, parameters, each tracked KPI's mean and spread over the seeds."""
    rows = []
    for trial in study.get_trials(deepcopy=False):
        row: dict[str, Any] = {
            "trial": trial.number,
            "state": trial.state.name,
            "loss": trial.value if trial.value is not None else np.nan,
            "started": trial.datetime_start,
            "duration_s": trial.duration.total_seconds() if trial.duration else np.nan,
        }
        row |= {p.key: trial.params.get(p.key) for p in spec.parameters}
        row["code_version"] = trial.user_attrs.get("code_version")
        row |= {key: value for key, value in trial.user_attrs.items() if key.startswith(("mean_", "sd_"))}
        rows.append(row)
    return pd.DataFrame(rows)


def best_trials(table: pd.DataFrame, count: int) -> pd.DataFrame:
    """The ``count`` complete trials of least loss, best first."""
    complete = table[table["state"] == "COMPLETE"]
    return complete.sort_values(["loss", "trial"]).head(count)


def write_trials(spec: CalibrationSpec, study: Any, folder: Path) -> list[str]:
    """``trials.parquet`` and ``trials.csv``; returns the file names (none before the first trial)."""
    from sim.output.rundir import write_table

    table = trials_table(spec, study)
    if table.empty:
        return []
    write_table(folder / "trials.parquet", table)
    write_atomically(folder / "trials.csv", lambda tmp: table.to_csv(tmp, index=False))
    return ["trials.parquet", "trials.csv"]


@dataclass(frozen=True)
class Spread:
    """A fitted parameter: the value written, and how it varies among the best trials (a posterior-like spread)."""

    key: str
    low: float
    high: float
    fitted: Any
    mean: float
    sd: float
    smallest: float
    largest: float
    trials: int

    @property
    def at_bound(self) -> bool:
        """The fit sits within 2% of the range from a bound: the truth may lie beyond it."""
        margin = 0.02 * (self.high - self.low)
        return bool(self.fitted <= self.low + margin or self.fitted >= self.high - margin)


def spreads(spec: CalibrationSpec, table: pd.DataFrame, fitted: Mapping[str, Any]) -> list[Spread]:
    """Each parameter's fitted value and its mean, sd and range over the best ``spec.spread_trials`` trials."""
    best = best_trials(table, spec.spread_trials)
    found = []
    for p in spec.parameters:
        values = best[p.key].astype(float)
        sd = float(values.std(ddof=1)) if len(values) > 1 else math.nan
        found.append(
            Spread(p.key, p.low, p.high, fitted[p.key], float(values.mean()), sd, values.min(), values.max(), len(best))
        )
    return found


def fitted_values(spec: CalibrationSpec, trial: pd.Series) -> dict[str, Any]:
    """A trial's parameters as the scenario file holds them: floats to four significant digits, within bounds."""
    values: dict[str, Any] = {}
    for p in spec.parameters:
        value = trial[p.key]
        if p.kind == "int":
            values[p.key] = round(float(value))
        else:
            values[p.key] = min(max(float(f"{float(value):.4g}"), p.low), p.high)
    return values


# -- the check on fresh seeds -------------------------------------------------------------------


@dataclass(frozen=True)
class TargetCheck:
    """A target against the validation runs' mean and its 95% interval."""

    target: Target
    achieved: Interval
    calibration_mean: float  # the best trial's mean over the calibration seeds

    @property
    def within(self) -> bool:
        return self.target.within(self.achieved.mean)

    @property
    def miss(self) -> float:
        return self.target.miss(self.achieved.mean)


def check_targets(spec: CalibrationSpec, validation: pd.DataFrame, best: pd.Series) -> list[TargetCheck]:
    """Each target against the validation seeds' mean, with the best trial's calibration mean beside it."""
    return [
        TargetCheck(t, mean_interval(validation[t.kpi].to_numpy()), float(best.get(f"mean_{t.kpi}", math.nan)))
        for t in spec.targets
    ]


def write_validation(validation: pd.DataFrame, folder: Path) -> list[str]:
    """``validation.csv``: every KPI of every validation run, one row per seed."""
    write_atomically(folder / "validation.csv", lambda tmp: validation.to_csv(tmp, index=False))
    return ["validation.csv"]


# -- the scenario file -----------------------------------------------------------------------


def scenario_sections(spec: CalibrationSpec, fitted: Mapping[str, Any]) -> dict[str, Any]:
    """The scenario file's content: the whole scenario, and the organisation's keys that differ from the silo's.

    The file is a ``_global_`` package like ``configs/scenario/promotion_heavy.yaml``: the
    scenario group comes after ``org`` in the defaults, so its ``org`` keys (the fitted ones,
    and any the base changed) apply over ``org=silo``; the rest of the organisation stays the
    chosen one's. The client's org keys apply over ``org=aligned`` too (a fitted forecast
    optimism stays the client's): the command line sets them back where a comparison needs it.
    """
    config = load_config(settings.with_values(spec.base, fitted))
    scenario = config.scenario.model_dump(mode="json")
    scenario["name"] = spec.name
    silo = {**OrgConfig().model_dump(mode="json"), **_silo_file()}
    org = config.org.model_dump(mode="json")
    changed = {key: value for key, value in org.items() if key != "name" and (value != silo.get(key))}
    changed |= {key.split(".", 1)[1]: value for key, value in fitted.items() if key.startswith("org.")}
    return {"scenario": scenario, **({"org": changed} if changed else {})}


def _silo_file() -> dict[str, Any]:
    loaded = yaml.safe_load((config_dir() / "org" / "silo.yaml").read_text()) or {}
    return {key: value for key, value in loaded.items() if key != "defaults"}


def write_scenario(
    spec: CalibrationSpec, fitted: Mapping[str, Any], table: pd.DataFrame, checks: list[TargetCheck], folder: Path
) -> list[str]:
    """``scenario/<name>.yaml``: a scenario spsim runs with ``--config-dir <folder> scenario=<name>``."""
    notes = {s.key: f"fitted; best {s.trials} trials: {s.mean:.4g} ± {s.sd:.2g}" for s in spreads(spec, table, fitted)}
    sections = scenario_sections(spec, fitted)
    reached = sum(check.within for check in checks)
    lines = [
        "# @package _global_",
        f"# The client {spec.name}, calibrated by spsim-calibrate on {datetime.now():%Y-%m-%d %H:%M}:",
        f"# {reached} of {len(checks)} targets within tolerance on {len(spec.validation_seeds)} fresh seeds "
        "(report.md in the folder above this one).",
        f"# Run it:  {overrides_note(spec, folder)}",
        "# The org keys below are the client's (fitted, or set in the calibration's base): they apply",
        "# over any org= choice (silo by default), org=aligned included; to take one back, give it",
        "# on the command line (e.g. org=aligned org.forecast_optimism=0.0).",
    ]
    if not spec.debug and any(k in spec.base for k in ("horizon_days", "warmup_days")):
        lines.append(
            f"# The calibration ran horizon_days={spec.base.get('horizon_days', 365)} "
            f"warmup_days={spec.base.get('warmup_days', 90)}: give the same on the command line."
        )
    for section, values in sections.items():
        text = yaml.safe_dump({section: values}, sort_keys=False, allow_unicode=True).rstrip("\n").split("\n")
        lines += [_annotated(line, section, notes) for line in text]
    path = folder / SCENARIO_DIR / f"{spec.name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    content = "\n".join(lines) + "\n"
    write_atomically(path, lambda tmp: tmp.write_text(content))
    return [f"{SCENARIO_DIR}/{spec.name}.yaml"]


def _annotated(line: str, section: str, notes: Mapping[str, str]) -> str:
    key = line.strip().split(":", 1)[0]
    note = notes.get(f"{section}.{key}") if line.startswith("  ") and not line.startswith("   ") else None
    return f"{line}  # {note}" if note else line


def overrides_note(spec: CalibrationSpec, folder: Path) -> str:
    """The command that runs the calibrated client (debug-size if the calibration was)."""
    return f"spsim --config-dir {folder} scenario={spec.name}" + (" debug=default" if spec.debug else "")
