"""The EMA Workbench adapter and the PRIM worked example."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from ema_workbench import Sample, perform_experiments

from experiments import prim_example
from sim.analysis import ema, runs, settings
from sim.config import ConfigError

SMALL = {"kind": "company", "skus": 4, "accounts": 15, "sales_reps": 2, "buyers": 2, "suppliers": 3}


@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_the_adapter_runs_experiments_and_returns_the_named_outcomes() -> None:
    """Through EMA's multiprocessing evaluator, as the PRIM example runs by default."""
    uncertainties = {"scenario.demand_cv": [0.2, 1.0], "scenario.lead_time_mean_days": [4.0, 20.0]}
    model = ema.build_model(
        "adapter_test",
        uncertainties=uncertainties,
        levers={"policy.steering_committee.members": [0, 8]},
        base={"scenario": SMALL},
        seeds=[1, 2],
        debug=True,
    )
    policies = [Sample("off", steering_committee__members=0), Sample("on", steering_committee__members=6)]
    with ema.evaluator(model, "multiprocessing", 2) as evaluator:
        experiments, outcomes = perform_experiments(model, scenarios=2, policies=policies, evaluator=evaluator)

    assert len(experiments) == 4
    assert set(outcomes) == {*ema.OUTCOMES, "operating_profit_by_seed"}
    assert outcomes["operating_profit_by_seed"].shape == (4, 2)
    np.testing.assert_allclose(outcomes["operating_profit_by_seed"].mean(axis=1), outcomes["operating_profit"])
    for name, (low, high) in (("demand_cv", (0.2, 1.0)), ("lead_time_mean_days", (4.0, 20.0))):
        assert experiments[name].between(low, high).all()
    on = experiments["policy"].astype(str).to_numpy() == "on"
    assert (outcomes["policy_cost_total"][on] > 0).all() and (outcomes["policy_cost_total"][~on] == 0).all()

    # The lever at zero intensity is the silo, bit for bit: what the PRIM example's pairing rests on.
    first = experiments.iloc[int(np.flatnonzero(~on)[0])]
    silo = settings.with_values(
        settings.base_config({"scenario": SMALL}, debug=True),
        {f"scenario.{name}": float(first[name]) for name in ("demand_cv", "lead_time_mean_days")},
    )
    plain = [runs.run_summary({**silo, "seed": seed})["operating_profit"] for seed in (1, 2)]
    assert outcomes["operating_profit_by_seed"][int(np.flatnonzero(~on)[0])].tolist() == plain


def test_the_adapter_checks_keys_like_a_run_config() -> None:
    with pytest.raises(ConfigError, match=r"scenario\.demand_cvv: unknown key"):
        ema.build_model(uncertainties={"scenario.demand_cvv": [0.2, 1.0]})
    with pytest.raises(ConfigError, match="unknown KPI"):
        ema.build_model(outcomes=("profit",))


def test_prim_finds_the_region_it_was_built_around() -> None:
    """Synthetic markets: the lever loses exactly where demand_cv > 0.6; PRIM must say so."""
    rng = np.random.default_rng(7)
    markets = pd.DataFrame({"demand_cv": rng.uniform(0.2, 1.0, 300), "gross_margin": rng.uniform(0.15, 0.45, 300)})
    markets["loses"] = markets["demand_cv"] > 0.6
    result = prim_example.find_box(markets, ["demand_cv", "gross_margin"], density=0.8)
    assert result.limits is not None and result.dense_enough
    restricted = result.limits[result.limits["restricted"]]
    assert list(restricted["uncertainty"]) == ["demand_cv"]
    # The widest dense box stops within a peel (5% of the markets) below the true edge at 0.6.
    assert 0.5 < restricted["box_low"].iloc[0] <= 0.6
    assert restricted["box_high"].iloc[0] == markets["demand_cv"].max()
    assert prim_example.in_box(markets, result.limits).eq(markets["loses"]).mean() > 0.95
    assert prim_example.conditions(result.limits)[0].startswith("`demand_cv` ≥ 0.5")


def test_prim_has_no_box_when_the_lever_never_loses() -> None:
    markets = pd.DataFrame({"demand_cv": [0.3, 0.5, 0.9], "loses": [False, False, False]})
    result = prim_example.find_box(markets, ["demand_cv"], density=0.8)
    assert result.limits is None and "paid off in every sampled market" in result.reason


@pytest.mark.slow
def test_the_prim_example_runs_end_to_end(tmp_path: Path) -> None:
    out = tmp_path / "prim"
    arguments = "--experiments 4 --seeds 1 --lever steering_committee --debug --evaluator sequential --processes 1"
    result = prim_example.main([*arguments.split(), "--out", str(out)])

    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    for name in ("summary.md", "box_limits.csv", "markets.parquet", "experiments.parquet", "gains.png"):
        assert name in manifest["files"] or name == "summary.md"
        assert (out / name).stat().st_size > 0, name
    markets = pd.read_parquet(out / "markets.parquet")
    assert len(markets) == 4 and len(pd.read_parquet(out / "experiments.parquet")) == 8
    np.testing.assert_allclose(
        markets["gain"], markets["operating_profit_steering_committee"] - markets["operating_profit_silo"]
    )
    summary = (out / "summary.md").read_text()
    limits = pd.read_csv(out / "box_limits.csv")
    if result.limits is None:  # tiny samples may leave nothing to box: said so, no box written
        assert "No box:" in summary and limits.empty
    else:
        assert (out / "peeling_trajectory.png").is_file() and limits["restricted"].any()
        assert "Conditions under which the lever stops paying off" in summary
