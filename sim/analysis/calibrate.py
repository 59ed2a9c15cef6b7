"""Fit scenario parameters to a client's observed figures with Optuna (``spsim-calibrate``).

    spsim calibrate --config configs/calibration/<name>.yaml [--out DIR] [--trials N] [--debug]

The calibration config (see configs/calibration/example_client.yaml and
:mod:`sim.analysis.calibration_spec`) names the client, a base run config, the parameters
to fit with their bounds and the targets with their tolerances. A trial runs the same
seeds as every other trial (common random numbers: trials differ by their parameters, not
their luck) and scores the sum over targets of ((mean - target) / tolerance)²: a miss of
one tolerance costs 1 whatever the KPI's unit, so turns and fill rates weigh alike. The TPE
sampler minimises it.

The study is the optimiser's (:mod:`sim.analysis.study`): ``<out>/study.db``, continued
when the command is run again (``--trials N`` is the number of *completed* trials wanted),
refused if the config, the demand file's content or the simulator's code changed.

Then the best trial's parameters, rounded to four significant digits as the scenario file
will hold them, run on fresh validation seeds: the report's achieved figures are those,
with their 95% intervals, so they are not flattered by the seeds the fit was chosen on.
Writes into ``<out>``: ``scenario/<name>.yaml`` (``spsim --config-dir <out> scenario=<name>``
runs it), ``report.md`` and ``report.html``, ``trials.parquet``/``trials.csv``,
``validation.csv``, ``calibration.yaml`` and ``manifest.json``.
"""

import os
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis import calibration_outputs as outputs
from sim.analysis import calibration_report, runs, settings
from sim.analysis import study as studies
from sim.analysis.calibration_spec import CalibrationSpec

PROGRAM = "spsim-calibrate"


def default_folder(spec: CalibrationSpec) -> Path:
    """``results/calibration/<name>`` (``-debug`` for debug-size runs; ``$SPSIM_RESULTS`` replaces ``results``)."""
    root = Path(os.environ.get("SPSIM_RESULTS", "results"))
    return root / "calibration" / f"{spec.name}{'-debug' if spec.debug else ''}"


class Objective:
    """One trial: suggest the parameters, run every seed, record the KPIs, score the misses."""

    def __init__(self, spec: CalibrationSpec) -> None:
        self.spec = spec
        self.code_version = runs.code_version()

    def __call__(self, trial: Any) -> float:
        from tqdm import tqdm

        spec = self.spec
        trial.set_user_attr("code_version", self.code_version)
        values = {p.key: studies.suggest(trial, p) for p in spec.parameters}
        raws = [{**runs_config(spec, values), "seed": seed} for seed in spec.seeds]
        frame = pd.DataFrame(runs.run_summaries(raws, spec.n_jobs, progress=False))
        means = {kpi: float(frame[kpi].mean()) for kpi in spec.tracked}
        for kpi in spec.tracked:
            trial.set_user_attr(f"mean_{kpi}", means[kpi])
            trial.set_user_attr(f"sd_{kpi}", float(frame[kpi].std(ddof=1)) if len(frame) > 1 else float("nan"))
        loss = spec.loss(means)
        misses = "; ".join(f"{t.kpi} {means[t.kpi]:.4g} ({t.miss(means[t.kpi]):+.1f})" for t in spec.targets)
        shown = " ".join(runs.as_override(key, _short(value)) for key, value in values.items())
        tqdm.write(f"trial {trial.number:>3}: loss {loss:8.3f} | {misses} | {shown}", file=sys.stdout)
        return loss


def _short(value: Any) -> Any:
    return float(f"{value:.4g}") if isinstance(value, float) else value


def runs_config(spec: CalibrationSpec, values: dict[str, Any]) -> dict[str, Any]:
    """The run config of the base with the parameters ``values`` (no seed)."""
    return settings.with_values(spec.base, values)


def calibrate(spec: CalibrationSpec, folder: Path, command: str = PROGRAM, allow_code_change: bool = False) -> bool:
    """Run the study to ``spec.trials`` completed trials, validate the best, write everything.

    Returns:
        Whether every target is reached within its tolerance on the validation seeds.
    """
    import optuna
    from tqdm import tqdm

    studies.quiet_optuna()
    study = studies.open_study(
        folder,
        spec.study_name,
        spec.identity(),
        direction="minimize",
        sampler_seed=spec.sampler_seed,
        startup_trials=spec.startup_trials,
        compared="base, demand file, parameters, seeds or targets",
        remedy="use another --out or name",
        allow_code_change=allow_code_change,
    )
    complete = studies.count(study, optuna.trial.TrialState.COMPLETE)
    remaining = max(0, spec.trials - complete)
    print(
        f"{PROGRAM}: {spec.name} in {folder}: {complete} complete trial(s) of {spec.trials}; running {remaining}, "
        f"{len(spec.seeds)} seed(s) each on {runs.cores(spec.n_jobs)} process(es)",
        flush=True,
    )
    manifest = runs.Manifest(folder, command, {"name": spec.name, "target_trials": spec.trials})
    reached = False
    try:
        runs.write_yaml(folder / "calibration.yaml", spec.resolved(), "# The calibration as configured (resolved).\n")
        manifest.add("calibration.yaml", studies.STUDY_FILE)
        if remaining:
            bar = tqdm(total=remaining, desc="trials", unit="trial", file=sys.stderr, disable=not sys.stderr.isatty())
            with bar:
                study.optimize(Objective(spec), n_trials=remaining, callbacks=[_progress(bar)])
    finally:
        manifest.add(*outputs.write_trials(spec, study, folder))
    table = outputs.trials_table(spec, study)
    done = studies.count(study, optuna.trial.TrialState.COMPLETE)
    if done:
        reached = _validate_and_write(spec, table, folder, manifest)
    manifest.finish(
        "complete" if done >= spec.trials else "incomplete",
        trials=len(study.trials),
        complete_trials=done,
        within_tolerance=reached,
    )
    return reached


def _progress(bar: Any) -> Any:
    def update(study: Any, trial: Any) -> None:
        bar.update()
        if study.best_trial is not None:
            bar.set_postfix(best=f"{study.best_value:.3g}")

    return update


def _validate_and_write(spec: CalibrationSpec, table: pd.DataFrame, folder: Path, manifest: runs.Manifest) -> bool:
    """Run the best parameters on the validation seeds; write the scenario, the checks and the report."""
    best = outputs.best_trials(table, 1).iloc[0]
    fitted = outputs.fitted_values(spec, best)
    print(
        f"{PROGRAM}: validating the best trial ({int(best['trial'])}) on {len(spec.validation_seeds)} fresh seed(s)",
        flush=True,
    )
    raws = [{**runs_config(spec, fitted), "seed": seed} for seed in spec.validation_seeds]
    validation = pd.DataFrame(runs.run_summaries(raws, spec.n_jobs, what="validation"))
    validation.insert(0, "seed", spec.validation_seeds)
    checks = outputs.check_targets(spec, validation, best)
    files = outputs.write_validation(validation, folder)
    files += outputs.write_scenario(spec, fitted, table, checks, folder)
    files += calibration_report.write_report(spec, fitted, table, checks, folder, manifest)
    manifest.add(*files)
    return all(check.within for check in checks)
