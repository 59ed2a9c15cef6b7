"""Morris elementary-effects screening: which parameters move a KPI (``spsim sensitivity``).

    spsim sensitivity --config configs/analysis/morris.yaml [--kpi operating_profit] [--out DIR] [--debug]

The analysis config (see configs/analysis/morris.yaml) names a base run config, the
parameters to screen as dotted keys with their ranges, the number of trajectories N and
grid levels, and the seeds. SALib draws N one-at-a-time trajectories over the levels
grid (N·(k+1) points for k parameters); every point runs on the same seeds (common
random numbers) and the KPI is averaged over them. For each parameter the elementary
effects give:

- ``mu_star``: mean absolute effect, in KPI units per full range of the parameter
  (SALib's unscaled effects: the KPI change over one grid step divided by the step as a
  share of the range). The ranking measure.
- ``mu_star_conf``: bootstrap half-width of the confidence interval of ``mu_star``.
- ``sigma``: spread of the effects; large against ``mu_star`` means a non-linear effect
  or interactions with other parameters.
- ``mu``: signed mean; ``|mu|`` much below ``mu_star`` means the effect changes sign.
- ``mu_star_seed_sd``: how much ``mu_star`` moves between seeds: the indices are also
  computed for each seed alone, and this is their standard deviation. Where it is large
  against ``mu_star``, the rank comes from the simulation's noise more than from the
  parameter (add seeds or trajectories). A dummy parameter would not show this: with common
  random numbers a parameter that changes nothing changes no run, so its effects are 0.

Writes into the out dir (default ``results/analysis/morris-<time>/``): ``points.parquet``
(one row per point and seed: parameters and every KPI), ``morris_indices.csv`` and
``.parquet``, ``morris_mu_star.png`` (mu* with confidence bars) and ``morris_mu_sigma.png``
(mu* against sigma), ``analysis.yaml`` (the resolved analysis config) and
``manifest.json`` (``complete`` only once everything is written).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis import runs, settings
from sim.config import ConfigError
from sim.output.atomic import write_atomically

PROGRAM = "spsim-sensitivity"
SETTINGS = {
    "base": None,
    "parameters": None,
    "kpi": "operating_profit",
    "trajectories": 10,
    "levels": 4,
    "seeds": 3,
    "n_jobs": -1,
    "sample_seed": 0,
    "conf_level": 0.95,
    "resamples": 1000,
}


@dataclass(frozen=True)
class MorrisSpec:
    """A validated Morris analysis: what to vary, how much to sample, which KPI."""

    base: dict[str, Any]
    parameters: list[settings.Parameter]
    kpi: str
    trajectories: int
    levels: int
    seeds: list[int]
    n_jobs: int
    sample_seed: int
    conf_level: float
    resamples: int
    debug: bool

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any], *, debug: bool = False, **overrides: Any) -> "MorrisSpec":
        """Validate an analysis config; ``overrides`` (not None) replace its settings.

        Raises:
            ConfigError: one line naming the key and what is allowed.
        """
        settings.check_keys(raw, SETTINGS)
        spec = {**SETTINGS, **raw, **{k: v for k, v in overrides.items() if v is not None}}
        base = settings.base_config(spec["base"], debug=debug)
        parameters = settings.parse_parameters(spec["parameters"], base, minimum=2)
        trajectories = settings.number(spec["trajectories"], "trajectories", integer=True, minimum=2)
        levels = settings.number(spec["levels"], "levels", integer=True, minimum=2)
        if levels % 2:
            raise ConfigError(f"levels = {levels}: must be even (Morris' step is half the levels)")
        conf_level = settings.number(spec["conf_level"], "conf_level")
        if not 0 < conf_level < 1:
            raise ConfigError(f"conf_level = {conf_level}: must be between 0 and 1")
        return cls(
            base=base,
            parameters=parameters,
            kpi=settings.kpi_name(spec["kpi"]),
            trajectories=int(trajectories),
            levels=int(levels),
            seeds=settings.seed_list(spec["seeds"]),
            n_jobs=settings.n_jobs(spec["n_jobs"]),
            sample_seed=int(settings.number(spec["sample_seed"], "sample_seed", integer=True, minimum=0)),
            conf_level=float(conf_level),
            resamples=int(settings.number(spec["resamples"], "resamples", integer=True, minimum=10)),
            debug=debug,
        )

    @property
    def names(self) -> list[str]:
        return [p.key for p in self.parameters]

    @property
    def problem(self) -> dict[str, Any]:
        """SALib's problem: the parameters' real ranges."""
        bounds = [[p.low, p.high] for p in self.parameters]
        return {"num_vars": len(bounds), "names": self.names, "bounds": bounds}

    @property
    def runs(self) -> int:
        return self.trajectories * (len(self.names) + 1) * len(self.seeds)

    def resolved(self) -> dict[str, Any]:
        """The analysis as run, for ``analysis.yaml``."""
        return {
            "kpi": self.kpi,
            "trajectories": self.trajectories,
            "levels": self.levels,
            "seeds": self.seeds,
            "n_jobs": self.n_jobs,
            "sample_seed": self.sample_seed,
            "conf_level": self.conf_level,
            "resamples": self.resamples,
            "debug": self.debug,
            "parameters": {p.key: {"low": p.low, "high": p.high, "type": p.kind} for p in self.parameters},
            "base": self.base,
        }


# -- sampling, running, analysing ------------------------------------------------------------


def sample(spec: MorrisSpec) -> np.ndarray:
    """SALib's Morris design: one row per point, trajectories one after another."""
    from SALib.sample import morris as morris_sample

    design = morris_sample.sample(spec.problem, spec.trajectories, num_levels=spec.levels, seed=spec.sample_seed)
    return np.asarray(design, dtype=float)


def evaluate(spec: MorrisSpec, design: np.ndarray) -> pd.DataFrame:
    """Run every point of ``design`` on every seed; one row per point and seed."""
    values = [{p.key: p.value(x) for p, x in zip(spec.parameters, row, strict=False)} for row in design]
    raws = [{**settings.with_values(spec.base, point), "seed": seed} for point in values for seed in spec.seeds]
    summaries = runs.run_summaries(raws, spec.n_jobs, what="Morris points")
    steps = len(spec.names) + 1
    rows = []
    for index, summary in enumerate(summaries):
        point, seed_index = divmod(index, len(spec.seeds))
        row: dict[str, Any] = {
            "point": point,
            "trajectory": point // steps,
            "step": point % steps,
            "seed": spec.seeds[seed_index],
            **values[point],
        }
        rows.append(row | summary)
    return pd.DataFrame(rows)


def analyse(spec: MorrisSpec, design: np.ndarray, points: pd.DataFrame, kpi: str | None = None) -> pd.DataFrame:
    """Morris indices of ``kpi`` (mean over seeds at each point), largest mu* first.

    ``mu_star_seed_sd`` is the spread of ``mu_star`` computed on each seed alone.
    """
    kpi = kpi or spec.kpi
    by_point = points.pivot_table(index="point", columns="seed", values=kpi, aggfunc="mean", dropna=False)
    outcome = by_point.mean(axis=1).to_numpy(dtype=float)
    if not np.isfinite(by_point.to_numpy(dtype=float)).all():
        raise RuntimeError(f"{kpi} is not defined at some points (NaN); choose another KPI")
    indices = _morris(spec, design, outcome)
    per_seed = np.array(
        [_morris(spec, design, by_point[seed].to_numpy(dtype=float))["mu_star"] for seed in by_point.columns]
    )
    table = pd.DataFrame(
        {
            "parameter": spec.names,
            "group": [_group(name) for name in spec.names],
            "low": [p.low for p in spec.parameters],
            "high": [p.high for p in spec.parameters],
            "mu": np.asarray(indices["mu"], dtype=float),
            "mu_star": np.asarray(indices["mu_star"], dtype=float),
            "mu_star_conf": np.asarray(indices["mu_star_conf"], dtype=float),
            "sigma": np.asarray(indices["sigma"], dtype=float),
            "mu_star_seed_sd": per_seed.std(axis=0, ddof=1) if len(per_seed) > 1 else np.nan,
        }
    )
    for position, seed in enumerate(by_point.columns):
        table[f"mu_star_seed_{seed}"] = per_seed[position]
    table["sigma_over_mu_star"] = table["sigma"] / table["mu_star"].where(table["mu_star"] > 0)
    table = table.sort_values("mu_star", ascending=False, ignore_index=True)
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    table["kpi"] = kpi
    table["unit"] = f"{settings.kpi_unit(kpi)} per full range"
    return table


def _morris(spec: MorrisSpec, design: np.ndarray, outcome: np.ndarray) -> Any:
    from SALib.analyze import morris as morris_analyze

    return morris_analyze.analyze(
        spec.problem,
        design,
        outcome,
        num_levels=spec.levels,
        conf_level=spec.conf_level,
        num_resamples=spec.resamples,
        seed=spec.sample_seed,
    )


# -- charts ----------------------------------------------------------------------------------

GROUPS = ("market (scenario)", "purchasing behaviour", "sales behaviour", "trust", "alignment lever")
LABEL_SHARE = 0.04  # scatter labels only for points beyond this share of the axis


def _group(name: str) -> str:
    from sim.config import OrgConfig

    section, _, field = name.partition(".")
    if section == "policy":
        return "alignment lever"
    if section == "org":  # OrgConfig lists the purchasing, then the sales, then the trust parameters
        fields = list(OrgConfig.model_fields)
        try:
            position, sales, trust = (fields.index(f) for f in (field, "sales_forecast_window_days", "initial_trust"))
        except ValueError:
            return "purchasing behaviour"
        if position >= trust:
            return "trust"
        return "sales behaviour" if position >= sales else "purchasing behaviour"
    return "market (scenario)"


def _colours() -> dict[str, str]:
    from sim.views import style

    return {
        "market (scenario)": style.NEUTRAL,
        "purchasing behaviour": style.PURCHASING,
        "sales behaviour": style.SALES,
        "trust": "#e7298a",
        "alignment lever": style.COMPANY,
    }


def _spread_labels(points: list[tuple[str, float, float]]) -> list[tuple[float, float]]:
    """Label positions (axes fraction) next to each point, pushed up until none overlap."""
    placed: list[tuple[float, float, float]] = []  # x, y, width
    positions: dict[int, tuple[float, float]] = {}
    for index in sorted(range(len(points)), key=lambda i: points[i][2]):
        text, x, y = points[index]
        width = 0.0105 * len(text)
        label_x, label_y = min(x + 0.012, 1.0 - width), y + 0.015
        while any(abs(label_y - py) < 0.035 and label_x < px + pw and px < label_x + width for px, py, pw in placed):
            label_y += 0.012
        placed.append((label_x, label_y, width))
        positions[index] = (label_x, label_y)
    return [positions[i] for i in range(len(points))]


def _label(name: str) -> str:
    section, _, rest = name.partition(".")
    return rest if section in ("scenario", "org", "policy") else name


def charts(spec: MorrisSpec, table: pd.DataFrame, folder: Path) -> list[str]:
    """The mu* bar chart and the mu*–sigma scatter; returns the file names."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    from sim.views import style

    style.apply()
    colours = _colours()
    unit = settings.kpi_unit(spec.kpi)
    axis_unit = f"{unit} per full range" if unit else "per full range"
    design = f"{spec.trajectories} trajectories × {len(spec.seeds)} seed(s), {spec.levels} levels"
    size = "debug-size runs" if spec.debug else f"{spec.base.get('horizon_days', 365)}-day runs"
    present = [g for g in GROUPS if g in set(table["group"])]
    legend = [Patch(color=colours[g], label=g) for g in present]

    # mu* with confidence bars, largest on top
    ordered = table.iloc[::-1]
    figure, axis = plt.subplots(figsize=(11, 1.2 + 0.55 * len(table)))
    axis.barh(
        [_label(n) for n in ordered["parameter"]],
        ordered["mu_star"],
        xerr=ordered["mu_star_conf"],
        color=[colours[g] for g in ordered["group"]],
        error_kw={"ecolor": "#333333", "capsize": 4, "elinewidth": 1.2},
    )
    seeds = [c for c in table.columns if c.startswith("mu_star_seed_") and c != "mu_star_seed_sd"]
    if len(seeds) > 1:
        for position, (_, row) in enumerate(ordered.iterrows()):
            axis.plot(
                row[seeds].to_numpy(dtype=float),
                [position] * len(seeds),
                "o",
                color="black",
                markersize=4,
                alpha=0.6,
                zorder=3,
                label="one seed alone" if position == 0 else None,
            )
    axis.xaxis.set_major_formatter(runs.tick_formatter())
    axis.set_xlabel(
        f"μ*: mean |elementary effect| on {spec.kpi}\n"
        f"({axis_unit}; whiskers: {spec.conf_level:.0%} CI; dots: μ* of each seed alone)"
    )
    axis.set_title(f"Morris screening of {spec.kpi}")
    axis.text(
        0.99, 0.01, f"{design}; {size}", transform=axis.transAxes, ha="right", va="bottom", fontsize=10, color="#555555"
    )
    axis.grid(axis="y", visible=False)
    axis.legend(handles=legend, loc="lower right", bbox_to_anchor=(1.0, 0.06))
    files = ["morris_mu_star.png"]
    runs.save_figure(figure, folder / files[0])

    # mu* against sigma: labels for the parameters that stand out, the rest listed below
    figure, axis = plt.subplots(figsize=(10, 8.5))
    axis.errorbar(
        table["mu_star"],
        table["sigma"],
        xerr=table["mu_star_conf"],
        fmt="none",
        ecolor="#999999",
        elinewidth=1,
        capsize=3,
        zorder=1,
    )
    axis.scatter(
        table["mu_star"],
        table["sigma"],
        s=90,
        zorder=2,
        c=[colours[g] for g in table["group"]],
        edgecolors="white",
        linewidths=0.8,
    )
    top = float(max(table["mu_star"].max() + table["mu_star_conf"].max(), table["sigma"].max(), 1e-12)) * 1.1
    axis.plot([0, top], [0, top], color="#555555", linestyle="--", linewidth=1)
    axis.text(top * 0.9, top * 0.97, "σ = μ*", ha="right", va="top", fontsize=11, color="#555555")
    axis.text(
        0.02,
        0.98,
        "above the dashed line (σ > μ*):\nnon-linear or interacting effects",
        transform=axis.transAxes,
        ha="left",
        va="top",
        fontsize=11,
        color="#555555",
    )
    visible = (table["mu_star"] >= LABEL_SHARE * top) | (table["sigma"] >= LABEL_SHARE * top)
    shown = table[visible]
    points = [
        (_label(str(name)), float(mu_star) / top, float(sigma) / top)
        for name, mu_star, sigma in zip(shown["parameter"], shown["mu_star"], shown["sigma"], strict=True)
    ]
    for text, (x, y), (label_x, label_y) in zip(
        [p[0] for p in points], [(p[1], p[2]) for p in points], _spread_labels(points), strict=True
    ):
        moved = abs(label_y - y - 0.015) > 1e-9
        axis.annotate(
            text,
            (x, y),
            xytext=(label_x, label_y),
            xycoords="axes fraction",
            textcoords="axes fraction",
            fontsize=11,
            va="bottom",
            arrowprops={"arrowstyle": "-", "color": "#999999", "lw": 0.8} if moved else None,
        )
    small = [_label(name) for name in table.loc[~visible, "parameter"]]
    if small:
        axis.text(
            1.03,
            0.0,
            f"near the origin\n(below {LABEL_SHARE:.0%} of the axis):\n" + "\n".join(small),
            transform=axis.transAxes,
            ha="left",
            va="bottom",
            fontsize=11,
            color="#555555",
        )
    axis.set_xlim(0, top)
    axis.set_ylim(0, top)
    axis.xaxis.set_major_formatter(runs.tick_formatter())
    axis.yaxis.set_major_formatter(runs.tick_formatter())
    axis.set_xlabel(f"μ*: mean |elementary effect| on {spec.kpi} ({axis_unit})")
    axis.set_ylabel(f"σ: spread of the effects ({axis_unit})")
    axis.set_title(f"Morris screening of {spec.kpi}: effect against interaction")
    axis.legend(handles=legend, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    files.append("morris_mu_sigma.png")
    runs.save_figure(figure, folder / files[1])
    return files


# -- the analysis, whole ----------------------------------------------------------------------


def run(spec: MorrisSpec, folder: Path, command: str = PROGRAM) -> pd.DataFrame:
    """Sample, run, analyse and write everything into ``folder``; returns the indices."""
    from sim.output.rundir import write_table

    manifest = runs.Manifest(folder, command, {"kpi": spec.kpi, "runs": spec.runs})
    try:
        runs.write_yaml(folder / "analysis.yaml", spec.resolved(), "# The Morris analysis as run (resolved).\n")
        design = sample(spec)
        workers = runs.cores(spec.n_jobs)
        print(
            f"{PROGRAM}: {len(design)} points × {len(spec.seeds)} seed(s) = {spec.runs} runs "
            f"on {workers} process(es) ...",
            flush=True,
        )
        points, seconds = runs.timed(lambda: evaluate(spec, design))
        write_table(folder / "points.parquet", points)
        table = analyse(spec, design, points)
        write_atomically(folder / "morris_indices.csv", lambda tmp: table.to_csv(tmp, index=False))
        write_table(folder / "morris_indices.parquet", table)
        manifest.add("analysis.yaml", "points.parquet", "morris_indices.csv", "morris_indices.parquet")
        manifest.add(*charts(spec, table, folder))
    except BaseException as error:
        manifest.finish("failed", error=f"{type(error).__name__}: {error}")
        raise
    manifest.finish(run_seconds=round(seconds, 2), seconds_per_run=round(seconds / spec.runs, 3))
    print(f"{PROGRAM}: runs took {seconds:,.0f} s ({seconds / spec.runs:.2f} s per run, wall)")
    return table


def print_table(table: pd.DataFrame) -> None:
    """The indices as a table on stdout, largest mu* first."""
    shown = table[["rank", "parameter", "mu_star", "mu_star_conf", "mu_star_seed_sd", "sigma", "mu"]]
    with pd.option_context("display.width", 140, "display.float_format", "{:,.4g}".format):
        print(shown.to_string(index=False))
