"""The sweep report: files, charts, embedded HTML, the generated finding, stale tables, bad input."""

import base64
import json
import os
import re
import shutil
from pathlib import Path

import matplotlib.image as mpimg
import pandas as pd
import pytest

from sim import cli
from sim.analysis import aggregate as agg
from sim.analysis import report
from sim.analysis.worth import plain_name
from sim.output.kpis import KPI_DEFINITIONS
from tests.experiments.test_aggregate import build_sweep, overrides_of, run_main

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def two_scenarios(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three policies x two scenarios x two seeds (12 small runs), never written into."""
    return build_sweep(tmp_path_factory.mktemp("report") / "sweep", seeds=(1, 2))


@pytest.fixture
def one_scenario(two_scenarios: Path, tmp_path: Path) -> Path:
    """A fresh sweep of the calm scenario's runs only (not aggregated yet)."""
    sweep = tmp_path / "calm"
    for run in sorted(two_scenarios.iterdir()):
        if run.is_dir() and "scenario=calm" in overrides_of(run):
            shutil.copytree(run, sweep / run.name)
    return sweep


@pytest.fixture(scope="module")
def written(two_scenarios: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The report of the calm scenario, written once: (sweep folder, report.md's text)."""
    sweep = tmp_path_factory.mktemp("written") / "calm"
    for run in sorted(two_scenarios.iterdir()):
        if "scenario=calm" in overrides_of(run):
            shutil.copytree(run, sweep / run.name)
    path = report.write_report(sweep)
    assert path == sweep / "report" / "report.md"
    return sweep, path.read_text()


def test_report_folder_holds_markdown_html_and_valid_charts(written: tuple[Path, str]) -> None:
    sweep, _ = written
    folder = sweep / "report"
    charts = sorted(p.name for p in folder.glob("*.png"))
    assert charts == ["benefit_cost.png", "forest.png", "timeseries.png", "tradeoff.png"]
    for name in charts:
        data = (folder / name).read_bytes()
        assert data.startswith(PNG_SIGNATURE), name
        height, width = mpimg.imread(folder / name).shape[:2]
        tall_enough = height >= 700 or name == "benefit_cost.png"  # a row per lever: one lever, one short row
        assert width >= 1200 and tall_enough, (name, width, height)  # large enough for a projector
    assert (sweep / "summary.parquet").is_file(), "the report aggregates a sweep that was not"
    assert not [p for p in sweep.iterdir() if p.name.startswith(".")], "staging folders left behind"


def test_html_embeds_every_chart_and_needs_no_other_file(written: tuple[Path, str]) -> None:
    sweep, _ = written
    page = (sweep / "report" / "report.html").read_text()
    embedded = re.findall(r"src='data:image/png;base64,([A-Za-z0-9+/=]+)'", page)
    assert len(embedded) == 4
    assert base64.b64decode(embedded[0]) == (sweep / "report" / "benefit_cost.png").read_bytes()
    assert base64.b64decode(embedded[1]) == (sweep / "report" / "forest.png").read_bytes()
    assert ".png'" not in page and '.png"' not in page
    assert "<table>" in page and ("did best" in page or "closest was" in page)


@pytest.mark.slow
def test_text_names_the_best_arm_and_how_sure_that_is(written: tuple[Path, str]) -> None:
    sweep, text = written
    comparison = pd.read_parquet(sweep / "comparison.parquet")
    profit = comparison[(comparison["kpi"] == "operating_profit") & ~comparison["is_baseline"]]
    best = profit.sort_values("diff_mean", ascending=False).iloc[0]
    label = plain_name(best["arm"])
    finding, trade_offs = text.split("## Finding")[1].split("\n\n")[2:4]  # after the heading and the scope
    assert f"**{label}**" in finding
    assert ("did best" in finding) == (best["diff_mean"] > 0)
    if best["n_higher"] == best["n_lower"] == 0:
        assert "identical to the silo on all 2 paired seeds" in finding
    else:
        assert "95% CI" in finding and "of 2 seeds" in finding
        assert ("excludes zero" in finding) == (best["diff_ci_low"] > 0 or best["diff_ci_high"] < 0)
    assert trade_offs.startswith(f"Trade-offs of {label} against the silo")


def test_report_has_the_table_the_definitions_and_the_skip_count(written: tuple[Path, str]) -> None:
    _, text = written
    table = [line for line in text.splitlines() if line.startswith("| Operating profit")]
    assert len(table) == 3 and sum("baseline" in line for line in table) == 1
    for kpi in report.HEADLINE_KPIS:
        assert f"`{kpi}`: {KPI_DEFINITIONS[kpi]}" in text
    assert "No run folder was skipped" in text


def test_command_with_another_objective_prints_the_path_and_ranks_by_it(
    one_scenario: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run_main(cli.report, [str(one_scenario), "--objective", "fill_rate"], capsys)
    assert status == 0, err
    path = one_scenario / "report" / "report.md"
    assert out.splitlines() == [str(path), str(path.with_name("report.html"))]
    comparison = pd.read_parquet(one_scenario / "comparison.parquet")
    fill = comparison[(comparison["kpi"] == "fill_rate") & ~comparison["is_baseline"]]
    best = plain_name(fill.sort_values("diff_mean", ascending=False).iloc[0]["arm"])
    text = path.read_text()
    assert "## Finding in detail: fill rate" in text
    assert f"**{best}**" in text.split("## Finding")[1].split("##")[0]


@pytest.mark.slow
def test_each_scenario_gets_its_finding_and_charts(two_scenarios: Path, tmp_path: Path) -> None:
    sweep = Path(shutil.copytree(two_scenarios, tmp_path / "sweep"))
    text = report.write_report(sweep).read_text()
    assert "### scenario=calm" in text and "### scenario=seasonal" in text
    robust = text.split("## Would it hold?")[1].split("## Finding")[0]  # each lever tallied over the situations
    assert (
        "| Shared metrics | " in robust
        and "| the calm scenario | " in robust
        and "| the seasonal scenario | " in robust
    )
    names = {p.name for p in (sweep / "report").glob("*.png")}
    assert {"forest_scenario_calm.png", "forest_scenario_seasonal.png", "tradeoff.png"} <= names
    assert {"timeseries_scenario_calm.png", "timeseries_scenario_seasonal.png"} <= names


def test_stale_tables_are_aggregated_again_with_the_baseline_asked_for(one_scenario: Path) -> None:
    agg.aggregate(one_scenario, baseline="policy=rotation")
    manifest_path = one_scenario / "1" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest_path.write_text(json.dumps({**manifest, "status": "running"}))
    later = (one_scenario / "summary.parquet").stat().st_mtime + 5
    os.utime(manifest_path, (later, later))

    text = report.write_report(one_scenario).read_text()
    summary = pd.read_parquet(one_scenario / "summary.parquet")
    assert len(summary) == 5 and "1" not in set(summary["run"])
    comparison = pd.read_parquet(one_scenario / "comparison.parquet")
    assert set(comparison["baseline"]) == {"policy=rotation"}
    assert "1 run folder skipped as incomplete" in text
    assert "`1`: status is 'running'" in text


def test_bad_input_is_one_line_exit_2_and_nothing_written(
    one_scenario: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    unfinished = tmp_path / "unfinished"
    shutil.copytree(one_scenario / "0", unfinished / "0")
    (unfinished / "0" / "summary.json").write_text("")
    cases = {
        "no such folder": [str(tmp_path / "nowhere")],
        "not a sweep": [str(empty)],
        "no complete run": [str(unfinished)],
        "not a KPI of this sweep (did you mean operating_profit": [str(one_scenario), "--objective", "profit"],
    }
    for expected, arguments in cases.items():
        status, out, err = run_main(cli.report, arguments, capsys)
        assert status == 2, (arguments, err)
        assert err.count("\n") == 1 and expected in err and "Traceback" not in err, err
        assert out == ""
    for folder in (empty, unfinished, one_scenario):
        assert not (folder / "report").exists() and not (folder / "summary.parquet").exists()
        assert not [p for p in folder.iterdir() if p.name.startswith(".")]
