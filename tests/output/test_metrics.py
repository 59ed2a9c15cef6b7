"""KPI definitions: each KPI is what its definition says, computed from the run's own tables."""

import math
import re

import numpy as np
import pandas as pd
import pytest

from sim.output.kpis import KPI_DEFINITIONS
from sim.output.metrics import bullwhip_ratio, forecast_bias_and_error
from sim.policies import levers
from tests.helpers import company, run, textbook


def per_sku_frame(demand: list[list[int]], purchased: list[list[int]]) -> pd.DataFrame:
    """A per-SKU daily table from one list per SKU."""
    rows = [
        {"day": day, "sku": sku, "demand": d, "purchased": p}
        for sku, (ds, ps) in enumerate(zip(demand, purchased, strict=True))
        for day, (d, p) in enumerate(zip(ds, ps, strict=True))
    ]
    return pd.DataFrame(rows)


def test_bullwhip_is_the_variance_ratio_per_sku_averaged() -> None:
    rng = np.random.default_rng(1)
    demand = rng.integers(0, 50, 40).tolist()
    doubled = [2 * d for d in demand]
    shifted = [d + 7 for d in demand]
    table = per_sku_frame([demand, demand], [doubled, shifted])
    # SKU 0: Var(2D)/Var(D) = 4; SKU 1: Var(D + 7)/Var(D) = 1; mean 2.5
    assert bullwhip_ratio(table, 1) == pytest.approx(2.5)


def test_bullwhip_sums_into_whole_buckets_first() -> None:
    demand = [1, 3, 2, 6, 5, 1, 4, 4, 9]  # 9 days: the last, partial bucket of 2 days is dropped
    purchased = [0, 4, 0, 8, 0, 6, 0, 8, 100]
    table = per_sku_frame([demand], [purchased])
    demand_buckets = [4, 8, 6, 8]
    purchased_buckets = [4, 8, 6, 8]
    assert bullwhip_ratio(table, 2) == pytest.approx(np.var(purchased_buckets) / np.var(demand_buckets))
    assert bullwhip_ratio(table, 2) == pytest.approx(1.0)
    assert bullwhip_ratio(table, 1) > 5


def test_bullwhip_ignores_skus_without_demand_variance() -> None:
    table = per_sku_frame([[5, 5, 5, 5], [1, 2, 3, 4]], [[0, 10, 0, 10], [1, 2, 3, 4]])
    assert bullwhip_ratio(table, 1) == pytest.approx(1.0)
    flat = per_sku_frame([[5, 5, 5, 5]], [[0, 10, 0, 10]])
    assert math.isnan(bullwhip_ratio(flat, 1))


def test_forecast_bias_and_error() -> None:
    table = pd.DataFrame(
        {"day": [0, 1, 2, 3], "sku": 0, "demand": [10, 10, 10, 10], "forecast": [12.0, 12.0, 8.0, 12.0]}
    )
    bias, error = forecast_bias_and_error(table, "forecast", 1)
    assert bias == pytest.approx((2 + 2 - 2 + 2) / 40)
    assert error == pytest.approx(8 / 40)
    none = table.assign(demand=0)
    assert all(math.isnan(v) for v in forecast_bias_and_error(none, "forecast", 1))


def test_every_reported_kpi_has_one_definition_and_every_definition_is_reported() -> None:
    _, tables = run({**company(horizon_days=30), "policy": {name: {} for name in levers()}})
    patterns = [re.escape(name).replace(re.escape("<lever>"), r"[a-z_]+") for name in KPI_DEFINITIONS]
    for kpi in tables.summary:
        assert any(re.fullmatch(p, kpi) for p in patterns), f"{kpi} has no definition in KPI_DEFINITIONS"
    for name in KPI_DEFINITIONS:
        if "<" not in name:
            assert name in tables.summary, f"{name} is defined but not reported"
    for lever in levers():
        assert f"policy_cost_{lever}" in tables.summary


@pytest.mark.parametrize(
    "raw",
    [company(horizon_days=60, warmup_days=15, seed=3), textbook(horizon_days=200, warmup_days=30)],
    ids=["company", "textbook"],
)
def test_service_and_stock_kpis_follow_their_definitions(raw: dict) -> None:
    _, tables = run(raw)
    summary, warmup = tables.summary, raw["warmup_days"]
    daily = tables.timeseries[tables.timeseries["day"] >= warmup]
    per_sku = tables.sku_timeseries[tables.sku_timeseries["day"] >= warmup]
    assert summary["days"] == raw["horizon_days"] == len(daily)
    assert summary["demand_units"] == per_sku["demand"].sum()
    assert summary["shipped_units"] == per_sku["shipped"].sum()
    assert summary["fill_rate"] == pytest.approx(per_sku["served_same_day"].sum() / per_sku["demand"].sum())
    assert summary["cycle_service_level"] == pytest.approx((per_sku["backordered"] == 0).mean())
    assert summary["avg_on_hand"] == pytest.approx(daily["on_hand"].mean())
    assert summary["avg_backorders"] == pytest.approx(daily["backordered"].mean())
    assert summary["avg_orders_in_transit"] == pytest.approx(daily["on_order"].mean())
    assert summary["lost_sales_units"] == per_sku["lost_by_order_day"].sum()
    assert summary["revenue"] == pytest.approx(daily["revenue"].sum())
    assert summary["gross_margin"] == pytest.approx(
        summary["revenue"] - summary["cogs"] - summary["purchase_price_variance"]
    )
    assert summary["operating_profit"] == pytest.approx(
        summary["gross_margin"]
        + summary["revaluation"]
        - summary["holding_cost"]
        - summary["expediting_cost"]
        - summary["penalty_cost"]
        - summary["policy_cost_total"]
        - summary["operating_expenses"]
        - summary["obsolescence_cost"]
        - summary["closing_backlog_cost"]
    )
    value = daily["inventory_value"].mean()
    assert summary["inventory_turns"] == pytest.approx(summary["cogs"] * 365 / len(daily) / value)


def test_warmup_days_are_left_out_of_every_kpi() -> None:
    _, longer = run(textbook(horizon_days=100, warmup_days=50, seed=4))
    _, shorter = run(textbook(horizon_days=150, warmup_days=0, seed=4))
    # the same 150 days; the first KPI set sees only the last 100
    assert longer.sku_timeseries["demand"].equals(shorter.sku_timeseries["demand"])
    assert longer.summary["demand_units"] == shorter.sku_timeseries["demand"].iloc[50:].sum()
    assert longer.summary["demand_units"] < shorter.summary["demand_units"]


# One account that orders daily, with a day's patience and an 11-day lead time: lines ordered in the
# warm-up are cancelled after it. Dated on the cancellation's day, their units were lost but never
# demanded in the measured days, and the lost sales rate was 1.0139 (found by the books' properties).
IMPATIENT = {
    "scenario": {
        "kind": "company",
        "skus": 1,
        "accounts": 1,
        "sales_reps": 1,
        "buyers": 1,
        "suppliers": 1,
        "patience_days": 1,
        "capacity_headroom": None,
        "on_time_probability": 0.0,
        "in_full_probability": 0.0,
        "demand_cv": 0.0,
        "order_interval_days": 1,
        "requested_lead_days": 0,
        "lead_time_mean_days": 11.0,
        "lead_time_sd_days": 0.0,
        "lead_time_spread_days": 0.0,
        "churn_rate_per_order": 0.5,
        "walk_away_share": 0.0,
        "launch_skus": 1,
        "launch_day": 0,
    },
    "org": {"review_period_days": 1, "safety_z": 0.0},
    "horizon_days": 10,
    "warmup_days": 3,
    "seed": 86531,
}


def test_lost_sales_count_on_the_day_their_line_was_ordered() -> None:
    _, tables = run(IMPATIENT)
    sku = tables.sku_timeseries
    assert sku["lost_by_order_day"].sum() == sku["lost"].sum() > 0, "every cancelled unit once, on some order day"
    lost_in_warmup = sku.loc[sku["day"] < 3, "lost_by_order_day"].sum()
    cancelled_in_warmup = sku.loc[sku["day"] < 3, "lost"].sum()
    assert lost_in_warmup > cancelled_in_warmup, "lines ordered in the warm-up and cancelled after it"
    measured = sku[sku["day"] >= 3]
    assert tables.summary["lost_sales_units"] == measured["lost_by_order_day"].sum()
    assert tables.summary["lost_sales_rate"] == measured["lost_by_order_day"].sum() / measured["demand"].sum()
    assert 0 < tables.summary["lost_sales_rate"] <= 1
    # each day's lost units are at most that day's demand: the same orders
    assert (sku["lost_by_order_day"] <= sku["demand"]).all()
