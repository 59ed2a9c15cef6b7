"""The lean textbook loop writes exactly what the SimPy run writes, table by table, bit for bit."""

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim import SalesPurchasingModel, lean, load_config
from sim.model import RunTables
from tests.helpers import textbook

TABLES = ("timeseries", "sku_timeseries", "events", "signals")


def run(raw: dict[str, Any], lean_loop: bool) -> tuple[SalesPurchasingModel, RunTables]:
    model = SalesPurchasingModel(load_config(raw))
    assert lean.fits(model)
    model.simulate(lean_loop=lean_loop)
    return model, model.tables()


def assert_same(raw: dict[str, Any]) -> None:
    (general_model, general), (lean_model, fast) = run(raw, False), run(raw, True)
    for name in TABLES:
        assert getattr(general, name).equals(getattr(fast, name)), name
    assert general.summary.keys() == fast.summary.keys()
    differing = [k for k in general.summary if repr(general.summary[k]) != repr(fast.summary[k])]
    assert not differing
    assert general_model.ledger.snapshot() == lean_model.ledger.snapshot()
    assert lean_model.balances() == general_model.balances() == dict.fromkeys(general_model.balances(), 0)


@pytest.mark.parametrize("lead_time_days", [0, 1, 4])
@pytest.mark.parametrize("forecast_window", [0, 1, 5])
def test_the_lean_loop_gives_the_simpy_tables(lead_time_days: int, forecast_window: int) -> None:
    assert_same(
        textbook(horizon_days=150, warmup_days=20, lead_time_days=lead_time_days, forecast_window=forecast_window)
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lead_time_days=st.integers(0, 8),
    forecast_window=st.integers(0, 20),
    safety_z=st.floats(-2.0, 3.0),
    demand_mean=st.floats(0.5, 500.0),
    demand_sd=st.floats(0.0, 200.0),
    seed=st.integers(0, 2**31),
)
@pytest.mark.slow
def test_the_lean_loop_agrees_on_any_textbook(**scenario: Any) -> None:
    seed = scenario.pop("seed")
    assert_same(textbook(horizon_days=60, warmup_days=5, seed=seed, **scenario))


def test_lean_only_where_it_plays_the_run_exactly() -> None:
    def fits(raw: dict[str, Any]) -> bool:
        return lean.fits(SalesPurchasingModel(load_config(raw)))

    assert fits(textbook())
    assert not fits({"seed": 1})  # the company scenario
    assert not fits({**textbook(), "policy": {"regular_meetings": {}}})
