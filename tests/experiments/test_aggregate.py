"""Aggregation of a sweep: the summary and comparison tables, the baseline, skipped runs, the command."""

import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats

from sim import cli, load_config
from sim.analysis import aggregate as agg
from sim.runner import run_to_folder
from tests.helpers import company

POLICIES = ("silo", "shared_metrics", "rotation")
SCENARIOS = {"calm": {"demand_cv": 0.2}, "seasonal": {"seasonality_amplitude": 0.35}}
SEEDS = (1, 2, 3)


def make_run(folder: Path, *, policy: str, seed: int, scenario: str = "calm", extra: tuple[str, ...] = ()) -> None:
    """One small real run written as Hydra would: the run folder and .hydra/overrides.yaml."""
    raw = company(horizon_days=42, warmup_days=14, seed=seed, name=scenario, **SCENARIOS[scenario])
    raw["policy"] = {} if policy == "silo" else {policy: {}}
    raw["output"] = {"charts": False, "print_summary": False}
    run_to_folder(load_config(raw), folder)
    overrides = [f"policy={policy}", f"scenario={scenario}", f"seed={seed}", "debug=default", *extra]
    (folder / ".hydra").mkdir()
    (folder / ".hydra" / "overrides.yaml").write_text(yaml.safe_dump(overrides))


def build_sweep(root: Path, policies=POLICIES, scenarios=tuple(SCENARIOS), seeds=SEEDS) -> Path:
    """Job folders 0, 1, 2, ... in Hydra's order (the last override varies fastest)."""
    number = 0
    for policy in policies:
        for scenario in scenarios:
            for seed in seeds:
                make_run(root / str(number), policy=policy, seed=seed, scenario=scenario)
                number += 1
    return root


@pytest.fixture(scope="module")
def sweep_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three policies x two scenarios x three seeds, built once (18 small runs, a few seconds)."""
    return build_sweep(tmp_path_factory.mktemp("template") / "sweep")


@pytest.fixture
def sweep(sweep_template: Path, tmp_path: Path) -> Path:
    """A private copy of the template that a test may damage."""
    return Path(shutil.copytree(sweep_template, tmp_path / "sweep"))


def kpis_of(run_dir: Path) -> dict[str, float]:
    return json.loads((run_dir / "summary.json").read_text())


def overrides_of(run_dir: Path) -> list[str]:
    return yaml.safe_load((run_dir / ".hydra" / "overrides.yaml").read_text())


# -- the summary table ----------------------------------------------------------------------------


def test_summary_has_one_row_per_run_with_its_overrides_seed_hash_and_every_kpi(sweep: Path) -> None:
    result = agg.aggregate(sweep)
    summary = pd.read_parquet(sweep / "summary.parquet")
    assert len(summary) == len(result.summary) == 18
    kpis = list(kpis_of(sweep / "0"))
    for column in ["run", "arm", "policy", "scenario", "debug", "seed", "config_hash", *kpis]:
        assert column in summary.columns, column
    row = summary.set_index("run").loc["10"]  # the 2nd policy, 2nd scenario, 2nd seed
    manifest = json.loads((sweep / "10" / "manifest.json").read_text())
    assert (row["policy"], row["scenario"], row["seed"]) == ("shared_metrics", "seasonal", 2)
    assert row["config_hash"] == manifest["config_hash"]
    assert row["operating_profit"] == pytest.approx(kpis_of(sweep / "10")["operating_profit"])
    # The arm is what differs between runs: debug=default is shared, so not in the label.
    assert row["arm"] == "policy=shared_metrics,scenario=seasonal"
    assert summary["seed"].dtype == np.int64
    assert sorted(summary["run"], key=int) == [str(n) for n in range(18)]


def test_comparison_has_each_arm_and_kpi_with_n_and_is_in_csv_too(sweep: Path) -> None:
    result = agg.aggregate(sweep)
    comparison = pd.read_parquet(sweep / "comparison.parquet")
    csv = pd.read_csv(sweep / "comparison.csv")
    kpis = list(kpis_of(sweep / "0"))
    assert len(comparison) == 6 * len(kpis) == len(csv)
    assert list(comparison["arm"].unique()) == result.arms
    assert result.arms[0] == "policy=silo,scenario=calm"
    assert (comparison["n"][comparison["kpi"] == "operating_profit"] == 3).all()
    np.testing.assert_allclose(csv["diff_mean"], comparison["diff_mean"], equal_nan=True)
    assert not list(sweep.glob(".*partial")), "temporary files left behind"


def test_paired_interval_matches_a_hand_computation(sweep: Path) -> None:
    result = agg.aggregate(sweep)
    runs = {tuple(overrides_of(d)[:3]): kpis_of(d) for d in sweep.iterdir() if d.is_dir()}
    for kpi in ("operating_profit", "fill_rate", "avg_inventory_value"):
        arm = np.array([runs["policy=shared_metrics", "scenario=seasonal", f"seed={s}"][kpi] for s in SEEDS])
        base = np.array([runs["policy=silo", "scenario=seasonal", f"seed={s}"][kpi] for s in SEEDS])
        differences = arm - base
        half = stats.t.ppf(0.975, len(SEEDS) - 1) * differences.std(ddof=1) / math.sqrt(len(SEEDS))
        row = result.comparison.set_index(["arm", "kpi"]).loc[("policy=shared_metrics,scenario=seasonal", kpi)]
        assert row["baseline"] == "policy=silo,scenario=seasonal"
        assert row["n_paired"] == len(SEEDS)
        assert row["mean"] == pytest.approx(arm.mean())
        assert row["diff_mean"] == pytest.approx(differences.mean())
        assert row["diff_ci_low"] == pytest.approx(differences.mean() - half)
        assert row["diff_ci_high"] == pytest.approx(differences.mean() + half)
        assert row["n_higher"] == int((differences > 0).sum())


# -- the baseline -----------------------------------------------------------------------------------


def test_each_scenario_is_compared_with_its_own_silo(sweep: Path) -> None:
    result = agg.aggregate(sweep)
    assert result.baseline == "policy=silo"
    arms = result.comparison.drop_duplicates("arm").set_index("arm")
    for arm, row in arms.iterrows():
        scenario = arm.split("scenario=")[1]
        assert row["baseline"] == f"policy=silo,scenario={scenario}"
        assert row["is_baseline"] == arm.startswith("policy=silo")
    silo_rows = result.comparison[result.comparison["is_baseline"]]
    assert silo_rows["diff_mean"].isna().all()


def test_a_given_baseline_replaces_the_silo_and_may_fix_every_key(sweep: Path) -> None:
    by_rotation = agg.aggregate(sweep, baseline="policy=rotation").comparison.drop_duplicates("arm")
    assert (
        dict(zip(by_rotation["arm"], by_rotation["baseline"], strict=True))["policy=silo,scenario=calm"]
        == "policy=rotation,scenario=calm"
    )
    one = agg.aggregate(sweep, baseline="policy=silo,scenario=calm").comparison.drop_duplicates("arm")
    assert set(one["baseline"]) == {"policy=silo,scenario=calm"}
    with pytest.raises(agg.SweepError, match="no arm"):
        agg.collect(sweep, baseline="policy=steering_committee")


def test_without_a_silo_only_means_are_given(tmp_path: Path, sweep_template: Path) -> None:
    sweep = tmp_path / "sweep"
    for run in sweep_template.iterdir():
        if run.is_dir() and "policy=silo" not in overrides_of(run):
            shutil.copytree(run, sweep / run.name)
    result = agg.aggregate(sweep)
    assert result.baseline is None
    assert result.comparison["baseline"].isna().all()
    assert result.comparison["diff_mean"].isna().all()
    assert result.comparison["mean"].notna().any()


def test_a_tuned_lever_is_compared_with_the_plain_silo(tmp_path: Path, sweep_template: Path) -> None:
    """``policy.rotation.spell_days=30`` (which adds the lever) pairs with ``policy=silo``."""
    sweep = tmp_path / "sweep"
    for run in sorted(sweep_template.iterdir()):
        lines = overrides_of(run)
        if lines[1] != "scenario=calm" or lines[0] == "policy=shared_metrics":
            continue
        shutil.copytree(run, sweep / run.name)
        if lines[0] == "policy=rotation":
            lines = ["policy.rotation.spell_days=30", *lines[1:]]
            (sweep / run.name / ".hydra" / "overrides.yaml").write_text(yaml.safe_dump(lines))
    arms = agg.aggregate(sweep).comparison.drop_duplicates("arm").set_index("arm")["baseline"].to_dict()
    assert arms == {"policy=silo": "policy=silo", "policy.rotation.spell_days=30": "policy=silo"}


# -- incomplete runs ----------------------------------------------------------------------------------


def test_damaged_runs_are_skipped_with_their_reason_and_never_counted(sweep: Path) -> None:
    # Jobs 3-5: silo/seasonal, 9-11: shared_metrics/seasonal, 12-14: rotation/calm (seeds 1-3).
    (sweep / "3" / "summary.json").unlink()
    manifest = json.loads((sweep / "4" / "manifest.json").read_text())
    (sweep / "4" / "manifest.json").write_text(json.dumps({**manifest, "status": "running"}))
    table = sweep / "9" / "timeseries.parquet"
    table.write_bytes(table.read_bytes()[: table.stat().st_size // 2])
    (sweep / "12" / "manifest.json").write_text('{"status": "compl')
    (sweep / "13" / "summary.json").write_text("{not json")
    (sweep / "14" / "manifest.json").unlink()

    result = agg.aggregate(sweep)
    reasons = {path.name: reason for path, reason in result.incomplete}
    assert set(reasons) == {"3", "4", "9", "12", "13", "14"}
    assert "summary.json" in reasons["3"] and "missing" in reasons["3"]
    assert "running" in reasons["4"]
    assert "timeseries.parquet" in reasons["9"] and "truncated" in reasons["9"]
    assert "manifest.json" in reasons["12"] and "unreadable" in reasons["12"]
    assert "summary.json" in reasons["13"] and "unreadable" in reasons["13"]
    assert "manifest.json" in reasons["14"]
    summary = pd.read_parquet(sweep / "summary.parquet")
    assert len(summary) == 12 and not set(summary["run"]) & set(reasons)
    rows = result.comparison[result.comparison["kpi"] == "operating_profit"].set_index("arm")
    assert "policy=rotation,scenario=calm" not in rows.index  # no complete run left
    assert rows.at["policy=silo,scenario=seasonal", "n"] == 1
    assert rows.at["policy=shared_metrics,scenario=seasonal", "n"] == 2
    assert rows.at["policy=shared_metrics,scenario=seasonal", "n_paired"] == 1  # seed 3 only
    seed_3 = summary[(summary["scenario"] == "seasonal") & (summary["seed"] == 3)].set_index("policy")
    expected = seed_3.at["shared_metrics", "operating_profit"] - seed_3.at["silo", "operating_profit"]
    assert rows.at["policy=shared_metrics,scenario=seasonal", "diff_mean"] == pytest.approx(expected)
    record = json.loads((sweep / "aggregate.json").read_text())
    assert {item["run"] for item in record["incomplete"]} == set(reasons)


def test_runs_with_bad_values_are_skipped_with_their_reason_never_averaged_as_nan(sweep: Path) -> None:
    """The hostile round's cases: a KPI that is text, a blank profit, overrides that are no key=value."""

    def rewrite_summary(job: str, **changes: object) -> None:
        (sweep / job / "summary.json").write_text(json.dumps({**kpis_of(sweep / job), **changes}))

    rewrite_summary("0", operating_profit="lots")
    rewrite_summary("1", fill_rate=None)
    rewrite_summary("2", holding_cost=float("inf"))
    (sweep / "6" / ".hydra" / "overrides.yaml").write_text(yaml.safe_dump(["policy=shared_metrics", "garbage"]))
    (sweep / "7" / ".hydra" / "overrides.yaml").write_text("just some text\n")
    lines = overrides_of(sweep / "8")
    (sweep / "8" / ".hydra" / "overrides.yaml").write_text(yaml.safe_dump([*lines[:-2], "seed=99", lines[-1]]))

    result = agg.aggregate(sweep)
    reasons = {path.name: reason for path, reason in result.incomplete}
    assert set(reasons) == {"0", "1", "2", "6", "7", "8"}, reasons
    assert reasons["0"] == "summary.json: operating_profit = 'lots' is not a number"
    assert reasons["1"] == "summary.json: fill_rate has no value"
    assert reasons["2"] == "summary.json: holding_cost is infinite"
    assert "'garbage' is not key=value" in reasons["6"] and "unreadable" in reasons["7"]
    assert "seed=99" in reasons["8"] and "manifest.json says seed=3" in reasons["8"]
    expected = {f"policy={policy},scenario={scenario}" for policy in POLICIES for scenario in SCENARIOS}
    assert set(result.arms) <= expected  # no run moved into an arm of its own
    assert not result.summary[["operating_profit", "fill_rate"]].isna().any().any()


def test_tables_are_rebuilt_when_a_run_changed_since_they_were_written(sweep: Path) -> None:
    """spsim-report and spsim-aggregate share one loader: a run cut short after aggregation is seen by both."""
    agg.aggregate(sweep)
    assert not agg.is_stale(sweep)
    _, fresh = agg.current(sweep)
    assert not fresh  # the written tables are reused while their inputs are unchanged
    table = sweep / "9" / "timeseries.parquet"
    table.write_bytes(table.read_bytes()[: table.stat().st_size // 2])
    assert agg.is_stale(sweep)
    result, fresh = agg.current(sweep)
    assert fresh and "9" in {path.name for path, _ in result.incomplete}


def test_run_folders_are_found_at_any_depth_and_reports_are_not_runs(tmp_path: Path, sweep_template: Path) -> None:
    sweep = tmp_path / "sweep"
    for run in sorted(sweep_template.iterdir())[:6]:
        shutil.copytree(run, sweep / "batch_a" / "nested" / run.name)
    (sweep / "report").mkdir()
    (sweep / "report" / "summary.json").write_text("{}")
    runs = agg.find_run_dirs(sweep)
    assert len(runs) == 6 and all(run.parent.name == "nested" for run in runs)
    assert len(agg.aggregate(sweep).summary) == 6


# -- the command -----------------------------------------------------------------------------------------


def run_main(main, arguments: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(arguments)
        raise SystemExit(0)
    captured = capsys.readouterr()
    return exit_info.value.code, captured.out, captured.err


def test_command_prints_what_it_wrote_and_what_it_skipped(sweep: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (sweep / "11" / "summary.json").unlink()
    status, out, err = run_main(cli.aggregate, [str(sweep), "--baseline", "policy=silo"], capsys)
    assert status == 0, err
    assert str(sweep / "summary.parquet") in out and str(sweep / "comparison.csv") in out
    assert "skipped 1" in out and "11: " in out and "summary.json" in out


def bad_inputs(tmp_path: Path, sweep_template: Path) -> dict[str, list[str]]:
    empty = tmp_path / "empty"
    empty.mkdir()
    unfinished = tmp_path / "unfinished"
    shutil.copytree(sweep_template / "0", unfinished / "0")
    manifest = json.loads((unfinished / "0" / "manifest.json").read_text())
    (unfinished / "0" / "manifest.json").write_text(json.dumps({**manifest, "status": "failed"}))
    return {
        "no such folder": [str(tmp_path / "nowhere")],
        "not a sweep": [str(empty)],
        "no complete run": [str(unfinished)],
        "no arm": [str(sweep_template), "--baseline", "policy=nothing"],
    }


def test_bad_input_is_one_line_exit_2_and_nothing_written(
    tmp_path: Path, sweep_template: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = sorted(p.name for p in sweep_template.iterdir())
    for expected, arguments in bad_inputs(tmp_path, sweep_template).items():
        status, out, err = run_main(cli.aggregate, arguments, capsys)
        assert status == 2, (arguments, err)
        assert err.count("\n") == 1 and expected in err and "Traceback" not in err, err
        assert out == ""
    assert sorted(p.name for p in sweep_template.iterdir()) == before
    assert not (tmp_path / "unfinished" / "summary.parquet").exists()
    assert not (tmp_path / "empty" / "summary.parquet").exists()


def test_console_script_exits_2_with_one_line(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("spsim-aggregate")
    result = subprocess.run([str(script), str(tmp_path / "nowhere")], capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [f"spsim-aggregate: error: {tmp_path / 'nowhere'}: no such folder"]
