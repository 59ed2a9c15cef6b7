"""Every scenario file composes, runs under ``debug``, and keeps its books balanced.

Parametrised over the files found in configs/scenario/, so a new scenario file is
picked up without touching this test.
"""

import pytest

from sim import SalesPurchasingModel, load_config
from sim.compose import compose_config
from sim.config_files import config_dir
from sim.output.kpis import KPI_DEFINITIONS
from tests.helpers import book_problems

SCENARIO_FILES = sorted((config_dir() / "scenario").glob("*.yaml"))
SCENARIOS = [path.stem for path in SCENARIO_FILES]


def test_the_scenario_folder_holds_the_scenarios_model_md_asks_for() -> None:
    # MODEL.md, "Scenarios": at least these outside conditions.
    expected = {"stable", "seasonal", "promotion_heavy", "launch", "disruption", "cost_squeeze", "textbook"}
    assert expected <= set(SCENARIOS), sorted(expected - set(SCENARIOS))


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario_file_names_itself(name: str) -> None:
    # Run folders and reports are labelled with scenario.name: it must say which file it is.
    assert compose_config([f"scenario={name}"])["scenario"]["name"] == name


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario_runs_under_debug(name: str) -> None:
    raw = compose_config([f"scenario={name}", "debug=default"])
    debug = compose_config(["debug=default"])
    # debug shrinks the run whatever the scenario says.
    assert (raw["horizon_days"], raw["warmup_days"]) == (debug["horizon_days"], debug["warmup_days"])
    assert raw["horizon_days"] < 365
    config = load_config(raw)
    model = SalesPurchasingModel(config)
    tables = model.run()
    assert model.balances() == dict.fromkeys(model.balances(), 0)
    # Every KPI defined is reported (templates such as ``policy_cost_<lever>`` stand for one
    # KPI per policy in use, none here).
    defined = {name for name in KPI_DEFINITIONS if "<" not in name}
    assert defined <= set(tables.summary), sorted(defined - set(tables.summary))
    assert tables.summary["days"] == config.horizon_days
    assert len(tables.timeseries) == config.total_days
    assert tables.summary["demand_units"] > 0


@pytest.mark.slow
@pytest.mark.parametrize("seed", [7])
@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario_books_balance_over_its_full_run(name: str, seed: int) -> None:
    # The full default horizon, so each scenario's own events (a launch on day 120, a
    # price rise on day 150, a disruption from day 200) happen inside the run.
    raw = compose_config([f"scenario={name}"])
    raw["seed"] = seed
    model = SalesPurchasingModel(load_config(raw))
    tables = model.run()
    balances = model.balances()
    assert not any(balances.values()), balances
    assert book_problems(model, tables) == []
