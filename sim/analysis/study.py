"""An Optuna study on disk that refuses to mix incomparable trials (shared by optimise and calibrate).

The study lives in ``<folder>/study.db`` (SQLite through ``optuna.storages.RDBStorage``)
under a fixed name, loaded if it exists, so re-running a command continues it. It
remembers a fingerprint of what makes its trials comparable (the analysis config) and the
version of the simulator's code and configs (:func:`sim.analysis.runs.code_version`);
resuming with a different config, or after the code changed, is refused with one line
(a :class:`ConfigError`) rather than mixing trials that answer different questions.
"""

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from sim.analysis import runs, settings
from sim.config import ConfigError

STUDY_FILE = "study.db"


def open_study(
    folder: Path,
    study_name: str,
    identity: Mapping[str, Any],
    *,
    direction: Literal["minimize", "maximize"],
    sampler_seed: int,
    startup_trials: int,
    compared: str,
    remedy: str,
    allow_code_change: bool = False,
) -> Any:
    """The study ``study_name`` in ``folder/study.db``: created, or loaded if its config (and code) match.

    Args:
        folder: the folder of ``study.db`` (created if need be).
        study_name: the study's fixed name in the storage.
        identity: what makes trials comparable; its fingerprint is stored with the study.
        compared: the parts of ``identity`` in words, for the refusal's message.
        remedy: what to do instead, for the refusal's message (``use another --study-dir``).
        direction: ``minimize`` or ``maximize``.
        sampler_seed: the TPE sampler's seed (shifted by the trials done, so a resumed study draws anew).
        startup_trials: random trials before TPE models the results.
        allow_code_change: continue although the simulator's code changed since the study began.

    Raises:
        ConfigError: the stored study was made with another config (or other code).
    """
    import optuna

    folder.mkdir(parents=True, exist_ok=True)
    storage = optuna.storages.RDBStorage(url=f"sqlite:///{(folder / STUDY_FILE).resolve()}")
    fingerprint = runs.fingerprint(dict(identity))
    existing = {summary.study_name: summary for summary in optuna.get_all_study_summaries(storage)}
    if study_name in existing:
        stored = existing[study_name].user_attrs.get("fingerprint")
        if stored != fingerprint:
            raise ConfigError(f"study {study_name} in {folder} was made with a different config ({compared}); {remedy}")
        began_with = existing[study_name].user_attrs.get("code_version")
        if began_with != runs.code_version() and not allow_code_change:
            raise ConfigError(
                f"study {study_name} in {folder}: the simulator's code or configs changed since the study "
                f"began (code version {began_with}, now {runs.code_version()}), so new trials would not be "
                f"comparable with its earlier ones; {remedy} (or --allow-code-change to continue anyway)"
            )
        done = existing[study_name].n_trials
    else:
        done = 0
    sampler = optuna.samplers.TPESampler(
        seed=sampler_seed + done,  # a resumed study must not repeat its first random trials
        n_startup_trials=startup_trials,
    )
    study = optuna.create_study(
        storage=storage, study_name=study_name, direction=direction, sampler=sampler, load_if_exists=True
    )
    if done == 0:
        study.set_user_attr("fingerprint", fingerprint)
        study.set_user_attr("code_version", runs.code_version())
    return study


def suggest(trial: Any, parameter: settings.Parameter) -> Any:
    """The trial's value of ``parameter`` (Optuna's suggestion within its range or choices)."""
    if parameter.kind == "categorical":
        return trial.suggest_categorical(parameter.key, list(parameter.choices))
    if parameter.kind == "int":
        return trial.suggest_int(parameter.key, int(parameter.low), int(parameter.high))
    return trial.suggest_float(parameter.key, parameter.low, parameter.high)


def count(study: Any, state: Any) -> int:
    """How many of the study's trials are in ``state`` (e.g. ``TrialState.COMPLETE``)."""
    return sum(1 for trial in study.get_trials(deepcopy=False) if trial.state == state)


def quiet_optuna() -> None:
    """Optuna's INFO lines and its warnings on experimental features off: the commands print their own."""
    import warnings

    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
