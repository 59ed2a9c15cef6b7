"""Bad input for every parameter of the distributor's economics: one line naming the key and the bound, exit 2."""

import subprocess
import sys
from typing import Any

import pytest
from annotated_types import Ge, Gt, Le, Lt

from sim.config import CompanyScenario, ConfigError, OrgConfig
from sim.configure import load_config

SCENARIO_KEYS = (
    "catalogue_skew",
    "requested_lead_spread_days",
    "announced_orders_per_account_per_year",
    "announced_orders_per_key_account_per_year",
    "announced_order_weeks",
    "announcement_days",
    "walk_away_share",
    "gross_margin_dispersion",
    "rep_salary_per_year",
    "buyer_salary_per_year",
    "overhead_per_year",
    "shelf_life_days",
    "salvage_share",
    "minimum_order_weeks",
    "case_pack_units",
    "promotion_response_dispersion",
    "key_account_sensitivity",
    "deal_decision_days",
)
ORG_KEYS = ("joint_weight", "service_weight", "launch_notice_days")
"""The numeric parameters issue 11 added (the booleans and choices are checked by their type)."""


def beyond(model: Any, key: str) -> tuple[float, str]:
    """A value just outside ``key``'s allowed range, and the word pydantic uses for the bound it breaks."""
    for meta in model.model_fields[key].metadata:
        if isinstance(meta, Le):
            return meta.le * 2 + 1, "less than or equal to"
        if isinstance(meta, Lt):
            return meta.lt * 2 + 1, "less than"
    for meta in model.model_fields[key].metadata:
        if isinstance(meta, Ge):
            return meta.ge - 1, "greater than or equal to"
        if isinstance(meta, Gt):
            return meta.gt - 1, "greater than"
    raise AssertionError(f"{key} has no bound")


def _bound_of(model: Any, key: str) -> tuple[float, str]:
    annotation = model.model_fields[key]
    if annotation.metadata:
        return beyond(model, key)
    # an optional bounded value (``Annotated[int, Field(...)] | None``): the bound sits in the union's member
    member = next(arg for arg in annotation.annotation.__args__ if arg is not type(None))
    for field in member.__metadata__:
        for meta in field.metadata:
            if isinstance(meta, Le):
                return meta.le * 2 + 1, "less than or equal to"
    raise AssertionError(f"{key} has no bound")


CASES = [("scenario", key, *_bound_of(CompanyScenario, key)) for key in SCENARIO_KEYS]
CASES += [("org", key, *_bound_of(OrgConfig, key)) for key in ORG_KEYS]


@pytest.mark.parametrize(("section", "key", "value", "bound"), CASES, ids=[case[1] for case in CASES])
def test_an_out_of_range_value_is_one_line_naming_the_key_and_the_bound(
    section: str, key: str, value: float, bound: str
) -> None:
    raw: dict[str, Any] = {section: {key: value}} if section == "org" else {section: {"kind": "company", key: value}}
    with pytest.raises(ConfigError) as caught:
        load_config(raw)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{section}.{key} = "), message
    assert bound in message, message


@pytest.mark.parametrize("key", ["walk_away_share", "shelf_life_days"])
def test_the_command_refuses_it_with_exit_2(key: str, tmp_path: Any) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sim.cli", f"scenario.{key}=-5", f"hydra.run.dir={tmp_path}/run"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and f"scenario.{key}" in lines[0], result.stderr
    assert not (tmp_path / "run" / "summary.json").exists()
