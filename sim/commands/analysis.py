"""``spsim sensitivity`` (Morris, SALib), ``spsim optimise`` and ``spsim calibrate`` (Optuna): analyses of many runs."""

from pathlib import Path
from typing import Annotated

import typer

from sim.commands.common import command_line
from sim.usage import output_folder

Config = Annotated[Path, typer.Option("--config", help="analysis config (YAML), e.g. configs/analysis/morris.yaml")]
AllowCodeChange = Annotated[
    bool,
    typer.Option(
        "--allow-code-change",
        help="continue a study although the simulator changed since it began (trials record their code version)",
    ),
]


def sensitivity(
    context: typer.Context,
    config: Config,
    kpi: Annotated[str | None, typer.Option(help="KPI to screen (default: the config's kpi)")] = None,
    out: Annotated[Path | None, typer.Option(help="output folder (default: results/analysis/morris-<time>/)")] = None,
    debug: Annotated[bool, typer.Option("--debug", help="debug-size runs (56 days after 14 warm-up days)")] = False,
    trajectories: Annotated[int | None, typer.Option(help="override the number of trajectories N")] = None,
    n_jobs: Annotated[int | None, typer.Option("--n-jobs", help="processes (-1: all cores)")] = None,
) -> None:
    """Morris elementary-effects screening: which parameters move a KPI."""
    from sim.analysis import settings

    raw = settings.read_yaml(config)  # a missing or broken file is said before pandas loads
    if out is not None:
        output_folder(out, "--out")
    from sim.analysis import runs, sensitivity

    spec = sensitivity.MorrisSpec.from_mapping(raw, debug=debug, kpi=kpi, trajectories=trajectories, n_jobs=n_jobs)
    folder = out if out is not None else runs.default_out_dir("morris")
    table = sensitivity.run(spec, folder, command_line(context))
    sensitivity.print_table(table)
    print(f"\nresults: {folder}")


def optimise(
    context: typer.Context,
    config: Config,
    trials: Annotated[int | None, typer.Option(help="completed trials the study should have")] = None,
    study_dir: Annotated[
        Path | None, typer.Option(help="folder of the study (default: results/analysis/optuna-<study_name>)")
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="debug-size runs (a separate study: -debug suffix)")] = False,
    allow_code_change: AllowCodeChange = False,
) -> None:
    """Search lever parameters for the best objective with Optuna; rerun to continue the study."""
    from sim.analysis import settings

    raw = settings.read_yaml(config)  # a missing or broken file is said before pandas loads
    if study_dir is not None:
        output_folder(study_dir, "--study-dir")
    from sim.analysis import optimise, runs

    spec = optimise.OptimiseSpec.from_mapping(raw, debug=debug, trials=trials)
    if study_dir is not None:
        folder = study_dir
    else:
        folder = runs.default_out_dir("x").parent / f"optuna-{spec.study_name}{'-debug' if spec.debug else ''}"
    study = optimise.optimise(spec, folder, command_line(context), allow_code_change)
    trial, feasible = optimise.best_trial(spec, study)
    if trial is not None:
        print(
            f"\nbest {'feasible ' if feasible else '(no feasible trial; least infeasible) '}trial {trial.number}: "
            f"{spec.objective} {trial.value:,.6g}; " + " ".join(optimise.overrides_for(spec, trial.params))
        )
    print(f"results: {folder}")


def calibrate(
    context: typer.Context,
    config: Annotated[
        Path, typer.Option("--config", help="calibration config (YAML), e.g. configs/calibration/example_client.yaml")
    ],
    out: Annotated[Path | None, typer.Option(help="output folder (default: results/calibration/<name>/)")] = None,
    trials: Annotated[int | None, typer.Option(help="completed trials the study should have")] = None,
    debug: Annotated[bool, typer.Option("--debug", help="debug-size runs (default folder: <name>-debug)")] = False,
    allow_code_change: AllowCodeChange = False,
) -> None:
    """Fit scenario parameters to a client's observed figures with Optuna; rerun to continue the study."""
    from sim.analysis import settings

    raw = settings.read_yaml(config)  # a missing or broken file is said before pandas loads
    if out is not None:
        output_folder(out, "--out")
    from sim.analysis import calibrate as calibration
    from sim.analysis.calibration_spec import CalibrationSpec

    spec = CalibrationSpec.from_mapping(raw, folder=config.parent, debug=debug, trials=trials)
    folder = out if out is not None else calibration.default_folder(spec)
    reached = calibration.calibrate(spec, folder, command_line(context), allow_code_change)
    print(f"\n{'every target within tolerance' if reached else 'NOT every target within tolerance'}: {folder}")
    print(f"report: {folder / 'report.md'}; run it: spsim --config-dir {folder} scenario={spec.name}")
