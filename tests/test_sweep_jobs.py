"""A sweep's jobs composed once per arm are the jobs Hydra composes one by one, whole."""

from typing import Any

import pytest
from hydra._internal.hydra import Hydra
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf

from sim import sweep_jobs
from sim.hydra_app import _search_path

SWEEP = ["seed=range(1,4)", "arm=silo,all", "org.safety_z=1.2,2.4", "output.charts=false"]
ARMS = (["arm=silo", "org.safety_z=1.2"], ["arm=all", "org.safety_z=2.4"])


@pytest.fixture(scope="module")
def sweep() -> tuple[Any, DictConfig]:
    app = Hydra.create_main_hydra2(task_name="spsim", config_search_path=_search_path(None))
    master = app.compose_config("config", SWEEP, run_mode=RunMode.MULTIRUN)
    return app.config_loader, master


def whole(config: DictConfig) -> str:
    return OmegaConf.to_yaml(config)  # every key, the hydra node included, interpolations unresolved


@pytest.mark.parametrize("arm", ARMS, ids=["silo", "all levers"])
def test_each_seed_composes_as_hydra_composes_it(sweep: tuple[Any, DictConfig], arm: list[str]) -> None:
    loader, master = sweep
    sweep_jobs._arms.clear()
    for seed in (1, 2, 3):
        job = [*arm, f"seed={seed}"]
        ours = sweep_jobs._load_sweep_config(loader, master, job)
        hydras = sweep_jobs._hydra_load_sweep_config(loader, master, job)
        assert whole(ours) == whole(hydras)
        assert ours.seed == seed and f"seed={seed}" in ours.hydra.overrides.task
        assert OmegaConf.is_struct(ours) == OmegaConf.is_struct(hydras)
    assert len(sweep_jobs._arms) == 1  # composed once for the three seeds


def test_the_arm_decides_the_composition(sweep: tuple[Any, DictConfig]) -> None:
    loader, master = sweep
    sweep_jobs._arms.clear()
    silo, every = (sweep_jobs._load_sweep_config(loader, master, [*arm, "seed=1"]) for arm in ARMS)
    assert silo.org.safety_z == 1.2 and every.org.safety_z == 2.4
    assert whole(silo) != whole(every)
    assert len(sweep_jobs._arms) == 2


def test_a_job_without_one_plain_seed_is_left_to_hydra(sweep: tuple[Any, DictConfig]) -> None:
    loader, master = sweep
    sweep_jobs._arms.clear()
    job = sweep_jobs._load_sweep_config(loader, master, ["arm=silo", "org.safety_z=1.2"])
    assert job.seed == 1 and not sweep_jobs._arms  # the config's own seed; nothing cached
