"""Goods and money balance, levels stay non-negative, KPIs stay in range: for random configs.

Each example builds a small company (or a textbook shop) at random, runs it, and checks
the books (``model.balances()``), the tables against the ledger and the stock, and the
KPI ranges; one property drives the model day by day with ``step()`` and checks the
books after every day.
"""

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim import SalesPurchasingModel, load_config
from sim.policies import levers
from tests.helpers import book_problems

# A fixed, reproducible set of examples in make test, as tests/test_bounds.py does (derandomized), so a
# CI run is repeatable. A random search found lost_sales_rate > 1 once (units ordered in the warm-up and
# cancelled after it counted as lost but not as demand); it is fixed, and that config is a test of its
# own (tests/output/test_metrics.py::test_lost_sales_count_on_the_day_their_line_was_ordered).
SETTINGS = settings(
    max_examples=30, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)

shares = st.floats(0.0, 1.0, allow_nan=False)


@st.composite
def company_configs(draw: st.DrawFn) -> dict[str, Any]:
    suppliers = draw(st.integers(1, 3))
    scenario = {
        "kind": "company",
        "skus": draw(st.integers(1, 6)),
        "accounts": draw(st.integers(1, 25)),
        "sales_reps": draw(st.integers(1, 3)),
        "buyers": draw(st.integers(1, 3)),
        "suppliers": suppliers,
        "suppliers_per_sku": draw(st.integers(1, 2)),
        "patience_days": draw(st.integers(0, 10)),
        "capacity_headroom": draw(st.none() | st.floats(0.3, 3.0)),
        "on_time_probability": draw(shares),
        "in_full_probability": draw(shares),
        "short_ship_share": draw(shares),
        "demand_cv": draw(st.floats(0.0, 2.0)),
        "order_interval_days": draw(st.integers(1, 10)),
        "requested_lead_days": draw(st.integers(0, 5)),
        "lead_time_mean_days": draw(st.floats(0.0, 15.0)),
        "lead_time_sd_days": draw(st.floats(0.0, 5.0)),
        "lead_time_spread_days": draw(st.floats(0.0, 15.0)),
        "late_days_mean": draw(st.floats(0.0, 10.0)),
        "key_account_share": draw(shares),
        "late_penalty_rate": draw(st.floats(0.0, 0.2)),
        "other_customers_load": draw(shares),
        "churn_rate_per_order": draw(st.sampled_from([0.0, 0.05, 0.5])),
        "launch_skus": draw(st.integers(0, 2)),
        "launch_day": draw(st.integers(0, 40)),
        "disruption_start_day": draw(st.none() | st.integers(0, 50)),
        "price_rise_day": draw(st.none() | st.integers(0, 50)),
        "price_rise_share": draw(st.floats(0.0, 0.5)),
        "walk_away_share": draw(shares),
        "shelf_life_days": draw(st.none() | st.integers(5, 60)),
        "salvage_share": draw(shares),
        "reset_standards_yearly": draw(st.booleans()),
        "overhead_per_year": draw(st.sampled_from([0.0, 1e5])),
        "rep_salary_per_year": draw(st.sampled_from([0.0, 7e4])),
        "announced_orders_per_account_per_year": draw(st.sampled_from([0.0, 6.0])),
        "announcement_days": draw(st.integers(0, 20)),
        "minimum_order_weeks": draw(st.floats(0.0, 4.0)),
        "gross_margin_dispersion": draw(st.floats(0.0, 0.2)),
        "promotion_response_dispersion": draw(st.floats(0.0, 1.0)),
        "requested_lead_spread_days": draw(st.integers(0, 3)),
    }
    org = {
        "review_period_days": draw(st.integers(1, 10)),
        "safety_z": draw(st.floats(-1.0, 3.0)),
        "replenishment": draw(st.sampled_from(["order_up_to", "s_S"])),
        "promotion_notice": draw(st.sampled_from(["by_trust", "early", "late", "none"])),
        "order_notice": draw(st.sampled_from(["by_trust", "early", "late", "none"])),
        "joint_weight": draw(shares),
        "shared_data": draw(st.booleans()),
        "campaigns_must_pay": draw(st.booleans()),
    }
    chosen = draw(st.lists(st.sampled_from(sorted(levers())), unique=True, max_size=3))
    return {
        "scenario": scenario,
        "org": org,
        "policy": {name: {} for name in chosen},
        "horizon_days": draw(st.integers(10, 60)),
        "warmup_days": draw(st.integers(0, 10)),
        "seed": draw(st.integers(0, 2**32)),
    }


@st.composite
def textbook_configs(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "scenario": {
            "kind": "textbook",
            "demand_mean": draw(st.floats(0.5, 200.0)),
            "demand_sd": draw(st.floats(0.0, 80.0)),
            "lead_time_days": draw(st.integers(0, 15)),
            "forecast_window": draw(st.integers(0, 15)),
            "safety_z": draw(st.floats(-2.0, 3.0)),
            "unit_cost": draw(st.floats(0.01, 50.0)),
            "unit_price": draw(st.floats(0.01, 80.0)),
            "holding_rate_per_year": draw(st.floats(0.0, 2.0)),
        },
        "horizon_days": draw(st.integers(10, 120)),
        "warmup_days": draw(st.integers(0, 10)),
        "seed": draw(st.integers(0, 2**32)),
    }


def _fit_launch(raw: dict[str, Any]) -> dict[str, Any]:
    """At most every SKU is a launch."""
    scenario = raw["scenario"]
    if scenario.get("kind") == "company":
        scenario["launch_skus"] = min(scenario["launch_skus"], scenario["skus"])
    return raw


@pytest.mark.slow
@SETTINGS
@given(company_configs())
def test_company_books_balance_after_a_run(raw: dict[str, Any]) -> None:
    model = SalesPurchasingModel(load_config(_fit_launch(raw)))
    tables = model.run()
    problems = book_problems(model, tables)
    assert not problems, "\n".join(problems)


@SETTINGS
@given(textbook_configs())
def test_textbook_books_balance_after_a_run(raw: dict[str, Any]) -> None:
    model = SalesPurchasingModel(load_config(raw))
    tables = model.run()
    problems = book_problems(model, tables)
    assert not problems, "\n".join(problems)
    assert tables.summary["lost_sales_units"] == 0  # the textbook never loses a sale


@pytest.mark.slow
@settings(max_examples=25, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(company_configs(), textbook_configs()))
def test_books_balance_every_day(raw: dict[str, Any]) -> None:
    model = SalesPurchasingModel(load_config(_fit_launch(raw)))
    total = model.config.total_days
    midway = total // 2
    for day in range(1, total + 1):
        model.step()
        unbalanced = {name: value for name, value in model.balances().items() if value != 0}
        assert not unbalanced, f"after day {day - 1}: {unbalanced}"
        assert model.env.now == day
        assert model.running == (day < total)
        if day == midway:
            tables = model.tables()
            assert len(tables.timeseries) == day
            assert (tables.sku_timeseries[["on_hand", "backordered", "on_order"]] >= 0).all().all()
    model.step()  # past the end: nothing moves
    assert model.env.now == total
    problems = book_problems(model, model.tables())
    assert not problems, "\n".join(problems)
