"""From a sweep to a decision: the gap shares, the interaction, cost flips, and page 1 of the report.

The statistics are checked on tables built by hand (so the expected number is known); the
report on a small real sweep of the experiments' arms (silo, aligned, a lever and all levers,
at two safety factors), written as Hydra writes it.
"""

import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from sim import load_config
from sim.analysis import aggregate as agg
from sim.analysis import gap, interaction, report, robustness
from sim.analysis.design import design
from sim.analysis.worth import LeverWorth
from sim.compose import compose_config
from sim.runner import run_to_folder

ARMS = ("silo", "aligned", "rotation", "shared_metrics", "all")
GRID = ("1.2", "1.8")
SEEDS = (1, 2, 3)


def make_arm_run(folder: Path, arm: str, z: str, seed: int) -> None:
    """One short run of an experiment's arm, written as Hydra would (overrides in .hydra/)."""
    overrides = [f"arm={arm}", "debug=default", f"org.safety_z={z}", f"seed={seed}"]
    raw = compose_config(overrides)
    raw.update(horizon_days=42, warmup_days=14, output={"charts": False, "print_summary": False})
    raw["scenario"].update(accounts=60, skus=12, sales_reps=2, buyers=2, suppliers=3)
    run_to_folder(load_config(raw), folder)
    (folder / ".hydra").mkdir()
    (folder / ".hydra" / "overrides.yaml").write_text(yaml.safe_dump(overrides))


@pytest.fixture(scope="module")
def sweep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("decision") / "compare"
    for arm in ARMS:
        for z in GRID:
            for seed in SEEDS:
                make_arm_run(root / f"arm={arm},debug=default,org.safety_z={z},seed={seed}", arm, z, seed)
    return root


@pytest.fixture(scope="module")
def written(sweep: Path) -> str:
    return report.write_report(sweep, target_fill_rate=0.97).read_text()


# -- the sweep's design ------------------------------------------------------------------------


@pytest.mark.slow
def test_the_main_arms_are_read_at_the_companys_own_safety_factor(sweep: Path) -> None:
    found = design(agg.collect(sweep))
    assert found.frontier_key == "org.safety_z" and found.frontier_values == (1.2, 1.8)
    assert found.reference_value == 1.8  # the silo's own (configs/org/silo.yaml), not the grid's middle
    assert len(found.main.arms) == len(ARMS) and all("safety_z=1.8" in arm for arm in found.main.arms)
    assert set(found.main.summary["org.safety_z"]) == {1.8}
    (baseline,) = found.references
    assert "arm=silo" in baseline and "arm=aligned" in found.references[baseline]


def test_a_sweep_without_a_grid_or_an_aligned_arm_keeps_every_arm(sweep: Path, tmp_path: Path) -> None:
    subset = tmp_path / "plain"
    for run in sweep.iterdir():
        if "safety_z=1.8" in run.name and "aligned" not in run.name:
            shutil.copytree(run, subset / run.name)
    found = design(agg.collect(subset))
    assert found.frontier_key is None and found.main is found.result and found.references == {}


# -- the gap ---------------------------------------------------------------------------------------


@pytest.mark.slow
def test_gap_share_is_the_ratio_of_the_paired_means_with_a_bootstrap_interval(sweep: Path) -> None:
    main = design(agg.collect(sweep)).main
    references = design(agg.collect(sweep)).references
    shares = {share.name: share for share in gap.shares(main, references)}
    assert set(shares) == {"Rotation", "Shared metrics", "All levers"}  # levers only: not the silo, not aligned
    per_seed = main.summary.set_index(["arm", "seed"])
    label = {name: next(arm for arm in main.arms if f"arm={name}," in arm) for name in ARMS}

    def profit(name: str, kpi: str = "operating_profit") -> np.ndarray:
        return per_seed.loc[label[name]].loc[list(SEEDS)][kpi].to_numpy()

    gap_per_seed = profit("aligned") - profit("silo")
    share = shares["Rotation"]
    assert share.gap[0] == pytest.approx(gap_per_seed.mean())
    if share.gap_established:
        expected = (profit("rotation") - profit("silo")).mean() / gap_per_seed.mean()
        assert share.net[0] == pytest.approx(expected)
        assert share.net[1] <= share.net[0] <= share.net[2]
        gross = (profit("rotation", "profit_before_levers") - profit("silo")).mean() / gap_per_seed.mean()
        assert share.gross[0] == pytest.approx(gross) and share.gross[0] >= share.net[0]  # its cost comes off
    else:
        assert math.isnan(share.net[0])  # no share of a gap that is not there


def test_ratio_interval_covers_a_known_ratio() -> None:
    rng = np.random.default_rng(4)
    gap_values = 100 + rng.normal(0, 5, 30)
    lever = 0.4 * gap_values + rng.normal(0, 2, 30)
    estimate, low, high = gap.ratio_interval(lever, gap_values)
    assert low < 0.4 < high and low < estimate < high and high - low < 0.1
    again = gap.ratio_interval(lever, gap_values)
    assert again == (estimate, low, high)  # a fixed generator: the report is reproducible


# -- interaction and cost flips ----------------------------------------------------------------


def _aggregate(summary: pd.DataFrame, baseline_of: dict[str, str]) -> agg.Aggregate:
    arms = list(dict.fromkeys(summary["arm"]))
    comparison = pd.DataFrame({"arm": arms, "baseline": [baseline_of[arm] for arm in arms]})
    return agg.Aggregate(summary=summary, comparison=comparison, incomplete=[], arms=arms)


def test_interaction_is_the_joint_gain_minus_the_sum_of_the_single_gains() -> None:
    rows = []
    for seed in range(1, 9):
        market = 1000.0 * seed  # the same market for every arm on a seed: it cancels out
        single = {"a": 50.0 + seed, "b": 30.0 - seed}
        joint = single["a"] + single["b"] - 20.0 + (seed % 2)  # overlap: 19.5 a seed on average
        for arm, levers, gain in (
            ("s", "silo", 0.0),
            ("a", "a", single["a"]),
            ("b", "b", single["b"]),
            ("j", "a,b", joint),
        ):
            rows.append(
                {
                    "arm": arm,
                    "seed": seed,
                    "levers": levers,
                    "profit_before_levers": market + gain,
                    "operating_profit": market + gain,
                }
            )
    summary = pd.DataFrame(rows)
    (found,) = interaction.interactions(_aggregate(summary, {"s": "s", "a": "s", "b": "s", "j": "s"}))
    assert found.joint == "j" and set(found.singles) == {"a", "b"}
    assert found.gross[0] == pytest.approx(-19.5) and found.gross[2] < 0
    assert "overlap" in found.words


def worth_of(name: str, gross: float, cost: float) -> LeverWorth:
    net = gross - cost
    return LeverWorth(
        arm=f"arm={name}",
        name=name,
        gross=(gross, gross - 5, gross + 5),
        cost=cost,
        net=(net, net - 5, net + 5),
        seeds=10,
    )


def test_cost_flips_name_the_swap_and_the_break_even_within_the_spread() -> None:
    cheap, dear = worth_of("Cheap", 60e3, 10e3), worth_of("Dear", 100e3, 45e3)  # nets 50k and 55k
    sentences = robustness.cost_flips(sorted([cheap, dear], key=lambda w: -w.net[0]))
    # dear - cheap nets: 40k - 35k·m = 0 at m = 8/7: a 14% rise swaps them
    assert any("Cheap overtakes Dear" in text and "rise" in text and "14%" in text for text in sentences)
    assert not any("stops paying" in text for text in sentences)  # break-evens at m = 6 and 2.2: far away
    tight = worth_of("Tight", 50e3, 40e3)  # pays 10k; stops at m = 1.25
    assert any(
        text.startswith("On the means, Tight stops paying if its cost rises by 25%")
        for text in robustness.cost_flips([tight])
    )
    assert robustness.cost_flips([worth_of("Far", 300e3, 10e3)]) == []


def test_situations_are_tallied_and_a_different_winner_is_named() -> None:
    def situation(name: str, *worths: LeverWorth) -> robustness.Situation:
        return robustness.Situation(name, sorted(worths, key=lambda w: -w.net[0]))

    found = [
        situation("the stable scenario", worth_of("A", 80e3, 10e3), worth_of("B", 40e3, 10e3)),
        situation("the seasonal scenario", worth_of("A", 70e3, 10e3), worth_of("B", 30e3, 10e3)),
        situation("the launch scenario", worth_of("A", 10e3, 10e3), worth_of("B", 60e3, 10e3)),
    ]
    tallies = {tally.name: tally for tally in robustness.tallies(found)}
    assert (tallies["A"].pays, tallies["A"].unclear, tallies["A"].total) == (2, 1, 3)
    (flip,) = robustness.ranking_flips(found)
    assert flip.startswith("In the launch scenario, B comes first") and "not A" in flip


# -- the report -----------------------------------------------------------------------------------


def page_one(text: str) -> str:
    return text.split("\n---\n", 1)[0]


def test_page_one_holds_the_recommendation_the_gap_and_the_benefit_cost_chart(sweep: Path, written: str) -> None:
    first = page_one(written)
    assert first.startswith("# Which alignment levers pay? The default company")
    assert "**Recommendation:" in first or "**No lever pays here.**" in first
    assert "**The alignment gap**" in first
    assert "![Benefit before its cost" in first and (sweep / "report" / "benefit_cost.png").is_file()
    assert "**At equal service**" in first
    assert "thousand EUR" in first and "currency units" not in first  # money in the scenario's currency
    for raw in ("shared_metrics", "policy=", "arm="):
        assert raw not in first, raw  # plain lever names on page 1
    summary = (sweep / "report" / "summary.txt").read_text()
    assert 3 <= len(summary.splitlines()) <= 14 and "**" not in summary


def test_the_report_answers_each_question_in_its_own_section(sweep: Path, written: str) -> None:
    for heading in (
        "## Is each lever worth what it costs?",
        "## The alignment gap: how much of it each lever closes",
        "## Better, or only more stock? The arms at equal service",
        "## Why all levers together are not the sum of their parts",
        "## Would it hold?",
        "## Appendix A: every arm and its KPIs",
        "## Appendix B: for researchers",
    ):
        assert heading in written, heading
    assert (sweep / "report" / "frontier.png").is_file()
    assert "Profit Δ at 97% fill rate" in written  # the target fill rate given
    wide = written.split("## Appendix A")[1].split("## Appendix B")[0]
    assert wide.count("\n| ") - 1 == len(ARMS)  # arms as rows (plus the header)
    assert "git commit" in written and "Frontier grid: `org.safety_z` = 1.2, 1.8" in written
    html = (sweep / "report" / "report.html").read_text()
    assert "<section class='summary'>" in html and "@media print" in html and "break-before: page" in html


def test_a_bad_target_fill_rate_is_refused_before_anything_is_written(sweep: Path) -> None:
    for bad in (0.0, 1.5, float("nan")):
        with pytest.raises(agg.SweepError, match="--target-fill-rate"):
            report.write_report(sweep, target_fill_rate=bad)


def test_the_frontier_of_a_real_sweep_rises_with_the_safety_factor(sweep: Path) -> None:
    """Inventory theory: more safety stock, more stock held, on every seed (common random numbers)."""
    summary = agg.collect(sweep).summary
    silo = summary[summary["arm"].str.contains("arm=silo")].pivot(
        index="seed", columns="org.safety_z", values="avg_inventory_value"
    )
    assert (silo[1.8] > silo[1.2]).all()
