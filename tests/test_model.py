"""The model as a library: one clock, Mesa agents, tables, and the way a run is driven."""

import pandas as pd
import pytest

from sim import RunTables, SalesPurchasingModel, load_config
from sim.agents import Buyer, CustomerAccount, SalesRep, Supplier
from tests.helpers import book_problems, company, run, textbook


def test_run_returns_tables_covering_every_day() -> None:
    raw = company(horizon_days=40, warmup_days=8, skus=5)
    model, tables = run(raw)
    assert isinstance(tables, RunTables)
    days = 48
    assert model.env.now == days and model.time == days
    assert tables.timeseries["day"].tolist() == list(range(days))
    assert len(tables.sku_timeseries) == days * 5
    assert sorted(tables.sku_timeseries["sku"].unique()) == list(range(5))
    assert tables.summary["days"] == 40
    assert not book_problems(model, tables)


def test_mesa_sees_every_agent() -> None:
    model = SalesPurchasingModel(load_config(company(accounts=7, sales_reps=2, buyers=3, suppliers=2)))
    by_type = {kind: len(agents) for kind, agents in model.agents_by_type.items()}
    assert by_type[CustomerAccount] == 7
    assert by_type[SalesRep] == 2
    assert by_type[Buyer] == 3
    assert by_type[Supplier] == 2


def test_step_advances_one_day_and_stops_at_the_end() -> None:
    model = SalesPurchasingModel(load_config(textbook(horizon_days=5, warmup_days=2)))
    assert model.running
    for day in range(1, 8):
        model.step()
        assert model.env.now == day and model.time == day
    assert not model.running
    model.step()
    assert model.env.now == 7
    partial = SalesPurchasingModel(load_config(textbook(horizon_days=5, warmup_days=2)))
    for _ in range(3):
        partial.step()
    assert len(partial.tables().timeseries) == 3


def test_textbook_opens_at_its_base_stock_and_never_loses_a_sale() -> None:
    model, tables = run(textbook(lead_time_days=3, safety_z=2.0, demand_mean=50, demand_sd=10, forecast_window=4))
    assert model.stock.opening == [round(4 * 50 + 2.0 * 10 * 2)]
    assert tables.summary["lost_sales_units"] == 0
    assert tables.summary["penalty_cost"] == 0
    assert tables.summary["policy_cost_total"] == 0
    assert tables.summary["expediting_cost"] == 0
    assert set(tables.events["event"].astype(str)) <= {
        "opening_stock",
        "order",
        "shipment",
        "backorder",
        "backorder_shipment",
        "purchase_order",
        "receipt",
        "holding_cost",
        "line_closed",
        "promise_broken",
    }


def test_textbook_money_is_price_times_units() -> None:
    _, tables = run(textbook(unit_cost=6.0, unit_price=10.0, horizon_days=100, warmup_days=0))
    summary = tables.summary
    assert summary["revenue"] == pytest.approx(10.0 * summary["shipped_units"])
    assert summary["cogs"] == pytest.approx(6.0 * summary["shipped_units"])
    assert summary["purchase_price_variance"] == 0  # the one supplier charges standard cost
    assert summary["gross_margin_rate"] == pytest.approx(0.4)


def test_churned_accounts_stop_ordering_and_leave_the_model() -> None:
    raw = company(
        accounts=20,
        horizon_days=120,
        churn_rate_per_order=1.0,
        churn_threshold=0.99,
        order_interval_days=2,
        new_account_rate_per_rep_per_year=0.0,
    )
    model, tables = run(raw)
    events = tables.events
    churned = events[events["event"] == "churn"]
    assert len(churned) > 0, "the config should make accounts leave"
    orders = events[events["event"] == "order"]
    for _, leaving in churned.iterrows():
        later = orders[(orders["account"] == leaving["account"]) & (orders["time"] > leaving["time"])]
        assert later.empty, f"account {leaving['account']} ordered after it churned"
    remaining = {agent.spec.index for agent in model.agents_by_type[CustomerAccount]}
    assert remaining.isdisjoint(set(churned["account"]))
    assert tables.summary["customer_churn"] == churned[churned["day"] >= raw["warmup_days"]].shape[0]
    assert not book_problems(model, tables)


def test_event_log_is_in_time_order() -> None:
    _, tables = run(company(seed=2))
    times = tables.events["time"].to_numpy()
    assert (times[1:] >= times[:-1]).all()
    assert isinstance(tables.events, pd.DataFrame)
