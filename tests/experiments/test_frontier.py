"""Equal service: each arm's profit and stock read off its stock–service frontier at the silo's fill rate.

Synthetic sweeps whose frontiers are known (no simulation) check each verdict, the size of
a shift, extrapolation, the target fill rate and bad input; one small real sweep checks
that the simulated fill rate rises with the safety factor and the comparison is finite.
"""

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from PIL import Image

from sim.analysis import aggregate as agg
from sim.analysis import frontier as fr
from sim.analysis.frontier_chart import draw_frontier
from sim.compose import validated
from sim.runner import run_to_folder

GRID = (1.2, 1.8, 2.4)
WIDE_GRID = (0.6, 1.2, 1.8, 2.4, 3.0)
SEEDS = tuple(range(1, 9))
DEFAULT_Z = 1.8
NOISE = 1_000.0  # currency: what is left of a run once its market is taken out


def silo_fill(z: float) -> float:
    """More safety stock, more service: the silo's fill rate at safety factor z."""
    return 0.90 + 0.03 * (z - DEFAULT_Z)


def straight(fill: float) -> float:
    """Profit along a straight frontier: service earns more than its stock costs here."""
    return 1e6 + 2e6 * (fill - 0.90)


def curved(fill: float) -> float:
    """Profit along a concave frontier: its best point lies at 92% fill rate."""
    return 1e6 - 5e7 * (fill - 0.92) ** 2


def stock(fill: float) -> float:
    """Average inventory value: more service takes more stock."""
    return 8e5 + 4e6 * (fill - 0.90)


def sweep(
    arms: dict[str, Callable[[float], float]],
    *,
    profit: Callable[[float], float] = straight,
    shift: dict[str, float] | None = None,
    grid: tuple[float, ...] = GRID,
    noise: float = NOISE,
    rng_seed: int = 7,
) -> pd.DataFrame:
    """One row per arm, seed and grid value; each arm its z -> fill mapping, its profit ``profit(fill) + shift``.

    Every seed adds its market to the profit of every arm (common random numbers); the noise
    of each run is taken out of its mean over seeds, so noise alone has a mean difference of zero.
    """
    rng = np.random.default_rng(rng_seed)
    market = {seed: rng.normal(0.0, 50_000.0) for seed in SEEDS}
    rows = []
    for arm, fill_of in arms.items():
        errors = rng.normal(0.0, noise, size=(len(SEEDS), len(grid)))
        errors -= errors.mean(axis=0)
        for i, seed in enumerate(SEEDS):
            for j, z in enumerate(grid):
                fill = fill_of(z)
                rows.append(
                    {
                        "arm": f"policy={arm},org.safety_z={z}",
                        "lever": arm,
                        "org.safety_z": z,
                        "seed": seed,
                        "fill_rate": fill,
                        "operating_profit": profit(fill) + (shift or {}).get(arm, 0.0) + market[seed] + errors[i, j],
                        "avg_inventory_value": stock(fill) + 2.0 * errors[i, j],
                    }
                )
    return pd.DataFrame(rows)


def compare(summary: pd.DataFrame, **options: Any) -> fr.Frontier:
    return fr.frontier(summary, lever="lever", base="silo", reference_value=DEFAULT_Z, **options)


# -- the verdicts ------------------------------------------------------------------------------


@pytest.mark.parametrize(("grid", "profit"), [(GRID, straight), (WIDE_GRID, curved)], ids=["line", "quadratic"])
def test_a_lever_that_only_holds_more_stock_moves_along_the_frontier(
    grid: tuple[float, ...], profit: Callable[[float], float]
) -> None:
    """Its z -> fill mapping differs, its curve is the silo's: more profit as run, none at equal service."""
    summary = sweep({"silo": silo_fill, "stockpile": lambda z: silo_fill(z + 0.3)}, profit=profit, grid=grid)
    summary["org.safety_z"] = summary["org.safety_z"].map(str)  # the grid as text, as overrides are
    result = compare(summary)
    row = result.arm("stockpile")
    equal, as_run = row.equal_service["operating_profit"].interval, row.as_run["operating_profit"].interval
    assert as_run.excludes_zero and abs(as_run.mean) > 5_000  # as run, it looks like a different profit ...
    assert not equal.excludes_zero and abs(equal.mean) < 100  # ... at equal service, it is the silo
    assert abs(row.equal_service["avg_inventory_value"].interval.mean) < 100
    assert row.as_run["fill_rate"].interval.mean == pytest.approx(0.009)
    assert row.verdict == fr.ALONG
    assert row.extrapolated == 0
    assert result.arm("silo").verdict == fr.BASELINE
    assert result.per_seed["degree"].eq(2 if len(grid) >= 4 else 1).all()


@pytest.mark.parametrize(("amount", "expected"), [(50_000.0, fr.UP), (-50_000.0, fr.DOWN)])
def test_a_frontier_shifted_by_a_known_amount_gives_that_amount(amount: float, expected: str) -> None:
    summary = sweep(
        {"silo": silo_fill, "better": lambda z: silo_fill(z - 0.2)}, shift={"better": amount}, profit=curved
    )
    row = compare(summary).arm("better")
    assert row.equal_service["operating_profit"].interval.mean == pytest.approx(amount, abs=2_000)
    assert row.equal_service["operating_profit"].interval.n == len(SEEDS)
    assert row.verdict == expected


def test_noise_alone_is_no_clear_difference() -> None:
    summary = sweep({"silo": silo_fill, "same": silo_fill}, noise=20_000.0)
    row = compare(summary).arm("same")
    assert not row.equal_service["operating_profit"].interval.excludes_zero
    assert not row.as_run["operating_profit"].interval.excludes_zero
    assert row.verdict == fr.UNCLEAR


def test_one_seed_is_too_few_to_tell() -> None:
    summary = sweep({"silo": silo_fill, "better": silo_fill}, shift={"better": 50_000.0})
    assert compare(summary[summary["seed"] == 1]).arm("better").verdict == fr.TOO_FEW


def test_each_verdict_can_come_out_of_one_sweep() -> None:
    """The rule is not one-sided: the same call gives every verdict, each to the arm built for it."""
    arms = {
        "silo": silo_fill,
        "up": silo_fill,
        "down": silo_fill,
        "along": lambda z: silo_fill(z + 0.3),
        "same": silo_fill,
    }
    summary = sweep(arms, shift={"up": 30_000.0, "down": -30_000.0})
    verdicts = {row.arm: row.verdict for row in compare(summary).arms}
    assert verdicts == {"silo": fr.BASELINE, "up": fr.UP, "down": fr.DOWN, "along": fr.ALONG, "same": fr.UNCLEAR}


# -- extrapolation, target, tables -----------------------------------------------------------------


def test_a_reference_outside_an_arms_fill_rates_is_extrapolated_and_counted() -> None:
    """An arm whose every run serves better than the silo at the default: its line is read beyond its points."""
    summary = sweep({"silo": silo_fill, "high": lambda z: silo_fill(z) + 0.05}, shift={"high": 10_000.0})
    result = compare(summary)
    assert result.arm("high").extrapolated == len(SEEDS)
    assert result.arm("silo").extrapolated == 0
    assert result.per_seed.loc[result.per_seed["arm"] == "high", "extrapolated"].all()
    # a straight frontier extrapolates exactly: the shift is still found
    assert result.arm("high").equal_service["operating_profit"].interval.mean == pytest.approx(10_000, abs=1_000)


def test_every_arm_is_read_at_the_target_fill_rate() -> None:
    summary = sweep({"silo": silo_fill, "better": silo_fill}, shift={"better": 40_000.0})
    result = compare(summary, target_fill_rate=0.95)
    silo, better = result.arm("silo"), result.arm("better")
    runs = summary[summary["lever"] == "silo"]
    market = float((runs["operating_profit"] - runs["fill_rate"].map(straight)).mean())  # the noise means 0
    assert silo.target_level["operating_profit"].mean == pytest.approx(straight(0.95) + market, abs=1.0)
    assert better.at_target["operating_profit"].interval.mean == pytest.approx(40_000.0, abs=1_000)
    assert silo.target_level["avg_inventory_value"].mean == pytest.approx(stock(0.95), abs=500)
    assert silo.extrapolated_target == better.extrapolated_target == len(SEEDS)  # 95% lies beyond 91.8%
    assert result.reference_fill_rate.mean == pytest.approx(0.90)


def test_the_table_has_a_row_per_arm_and_kpi_and_the_curves_a_row_per_arm_and_grid_value() -> None:
    summary = sweep({"silo": silo_fill, "better": silo_fill}, shift={"better": 40_000.0})
    result = compare(summary, target_fill_rate=0.92)
    table = result.to_frame()
    assert list(zip(table["arm"], table["kpi"], strict=True)) == [
        (arm, kpi) for arm in ("silo", "better") for kpi in fr.DEFAULT_KPIS
    ]
    for column in ("level", "equal_service_low", "as_run_high", "fill_rate_as_run", "at_target", "verdict"):
        assert column in table.columns
    assert table.loc[table["arm"] == "silo", "equal_service"].isna().all()
    assert len(result.curves) == 2 * len(GRID)
    assert set(result.curves["seeds"]) == {len(SEEDS)}
    silo_curve = result.curves[result.curves["arm"] == "silo"].sort_values("org.safety_z")
    assert silo_curve["fill_rate"].to_numpy() == pytest.approx([silo_fill(z) for z in GRID])


def test_a_run_repeated_on_a_seed_counts_once() -> None:
    summary = sweep({"silo": silo_fill, "better": silo_fill}, shift={"better": 40_000.0})
    once = compare(summary).arm("better").equal_service["operating_profit"].interval
    twice = compare(pd.concat([summary, summary])).arm("better").equal_service["operating_profit"].interval
    assert (twice.mean, twice.n) == pytest.approx((once.mean, once.n))


# -- bad input -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("damage", "options", "message"),
    [
        (lambda s: s.drop(columns="fill_rate"), {}, "no column fill_rate"),
        (lambda s: s[s["org.safety_z"] == DEFAULT_Z], {}, "takes 1 value"),
        (lambda s: s.assign(**{"org.safety_z": "high"}), {}, "is not a number"),
        (lambda s: s, {"reference_value": 2.0}, "is not on the grid"),
        (lambda s: s, {"base": "silos"}, "names no run"),
        (lambda s: s[~((s["lever"] == "silo") & (s["org.safety_z"] == DEFAULT_Z))], {}, "has no run at"),
    ],
    ids=["missing column", "one grid value", "grid not numbers", "reference off grid", "unknown base", "no silo run"],
)
def test_bad_input_is_one_clear_line(
    damage: Callable[[pd.DataFrame], pd.DataFrame], options: dict, message: str
) -> None:
    summary = damage(sweep({"silo": silo_fill, "better": silo_fill}))
    arguments = {"lever": "lever", "base": "silo", "reference_value": DEFAULT_Z} | options
    with pytest.raises(ValueError, match=message) as raised:
        fr.frontier(summary, **arguments)
    assert "\n" not in str(raised.value)


# -- the chart -------------------------------------------------------------------------------------


def test_the_chart_is_written_readable_at_1280_px(tmp_path: Path) -> None:
    arms = {"silo": silo_fill, "shared_metrics": lambda z: silo_fill(z - 0.2), "aligned": lambda z: silo_fill(z + 0.3)}
    summary = sweep(arms, shift={"shared_metrics": 30_000.0, "aligned": 80_000.0}, profit=curved)
    result = compare(summary, target_fill_rate=0.93)
    path = draw_frontier(result, tmp_path / "frontier.png", labels={"silo": "Silo", "shared_metrics": "Shared metrics"})
    with Image.open(path) as image:
        width, height = image.size
    assert 1000 <= width <= 1280 and height < width


# -- a real sweep ----------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_simulated_sweep_gives_fill_rate_rising_with_z_and_finite_results(tmp_path: Path) -> None:
    """2 arms x 3 safety factors x 2 seeds at the default length (about a second a run).

    Not ``debug=default``: its 42 measured days are shorter than a lead time, so the
    stock the safety factor orders has barely arrived and fill rate does not move with it.
    """
    for number, (policy, z, seed) in enumerate((p, z, s) for p in ("silo", "all") for z in GRID for s in (1, 2)):
        overrides = [f"policy={policy}", f"org.safety_z={z}", f"seed={seed}"]
        folder = tmp_path / "sweep" / str(number)
        run_to_folder(validated([*overrides, "output.charts=false", "output.print_summary=false"]), folder)
        (folder / ".hydra").mkdir()
        (folder / ".hydra" / "overrides.yaml").write_text(yaml.safe_dump(overrides))
    summary = agg.collect(tmp_path / "sweep").summary
    silo = summary[summary["policy"] == "silo"]
    for seed, runs in silo.groupby("seed"):
        fill = runs.sort_values("org.safety_z")["fill_rate"].to_numpy()
        assert (np.diff(fill) > 0).all(), f"seed {seed}: fill rate {fill} does not rise with the safety factor"
    result = fr.frontier(summary, lever="policy", base="silo", reference_value=DEFAULT_Z, target_fill_rate=0.97)
    table = result.to_frame()
    assert len(table) == 2 * len(fr.DEFAULT_KPIS)
    numbers = table.loc[table["arm"] == "all", ["level", "equal_service", "as_run", "at_target"]].to_numpy()
    assert np.isfinite(numbers).all()
    assert math.isfinite(result.reference_fill_rate.mean)
    assert result.arm("all").verdict in {fr.UP, fr.DOWN, fr.ALONG, fr.UNCLEAR}
    draw_frontier(result, tmp_path / "frontier.png")
