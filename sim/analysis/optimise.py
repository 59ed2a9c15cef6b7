"""Search lever parameters for the best objective with Optuna (``spsim-optimise``).

    spsim optimise --config configs/analysis/optimise.yaml [--trials N] [--study-dir DIR] [--debug]

The analysis config (see configs/analysis/optimise.yaml) names a base run config, the
parameters to search (dotted keys with ranges or choices), the objective (a KPI's mean
over the replication seeds, maximised or minimised) and constraints on other KPIs'
means (e.g. ``fill_rate`` at least 0.95). Every trial runs the same seeds (common
random numbers: trials differ by their parameters, not their luck), in parallel.

Constraints are Optuna's own (``Trial.set_constraint``, Optuna 5; the older
``constraints_func`` of the sampler is deprecated there), with the TPE sampler: a trial
whose fill rate misses the floor by 0.01 records a violation of 0.01, TPE ranks the
infeasible trials by violation below every feasible one, and ``best_trial`` is the best
*feasible* trial. A penalty (objective minus k × violation) would need a conversion rate
between currency and fill rate that nobody can defend, and would let a profitable but
infeasible trial win if k is too small.

The study lives in ``<study-dir>/study.db`` (SQLite through ``optuna.storages.RDBStorage``)
under the config's fixed ``study_name``, loaded if it exists: ``--trials N`` is the number
of *completed* trials the study should have, so re-running the command continues an
interrupted study, and a larger N adds trials while keeping the earlier ones. The study
remembers a fingerprint of its config (base, parameters, seeds, objective, constraints,
run length) and the version of the simulator's code and configs (a digest of sim/ and
configs/); resuming it with a different config, or after the code changed, is refused
(exit 2) rather than mixing incomparable trials (``--allow-code-change`` overrides the
latter; each trial records its code version). One process at a time per study.

Writes into the study dir: ``trials.parquet`` and ``trials.csv`` (every trial: state,
parameters, KPI means and standard deviations, constraint values, feasibility),
``best.yaml`` (the best feasible trial as spsim overrides to paste), the charts
``optimisation_history.png`` and ``parameters.png``, ``analysis.yaml`` and ``manifest.json``.
"""

import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from sim.analysis import runs, settings
from sim.analysis import study as studies
from sim.config import ConfigError
from sim.output.atomic import write_atomically

PROGRAM = "spsim-optimise"
STUDY_FILE = studies.STUDY_FILE
SETTINGS: dict[str, Any] = {
    "study_name": None,
    "base": None,
    "parameters": None,
    "seeds": 5,
    "objective": {"kpi": "operating_profit", "direction": "maximize"},
    "constraints": [],
    "trials": 30,
    "sampler": {},
    "n_jobs": -1,
}
TRACKED = ("operating_profit", "fill_rate", "policy_cost_total")


@dataclass(frozen=True)
class Constraint:
    """A floor (``min``) or ceiling (``max``) on a KPI's mean over the seeds."""

    kpi: str
    bound: float
    side: str  # "min" or "max"

    @property
    def name(self) -> str:
        return f"{self.kpi}_{self.side}"

    def violation(self, mean: float) -> float:
        """How far ``mean`` misses the bound (0 or less: satisfied); an undefined mean violates."""
        if not np.isfinite(mean):
            return float("inf")
        return self.bound - mean if self.side == "min" else mean - self.bound

    def describe(self) -> str:
        return f"{self.kpi} {'>=' if self.side == 'min' else '<='} {self.bound:g}"


@dataclass(frozen=True)
class OptimiseSpec:
    """A validated optimisation: the search space, the objective and how to evaluate it."""

    study_name: str
    raw_base: Any
    base: dict[str, Any]
    parameters: list[settings.Parameter]
    seeds: list[int]
    objective: str
    direction: Literal["maximize", "minimize"]
    constraints: list[Constraint]
    trials: int
    sampler_seed: int
    startup_trials: int
    n_jobs: int
    debug: bool

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any], *, debug: bool = False, trials: int | None = None) -> "OptimiseSpec":
        """Validate an optimisation config.

        Raises:
            ConfigError: one line naming the key and what is allowed.
        """
        settings.check_keys(raw, SETTINGS)
        spec = {**SETTINGS, **raw}
        name = spec["study_name"]
        if not isinstance(name, str) or not name or not name.replace("-", "_").isidentifier():
            raise ConfigError(f"study_name = {name!r}: must be a name of letters, digits, - and _")
        base = settings.base_config(spec["base"], debug=debug)
        objective = spec["objective"]
        if not isinstance(objective, Mapping):
            raise ConfigError(f"objective = {objective!r}: must be {{kpi: ..., direction: maximize|minimize}}")
        settings.check_keys(objective, ("kpi", "direction"), "objective.")
        direction = objective.get("direction", "maximize")
        if direction not in ("maximize", "minimize"):
            raise ConfigError(f"objective.direction = {direction!r}: must be maximize or minimize")
        sampler = spec["sampler"] or {}
        if not isinstance(sampler, Mapping):
            raise ConfigError(f"sampler = {sampler!r}: must be {{seed: ..., n_startup_trials: ...}}")
        settings.check_keys(sampler, ("seed", "n_startup_trials"), "sampler.")
        target = spec["trials"] if trials is None else trials
        return cls(
            study_name=name,
            raw_base=spec["base"],
            base=base,
            parameters=settings.parse_parameters(spec["parameters"], base, categorical=True),
            seeds=settings.seed_list(spec["seeds"]),
            objective=settings.kpi_name(objective.get("kpi", "operating_profit"), "objective.kpi"),
            direction="minimize" if direction == "minimize" else "maximize",
            constraints=_constraints(spec["constraints"]),
            trials=int(settings.number(target, "trials", integer=True, minimum=1)),
            sampler_seed=int(settings.number(sampler.get("seed", 0), "sampler.seed", integer=True, minimum=0)),
            startup_trials=int(
                settings.number(
                    sampler.get("n_startup_trials", 10), "sampler.n_startup_trials", integer=True, minimum=1
                )
            ),
            n_jobs=settings.n_jobs(spec["n_jobs"]),
            debug=debug,
        )

    @property
    def tracked(self) -> list[str]:
        """KPIs whose means and spreads each trial records."""
        names = [self.objective, *(c.kpi for c in self.constraints), *TRACKED]
        return list(dict.fromkeys(names))

    def identity(self) -> dict[str, Any]:
        """What makes trials comparable: a study refuses to continue with anything else."""
        return {
            "base": self.base,
            "parameters": [p.describe() for p in self.parameters],
            "seeds": self.seeds,
            "objective": [self.objective, self.direction],
            "constraints": [c.describe() for c in self.constraints],
        }

    def resolved(self) -> dict[str, Any]:
        parameters: dict[str, Any] = {}
        for p in self.parameters:
            parameters[p.key] = (
                {"choices": list(p.choices)}
                if p.kind == "categorical"
                else {"low": p.low, "high": p.high, "type": p.kind}
            )
        return {
            "study_name": self.study_name,
            "objective": {"kpi": self.objective, "direction": self.direction},
            "constraints": [{"kpi": c.kpi, c.side: c.bound} for c in self.constraints],
            "seeds": self.seeds,
            "trials": self.trials,
            "sampler": {"name": "TPESampler", "seed": self.sampler_seed, "n_startup_trials": self.startup_trials},
            "n_jobs": self.n_jobs,
            "debug": self.debug,
            "parameters": parameters,
            "base": self.base,
        }


def _constraints(raw: Any) -> list[Constraint]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ConfigError(f"constraints = {raw!r}: must be a list like [{{kpi: fill_rate, min: 0.95}}]")
    found = []
    for position, entry in enumerate(raw):
        where = f"constraints[{position}]"
        if not isinstance(entry, Mapping):
            raise ConfigError(f"{where} = {entry!r}: must be {{kpi: ..., min: ...}} or {{kpi: ..., max: ...}}")
        settings.check_keys(entry, ("kpi", "min", "max"), f"{where}.")
        sides = [side for side in ("min", "max") if side in entry]
        if len(sides) != 1:
            raise ConfigError(f"{where}: give exactly one of min and max")
        bound = settings.number(entry[sides[0]], f"{where}.{sides[0]}")
        found.append(Constraint(settings.kpi_name(entry.get("kpi"), f"{where}.kpi"), float(bound), sides[0]))
    return found


# -- the study -------------------------------------------------------------------------------


def open_study(spec: OptimiseSpec, folder: Path, allow_code_change: bool = False) -> Any:
    """The study in ``folder/study.db``: created, or loaded if its config (and code) match."""
    return studies.open_study(
        folder,
        spec.study_name,
        spec.identity(),
        direction=spec.direction,
        sampler_seed=spec.sampler_seed,
        startup_trials=spec.startup_trials,
        compared="base, parameters, seeds, objective, constraints or run length",
        remedy="use another --study-dir or study_name",
        allow_code_change=allow_code_change,
    )


class Objective:
    """One trial: suggest the parameters, run every seed, record KPIs and constraints."""

    def __init__(self, spec: OptimiseSpec) -> None:
        self.spec = spec
        self.code_version = runs.code_version()

    def __call__(self, trial: Any) -> float:
        spec = self.spec
        started = time.perf_counter()
        trial.set_user_attr("code_version", self.code_version)
        values = {p.key: studies.suggest(trial, p) for p in spec.parameters}
        raws = [{**settings.with_values(spec.base, values), "seed": seed} for seed in spec.seeds]
        frame = pd.DataFrame(runs.run_summaries(raws, spec.n_jobs))
        means = {kpi: float(frame[kpi].mean()) for kpi in spec.tracked}
        for kpi in spec.tracked:
            trial.set_user_attr(f"mean_{kpi}", means[kpi])
            trial.set_user_attr(f"sd_{kpi}", float(frame[kpi].std(ddof=1)) if len(frame) > 1 else float("nan"))
        checks = []
        for constraint in spec.constraints:
            violation = constraint.violation(means[constraint.kpi])
            trial.set_constraint(constraint.name, violation)
            verdict = "ok" if violation <= 0 else "MISSED"
            checks.append(f"{constraint.kpi} {means[constraint.kpi]:.4f} ({verdict} {constraint.describe()})")
        shown = " ".join(runs.as_override(key, value) for key, value in values.items())
        print(
            f"trial {trial.number:>3}: {spec.objective} {means[spec.objective]:,.6g}; "
            + "; ".join(checks)
            + f" | {shown} ({time.perf_counter() - started:.1f} s)",
            flush=True,
        )
        return means[spec.objective]


def optimise(spec: OptimiseSpec, folder: Path, command: str = PROGRAM, allow_code_change: bool = False) -> Any:
    """Run the study up to ``spec.trials`` completed trials; write its tables, best and charts."""
    import optuna

    studies.quiet_optuna()
    study = open_study(spec, folder, allow_code_change)
    complete = studies.count(study, optuna.trial.TrialState.COMPLETE)
    remaining = max(0, spec.trials - complete)
    print(
        f"{PROGRAM}: study {spec.study_name} in {folder}: {complete} complete trial(s) of {spec.trials}; "
        f"running {remaining}, {len(spec.seeds)} seed(s) each on {runs.cores(spec.n_jobs)} process(es)",
        flush=True,
    )
    manifest = runs.Manifest(folder, command, {"study_name": spec.study_name, "target_trials": spec.trials})
    try:
        runs.write_yaml(folder / "analysis.yaml", spec.resolved(), "# The optimisation as configured (resolved).\n")
        if remaining:
            study.optimize(Objective(spec), n_trials=remaining)
    finally:
        files = write_outputs(spec, study, folder)
        manifest.add("analysis.yaml", STUDY_FILE, *files)
        manifest.finish(
            "complete" if studies.count(study, optuna.trial.TrialState.COMPLETE) >= spec.trials else "incomplete",
            trials=len(study.trials),
            complete_trials=studies.count(study, optuna.trial.TrialState.COMPLETE),
        )
    return study


# -- outputs -----------------------------------------------------------------------------------


def trials_table(spec: OptimiseSpec, study: Any) -> pd.DataFrame:
    """One row per trial: state, parameters, KPI means and spreads, constraints, feasibility."""
    rows = []
    for trial in study.get_trials(deepcopy=False):
        constraints = trial.constraints
        row: dict[str, Any] = {
            "trial": trial.number,
            "state": trial.state.name,
            spec.objective: trial.value if trial.value is not None else np.nan,
            "feasible": trial.state.name == "COMPLETE" and all(v <= 0 for v in constraints.values()),
            "violation": float(sum(max(v, 0.0) for v in constraints.values())),
            "started": trial.datetime_start,
            "duration_s": trial.duration.total_seconds() if trial.duration else np.nan,
        }
        row |= {p.key: trial.params.get(p.key) for p in spec.parameters}
        row["code_version"] = trial.user_attrs.get("code_version")
        row |= {key: value for key, value in trial.user_attrs.items() if key.startswith(("mean_", "sd_"))}
        row |= {f"constraint_{key}": value for key, value in constraints.items()}
        rows.append(row)
    return pd.DataFrame(rows)


def best_trial(spec: OptimiseSpec, study: Any) -> tuple[Any, bool]:
    """The best feasible completed trial, else the least infeasible one (and whether it is feasible)."""
    complete = [t for t in study.get_trials(deepcopy=False) if t.state.name == "COMPLETE"]
    if not complete:
        return None, False
    feasible = [t for t in complete if all(v <= 0 for v in t.constraints.values())]
    sign = 1 if spec.direction == "maximize" else -1
    if feasible:
        return max(feasible, key=lambda t: sign * t.value), True
    return min(complete, key=lambda t: (sum(max(v, 0) for v in t.constraints.values()), -sign * t.value)), False


def overrides_for(spec: OptimiseSpec, params: Mapping[str, Any]) -> list[str]:
    """Spsim overrides that rebuild the base plus ``params`` (``debug=default`` if debug-size)."""
    if isinstance(spec.raw_base, list):
        base = list(spec.raw_base)
    else:
        raw = dict(spec.raw_base or {})
        levers = sorted((raw.pop("policy", None) or {}).keys())
        base = [f"policy=[{','.join(levers)}]"] if levers else []
        base += [runs.as_override(key, value) for key, value in runs.flatten(raw).items()]
        for lever, values in sorted(((spec.raw_base or {}).get("policy") or {}).items()):
            base += [runs.as_override(f"policy.{lever}.{k}", v) for k, v in (values or {}).items()]
    tail = [runs.as_override(key, value) for key, value in params.items()]
    return [*base, *tail, *(["debug=default"] if spec.debug else [])]


def write_best(spec: OptimiseSpec, study: Any, folder: Path) -> None:
    """``best.yaml``: the best feasible trial (else the least infeasible) as spsim overrides to paste."""
    trial, feasible = best_trial(spec, study)
    path = folder / "best.yaml"
    if trial is None:
        runs.write_yaml(path, {"study": spec.study_name, "best": None}, "# No completed trial yet.\n")
        return
    overrides = overrides_for(spec, trial.params)
    attrs = trial.user_attrs
    seeds = ",".join(map(str, spec.seeds))
    quoted = " ".join(f"'{o}'" if any(ch in o for ch in "[],") else o for o in overrides)
    header = (
        f"# {'Best feasible' if feasible else 'No feasible trial; the least infeasible'} trial of study "
        f"{spec.study_name}: {spec.objective} {attrs[f'mean_{spec.objective}']:,.6g} "
        f"(mean over seeds {seeds}).\n"
        f"# Paste the overrides after spsim, e.g. every seed at once:\n#   spsim -m {quoted} seed={seeds}\n"
    )
    data = {
        "study": spec.study_name,
        "trial": trial.number,
        "feasible": feasible,
        "objective": {
            "kpi": spec.objective,
            "direction": spec.direction,
            "mean": attrs[f"mean_{spec.objective}"],
            "sd": attrs.get(f"sd_{spec.objective}"),
        },
        "constraints": {
            c.describe(): {"mean": attrs.get(f"mean_{c.kpi}"), "satisfied": trial.constraints.get(c.name, 1) <= 0}
            for c in spec.constraints
        },
        "seeds": spec.seeds,
        "params": dict(trial.params),
        "overrides": overrides,
    }
    runs.write_yaml(path, data, header)


def write_outputs(spec: OptimiseSpec, study: Any, folder: Path) -> list[str]:
    """The study's tables, its best trial and its charts, in ``folder``; returns the file names."""
    from sim.output.rundir import write_table

    table = trials_table(spec, study)
    if table.empty:
        return []
    write_table(folder / "trials.parquet", table)
    write_atomically(folder / "trials.csv", lambda tmp: table.to_csv(tmp, index=False))
    write_best(spec, study, folder)
    files = ["trials.parquet", "trials.csv", "best.yaml"]
    if table["state"].eq("COMPLETE").any():
        from sim.analysis.optimise_charts import charts  # matplotlib: only once there is something to draw

        files += charts(spec, table, folder)
    return files
