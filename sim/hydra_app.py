"""``spsim [overrides]`` and ``spsim -m [overrides]``: the Hydra app (with :mod:`sim.compose`, the only Hydra code).

One run is composed once: with Hydra's own machinery (its ``Hydra`` object, callbacks
and ``run_job``, which write ``.hydra/`` and the job's log as ``@hydra.main`` would),
but without composing the config twice more (``@hydra.main`` composes once to learn
the run mode and once to run). The composed config is validated before Hydra creates
any folder, so bad input is one line on stderr and exit status 2; the model is imported
only then.

A sweep (``-m``), and Hydra's own flags (``--help`` with overrides, ``--cfg``, ``--info``,
...), go through ``@hydra.main`` as ever, after :func:`sim.compose.precheck` has checked
every value of the sweep. The basic sweeper then composes each job once more to check
it before launching; here it does so once per arm (jobs that differ only in their seed
compose alike), since that serial check costs ~0.1 s a job in the launching process.
Each job runs in :func:`_hydra_app` (a joblib worker imports the model once), without a
chart of its own unless the command line sets ``output.charts`` (the report draws them).
"""

import copy
import gc
import logging
import os
import sys
from pathlib import Path
from typing import Any

import hydra
from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra._internal.hydra import Hydra
from hydra._internal.utils import create_automatic_config_search_path
from hydra.core.hydra_config import HydraConfig
from hydra.core.utils import run_job
from hydra.errors import HydraException
from hydra.types import HydraContext, RunMode
from omegaconf import DictConfig, OmegaConf, open_dict, read_write
from omegaconf.errors import OmegaConfBaseException
from yaml import YAMLError

from sim import sweep_workers
from sim.compose import (
    BASIC_SWEEPER,
    CONFIG_NAME,
    add_levers,
    check_data,
    hydra_message,
    precheck,
    split_arguments,
)
from sim.config import ConfigError, RunConfig
from sim.config_files import config_dir
from sim.configure import load_config
from sim.flags import MULTIRUN_FLAGS, NO_RUN_FLAGS, SHOW_FLAGS
from sim.sweep_jobs import compose_each_arm_once
from sim.usage import fail

PROG = "spsim"
INTERRUPTED = 130  # the shell's status for Ctrl-C

compose_each_arm_once()  # here, not in main(): a sweep's workers import this module to run its jobs


def main(arguments: list[str]) -> bool:
    """Run the command line ``spsim <arguments>`` (not a sub-command): one run, a sweep, or Hydra's own flags.

    Returns:
        Whether a run or a sweep ran to its end and left nothing running (see :func:`sim.cli.console`).
    """
    logging.getLogger("MESA").setLevel(logging.WARNING)
    shown = SHOW_FLAGS.intersection(arguments)
    multirun = bool(MULTIRUN_FLAGS.intersection(arguments))
    try:
        if shown and multirun:
            fail(PROG, f"{min(shown)} shows one job's config: leave out -m (e.g. spsim +experiment=<name> --cfg hydra)")
        if NO_RUN_FLAGS.intersection(arguments):
            arguments = add_levers(arguments)
        elif multirun:
            _fork_workers(arguments)  # they import the model while this process checks and composes the sweep
            arguments = precheck(arguments)
            _check_each_arm_once()
        elif run_once(arguments):
            return True
    except ConfigError as error:
        sweep_workers.stop()  # a sweep refused: its workers go first
        fail(PROG, str(error))
    sys.argv[1:] = arguments
    os.environ[sweep_workers.PARENT] = str(os.getpid())  # the sweep's workers stop when this process is gone
    try:
        _hydra_app()
    except KeyboardInterrupt:
        # Runs cut short are sealed "failed" (or stay "running"): never taken for results.
        print("\nspsim: interrupted; run the same command again to resume a sweep", file=sys.stderr)
        sys.exit(INTERRUPTED)
    return _stop_workers()


def _fork_workers(arguments: list[str]) -> None:
    """Fork a sweep's workers before it is checked: the ~0.6 s they take to import the model overlaps the checks."""
    os.environ[sweep_workers.PARENT] = str(os.getpid())  # they stop when this process is gone
    # What is loaded now lives to the end: full collections during the sweep, here and in
    # the forked workers, need not go through it again (~0.2 s each, competing with the jobs).
    gc.freeze()
    sweep_workers.start(arguments)  # the launcher's settings are the command line's: the check changes none


def _stop_workers() -> bool:
    """Stop a finished sweep's workers now (forked ones, or loky's), rather than wait at exit.

    Forked workers are stopped by :func:`sim.sweep_workers.stop`. loky keeps its worker
    processes for reuse and lets them tear their interpreters down at exit, one after the
    other: about half a second after the report is out.

    Returns:
        Whether a sweep ran here and its workers are stopped (False for Hydra's own flags).
    """
    forked = sweep_workers.stop()
    loky = sys.modules.get("joblib.externals.loky.reusable_executor")
    executor = getattr(loky, "_executor", None)
    if executor is None:
        return forked
    executor.shutdown(wait=True, kill_workers=True)
    return True


# -- one run, composed once --------------------------------------------------------------------


def run_once(arguments: list[str]) -> bool:
    """Compose, validate and run one job; False if the config asks for a sweep (``hydra.mode: MULTIRUN``).

    Raises:
        ConfigError: the command line does not compose or validate (nothing is written).
    """
    arguments = add_levers(arguments)
    overrides, extra_dir, config_name = split_arguments(arguments)
    app = Hydra.create_main_hydra2(task_name=PROG, config_search_path=_search_path(extra_dir))
    try:
        cfg = app.compose_config(config_name, overrides, run_mode=RunMode.RUN, with_log_configuration=True)
    except (HydraException, OmegaConfBaseException, ValueError, YAMLError) as error:
        precheck(arguments)  # names the key and what is allowed, as a sweep's check would
        raise ConfigError(hydra_message(error)) from None
    if cfg.hydra.mode == RunMode.MULTIRUN:
        return False
    with read_write(cfg.hydra), open_dict(cfg.hydra):
        cfg.hydra.mode = RunMode.RUN  # as Hydra's own run path records it
        cfg.hydra.overrides.hydra.append("hydra.mode=RUN")
    config = load_config(_plain(cfg, without="hydra"))
    check_data(config, set())
    callbacks = _callbacks(cfg)
    callbacks.on_run_start(config=cfg, config_name=config_name)
    try:
        job = run_job(
            hydra_context=HydraContext(config_loader=app.config_loader, callbacks=callbacks),
            task_function=lambda _task: _run(config),
            config=cfg,
            job_dir_key="hydra.run.dir",
            job_subdir_key=None,
            configure_logging=True,
        )
    except KeyboardInterrupt:
        print("\nspsim: interrupted; run the same command again to resume a sweep", file=sys.stderr)
        sys.exit(INTERRUPTED)
    callbacks.on_run_end(config=cfg, config_name=config_name, job_return=job)
    _ = job.return_value  # raises what the run raised
    return True


def _search_path(extra_dir: str | None) -> Any:
    """Hydra's config search path: the shipped configs, and a user's ``--config-dir`` first."""
    search_path = create_automatic_config_search_path(None, None, str(config_dir()))
    if extra_dir:
        if not Path(extra_dir).is_dir():
            raise ConfigError(f"--config-dir {extra_dir}: no such directory")
        from hydra.core.config_search_path import SearchPathQuery

        search_path.prepend(
            provider="command-line",
            path=f"file://{Path(extra_dir).resolve()}",
            anchor=SearchPathQuery(provider="schema"),
        )
    return search_path


def _callbacks(cfg: DictConfig) -> Any:
    from hydra._internal.callbacks import Callbacks

    return Callbacks(cfg)


def _run(config: RunConfig) -> float:
    """The job of one run: simulate into the folder Hydra made, print the headline KPIs."""
    import math

    from sim.runner import print_summary, run_to_folder

    run_dir = Path(HydraConfig.get().runtime.output_dir)
    try:
        summary = run_to_folder(config, run_dir, chart_in_parallel=True)
    except ConfigError as error:  # a data file changed since the check: sealed "failed"
        fail(PROG, str(error))
    if config.output.print_summary:
        print_summary(summary, run_dir)
    return float(summary.get("operating_profit", math.nan))


# -- sweeps and Hydra's own flags -----------------------------------------------------------------


def _check_each_arm_once() -> None:
    """Make the basic sweeper check each arm of a sweep once before launching, not each job.

    Hydra loads its plugins as modules of their own, so the class to change is the one
    its plugin registry holds (not the one ``import`` gives).
    """
    from hydra.core.plugins import Plugins

    registered = Plugins.instance().class_name_to_class.get(BASIC_SWEEPER)
    for sweeper in {BasicSweeper, registered} - {None}:
        setattr(sweeper, "validate_batch_is_legal", _validate_each_arm)  # noqa: B010 (a patch, on purpose)


def _validate_each_arm(sweeper: BasicSweeper, batch: Any) -> None:
    """The basic sweeper's check before a launch, once per arm: a job's seed does not change how it composes."""
    checked: set[tuple[str, ...]] = set()
    for overrides in batch:
        arm = tuple(o for o in overrides if o.partition("=")[0].lstrip("+~") != "seed")
        if arm not in checked:
            checked.add(arm)
            assert sweeper.hydra_context is not None and sweeper.config is not None
            sweeper.hydra_context.config_loader.load_sweep_config(sweeper.config, list(overrides))


@hydra.main(config_path=str(config_dir()), config_name=CONFIG_NAME, version_base="1.3")
def _hydra_app(cfg: DictConfig) -> float:
    """A job of a sweep (or the run of Hydra's own run path): validate, then run it into its folder."""
    logging.getLogger("MESA").setLevel(logging.WARNING)
    try:
        config = load_config(_plain(cfg))
    except ConfigError as error:
        fail(PROG, str(error))
    hydra_config = HydraConfig.get()
    if hydra_config.mode == RunMode.MULTIRUN:
        from sim.runner import sweep_job

        sweep_workers.stop_when_orphaned()

        if not _charts_asked(list(hydra_config.overrides.task)):
            config = without_charts(config)
        return sweep_job(config, Path(hydra_config.runtime.output_dir))
    return _run(config)


def _charts_asked(task_overrides: list[str]) -> bool:
    """Whether the command line sets ``output.charts`` (a sweep draws no chart per run unless asked)."""
    return any(override.partition("=")[0].lstrip("+~") in ("output.charts", "output") for override in task_overrides)


def without_charts(config: RunConfig) -> RunConfig:
    """``config`` with no chart drawn: a sweep's report draws the charts of all its runs at once."""
    return config.model_copy(update={"output": config.output.model_copy(update={"charts": False})})


def _plain(cfg: DictConfig, without: str | None = None) -> dict[str, Any]:
    """The config as plain data; ``without`` a section (Hydra's own, which resolves only in a job)."""
    if without is not None:
        cfg = copy.deepcopy(cfg)
        with read_write(cfg), open_dict(cfg):
            del cfg[without]
    container = OmegaConf.to_container(cfg, resolve=True)
    assert isinstance(container, dict)
    return {str(key): value for key, value in container.items()}
