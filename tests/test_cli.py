"""The ``spsim`` command end to end: run folders, the textbook through the CLI, bad input."""

import json
import re
from pathlib import Path

import matplotlib.image
import pandas as pd
import pytest
import yaml

from sim.compose import precheck
from sim.config import ConfigError
from sim.configure import load_config
from sim.output.rundir import config_hash
from sim.output.runfolder import is_complete
from tests.helpers import describe, spsim

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
RESULT_FILES = (
    "manifest.json",
    "config.yaml",
    "summary.json",
    "timeseries.parquet",
    "sku_timeseries.parquet",
    "events.parquet",
    "signals.parquet",
    "charts/dashboard.png",
)


def check_run_folder(run_dir: Path, *, seed: int, scenario: str) -> dict:
    """A complete, self-consistent run folder; returns its summary."""
    for name in RESULT_FILES:
        assert (run_dir / name).is_file(), f"{name} missing in {run_dir}"
    assert not list(run_dir.rglob("*.partial")), "a temporary file was left behind"

    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert manifest["seed"] == seed
    assert manifest["scenario"] == scenario
    assert re.fullmatch(r"[0-9a-f]{16,64}", manifest["config_hash"])
    assert re.fullmatch(r"([0-9a-f]{40}(-dirty)?|unknown)", manifest["git_commit"])
    assert isinstance(manifest["wall_time_s"], (int, float)) and manifest["wall_time_s"] >= 0
    for package in ("sim", "mesa", "simpy", "numpy", "pandas", "pyarrow", "hydra-core", "pydantic"):
        assert manifest["packages"].get(package, "not installed") != "not installed", package
    for name in RESULT_FILES[1:]:
        assert name in manifest["files"]
    assert is_complete(run_dir)

    config = load_config(yaml.safe_load((run_dir / "config.yaml").read_text()))
    assert config.seed == seed
    assert config_hash(config) == manifest["config_hash"], "config.yaml does not reproduce the manifest's hash"

    png = (run_dir / "charts" / "dashboard.png").read_bytes()
    assert png.startswith(PNG_MAGIC)
    image = matplotlib.image.imread(run_dir / "charts" / "dashboard.png")
    assert image.ndim == 3 and image.shape[0] > 200 and image.shape[1] > 200

    summary = json.loads((run_dir / "summary.json").read_text())
    days = config.horizon_days + config.warmup_days
    daily = pd.read_parquet(run_dir / "timeseries.parquet")
    assert daily["day"].tolist() == list(range(days))
    per_sku = pd.read_parquet(run_dir / "sku_timeseries.parquet")
    assert len(per_sku) == days * per_sku["sku"].nunique()
    events = pd.read_parquet(run_dir / "events.parquet")
    assert {"time", "event", "agent", "sku", "account", "quantity", "value"} <= set(events.columns)
    assert (events["event"] == "order").any()
    assert summary["demand_units"] == per_sku.loc[per_sku["day"] >= config.warmup_days, "demand"].sum()
    pd.read_parquet(run_dir / "signals.parquet")
    return summary


def test_default_debug_run_writes_a_complete_folder(debug_run: Path) -> None:
    summary = check_run_folder(debug_run, seed=1, scenario="default")
    assert summary["days"] == 56  # debug shrinks the horizon to 8 weeks
    config = yaml.safe_load((debug_run / "config.yaml").read_text())
    assert (config["horizon_days"], config["warmup_days"]) == (56, 14)
    assert config["output"]["print_summary"] is False


def test_textbook_debug_run_lands_under_spsim_results(results: Path) -> None:
    result = spsim(["scenario=textbook", "debug=default", "seed=3"], results=results)
    assert result.returncode == 0, describe(result)
    runs = list((results / "runs").iterdir())
    assert len(runs) == 1, runs
    assert runs[0].name.endswith("_textbook_seed3")
    summary = check_run_folder(runs[0], seed=3, scenario="textbook")
    assert summary["days"] == 56


def test_textbook_through_the_cli_agrees_with_theory(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    result = spsim(
        [
            "scenario=textbook",
            "scenario.demand_mean=100",
            "scenario.demand_sd=20",
            "scenario.lead_time_days=2",
            "scenario.forecast_window=5",
            "scenario.safety_z=1.645",
            "horizon_days=20000",
            "seed=1",
            f"hydra.run.dir={run_dir}",
        ],
        results=tmp_path / "results",
    )
    assert result.returncode == 0, describe(result)
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["days"] == 20000
    # Chen et al. with protection L+1 = 3, p = 5: 1 + 2·3/5 + 2·9/25 = 2.92; one seed over
    # 20,000 days scatters by about 0.5%, L instead of L+1 would give 2.12.
    assert summary["bullwhip_ratio"] == pytest.approx(2.92, rel=0.03)
    assert summary["avg_orders_in_transit"] == pytest.approx(200.0, abs=2.0)  # Little: L·m
    assert summary["lost_sales_units"] == 0
    assert "bullwhip_ratio" in result.stdout  # the headline table is printed


def test_printed_summary_names_the_run_folder(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    result = spsim(
        ["scenario=textbook", "horizon_days=30", "warmup_days=5", "output.charts=false", f"hydra.run.dir={run_dir}"],
        results=tmp_path / "results",
    )
    assert result.returncode == 0, describe(result)
    assert str(run_dir) in result.stdout
    assert "fill_rate" in result.stdout
    assert not (run_dir / "charts" / "dashboard.png").exists()  # charts switched off
    assert json.loads((run_dir / "manifest.json").read_text())["status"] == "complete"
    assert is_complete(run_dir)


BAD_COMMAND_LINES = [
    # (arguments, the key the message must name)
    (["seed=abc"], "seed"),
    (["horizon_days=1.5"], "horizon_days"),
    (["bogus=1"], "bogus"),
    (["+bogus=1"], "bogus"),
    (["scenario=textbook", "scenario.lead_time_days=-1"], "scenario.lead_time_days"),
    (["scenario.lead_time_mean_days=-1"], "scenario.lead_time_mean_days"),
    (["scenario.key_account_share=1.5"], "scenario.key_account_share"),
    (["scenario=nope"], "scenario"),
    (["scenario.nested.x=1"], "scenario.nested"),
    (["+scenario.bogus=1"], "scenario.bogus"),
    (["org.bogus=1"], "org.bogus"),
    (["org=nope"], "org"),
    (["output.charts=maybe"], "output.charts"),
    (["policy=nope"], "policy"),
    (["debug=default", "warmup_days=-1"], "warmup_days"),
    (["-m", "seed=1,2", "horizon_days=0"], "horizon_days"),
    (["-m", "scenario.skus=3,abc"], "scenario.skus"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("arguments", "key"), BAD_COMMAND_LINES, ids=[" ".join(a) for a, _ in BAD_COMMAND_LINES])
def test_bad_command_line_is_refused_before_hydra_runs(arguments: list[str], key: str) -> None:
    """``precheck`` is what ``spsim`` runs before Hydra creates anything (in-process: fast)."""
    with pytest.raises(ConfigError) as caught:
        precheck(arguments)
    message = str(caught.value)
    assert "\n" not in message
    assert key in message, f"{key!r} not named in {message!r}"


# The whole contract through the console script, for one case of each kind.
BAD_COMMAND_LINES_END_TO_END = [
    (["seed=abc"], "seed"),  # wrong type
    (["+bogus=1"], "bogus"),  # unknown key, added
    (["scenario.nested.x=1"], "scenario.nested"),  # unknown nested key
    (["scenario=textbook", "scenario.lead_time_days=-1"], "scenario.lead_time_days"),  # out of range
    (["scenario.key_account_share=1.5"], "scenario.key_account_share"),  # a share above 1
    (["scenario=nope"], "scenario"),  # missing config option
    (["-m", "seed=1,2", "horizon_days=0"], "horizon_days"),  # in a sweep
]


@pytest.mark.parametrize(
    ("arguments", "key"),
    BAD_COMMAND_LINES_END_TO_END,
    ids=[" ".join(a) for a, _ in BAD_COMMAND_LINES_END_TO_END],
)
def test_bad_input_is_one_line_exit_2_and_no_folder(arguments: list[str], key: str, tmp_path: Path) -> None:
    results, run_dir = tmp_path / "results", tmp_path / "run"
    result = spsim([*arguments, f"hydra.run.dir={run_dir}"], results=results)
    assert result.returncode == 2, describe(result)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, describe(result)
    assert lines[0].startswith("spsim: error: "), lines[0]
    assert key in lines[0], f"{key!r} not named in {lines[0]!r}"
    assert "Traceback" not in result.stderr + result.stdout
    assert not run_dir.exists(), "a run folder was created for a bad command line"
    assert not results.exists(), f"something was written under SPSIM_RESULTS: {list(results.rglob('*'))}"


def test_missing_config_option_lists_the_available_ones() -> None:
    with pytest.raises(ConfigError) as caught:
        precheck(["scenario=nope"])
    for option in ("default", "textbook", "disruption"):
        assert option in str(caught.value)


def test_spsim_runs_from_any_folder(tmp_path: Path) -> None:
    """The console script is installed: it must not depend on being started in the checkout."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    run_dir = tmp_path / "run"
    result = spsim(
        ["scenario=textbook", "debug=default", "output.charts=false", f"hydra.run.dir={run_dir}"],
        results=tmp_path / "results",
        cwd=elsewhere,
    )
    assert result.returncode == 0, describe(result)
    assert is_complete(run_dir)
    assert list(elsewhere.iterdir()) == [], "spsim wrote into the folder it was started from"
