"""The ``spsim`` command: Hydra composes the config, the library runs it.

This is the only module that knows Hydra. Before Hydra starts (and creates any run
folder), the command line is composed and validated once, so a bad key, value or
option ends with one line on stderr and exit status 2, and nothing is written.
"""

import logging
import sys
import time
from pathlib import Path
from typing import Any

import hydra
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from hydra.core.hydra_config import HydraConfig
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import HydraException
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.config import ConfigError, RunConfig, load_config
from sim.model import SalesPurchasingModel
from sim.output.rundir import RunFolder

CONFIG_DIR = Path(__file__).resolve().parent.parent / "configs"
USAGE_ERROR = 2

# Hydra's own flags that take a value, and those that mean "do not run".
_VALUE_FLAGS = {"--config-path", "-cp", "--config-name", "-cn", "--config-dir", "-cd"}
_NO_RUN_FLAGS = {"--help", "-h", "--hydra-help", "--version", "--cfg", "-c", "--info", "-i",
                 "--shell-completion", "-sc", "--resolve"}

HEADLINE_KPIS = (
    "revenue", "gross_margin", "operating_profit", "fill_rate", "cycle_service_level",
    "on_time_in_full", "lost_sales_units", "avg_on_hand", "avg_backorders",
    "avg_orders_in_transit", "inventory_turns", "bullwhip_ratio",
)


def main() -> None:
    """Entry point of ``spsim``: validate the command line, then hand it to Hydra."""
    logging.getLogger("MESA").setLevel(logging.WARNING)
    arguments = sys.argv[1:]
    if not _NO_RUN_FLAGS.intersection(arguments):
        try:
            precheck(arguments)
        except ConfigError as error:
            _fail(str(error))
    _hydra_app()


def precheck(arguments: list[str]) -> None:
    """Compose and validate every job the command line describes, without running any.

    Raises:
        ConfigError: one line naming the key and what is allowed.
    """
    overrides, config_dir, config_name = _split_arguments(arguments)
    if config_dir:
        if not Path(config_dir).is_dir():
            raise ConfigError(f"--config-dir {config_dir}: no such directory")
        overrides = [*overrides, f"hydra.searchpath=[file://{Path(config_dir).resolve()}]"]
    for job in _jobs(overrides):
        load_config(compose_config(job, config_name))


def compose_config(overrides: list[str], config_name: str = "config") -> dict[str, Any]:
    """The plain config Hydra composes for ``overrides`` (without its ``hydra`` section).

    Raises:
        ConfigError: a composition problem, in one line.
    """
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
            composed = compose(config_name=config_name, overrides=overrides)
            container = OmegaConf.to_container(composed, resolve=True)
    except (HydraException, OmegaConfBaseException, ValueError) as error:
        unknown = _unknown_override(error, overrides)
        if unknown is None:
            raise ConfigError(_hydra_message(error)) from None
        # Compose it as an addition, so validation names the key and the allowed ones.
        return compose_config([f"+{o}" if o == unknown else o for o in overrides], config_name)
    finally:
        GlobalHydra.instance().clear()
    assert isinstance(container, dict)
    container.pop("hydra", None)
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
    without composing the whole cross product.
    """
    try:
        parsed = OverridesParser.create().parse_overrides(overrides)
    except HydraException as error:
        raise ConfigError(_hydra_message(error)) from None
    choices = []
    for override in parsed:
        if override.is_sweep_override():
            values = [str(v) for v in override.sweep_string_iterator()]
            prefix = override.get_key_element()
            choices.append([f"{prefix}={value}" for value in values])
        else:
            choices.append([override.input_line])
    first = [options[0] for options in choices]
    jobs = [first]
    for position, options in enumerate(choices):
        for option in options[1:]:
            job = list(first)
            job[position] = option
            jobs.append(job)
    return jobs


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
    run_dir = Path(HydraConfig.get().runtime.output_dir)
    summary = run_to_folder(config, run_dir)
    if config.output.print_summary:
        print_summary(summary, run_dir)
    return float(summary.get("operating_profit", float("nan")))


def run_to_folder(config: RunConfig, run_dir: Path) -> dict[str, float]:
    """Run one simulation and write its folder; the manifest is sealed last."""
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
        folder.finish("failed", f"{type(error).__name__}: {error}")
        raise
    folder.finish()
    return tables.summary


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
