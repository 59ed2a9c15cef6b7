"""Config validation in-process: ``load_config`` turns every problem into one ConfigError line."""

from typing import Any

import pytest
from pydantic import ValidationError

from sim.config import CompanyScenario, ConfigError, RunConfig, TextbookScenario
from sim.configure import load_config
from tests.helpers import company, textbook

BAD_CONFIGS = [
    # (raw config, the key the message must name)
    ({"seed": "abc"}, "seed"),
    ({"seed": -1}, "seed"),
    ({"horizon_days": 0}, "horizon_days"),
    ({"horizon_days": 1.5}, "horizon_days"),
    ({"warmup_days": -3}, "warmup_days"),
    ({"bogus": 1}, "bogus"),
    ({"scenario": {"kind": "nope"}}, "scenario.kind"),
    ({"scenario": {"kind": "textbook", "lead_time_days": -1}}, "scenario.lead_time_days"),
    ({"scenario": {"kind": "textbook", "demand_sd": -0.1}}, "scenario.demand_sd"),
    ({"scenario": {"kind": "textbook", "demand_mean": 0}}, "scenario.demand_mean"),
    ({"scenario": {"kind": "textbook", "forecast_window": "five"}}, "scenario.forecast_window"),
    ({"scenario": {"kind": "textbook", "skus": 3}}, "scenario.skus"),  # a company key in the textbook
    ({"scenario": {"kind": "company", "key_account_share": 1.5}}, "scenario.key_account_share"),
    ({"scenario": {"kind": "company", "lead_time_mean_days": -1}}, "scenario.lead_time_mean_days"),
    ({"scenario": {"kind": "company", "skus": "many"}}, "scenario.skus"),
    ({"scenario": {"kind": "company", "skus": 0}}, "scenario.skus"),
    ({"scenario": {"kind": "company", "on_time_probability": 2}}, "scenario.on_time_probability"),
    ({"scenario": {"kind": "company", "capacity_headroom": 0}}, "scenario.capacity_headroom"),
    ({"scenario": {"kind": "company", "nested": {"x": 1}}}, "scenario.nested"),
    ({"scenario": {"kind": "company", "lead_time_days": 2}}, "scenario.lead_time_days"),  # a textbook key
    ({"org": {"review_period_days": 0}}, "org.review_period_days"),
    ({"org": {"safety_z": "high"}}, "org.safety_z"),
    ({"org": {"bogus": True}}, "org.bogus"),
    ({"org": {"replenishment": "kanban"}}, "org.replenishment"),
    ({"output": {"charts": "maybe"}}, "output.charts"),
    ({"output": {"charts": 1}}, "output.charts"),  # strict: 1 is not a boolean
    ({"policy": {"no_such_lever": {}}}, "policy.no_such_lever"),
    # every number is finite and bounded above (issue 14; more in tests/test_bounds.py)
    ({"scenario": {"kind": "company", "lead_time_mean_days": float("inf")}}, "scenario.lead_time_mean_days"),
    ({"scenario": {"kind": "textbook", "demand_mean": float("nan")}}, "scenario.demand_mean"),
    ({"scenario": {"kind": "company", "unit_cost_mean": 1e300}}, "scenario.unit_cost_mean"),
    ({"org": {"inventory_budget_weeks": float("inf")}}, "org.inventory_budget_weeks"),
    ({"policy": {"regular_meetings": {"hourly_cost": float("inf")}}}, "policy.regular_meetings.hourly_cost"),
    ({"horizon_days": 100_000_000}, "horizon_days"),
]


@pytest.mark.parametrize(("raw", "key"), BAD_CONFIGS, ids=[key + f"-{i}" for i, (_, key) in enumerate(BAD_CONFIGS)])
def test_bad_config_raises_one_line_naming_the_key(raw: dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(raw)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(key), f"message {message!r} should start with {key!r}"


def test_out_of_range_message_names_the_value_and_the_bound() -> None:
    with pytest.raises(ConfigError, match=r"scenario\.lead_time_days = -1: .*greater than or equal to 0"):
        load_config(textbook(lead_time_days=-1))
    with pytest.raises(ConfigError, match=r"scenario\.key_account_share = 1\.5: .*less than or equal to 1"):
        load_config(company(key_account_share=1.5))


def test_unknown_key_message_lists_the_allowed_keys() -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(textbook(skus=3))
    message = str(caught.value)
    for allowed in ("demand_mean", "demand_sd", "lead_time_days", "forecast_window", "safety_z"):
        assert allowed in message


def test_unknown_kind_lists_the_kinds() -> None:
    with pytest.raises(ConfigError, match="textbook") as caught:
        load_config({"scenario": {"kind": "nope"}})
    assert "company" in str(caught.value)


def test_defaults_are_the_documented_company_and_silo() -> None:
    config = load_config({})
    assert isinstance(config, RunConfig)
    assert isinstance(config.scenario, CompanyScenario)
    assert (config.seed, config.horizon_days, config.warmup_days) == (1, 365, 90)
    assert config.total_days == 455
    assert config.org.name == "silo"


def test_textbook_loads_with_its_overrides() -> None:
    config = load_config(textbook(lead_time_days=4, forecast_window=0, safety_z=2.0, horizon_days=30, warmup_days=5))
    assert isinstance(config.scenario, TextbookScenario)
    assert (config.scenario.lead_time_days, config.scenario.forecast_window) == (4, 0)
    assert config.total_days == 35


def test_config_is_frozen() -> None:
    config = load_config({})
    with pytest.raises(ValidationError):  # frozen
        config.seed = 2  # type: ignore[misc]


def test_load_config_does_not_change_its_input() -> None:
    raw = company(seed=3)
    snapshot = repr(raw)
    load_config(raw)
    assert repr(raw) == snapshot
