"""The ``spsim`` command: Hydra composes the config, the library runs it.

This is the only module that knows Hydra. Before Hydra starts (and creates any run
folder), the command line is composed and validated once, so a bad key, value or
option ends with one line on stderr and exit status 2, and nothing is written. A sweep
(``spsim -m``) is checked value by value, including the sweep an experiment file sets in
``hydra.sweeper.params``.

A job of a sweep never fails the sweep: a run that raises is sealed ``failed`` in its
manifest, reported in one line, and the sweep goes on (Hydra skips ``on_multirun_end``,
where the sweep is aggregated, as soon as one job raises). A job whose folder already
holds the complete result of the same config is skipped, so re-running a sweep resumes it.
"""

import logging
import math
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any

import hydra
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from hydra.core.hydra_config import HydraConfig
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import Override
from hydra.errors import HydraException
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.config import ConfigError, RunConfig
from sim.configure import load_config
from sim.model import SalesPurchasingModel
from sim.output import rundir
from sim.output.rundir import RunFolder
from sim.streams import RandomStreams
from sim.world import build_world

CONFIG_DIR = Path(__file__).resolve().parent.parent / "configs"
USAGE_ERROR = 2
INTERRUPTED = 130  # the shell's status for Ctrl-C

# Hydra's own flags that take a value, and those that mean "do not run".
_VALUE_FLAGS = {"--config-path", "-cp", "--config-name", "-cn", "--config-dir", "-cd"}
_NO_RUN_FLAGS = {"--help", "-h", "--hydra-help", "--version", "--cfg", "-c", "--info", "-i",
                 "--shell-completion", "-sc", "--resolve"}  # fmt: skip
_MULTIRUN_FLAGS = {"--multirun", "-m"}
_SHOW_FLAGS = {"--cfg", "-c", "--info", "-i"}  # Hydra refuses them with --multirun

HEADLINE_KPIS = (
    "revenue", "gross_margin", "operating_profit", "fill_rate", "cycle_service_level",
    "on_time_in_full", "lost_sales_units", "avg_on_hand", "avg_backorders",
    "avg_orders_in_transit", "inventory_turns", "bullwhip_ratio",
)  # fmt: skip


def main() -> None:
    """Entry point of ``spsim``: validate the command line, then hand it to Hydra."""
    logging.getLogger("MESA").setLevel(logging.WARNING)
    arguments = sys.argv[1:]
    shown = _SHOW_FLAGS.intersection(arguments)
    if shown and _MULTIRUN_FLAGS.intersection(arguments):
        _fail(f"{min(shown)} shows one job's config: leave out -m (e.g. spsim +experiment=<name> --cfg hydra)")
    try:
        checked = add_levers if _NO_RUN_FLAGS.intersection(arguments) else precheck
        arguments = checked(arguments)
    except ConfigError as error:
        _fail(str(error))
    sys.argv[1:] = arguments
    try:
        _hydra_app()
    except KeyboardInterrupt:
        # Runs cut short are sealed "failed" (or stay "running"): never taken for results.
        print("\nspsim: interrupted; run the same command again to resume a sweep", file=sys.stderr)
        sys.exit(INTERRUPTED)


def precheck(arguments: list[str]) -> list[str]:
    """Compose and validate every job the command line describes, without running any.

    In a multirun, the sweep an experiment sets in ``hydra.sweeper.params`` is checked
    too, merged with the command line's as Hydra's basic sweeper merges them.

    Returns:
        The arguments to hand to Hydra (see :func:`add_levers`).

    Raises:
        ConfigError: one line naming the key and what is allowed.
    """
    overrides, config_dir, config_name = _split_arguments(arguments)
    search = []
    if config_dir:
        if not Path(config_dir).is_dir():
            raise ConfigError(f"--config-dir {config_dir}: no such directory")
        search = [f"hydra.searchpath=[file://{Path(config_dir).resolve()}]"]
    swept = sweeper_params([*overrides, *search], config_name) if _MULTIRUN_FLAGS.intersection(arguments) else []
    arguments = add_levers(arguments, {line.split("=", 1)[0] for line in swept})
    overrides = _split_arguments(arguments)[0]
    read_scenarios: set[str] = set()
    for job in _jobs([*swept, *overrides, *search]):
        check_data(_validated(job, config_name), read_scenarios)
    return arguments


def add_levers(arguments: list[str], swept: set[str] | None = None) -> list[str]:
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
        if flag in _VALUE_FLAGS and "=" not in argument:
            rewritten += [argument, next(iterator, "")]
            continue
        if flag.startswith("policy.") and "=" in argument and flag not in swept:
            argument = f"++{argument}"
        rewritten.append(argument)
    return rewritten


def _validated(job: list[str], config_name: str) -> RunConfig:
    """The validated config of one job, composed exactly as Hydra will compose it."""
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
        build_world(config, RandomStreams(config.seed))
        read_scenarios.add(scenario)


def sweeper_params(overrides: list[str], config_name: str = "config") -> list[str]:
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


def compose_config(overrides: list[str], config_name: str = "config") -> dict[str, Any]:
    """The plain config Hydra composes for ``overrides`` (without its ``hydra`` section).

    Raises:
        ConfigError: a composition problem, in one line.
    """
    try:
        container = _compose(overrides, config_name)
    except _UnknownOverrideError as unknown:
        # Compose it as an addition, so validation names the key and the allowed ones.
        return compose_config([f"+{o}" if o == unknown.override else o for o in overrides], config_name)
    container.pop("hydra", None)
    return container


class _UnknownOverrideError(ConfigError):
    """An override of a key the composed config does not have."""

    def __init__(self, message: str, override: str) -> None:
        super().__init__(message)
        self.override = override


# Hydra's global state is per process: the live app composes from several threads
# (participants' sessions), so composition is one at a time.
_COMPOSING = threading.RLock()


def _compose(overrides: list[str], config_name: str, sweep_only: bool = False) -> dict[str, Any]:
    """The composed config as plain data; with ``sweep_only``, its ``hydra.sweeper.params``."""
    with _COMPOSING:
        return _compose_now(overrides, config_name, sweep_only)


def _compose_now(overrides: list[str], config_name: str, sweep_only: bool) -> dict[str, Any]:
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
            composed = compose(config_name=config_name, overrides=overrides, return_hydra_config=sweep_only)
            # Only the sweep of hydra's section: the rest of it resolves only in a run.
            node = (composed.hydra.sweeper.get("params") or {}) if sweep_only else composed
            container: Any = OmegaConf.to_container(node, resolve=True)
    except (HydraException, OmegaConfBaseException, ValueError) as error:
        unknown = _unknown_override(error, overrides)
        if unknown is None:
            raise ConfigError(_hydra_message(error)) from None
        raise _UnknownOverrideError(_hydra_message(error), unknown) from None
    finally:
        GlobalHydra.instance().clear()
    assert isinstance(container, dict)
    return {str(key): value for key, value in container.items()}


def _split_arguments(arguments: list[str]) -> tuple[list[str], str | None, str]:
    overrides: list[str] = []
    config_dir, config_name = None, "config"
    iterator = iter(arguments)
    for argument in iterator:
        flag, _, inline = argument.partition("=")
        if flag in _VALUE_FLAGS:
            value = inline if inline else next(iterator, "")
            if flag in ("--config-dir", "-cd"):
                config_dir = value
            elif flag in ("--config-name", "-cn"):
                config_name = value
        elif argument.startswith("-"):
            continue  # --multirun, -m and other switches
        else:
            overrides.append(argument)
    return overrides, config_dir, config_name


def _jobs(overrides: list[str]) -> list[list[str]]:
    """One override list per value of each sweep (the others at their first value).

    Checking each value once finds every unknown key and bad value of a sweep
    without composing the whole cross product. A key given twice keeps its last
    setting, as Hydra's basic sweeper does (the command line over an experiment's).
    """
    try:
        parsed = OverridesParser.create().parse_overrides(overrides)
    except HydraException as error:
        raise ConfigError(_hydra_message(error)) from None
    by_key: dict[str, list[str]] = {}
    for override in parsed:
        key = override.get_key_element()
        if override.is_sweep_override():
            if not override.is_discrete_sweep():
                raise ConfigError(f"{override.input_line}: only lists and ranges of values can be swept")
            by_key[key] = [f"{key}={value}" for value in override.sweep_string_iterator()]
        else:
            by_key[key] = [_as_job_override(override)]
    choices = list(by_key.values())
    first = [options[0] for options in choices]
    jobs = [first]
    for position, options in enumerate(choices):
        for option in options[1:]:
            job = list(first)
            job[position] = option
            jobs.append(job)
    return jobs


def _as_job_override(override: Override) -> str:
    """An override as Hydra's basic sweeper hands it to a job."""
    return f"{override.get_key_element()}={override.get_value_element_as_str()}"


def _unknown_override(error: Exception, overrides: list[str]) -> str | None:
    """The override that failed because its key is not in the config, if that was the problem."""
    text = str(error)
    if "Could not override '" not in text:
        return None
    key = text.split("Could not override '", 1)[1].split("'", 1)[0]
    return next((o for o in overrides if o.split("=", 1)[0] == key), None)


def _hydra_message(error: Exception) -> str:
    """Hydra's multi-line explanation, as one line."""
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


def _fail(message: str) -> None:
    print(f"spsim: error: {message}", file=sys.stderr)
    sys.exit(USAGE_ERROR)


@hydra.main(config_path=str(CONFIG_DIR), config_name="config", version_base="1.3")
def _hydra_app(cfg: DictConfig) -> float:
    """One run: build the model from the validated config, run it, write its folder."""
    logging.getLogger("MESA").setLevel(logging.WARNING)
    try:
        config = load_config(_plain(cfg))
    except ConfigError as error:
        _fail(str(error))
        raise  # unreachable: _fail exits
    hydra_config = HydraConfig.get()
    run_dir = Path(hydra_config.runtime.output_dir)
    if hydra_config.mode == RunMode.MULTIRUN:
        return sweep_job(config, run_dir)
    try:
        summary = run_to_folder(config, run_dir)
    except ConfigError as error:  # a data file changed since the check: sealed "failed"
        _fail(str(error))
        raise  # unreachable: _fail exits
    if config.output.print_summary:
        print_summary(summary, run_dir)
    return float(summary.get("operating_profit", math.nan))


def sweep_job(config: RunConfig, run_dir: Path) -> float:
    """One job of a sweep: skipped if done, else run; a failed run is reported, never raised.

    Returns:
        The run's operating profit (nan if it failed).
    """
    if rundir.holds_result(run_dir, config):
        rundir.confirm_result(run_dir)  # tells the sweep's progress line this job is done
        print(f"{run_dir.name}: skipped (complete)")
        return float(rundir.read_summary(run_dir).get("operating_profit", math.nan))
    try:
        summary = run_to_folder(config, run_dir)
    except Exception as error:  # sealed "failed" in its manifest; the sweep goes on
        print(f"spsim: run failed: {run_dir}: {_error_line(error)}", file=sys.stderr)
        return math.nan
    if config.output.print_summary:
        print_summary(summary, run_dir)
    return float(summary.get("operating_profit", math.nan))


def run_to_folder(config: RunConfig, run_dir: Path) -> dict[str, float]:
    """Run one simulation and write its folder; the manifest is sealed last.

    A run that raises (or is interrupted) is sealed ``failed``, with the error and its
    traceback in the manifest, and the exception goes on.
    """
    folder = RunFolder(run_dir, config)
    try:
        started = time.perf_counter()
        tables = SalesPurchasingModel(config).run()
        folder.manifest["simulation_s"] = round(time.perf_counter() - started, 3)
        folder.write_results(
            tables.summary,
            {
                "timeseries": tables.timeseries,
                "sku_timeseries": tables.sku_timeseries,
                "events": tables.events,
                "signals": tables.signals,
            },
        )
        if config.output.charts:
            from sim.views import dashboard  # charts read the folder just written

            chart = dashboard.render(run_dir)
            folder.add_files([str(chart.relative_to(run_dir))])
    except BaseException as error:
        folder.finish("failed", _error_line(error), traceback.format_exc())
        raise
    folder.finish()
    return tables.summary


def _error_line(error: BaseException) -> str:
    """``Type: message`` on one line."""
    message = " ".join(str(error).split())
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


def print_summary(summary: dict[str, float], run_dir: Path) -> None:
    """The headline KPIs as a small table, and where the results are."""
    width = max(len(name) for name in HEADLINE_KPIS)
    print()
    for name in HEADLINE_KPIS:
        value = summary.get(name, float("nan"))
        shown = f"{value:>14.3f}" if abs(value) < 10 else f"{value:>14,.0f}"
        print(f"  {name:<{width}}  {shown}")
    print(f"\nresults: {run_dir}")


def _plain(cfg: DictConfig) -> dict[str, Any]:
    container = OmegaConf.to_container(cfg, resolve=True)
    assert isinstance(container, dict)
    return {str(key): value for key, value in container.items()}


if __name__ == "__main__":
    main()
