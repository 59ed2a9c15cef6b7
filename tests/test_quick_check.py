"""A plainly bad command line is refused before Hydra loads, in the words the full path would use."""

from collections.abc import Iterator

import pytest
from hydra.core.global_hydra import GlobalHydra

from sim.config import ConfigError
from sim.hydra_app import run_once
from sim.quick_check import first_mistake

REFUSED = [
    ["seed=abc"],
    ["seed=1.5"],
    ["horizon_days=0"],
    ["warmup_days=-3"],
    ["sead=3"],
    ["org.review_period_days=abc"],
    ["org.revue_period_days=7"],
    ["output.charts=maybe"],
    ["policy=bogus"],
    ["scenario=stable", "org=sillo"],
    ["seed=3", "horizon_days=true"],
]

LEFT_TO_HYDRA = [
    ["seed=3", "horizon_days=30", "org.review_period_days=7", "output.charts=false"],
    ["seed=1_000"],  # Hydra reads underscores in numbers
    ["-m", "seed=range(1,3)"],
    ["seed=1,2"],
    ["+experiment=compare_policies"],
    ["scenario.accounts=abc"],  # a scenario key: its type depends on the scenario chosen
    ["policy.rotation.share=abc"],  # a lever's parameter: its schema is the lever's
    ["--config-dir", "/nowhere", "policy=mine"],  # a user's folder may add options
    ["+org.bogus=1", "~seed"],
    ["hydra.run.dir=somewhere"],
    ["hydra/launcher=joblib", "policy=silo,rotation"],
]


@pytest.fixture
def fresh_hydra() -> Iterator[None]:
    """run_once leaves Hydra's global state set when a command line does not compose (the process ends then)."""
    GlobalHydra.instance().clear()
    yield
    GlobalHydra.instance().clear()


@pytest.mark.usefixtures("fresh_hydra")
@pytest.mark.parametrize("arguments", REFUSED, ids=" ".join)
def test_a_plain_mistake_is_refused_with_the_full_paths_words(arguments: list[str]) -> None:
    quick = first_mistake(arguments)
    assert quick is not None
    with pytest.raises(ConfigError) as full:
        run_once(arguments)
    assert quick == str(full.value)


@pytest.mark.parametrize("arguments", LEFT_TO_HYDRA, ids=" ".join)
def test_what_needs_hydra_or_is_right_is_left_alone(arguments: list[str]) -> None:
    assert first_mistake(arguments) is None
