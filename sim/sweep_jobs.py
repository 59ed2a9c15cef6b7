"""A sweep's jobs composed once per arm: the seeds of an arm share one composition.

Hydra's launchers compose every job of a sweep from scratch (``load_sweep_config``:
defaults tree, every file merged, overrides applied), ~0.1 s a job in the worker that
runs it, a tenth of a default run's whole cost. Jobs that differ only in their seed
compose alike but for three places, which :func:`_with_seed` sets exactly as Hydra's own
``_load_configuration_impl`` does: the ``seed`` key, the job's line in
``hydra.overrides.task`` and ``hydra.job.override_dirname``. Everything else is a copy
of the arm's first job, with the resolver cache copied from the sweep's config as Hydra
does. A test composes jobs both ways and compares them whole.

The cache lives in each worker process and is keyed by everything a composition reads
besides the files: the config name, the search path, the working directory, the sweep
folder and every override but the seed.
"""

import copy
from pathlib import Path
from typing import Any

from hydra._internal.config_loader_impl import ConfigLoaderImpl, get_overrides_dirname
from hydra.core.override_parser.overrides_parser import OverridesParser
from omegaconf import DictConfig, OmegaConf, open_dict, read_write

SEED = "seed="
_hydra_load_sweep_config = ConfigLoaderImpl.load_sweep_config
_arms: dict[tuple[Any, ...], DictConfig] = {}


def compose_each_arm_once() -> None:
    """Make Hydra's config loader compose a sweep's jobs once per arm (in this process and its workers)."""
    ConfigLoaderImpl.load_sweep_config = _load_sweep_config  # type: ignore[method-assign,assignment]


def _load_sweep_config(loader: ConfigLoaderImpl, master_config: DictConfig, sweep_overrides: list[str]) -> DictConfig:
    seeds = [line for line in sweep_overrides if line.startswith(SEED)]
    if len(seeds) != 1:
        return _hydra_load_sweep_config(loader, master_config, sweep_overrides)
    key = _arm_key(loader, master_config, sweep_overrides, seeds[0])
    template = _arms.get(key)
    if template is None:
        composed = _hydra_load_sweep_config(loader, master_config, sweep_overrides)
        _arms[key] = copy.deepcopy(composed)
        return composed
    job = _with_seed(
        copy.deepcopy(template), OmegaConf.to_container(master_config.hydra.overrides.hydra), sweep_overrides
    )
    OmegaConf.copy_cache(from_config=master_config, to_config=job)
    return job


def _arm_key(loader: ConfigLoaderImpl, master: DictConfig, overrides: list[str], seed: str) -> tuple[Any, ...]:
    search_path = tuple((entry.provider, entry.path) for entry in loader.get_search_path().get_path())
    return (
        master.hydra.job.config_name,
        search_path,
        str(Path.cwd()),
        str(master.hydra.sweep.dir),
        tuple(OmegaConf.to_container(master.hydra.overrides.hydra)),  # type: ignore[arg-type]
        tuple(line for line in overrides if line != seed),
    )


def _with_seed(job: DictConfig, hydra_overrides: Any, sweep_overrides: list[str]) -> DictConfig:
    """The arm's composition made this job's: its seed, its task overrides and its override_dirname."""
    parsed = OverridesParser.create().parse_overrides(overrides=[*hydra_overrides, *sweep_overrides])
    app = [override for override in parsed if not override.is_hydra_override()]
    (seed,) = (override for override in app if (override.input_line or "").startswith(SEED))
    with read_write(job), open_dict(job):
        job.seed = seed.value()
        job.hydra.overrides.task = [override.input_line for override in app]
        dirname = job.hydra.job.config.override_dirname
        job.hydra.job.override_dirname = get_overrides_dirname(
            overrides=app, kv_sep=dirname.kv_sep, item_sep=dirname.item_sep, exclude_keys=dirname.exclude_keys
        )
    return job
