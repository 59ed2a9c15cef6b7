"""Outside shocks in the record: the scenario's disruption, price rise and launch, and injected shocks."""

import pandas as pd
import pytest

from sim.agents.shocks import LargeCustomerOrder, SupplierPriceRise, SupplyDisruption
from sim.compose import compose_config
from sim.configure import load_config
from sim.model import SalesPurchasingModel
from sim.output import events
from tests.helpers import company, run


def _shocks(table, kind):  # type: ignore[no-untyped-def]
    return table[table["event"].astype(str) == kind]


def test_the_disruption_scenario_records_its_disruption_with_its_days_and_figures() -> None:
    raw = compose_config(["scenario=disruption", "horizon_days=300", "warmup_days=30"])
    scenario = load_config(raw).scenario
    tables = SalesPurchasingModel(load_config(raw)).run()
    start, days = scenario.disruption_start_day, scenario.disruption_days
    began = events.typed(tables.events, events.DisruptionStarted)
    ended = events.typed(tables.events, events.DisruptionEnded)
    assert len(began) == scenario.suppliers  # disruption_supplier_share 1.0: every supplier
    assert set(began["supplier"]) == set(range(scenario.suppliers))
    assert (began["day"] == start).all() and (began["end_day"] == start + days).all()
    assert (began["capacity_factor"] == scenario.disruption_capacity_factor).all()
    assert (began["extra_lead_days"] == scenario.disruption_lead_time_extra_days).all()
    assert (ended["day"] == start + days).all() and (ended["start_day"] == start).all()
    assert set(tables.events.loc[began.index, "agent"].astype(str)) == {"scenario"}
    assert "supplier 0 at 0% of capacity" in " ".join(tables.events.loc[began.index, "detail"].astype(str))


def test_a_price_rise_and_a_launch_are_recorded_on_their_day() -> None:
    _, tables = run(company(horizon_days=80, price_rise_day=30, price_rise_share=0.12, launch_skus=2, launch_day=40))
    rises = events.typed(tables.events, events.PriceRise)
    assert len(rises) > 0 and (rises["day"] == 30).all() and (rises["rise"] == 0.12).all()
    launches = events.typed(tables.events, events.ProductLaunch)
    assert len(launches) == 2 and (launches["day"] == 40).all() and (launches["skus"] == 2).all()
    assert set(launches["sku"]) == {int(s) for s in tables.sku_timeseries["sku"].unique()[-2:]}


def test_shock_events_are_outside_shocks_not_conflicts() -> None:
    assert set(events.SHOCKS) == {
        "disruption_started",
        "disruption_ended",
        "price_rise",
        "product_launch",
        "large_order",
    }
    assert not set(events.SHOCKS) & set(events.CONFLICTS)


def test_recording_shocks_changes_nothing_else(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the recording, every table is the same, and so is the event log less the shock rows."""
    raw = company(horizon_days=90, disruption_start_day=30, disruption_days=20, price_rise_day=50, launch_skus=1)
    _, recorded = run(raw)
    monkeypatch.setattr("sim.model.record_scenario", lambda model: None)
    _, silent = run(raw)
    shock = recorded.events["event"].astype(str).isin(events.SHOCKS)
    assert shock.sum() >= 4
    pd.testing.assert_frame_equal(
        recorded.events[~shock].reset_index(drop=True).astype({"event": str, "agent": str, "detail": str}),
        silent.events.astype({"event": str, "agent": str, "detail": str}),
    )
    for name in ("timeseries", "sku_timeseries", "signals"):
        pd.testing.assert_frame_equal(getattr(recorded, name), getattr(silent, name))
    assert recorded.summary == silent.summary or all(
        a == b or (a != a and b != b) for a, b in zip(recorded.summary.values(), silent.summary.values(), strict=True)
    )
    assert (recorded.events["time"].diff().dropna() >= 0).all()  # still in time order


def _model(horizon_days: int = 80) -> SalesPurchasingModel:
    return SalesPurchasingModel(load_config(company(horizon_days=horizon_days, warmup_days=10, seed=2)))


def test_an_injected_disruption_is_applied_and_recorded_as_the_facilitators() -> None:
    model = _model()
    for _ in range(12):
        model.step()
    before = list(model.suppliers[0].capacity[20:30])
    model.inject_shock(SupplyDisruption(day=20, days=10, capacity_factor=0.0, extra_lead_days=5, suppliers=(0,)))
    assert model.suppliers[0].capacity[20:30] == [0.0] * 10 and any(before)
    while model.running:
        model.step()
    table = model.tables().events
    began = events.typed(table, events.DisruptionStarted)
    assert list(began["supplier"]) == [0] and list(began["day"]) == [20] and list(began["end_day"]) == [30]
    assert list(began["extra_lead_days"]) == [5] and list(began["capacity_factor"]) == [0.0]
    assert set(table.loc[began.index, "agent"].astype(str)) == {"facilitator"}
    assert list(events.typed(table, events.DisruptionEnded)["day"]) == [30]


def test_an_injected_price_rise_and_large_order_are_recorded_and_take_effect() -> None:
    model = _model()
    model.inject_shock(SupplierPriceRise(day=15, share=0.1, suppliers=(1,)))
    model.inject_shock(LargeCustomerOrder(day=12, account=0, sku=1, units=4321))
    tables = model.run()
    rises = events.typed(tables.events, events.PriceRise)
    assert list(rises["supplier"]) == [1] and list(rises["day"]) == [15] and list(rises["rise"]) == [0.1]
    assert model.suppliers[1].price_factor == pytest.approx(1.1, rel=0.2)
    large = events.typed(tables.events, events.LargeOrder)
    assert list(large["units"]) == [4321] and list(large["account"]) == [0] and (large["order_day"] >= 12).all()
    orders = tables.events[(tables.events["event"] == "order") & (tables.events["account"] == 0)]
    day = int(large["order_day"].iloc[0])
    assert orders[(orders["day"] == day) & (orders["sku"] == 1)]["quantity"].sum() >= 4321


def test_a_shock_in_the_past_is_refused() -> None:
    model = _model()
    for _ in range(20):
        model.step()
    with pytest.raises(ValueError, match="from today"):
        model.inject_shock(SupplierPriceRise(day=5, share=0.1))
    with pytest.raises(ValueError, match="no such supplier"):
        model.inject_shock(SupplyDisruption(day=25, days=5, suppliers=(99,)))
