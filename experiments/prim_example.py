"""Worked example: in which markets does a lever stop paying off? (EMA Workbench + PRIM)

    python -m experiments.prim_example [--experiments N] [--lever shared_metrics] [--seeds 3] [--debug] [--out DIR]

1. Sample N markets: a Latin hypercube over the scenario uncertainties of
   sim/analysis/ema.py (demand variation, promotion response, lead times, supplier
   punctuality and load, a price rise, the gross margin).
2. In each market run the silo and the lever (at its default parameters) on the same
   seeds: common random numbers, so the two arms face the same demand and supply draws.
   The silo arm is the lever at zero intensity (``joint_weight``, ``attendance``,
   ``coverage``, ``members`` or ``share_rotated`` = 0), which the model guarantees to be
   the silo run bit for bit; EMA then sees one model with one lever and two policies.
3. The lever's paired gain in each market = its mean operating profit minus the silo's
   (the mean of the per-seed differences), with a standard error from those differences.
4. PRIM (``ema_workbench.analysis.prim``) looks for a box of market conditions where the
   lever loses money (gain < 0). Of its peeling trajectory, the box kept is the one with
   the largest coverage among those at least ``--density`` dense (on ties the densest,
   then the fewest restricted dimensions); if none is that dense, the densest, flagged.

Experiments run through EMA's ``perform_experiments`` with its ``MultiprocessingEvaluator``
(one experiment per process; ``--evaluator sequential`` runs an experiment's seeds in
parallel with joblib instead). Writes into ``results/analysis/prim-<time>/``:
``experiments.parquet`` (every experiment and its outcomes), ``markets.parquet`` (one row
per market: conditions, both arms, the gain), ``box_limits.csv``, ``peeling_trajectory.csv``
and ``.png``, ``box_limits.png``, ``gains.png``, ``summary.md`` and ``manifest.json``.
With tiny samples PRIM may have nothing to find (the lever wins or loses everywhere):
the summary then says so and the box files hold no box.
"""

import argparse
import sys
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.prim_charts import chart_gains, chart_limits, chart_trajectory
from sim import load_config
from sim.analysis import ema, runs, settings
from sim.config import ConfigError
from sim.output.atomic import write_atomically
from sim.usage import ArgumentParser, reported

PROGRAM = "prim_example"
INTENSITY = {  # the parameter that switches each lever off at 0 (its ``active`` property)
    "shared_metrics": "joint_weight",
    "regular_meetings": "attendance",
    "systems_integration": "coverage",
    "steering_committee": "members",
    "rotation": "share_rotated",
}
KPI = "operating_profit"


@dataclass(frozen=True)
class Arms:
    """The lever's switch: its EMA name, its dotted key, and the value that turns it on."""

    lever: str
    key: str
    name: str
    on: Any

    @property
    def off(self) -> Any:
        return type(self.on)(0)


def arms_for(lever: str) -> Arms:
    """The switch of ``lever``: its intensity parameter, on at the lever's default."""
    from sim.policies import levers

    if lever not in INTENSITY:
        raise ConfigError(f"--lever {lever}: unknown lever; available: {', '.join(INTENSITY)}")
    field = INTENSITY[lever]
    on = getattr(levers()[lever].Params(), field)
    key = f"policy.{lever}.{field}"
    return Arms(lever, key, ema.ema_name(key), on)


def run_experiments(
    arms: Arms, experiments: int, seeds: list[int], *, debug: bool, kind: str, processes: int, sample_seed: int
) -> tuple[pd.DataFrame, dict[str, np.ndarray], dict[str, str]]:
    """The silo and the lever in each of ``experiments`` LHS markets, through EMA."""
    from ema_workbench import Sample, Samplers, perform_experiments

    days = load_config(settings.base_config(None, debug=debug))
    # The price rise happens a quarter into the measured horizon, so its size is an uncertainty.
    base = {"scenario": {"price_rise_day": days.warmup_days + days.horizon_days // 4}}
    model = ema.build_model(
        "spsim_prim",
        levers={arms.key: [arms.off, arms.on]},
        base=base,
        seeds=seeds,
        n_jobs=1 if kind == "multiprocessing" else processes,
        debug=debug,
    )
    policies = [Sample("silo", **{arms.name: arms.off}), Sample(arms.lever, **{arms.name: arms.on})]
    with ema.evaluator(model, kind, processes) as evaluator:
        table, outcomes = perform_experiments(
            model,
            scenarios=experiments,
            policies=policies,
            evaluator=evaluator,
            uncertainty_sampling=Samplers.LHS,
            uncertainty_sampling_kwargs={"rng": sample_seed},
        )
    uncertainties = {p.name: ema.keys(model)[p.name] for p in model.uncertainties}
    return table, outcomes, uncertainties


def paired_markets(
    table: pd.DataFrame, outcomes: dict[str, np.ndarray], arms: Arms, uncertainties: Sequence[str]
) -> pd.DataFrame:
    """One row per market: its conditions, both arms' KPIs and the lever's paired gain."""
    frame = table.reset_index(drop=True).copy()
    for name, values in outcomes.items():
        frame[name] = values if np.ndim(values) == 1 else list(np.asarray(values, dtype=float))
    policy = frame["policy"].astype(str)
    silo = frame[policy == "silo"].set_index("scenario").sort_index()
    lever = frame[policy == arms.lever].set_index("scenario").loc[silo.index]
    differences = np.stack(lever[f"{KPI}_by_seed"].to_list()) - np.stack(silo[f"{KPI}_by_seed"].to_list())
    markets = silo[list(uncertainties)].astype(float).copy()
    markets[f"{KPI}_silo"] = silo[KPI]
    markets[f"{KPI}_{arms.lever}"] = lever[KPI]
    markets["gain"] = lever[KPI] - silo[KPI]
    seeds = differences.shape[1]
    markets["gain_se"] = differences.std(axis=1, ddof=1) / np.sqrt(seeds) if seeds > 1 else np.nan
    for kpi in ("fill_rate", "policy_cost_total"):
        markets[f"{kpi}_silo"] = silo[kpi]
        markets[f"{kpi}_{arms.lever}"] = lever[kpi]
    markets["loses"] = markets["gain"] < 0
    clear = (markets["gain"].abs() > 2 * markets["gain_se"]).astype("boolean")
    markets["sign_clear"] = clear.mask(markets["gain_se"].isna())  # unknown with one seed
    return markets.reset_index().rename(columns={"scenario": "market"})


# -- PRIM ------------------------------------------------------------------------------------


@dataclass
class PrimResult:
    """What PRIM found: its trajectory, the chosen box (if any) and why there may be none."""

    trajectory: pd.DataFrame | None = None
    choice: int | None = None
    dense_enough: bool = False
    limits: pd.DataFrame | None = None
    reason: str = ""


def find_box(markets: pd.DataFrame, uncertainties: Sequence[str], density: float) -> PrimResult:
    """PRIM on the markets where the lever loses; handles samples it cannot work on."""
    losing = int(markets["loses"].sum())
    if losing == 0:
        return PrimResult(reason="the lever paid off in every sampled market: there is nothing to box")
    if losing == len(markets):
        return PrimResult(reason="the lever lost money in every sampled market: the box is the whole space")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim

        x = markets[list(uncertainties)].astype(float)
        try:
            algorithm = prim.Prim(x, markets["loses"].to_numpy(dtype=bool), peel_alpha=0.05, mass_min=0.05)
            box = algorithm.find_box()
        except (ValueError, IndexError, ZeroDivisionError, prim.PrimException) as error:
            return PrimResult(reason=f"PRIM could not run on this sample ({type(error).__name__}: {error})")
    trajectory = box.peeling_trajectory.reset_index(drop=True)
    dense = trajectory[trajectory["density"] >= density]
    if len(dense):
        ranked = dense.sort_values(["coverage", "density", "res_dim"], ascending=[False, False, True])
        choice = int(ranked.index[0])
    else:
        choice = int(trajectory.sort_values(["density", "coverage"], ascending=False).index[0])
    limits = _limits(box.box_lims[choice], algorithm.box_init, box.p_values[choice], ema.UNCERTAINTIES, uncertainties)
    return PrimResult(trajectory, choice, bool(len(dense)), limits)


def _limits(
    box: pd.DataFrame,
    initial: pd.DataFrame,
    p_values: dict[str, Any],
    ranges: dict[str, list[float]],
    names: Sequence[str],
) -> pd.DataFrame:
    rows = []
    for name in names:
        low, high = float(box[name].iloc[0]), float(box[name].iloc[1])
        restricted = not (np.isclose(low, initial[name].iloc[0]) and np.isclose(high, initial[name].iloc[1]))
        qp = p_values.get(name, [np.nan, np.nan])
        key = f"scenario.{name}"
        rows.append(
            {
                "uncertainty": name,
                "key": key,
                "restricted": restricted,
                "box_low": low,
                "box_high": high,
                "sampled_low": float(initial[name].iloc[0]),
                "sampled_high": float(initial[name].iloc[1]),
                "range_low": ranges.get(key, [np.nan, np.nan])[0],
                "range_high": ranges.get(key, [np.nan, np.nan])[1],
                "qp_low": float(qp[0]) if qp[0] is not None and qp[0] >= 0 else np.nan,
                "qp_high": float(qp[1]) if qp[1] is not None and qp[1] >= 0 else np.nan,
            }
        )
    return pd.DataFrame(rows).sort_values(["restricted", "uncertainty"], ascending=[False, True], ignore_index=True)


def in_box(markets: pd.DataFrame, limits: pd.DataFrame | None) -> pd.Series:
    """Whether each market lies inside the box (every restricted dimension within its limits)."""
    inside = pd.Series(limits is not None and limits["restricted"].any(), index=markets.index)
    if limits is None:
        return inside
    for row in limits[limits["restricted"]].itertuples():
        inside &= markets[row.uncertainty].between(row.box_low, row.box_high)
    return inside


def conditions(limits: pd.DataFrame) -> list[str]:
    """The box's restrictions as readable conditions."""
    found = []
    for row in limits[limits["restricted"]].itertuples():
        lower = not np.isclose(row.box_low, row.sampled_low)
        upper = not np.isclose(row.box_high, row.sampled_high)
        qp = ", ".join(
            f"{side} {value:.2g}"
            for side, value in (("qp low", row.qp_low), ("qp high", row.qp_high))
            if np.isfinite(value)
        )
        span = f"sampled {row.range_low:g}–{row.range_high:g}"
        if lower and upper:
            text = f"{row.box_low:.3g} ≤ `{row.uncertainty}` ≤ {row.box_high:.3g}"
        elif lower:
            text = f"`{row.uncertainty}` ≥ {row.box_low:.3g}"
        else:
            text = f"`{row.uncertainty}` ≤ {row.box_high:.3g}"
        found.append(f"{text} ({span}{'; ' + qp if qp else ''})")
    return found


# -- the summary ---------------------------------------------------------------------------------


def summary_text(
    markets: pd.DataFrame,
    result: PrimResult,
    arms: Arms,
    seeds: list[int],
    debug: bool,
    density: float,
    files: Sequence[str],
) -> str:
    n, losing = len(markets), int(markets["loses"].sum())
    unclear = int((~markets["sign_clear"]).sum())
    gain = markets["gain"]
    size = "debug-size runs (56 measured days after a 14-day warm-up)" if debug else "full-size runs (one year)"
    lines = [
        f"# When does `{arms.lever}` stop paying off?",
        "",
        f"{n} markets sampled by Latin hypercube over {len(ema.UNCERTAINTIES)} scenario uncertainties; in each, "
        f"the silo and `{arms.lever}` (default parameters, `{arms.key.split('.', 1)[1]}` = {arms.on}) ran on seeds "
        f"{', '.join(map(str, seeds))} (common random numbers); {size}.",
        "",
        f"Paired gain in operating profit ({arms.lever} − silo, mean over the seeds): median {gain.median():,.0f}, "
        f"from {gain.min():,.0f} to {gain.max():,.0f} (currency). The lever loses money in **{losing} of {n}** "
        f"markets ({losing / n:.0%}). "
        + (
            f"In {unclear} market(s) the sign is not clear at ±2 standard errors of the paired differences: "
            "PRIM works on the sign as measured, so those markets add noise to the box."
            if len(seeds) > 1
            else "With one seed per market the gain has no standard error: its sign may be noise."
        ),
        "",
        "## The box",
        "",
    ]
    if result.limits is None:
        lines += [f"No box: {result.reason}.", ""]
    else:
        chosen = result.trajectory.loc[result.choice]
        inside = markets[markets["in_box"]]
        outside = markets[~markets["in_box"]]
        quality = (
            f"the densest box on the trajectory; none reached the density threshold {density:g}"
            if not result.dense_enough
            else f"the widest box at density ≥ {density:g}"
        )
        lines += [
            f"Box {result.choice} of the peeling trajectory ({quality}): the lever loses in "
            f"{chosen['density']:.0%} of the {int(chosen['n'])} markets inside it (density), which hold "
            f"{chosen['coverage']:.0%} of all losing markets (coverage) and {chosen['mass']:.0%} of all markets "
            "(mass).",
            "",
            "Conditions under which the lever stops paying off:",
            "",
            *[f"- {condition}" for condition in conditions(result.limits)],
            "",
            f"Mean paired gain inside the box {inside['gain'].mean():,.0f}, outside {outside['gain'].mean():,.0f} "
            "(currency).",
            "",
            "Quasi-p values (qp) test each limit with a one-sided binomial test (Bryant & Lempert 2010); "
            "limits with qp above about 0.05 may be noise. A box from a small sample is a hypothesis to "
            "check with more markets and seeds, not a finding.",
            "",
            _significance(result.limits),
            "",
        ]
    lines += [
        "Files: " + ", ".join(f"`{name}`" for name in files) + " (`markets.parquet`: one row per market; "
        "`experiments.parquet`: every EMA experiment).",
        "",
    ]
    return "\n".join(lines)


def _significance(limits: pd.DataFrame) -> str:
    restricted = limits[limits["restricted"]]
    best = restricted[["qp_low", "qp_high"]].min(axis=1)
    clear = restricted.loc[best < 0.05, "uncertainty"].tolist()
    if not clear:
        return (
            "**No limit of this box passes qp < 0.05**: on this sample PRIM has not separated the markets "
            "where the lever loses from noise. Sample more markets, or more seeds per market."
        )
    return "Limits with qp < 0.05: " + ", ".join(f"`{name}`" for name in clear) + "."


# -- the command ---------------------------------------------------------------------------------


def run(arguments: argparse.Namespace, folder: Path) -> PrimResult:
    from sim.output.rundir import write_table

    arms = arms_for(arguments.lever)
    seeds = settings.seed_list(arguments.seeds)
    manifest = runs.Manifest(
        folder,
        " ".join([f"python -m experiments.{PROGRAM}", *arguments.argv]),
        {"lever": arms.lever, "experiments": arguments.experiments, "seeds": seeds},
    )
    try:
        print(
            f"{PROGRAM}: {arguments.experiments} markets × 2 arms × {len(seeds)} seed(s) = "
            f"{arguments.experiments * 2 * len(seeds)} runs ({arguments.evaluator} evaluator) ...",
            flush=True,
        )
        (table, outcomes, uncertainties), seconds = runs.timed(
            lambda: run_experiments(
                arms,
                arguments.experiments,
                seeds,
                debug=arguments.debug,
                kind=arguments.evaluator,
                processes=arguments.processes,
                sample_seed=arguments.sample_seed,
            )
        )
        experiments = table.copy()
        experiments[["scenario", "policy", "model"]] = experiments[["scenario", "policy", "model"]].astype(str)
        for name, values in outcomes.items():
            experiments[name] = list(values) if np.ndim(values) > 1 else values
        write_table(folder / "experiments.parquet", experiments)
        markets = paired_markets(table, outcomes, arms, list(uncertainties))
        result = find_box(markets, list(uncertainties), arguments.density)
        markets["in_box"] = in_box(markets, result.limits).to_numpy()
        write_table(folder / "markets.parquet", markets)
        limits = (
            result.limits
            if result.limits is not None
            else pd.DataFrame(
                columns=[
                    "uncertainty",
                    "key",
                    "restricted",
                    "box_low",
                    "box_high",
                    "sampled_low",
                    "sampled_high",
                    "range_low",
                    "range_high",
                    "qp_low",
                    "qp_high",
                ]
            )
        )
        write_atomically(folder / "box_limits.csv", lambda tmp: limits.to_csv(tmp, index=False))
        files = [
            "experiments.parquet",
            "markets.parquet",
            "box_limits.csv",
            chart_gains(markets, arms, len(seeds), folder),
        ]
        if result.trajectory is not None:
            result.trajectory.to_csv(folder / "peeling_trajectory.csv", index=False)
            files += ["peeling_trajectory.csv", chart_trajectory(result, arguments.density, folder)]
        if result.limits is not None and result.limits["restricted"].any():
            files.append(chart_limits(result.limits, arms, folder))
        text = summary_text(markets, result, arms, seeds, arguments.debug, arguments.density, files)
        write_atomically(folder / "summary.md", lambda tmp: tmp.write_text(text))
        manifest.add(*files, "summary.md")
    except BaseException as error:
        manifest.finish("failed", error=f"{type(error).__name__}: {error}")
        raise
    manifest.finish(run_seconds=round(seconds, 2), box_found=result.limits is not None)
    print(text)
    print(f"{PROGRAM}: runs took {seconds:,.0f} s; results: {folder}")
    return result


def parse_arguments(argv: Sequence[str]) -> argparse.Namespace:
    parser = ArgumentParser(prog=f"python -m experiments.{PROGRAM}", description=__doc__.split("\n", 1)[0])
    parser.add_argument("--experiments", type=int, default=64, help="markets sampled (default 64)")
    parser.add_argument("--lever", default="shared_metrics", help=f"one of {', '.join(INTENSITY)}")
    parser.add_argument("--seeds", type=int, default=3, help="seeds per market and arm: 1..n (default 3)")
    parser.add_argument("--density", type=float, default=0.8, help="density threshold of the box (default 0.8)")
    parser.add_argument("--evaluator", choices=("multiprocessing", "sequential"), default="multiprocessing")
    parser.add_argument("--processes", type=int, default=-1, help="processes (-1: all cores)")
    parser.add_argument("--sample-seed", type=int, default=1, help="seed of the Latin hypercube")
    parser.add_argument("--debug", action="store_true", help="debug-size runs (56 days after 14 warm-up days)")
    parser.add_argument("--out", help="output folder (default: results/analysis/prim-<time>/)")
    arguments = parser.parse_args(argv)
    arguments.argv = list(argv)
    return arguments


def main(argv: Sequence[str] | None = None) -> PrimResult:
    """Entry point: ``python -m experiments.prim_example``."""
    with reported(f"python -m experiments.{PROGRAM}"):
        arguments = parse_arguments(sys.argv[1:] if argv is None else list(argv))
        arms_for(arguments.lever)
        settings.number(arguments.experiments, "--experiments", integer=True, minimum=2)
        settings.number(arguments.seeds, "--seeds", integer=True, minimum=1)
        settings.n_jobs(arguments.processes, "--processes")
        if not 0 < arguments.density <= 1:
            raise ConfigError(f"--density {arguments.density}: must be in (0, 1]")
    folder = Path(arguments.out) if arguments.out else runs.default_out_dir("prim")
    return run(arguments, folder)


if __name__ == "__main__":
    main()
