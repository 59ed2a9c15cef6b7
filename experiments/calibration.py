"""The default company against its calibration targets, and the aligned organisation against the silo.

    python -m experiments.calibration [--seeds 10] [--out results/calibration]

Runs the default scenario (the silo) and ``org=aligned`` on the same seeds (common random
numbers), prints docs/CALIBRATION.md's table (each target's range, the achieved mean and
its 95% t interval over the seeds) and the paired alignment gap, and writes both to
``<out>/calibration.json`` and ``<out>/calibration.md``.
"""

import argparse
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from joblib import Parallel, delayed

from sim.analysis.stats import mean_interval, paired_difference
from sim.compose import compose_config
from sim.configure import load_config
from sim.model import SalesPurchasingModel


@dataclass(frozen=True)
class Target:
    """A documented range for one figure of the default company, and where it comes from."""

    kpi: str
    low: float
    high: float
    source: str
    years: int = 1  # measured over this many years after the warm-up (the source's own span)


TARGETS = (
    Target(
        "inventory_turns", 6.0, 10.0, "U.S. Census Bureau, Monthly Wholesale Trade Survey: inventories/sales 1.20-1.40"
    ),
    Target(
        "operating_margin", 0.02, 0.06, "distributors' operating margins (trade associations' surveys, annual reports)"
    ),
    Target("fill_rate", 0.90, 0.97, "distributors' unit fill rates (service-level practice)"),
    Target("on_time_in_full", 0.85, 0.95, "B2B order-level OTIF (service-level practice)"),
    Target("lost_sales_rate", 0.01, 0.05, "Corsten & Gruen (2003); Anderson, Fitzsimons & Simester (2006)"),
    Target("bullwhip_ratio_monthly", 1.0, 3.0, "Cachon, Randall & Schmidt (2007), monthly industry data", years=3),
    Target("sales_forecast_bias", 0.05, 0.15, "Fildes, Goodwin, Lawrence & Nikolopoulos (2009)"),
    Target("promotion_uplift", 0.30, float("inf"), "Van Heerde, Leeflang & Wittink (2000, 2004)"),
)
GAP_KPIS = ("operating_profit", "fill_rate", "on_time_in_full", "lost_sales_rate", "avg_inventory_value")


def summary(overrides: list[str], seed: int) -> dict[str, float]:
    """One run's summary, with the operating margin (operating profit / revenue) added."""
    raw = compose_config([*overrides, f"seed={seed}"])
    result = dict(SalesPurchasingModel(load_config(raw)).run().summary)
    result["operating_margin"] = result["operating_profit"] / result["revenue"]
    return result


def runs(overrides: list[str], seeds: range, jobs: int = 2) -> list[dict[str, float]]:
    return list(Parallel(n_jobs=jobs)(delayed(summary)(overrides, seed) for seed in seeds))


def achieved(
    silo: list[dict[str, float]], longer: dict[int, list[dict[str, float]]] | None = None
) -> list[dict[str, Any]]:
    """Each target with its mean and 95% interval over the runs, and whether the mean is in range.

    ``longer`` holds the runs of targets measured over more than a year, by their years.
    """
    rows = []
    for target in TARGETS:
        measured = silo if target.years == 1 else (longer or {})[target.years]
        interval = mean_interval(np.array([run[target.kpi] for run in measured]))
        inside = target.low <= interval.mean <= target.high
        rows.append({**target.__dict__, "mean": interval.mean, "ci": [interval.low, interval.high], "inside": inside})
    return rows


def longer_runs(overrides: list[str], seeds: range) -> dict[int, list[dict[str, float]]]:
    """The runs of the targets measured over several years, by their years."""
    spans = sorted({target.years for target in TARGETS if target.years > 1})
    return {years: runs([*overrides, f"horizon_days={365 * years}"], seeds) for years in spans}


def gap(aligned: list[dict[str, float]], silo: list[dict[str, float]]) -> list[dict[str, Any]]:
    """Aligned minus silo, seed by seed, for the KPIs a finance director asks about first."""
    rows = []
    for kpi in GAP_KPIS:
        difference = paired_difference(np.array([r[kpi] for r in aligned]), np.array([r[kpi] for r in silo]))
        i = difference.interval
        rows.append({"kpi": kpi, "silo": difference.baseline_mean, "gap": i.mean, "ci": [i.low, i.high]})
    return rows


def _number(value: float, kpi: str) -> str:
    if kpi in ("operating_profit", "avg_inventory_value"):
        return f"{value:,.0f}"
    return f"{value:.3f}"


def markdown(targets: list[dict[str, Any]], gaps: list[dict[str, Any]], seeds: int) -> str:
    lines = [
        f"| target | range | achieved, mean over {seeds} seeds [95% CI] | in range | source |",
        "|---|---|---|---|---|",
    ]
    for row in targets:
        high = "" if row["high"] == float("inf") else f"{row['high']:g}"
        low, high_ci = (_number(x, row["kpi"]) for x in row["ci"])
        span = "" if row["years"] == 1 else f" ({row['years']} years)"
        lines.append(
            f"| `{row['kpi']}`{span} | {row['low']:g}–{high} | {_number(row['mean'], row['kpi'])} [{low}, {high_ci}] "
            f"| {'yes' if row['inside'] else 'no'} | {row['source']} |"
        )
    lines += ["", f"| aligned − silo | silo mean | paired gap over {seeds} seeds [95% CI] |", "|---|---|---|"]
    for row in gaps:
        low, high_ci = (_number(x, row["kpi"]) for x in row["ci"])
        silo, difference = _number(row["silo"], row["kpi"]), _number(row["gap"], row["kpi"])
        lines.append(f"| `{row['kpi']}` | {silo} | {difference} [{low}, {high_ci}] |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m experiments.calibration", description=__doc__)
    parser.add_argument("--seeds", type=int, default=10, help="replications (seeds 1..N)")
    parser.add_argument("--out", type=Path, default=Path("results/calibration"), help="folder for the tables")
    args = parser.parse_args()
    if args.seeds < 2:
        parser.error("--seeds: at least 2 (an interval needs two replications)")
    seeds = range(1, args.seeds + 1)
    silo, aligned = runs([], seeds), runs(["org=aligned"], seeds)
    targets, gaps = achieved(silo, longer_runs([], seeds)), gap(aligned, silo)
    text = markdown(targets, gaps, args.seeds)
    print(text)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "calibration.md").write_text(text)
    (args.out / "calibration.json").write_text(json.dumps({"targets": targets, "alignment_gap": gaps}, indent=1))
    print(f"written: {args.out / 'calibration.md'}")


if __name__ == "__main__":
    main()
