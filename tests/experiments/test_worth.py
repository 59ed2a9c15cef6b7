"""Is a lever worth what it costs: gross benefit, cost, net and the verdict, from a sweep's comparison."""

import math
from pathlib import Path

import pandas as pd
import pytest

from sim.analysis import worth


def row(arm: str, kpi: str, diff: float, low: float, high: float, baseline: bool = False) -> dict[str, object]:
    return {
        "arm": arm,
        "kpi": kpi,
        "is_baseline": baseline,
        "n_paired": 0 if baseline else 10,
        "diff_mean": diff,
        "diff_ci_low": low,
        "diff_ci_high": high,
    }


def comparison(*rows: dict[str, object]) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


SILO = [row("policy=silo", kpi, 0, 0, 0, baseline=True) for kpi in (worth.GROSS, worth.COST, worth.NET)]


def lever(arm: str, gross: tuple[float, float, float], cost: float, net: tuple[float, float, float]) -> list[dict]:
    return [row(arm, worth.GROSS, *gross), row(arm, worth.COST, cost, cost, cost), row(arm, worth.NET, *net)]


def test_each_lever_gets_its_benefit_cost_net_and_a_verdict_best_first() -> None:
    table = comparison(
        *SILO,
        *lever("policy=rotation", (7e3, -5e3, 20e3), 44e3, (-37e3, -53e3, -21e3)),
        *lever("policy=shared_metrics", (77e3, 50e3, 104e3), 9e3, (68e3, 41e3, 95e3)),
        *lever("policy=regular_meetings", (46e3, 12e3, 80e3), 16e3, (30e3, -5e3, 64e3)),
        *lever("policy=steering_committee", (-20e3, -40e3, -1e3), 14e3, (-34e3, -54e3, -15e3)),
    )
    found = worth.lever_worth(table)
    assert [w.name for w in found] == ["Shared metrics", "Regular meetings", "Steering committee", "Rotation"]
    verdicts = {w.name: w.verdict for w in found}
    assert verdicts["Shared metrics"].startswith("pays")
    assert verdicts["Regular meetings"].startswith("may pay")
    assert verdicts["Rotation"] == "does not pay at this cost"  # it would pay at under 7k a year
    assert verdicts["Steering committee"] == "does not pay, even before its cost"
    lines = worth.summary_lines(table)
    assert lines[1].split()[:2] == ["Shared", "metrics"] and "pays up to a cost of 77k" in lines[1]


def test_an_arm_without_a_lever_cost_is_not_a_lever() -> None:
    scenario = [row("scenario=calm", k, d, d, d) for k, d in ((worth.GROSS, 5e3), (worth.COST, 0.0), (worth.NET, 5e3))]
    assert worth.lever_worth(comparison(*SILO, *scenario)) == []
    assert worth.summary_lines(comparison(*SILO, *scenario)) == []


def test_one_seed_has_no_interval_and_says_so() -> None:
    nan = math.nan
    single = lever("policy=rotation", (7e3, nan, nan), 44e3, (-37e3, nan, nan))
    (found,) = worth.lever_worth(comparison(*SILO, *single))
    assert found.verdict == "too few seeds to tell"


@pytest.mark.parametrize(
    ("arm", "name"),
    [
        ("policy=shared_metrics", "Shared metrics"),
        ("policy=all", "All levers"),
        ("policy=[rotation,regular_meetings]", "Rotation + regular meetings"),
    ],
)
def test_levers_have_plain_names(arm: str, name: str) -> None:
    assert worth.plain_name(arm) == name


def test_in_a_real_sweep_gross_is_net_plus_the_levers_cost(tmp_path: Path) -> None:
    from sim.analysis import aggregate as agg
    from tests.experiments.test_aggregate import build_sweep

    result = agg.aggregate(build_sweep(tmp_path / "sweep", seeds=(1, 2)))
    found = worth.lever_worth(result.comparison)
    assert found, "the test sweep has a lever arm"
    for item in found:
        assert item.gross[0] == pytest.approx(item.net[0] + item.cost, rel=1e-9, abs=1e-6)
