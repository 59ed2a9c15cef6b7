"""Hydra composition: the run configs a command line (or a dashboard, a game, an analysis) describes.

This is the only module that imports Hydra besides the Hydra app (:mod:`sim.hydra_app`).
It finds the shipped configs (the package ``sim.configs``, which is the top-level
``configs/`` folder of a checkout), composes them with overrides exactly as ``spsim``
does, and checks a command line before anything runs: every job it describes is
composed and validated (:func:`sim.configure.load_config`), so a bad key, value or config
option is one line (a :class:`~sim.config.ConfigError`) and nothing is written.

A sweep's jobs are Hydra's own: the basic sweeper's expansion of the command line and
of an experiment's ``hydra.sweeper.params`` (:func:`sweep_jobs`). Checking them does not
compose the whole cross product: :func:`covering_jobs` picks the few arms (jobs without
their seed) that between them hold every value of every key, and each seed is
validated once in a composed job (a seed changes nothing else in a config).
"""

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hydra import compose, initialize_config_dir
from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra.core.global_hydra import GlobalHydra
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import Override
from hydra.errors import HydraException
from omegaconf import OmegaConf
from omegaconf.errors import OmegaConfBaseException
from yaml import MarkedYAMLError, YAMLError

from sim.config import ConfigError, RunConfig
from sim.config_files import config_dir
from sim.configure import load_config
from sim.flags import MULTIRUN_FLAGS, VALUE_FLAGS

CONFIG_NAME = "config"


# -- composing ------------------------------------------------------------------------------------


class _UnknownOverrideError(ConfigError):
    """An override of a key the composed config does not have."""

    def __init__(self, message: str, override: str) -> None:
        super().__init__(message)
        self.override = override


# Hydra's global state is per process: the live app composes from several threads
# (participants' sessions), so composition is one at a time.
_COMPOSING = threading.RLock()


def compose_config(overrides: Sequence[str], config_name: str = CONFIG_NAME) -> dict[str, Any]:
    """The plain config Hydra composes for ``overrides`` (without its ``hydra`` section).

    Raises:
        ConfigError: a composition problem, in one line.
    """
    overrides = list(overrides)
    try:
        container = _compose(overrides, config_name)
    except _UnknownOverrideError as unknown:
        # Compose it as an addition, so validation names the key and the allowed ones.
        return compose_config([f"+{o}" if o == unknown.override else o for o in overrides], config_name)
    container.pop("hydra", None)
    return container


def sweeper_params(overrides: list[str], config_name: str = CONFIG_NAME) -> list[str]:
    """The sweep a config sets in ``hydra.sweeper.params``, as overrides (``seed=range(1,11)``).

    Composed as Hydra composes a multirun's master config: without the command line's
    sweeps. A command line that does not compose yields none here; checking its jobs
    then reports the problem.
    """
    try:
        parsed = OverridesParser.create().parse_overrides(overrides)
    except HydraException:
        return []
    fixed = [_as_job_override(o) for o in parsed if not o.is_sweep_override()]
    try:
        params = _compose(fixed, config_name, sweep_only=True)
    except ConfigError:
        return []
    return [f"{key}={value}" for key, value in params.items() if value is not None]


def _compose(overrides: list[str], config_name: str, sweep_only: bool = False) -> dict[str, Any]:
    """The composed config as plain data; with ``sweep_only``, its ``hydra.sweeper.params``."""
    with _COMPOSING:
        return _compose_now(overrides, config_name, sweep_only)


def _compose_now(overrides: list[str], config_name: str, sweep_only: bool) -> dict[str, Any]:
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=str(config_dir()), version_base="1.3"):
            composed = compose(config_name=config_name, overrides=overrides, return_hydra_config=sweep_only)
            # Only the sweep of hydra's section: the rest of it resolves only in a run.
            node = (composed.hydra.sweeper.get("params") or {}) if sweep_only else composed
            container: Any = OmegaConf.to_container(node, resolve=True)
    except (HydraException, OmegaConfBaseException, ValueError, YAMLError) as error:
        raise composition_error(error, overrides) from None
    finally:
        GlobalHydra.instance().clear()
    assert isinstance(container, dict)
    return {str(key): value for key, value in container.items()}


def composition_error(error: Exception, overrides: Sequence[str]) -> ConfigError:
    """Hydra's (or OmegaConf's) exception as a one-line :class:`ConfigError`."""
    unknown = _unknown_override(error, overrides)
    if unknown is None:
        return ConfigError(hydra_message(error))
    return _UnknownOverrideError(hydra_message(error), unknown)


def _unknown_override(error: Exception, overrides: Sequence[str]) -> str | None:
    """The override that failed because its key is not in the config, if that was the problem."""
    text = str(error)
    if "Could not override '" not in text:
        return None
    key = text.split("Could not override '", 1)[1].split("'", 1)[0]
    return next((o for o in overrides if o.split("=", 1)[0] == key), None)


def hydra_message(error: Exception) -> str:
    """Hydra's multi-line explanation (or a YAML file's parse error), as one line."""
    if isinstance(error, MarkedYAMLError):
        return yaml_message(error)
    text = str(error)
    if "Could not find '" in text and "Available options" in text:
        missing = text.split("Could not find '", 1)[1].split("'", 1)[0]
        group, _, option = missing.rpartition("/")
        listing = text.split("Available options", 1)[1].split("Config search path", 1)[0]
        options = [line.strip() for line in listing.splitlines()[1:] if line.strip()]
        return f"{group}={option}: no such config option; available: {', '.join(options)}"
    if "Key '" in text and "is not in struct" in text:
        key = text.split("Key '", 1)[1].split("'", 1)[0]
        full = text.split("full_key: ", 1)[1].split()[0] if "full_key: " in text else key
        return f"{full}: unknown key (check its spelling, or see the config with --cfg job)"
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return "; ".join(lines) if lines else type(error).__name__


def yaml_message(error: MarkedYAMLError) -> str:
    """``<file>: not valid YAML (line 3, column 1: expected the node content)``."""
    mark = error.problem_mark or error.context_mark
    where = f"{mark.name}: " if mark is not None and mark.name else ""
    at = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    problem = " ".join(str(error.problem or error.context or "cannot be parsed").split())
    return f"{where}not valid YAML ({at}{problem})"


# -- a sweep's jobs -------------------------------------------------------------------------------


def sweep_jobs(overrides: Sequence[str]) -> list[list[str]]:
    """Every job the overrides describe, as Hydra's basic sweeper makes them.

    The sweeper's own expansion: the cross product of every swept key's values, each
    job a list of ``key=value`` overrides; a key given twice keeps its last setting
    (the command line's over an experiment's).

    Raises:
        ConfigError: an override Hydra cannot parse, or a sweep that is not a list or range.
    """
    try:
        parsed = OverridesParser.create().parse_overrides(list(overrides))
    except HydraException as error:
        raise ConfigError(hydra_message(error)) from None
    for override in parsed:
        if override.is_sweep_override() and not override.is_discrete_sweep():
            raise ConfigError(f"{override.input_line}: only lists and ranges of values can be swept")
    return BasicSweeper.split_arguments(parsed, None)[0]


def covering_jobs(jobs: Sequence[Sequence[str]]) -> list[list[str]]:
    """Few of ``jobs`` that between them hold every setting (``key=value``) any job has; the first job first.

    Checking each setting once finds every unknown key and bad value of a sweep without
    composing the whole cross product: 70 jobs of 7 levers by 10 seeds need 10.
    """
    if not jobs:
        return []
    unseen = {setting for job in jobs for setting in job}
    chosen = [list(jobs[0])]
    unseen.difference_update(jobs[0])
    while unseen:
        best = max(jobs, key=lambda job: sum(setting in unseen for setting in job))
        chosen.append(list(best))
        unseen.difference_update(best)
    return chosen


def _as_job_override(override: Override) -> str:
    """An override as Hydra's basic sweeper hands it to a job."""
    return f"{override.get_key_element()}={override.get_value_element_as_str()}"


# -- checking a command line before it runs ------------------------------------------------------


def split_arguments(arguments: Sequence[str]) -> tuple[list[str], str | None, str]:
    """A command line's overrides, its ``--config-dir`` and its ``--config-name``."""
    overrides: list[str] = []
    extra_dir, config_name = None, CONFIG_NAME
    iterator = iter(arguments)
    for argument in iterator:
        flag, _, inline = argument.partition("=")
        if flag in VALUE_FLAGS:
            value = inline if inline else next(iterator, "")
            if flag in ("--config-dir", "-cd"):
                extra_dir = value
            elif flag in ("--config-name", "-cn"):
                config_name = value
        elif argument.startswith("-"):
            continue  # --multirun, -m and other switches
        else:
            overrides.append(argument)
    return overrides, extra_dir, config_name


def search_overrides(extra_dir: str | None) -> list[str]:
    """The override that adds a user's own config folder (``--config-dir``) to Hydra's search path.

    Raises:
        ConfigError: the folder does not exist.
    """
    if not extra_dir:
        return []
    if not Path(extra_dir).is_dir():
        raise ConfigError(f"--config-dir {extra_dir}: no such directory")
    return [f"hydra.searchpath=[file://{Path(extra_dir).resolve()}]"]


def add_levers(arguments: Sequence[str], swept: set[str] | None = None) -> list[str]:
    """Write ``policy.<lever>.<parameter>=v`` as ``++policy...``: setting a lever's parameter adds the lever.

    Hydra refuses the plain form when the lever is not selected (the key is not in the
    config); ``++`` sets the key whether it is there or not. A key an experiment sweeps
    (``swept``) keeps its form, so the command line's values replace the experiment's.
    """
    swept = swept or set()
    rewritten = []
    iterator = iter(arguments)
    for argument in iterator:
        flag = argument.partition("=")[0]
        if flag in VALUE_FLAGS and "=" not in argument:
            rewritten += [argument, next(iterator, "")]
            continue
        if flag.startswith("policy.") and "=" in argument and flag not in swept:
            argument = f"++{argument}"
        rewritten.append(argument)
    return rewritten


def precheck(arguments: Sequence[str]) -> list[str]:
    """Compose and validate every job the command line describes, without running any.

    In a multirun, the sweep an experiment sets in ``hydra.sweeper.params`` is checked
    too, merged with the command line's as Hydra's basic sweeper merges them.

    Returns:
        The arguments to hand to Hydra (see :func:`add_levers`).

    Raises:
        ConfigError: one line naming the key and what is allowed.
    """
    overrides, extra_dir, config_name = split_arguments(arguments)
    search = search_overrides(extra_dir)
    multirun = bool(MULTIRUN_FLAGS.intersection(arguments))
    swept = sweeper_params([*overrides, *search], config_name) if multirun else []
    arguments = add_levers(arguments, {line.split("=", 1)[0] for line in swept})
    overrides = split_arguments(arguments)[0]
    jobs = sweep_jobs([*swept, *overrides, *search])
    seeds = list(dict.fromkeys(setting for job in jobs for setting in job if _key(setting) == SEED))
    arms = covering_jobs(list(dict.fromkeys(tuple(s for s in job if _key(s) != SEED) for job in jobs)))
    read_scenarios: set[str] = set()
    for number, arm in enumerate(arms):
        config = validated([*arm, *seeds[:1]], config_name)
        check_data(config, read_scenarios)
        if number == 0:
            _check_seeds(config, seeds[1:])
    return arguments


SEED = "seed"


def _key(setting: str) -> str:
    return setting.partition("=")[0].lstrip("+~")


def _check_seeds(config: RunConfig, seeds: Sequence[str]) -> None:
    """Each swept seed, validated in a composed job: a seed changes no other part of a config."""
    raw = config.model_dump(mode="python")
    parser = OverridesParser.create()
    for setting in seeds:
        load_config({**raw, SEED: parser.parse_override(setting).value()})


def validated(job: Sequence[str], config_name: str = CONFIG_NAME) -> RunConfig:
    """The validated config of one job, composed exactly as Hydra will compose it."""
    job = list(job)
    try:
        raw = _compose(job, config_name)
    except _UnknownOverrideError as unknown:
        load_config(compose_config(job, config_name))  # an unknown key: validation names the allowed ones
        raise ConfigError(
            f"{unknown.override}: its key is not in the config of the job '{' '.join(job)}' "
            f"(a lever not selected there?); write ++{unknown.override.lstrip('+')} to add it"
        ) from None
    return load_config(raw)


def check_data(config: RunConfig, read_scenarios: set[str]) -> None:
    """Read the files a scenario points to (a client's demand file) as its run will.

    Args:
        config: a validated config.
        read_scenarios: scenarios already read (as JSON), so a sweep reads each once.

    Raises:
        ConfigError: a file that is missing or malformed, in one line.
    """
    if not config.scenario.demand_file:
        return
    scenario = config.scenario.model_dump_json()
    if scenario not in read_scenarios:
        from sim.streams import RandomStreams  # the world builder reads the file as a run does
        from sim.world import build_world

        build_world(config, RandomStreams(config.seed))
        read_scenarios.add(scenario)


def debug_settings() -> dict[str, Any]:
    """The run length of ``spsim debug=default`` (``configs/debug/default.yaml``)."""
    import yaml

    loaded = yaml.safe_load((config_dir() / "debug" / "default.yaml").read_text()) or {}
    return {key: loaded[key] for key in ("horizon_days", "warmup_days") if key in loaded}


BASIC_SWEEPER = "hydra._internal.core_plugins.basic_sweeper.BasicSweeper"


def count_jobs(config: Any) -> int | None:
    """How many jobs the basic sweeper makes of this multirun's config (None for other sweepers)."""
    sweeper = config.hydra.sweeper
    if sweeper.get("_target_") != BASIC_SWEEPER:
        return None
    params = sweeper.get("params")
    params = OmegaConf.to_container(params, resolve=True) if params is not None else {}
    assert isinstance(params, dict)
    lines = [f"{key}={value}" for key, value in params.items() if value is not None]
    return len(sweep_jobs([*lines, *config.hydra.overrides.task]))
