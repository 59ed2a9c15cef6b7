"""The simulation as an EMA Workbench 3 model: levers, uncertainties and outcomes.

    from sim.analysis.ema import build_model
    from ema_workbench import Sample, SequentialEvaluator, perform_experiments

    model = build_model(levers={"policy.steering_committee.members": [0, 8]}, seeds=[1, 2, 3])
    experiments, outcomes = perform_experiments(model, scenarios=50, policies=[
        Sample("silo", steering_committee__members=0), Sample("committee", steering_committee__members=6)])

EMA 3's function-model API (``ema_workbench.Model(name, function=...)``) wraps a
callable, :class:`SimulationFunction`. Its keyword arguments are the model's parameters:

- uncertainties: the market, i.e. scenario parameters (default :data:`UNCERTAINTIES`);
- levers: policy parameters (``policy.<lever>.<parameter>``, or any org key);

each a dotted key of the run config, named in EMA by the key without its section, dots as
``__`` (``scenario.demand_cv`` -> ``demand_cv``, ``policy.rotation.share_rotated`` ->
``rotation__share_rotated``). Every key and range is checked against the run config
like the analysis configs are (sim/analysis/settings.py).

Each experiment runs the same seed list (common random numbers: every experiment, and so
every policy in one market, faces the same demand and supply draws), and each outcome is
the KPI's mean over those seeds. For the KPIs in ``by_seed`` the function also returns the
value per seed (``<kpi>_by_seed``, an ``ArrayOutcome``), so paired differences and their
standard errors can be computed after the fact.

Evaluators: EMA's ``SequentialEvaluator`` works (give the function ``n_jobs=-1`` to run an
experiment's seeds in parallel processes), and so does its ``MultiprocessingEvaluator``
(``n_jobs=1`` then: the pool runs experiments in parallel, one process each).
"""

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from sim.analysis import runs, settings
from sim.config import ConfigError

with warnings.catch_warnings():  # ipyparallel and altair are optional extras of EMA
    warnings.simplefilter("ignore")
    import ema_workbench as ema

UNCERTAINTIES: dict[str, list[float]] = {
    "scenario.demand_cv": [0.2, 1.0],  # order-size variation (default 0.5)
    "scenario.promotion_uplift_per_discount": [1.0, 6.0],  # customers' answer to price cuts (3)
    "scenario.lead_time_mean_days": [4.0, 20.0],  # suppliers' mean lead time (10)
    "scenario.on_time_probability": [0.7, 1.0],  # suppliers' punctuality (0.9)
    "scenario.other_customers_load": [0.1, 0.8],  # suppliers' capacity taken by others (0.4)
    "scenario.price_rise_share": [0.0, 0.15],  # suppliers' price rise on price_rise_day (none)
    "scenario.gross_margin": [0.15, 0.45],  # list price over standard cost (0.3)
}
OUTCOMES = (
    "operating_profit",
    "fill_rate",
    "on_time_in_full",
    "policy_cost_total",
    "conflict_count",
    "lost_sales_rate",
)
BY_SEED = ("operating_profit",)
_KINDS = {
    "operating_profit": ema.ScalarOutcome.MAXIMIZE,
    "fill_rate": ema.ScalarOutcome.MAXIMIZE,
    "on_time_in_full": ema.ScalarOutcome.MAXIMIZE,
    "policy_cost_total": ema.ScalarOutcome.MINIMIZE,
}


def ema_name(key: str) -> str:
    """EMA's name of a dotted key: without its section, dots as ``__``."""
    section, _, rest = key.partition(".")
    return (rest if section in settings.SECTIONS and rest else key).replace(".", "__")


class SimulationFunction:
    """The callable an EMA model runs: parameters in, KPI means over the seeds out.

    Picklable (plain data only), so EMA's multiprocessing evaluator can ship it to workers.
    """

    def __init__(
        self,
        base: Mapping[str, Any],
        parameters: Sequence[settings.Parameter],
        outcomes: Sequence[str],
        seeds: Sequence[int],
        n_jobs: int = 1,
        by_seed: Sequence[str] = BY_SEED,
    ) -> None:
        self.base = dict(base)
        self.parameters = {ema_name(p.key): p for p in parameters}
        self.outcomes = list(outcomes)
        self.seeds = list(seeds)
        self.n_jobs = n_jobs
        self.by_seed = list(by_seed)

    def config(self, inputs: Mapping[str, Any]) -> dict[str, Any]:
        """The run config (without seed) for EMA's keyword arguments; others are ignored."""
        values = {}
        for name, value in inputs.items():
            parameter = self.parameters.get(name)
            if parameter is None:
                continue
            value = getattr(value, "value", value)  # a Category carries its value
            values[parameter.key] = value if parameter.kind == "categorical" else parameter.value(value)
        return settings.with_values(self.base, values)

    def __call__(self, **inputs: Any) -> dict[str, Any]:
        raw = self.config(inputs)
        summaries = runs.run_summaries([{**raw, "seed": seed} for seed in self.seeds], self.n_jobs)
        result: dict[str, Any] = {kpi: float(np.mean([summary[kpi] for summary in summaries])) for kpi in self.outcomes}
        for kpi in self.by_seed:
            result[f"{kpi}_by_seed"] = np.array([summary[kpi] for summary in summaries], dtype=float)
        return result


def build_model(
    name: str = "spsim",
    *,
    uncertainties: Mapping[str, Any] | None = None,
    levers: Mapping[str, Any] | None = None,
    outcomes: Sequence[str] = OUTCOMES,
    base: Any = None,
    seeds: Any = (1, 2, 3),
    n_jobs: int = 1,
    by_seed: Sequence[str] = BY_SEED,
    debug: bool = False,
) -> "ema.Model":
    """An EMA Workbench model of the simulation.

    Args:
        name: the model's name (a Python identifier, as EMA 3 requires).
        uncertainties: dotted key -> ``[low, high]`` or ``{choices: [...]}``; default :data:`UNCERTAINTIES`.
        levers: dotted key -> range or choices, usually ``policy.<lever>.<parameter>``.
        outcomes: KPIs returned as the mean over the seeds.
        base: the run config every experiment starts from (mapping or spsim overrides).
        seeds: the seeds every experiment runs (a list, or a count n meaning 1..n).
        n_jobs: processes for one experiment's seeds (1 with EMA's multiprocessing evaluator).
        by_seed: KPIs also returned per seed, as ``<kpi>_by_seed``.
        debug: debug-size runs.

    Raises:
        ConfigError: an unknown key, a bad range or KPI, or two parameters with one EMA name.
    """
    resolved = settings.base_config(base, debug=debug)
    uncertain = settings.parse_parameters(
        dict(UNCERTAINTIES if uncertainties is None else uncertainties), resolved, categorical=True, minimum=0
    )
    chosen = settings.parse_parameters(dict(levers or {}), resolved, categorical=True, minimum=0)
    names = [ema_name(p.key) for p in (*uncertain, *chosen)]
    clash = sorted({n for n in names if names.count(n) > 1})
    if clash:
        raise ConfigError(f"parameters {', '.join(clash)}: two keys share one EMA name; vary only one of them")
    kpis = [settings.kpi_name(kpi, "outcomes") for kpi in (*outcomes, *by_seed)]
    function = SimulationFunction(
        resolved,
        [*uncertain, *chosen],
        kpis[: len(outcomes)],
        settings.seed_list(list(seeds) if not isinstance(seeds, int) else seeds),
        settings.n_jobs(n_jobs),
        by_seed,
    )
    model = ema.Model(name, function=function)
    model.uncertainties = [_ema_parameter(p) for p in uncertain]
    model.levers = [_ema_parameter(p) for p in chosen]
    model.outcomes = [ema.ScalarOutcome(kpi, kind=_KINDS.get(kpi, ema.ScalarOutcome.INFO)) for kpi in outcomes]
    model.outcomes += [ema.ArrayOutcome(f"{kpi}_by_seed") for kpi in by_seed]
    return model


def _ema_parameter(parameter: settings.Parameter) -> Any:
    name = ema_name(parameter.key)
    if parameter.kind == "categorical":
        return ema.CategoricalParameter(name, list(parameter.choices))
    if parameter.kind == "int":
        return ema.IntegerParameter(name, int(parameter.low), int(parameter.high))
    return ema.RealParameter(name, parameter.low, parameter.high)


def keys(model: "ema.Model") -> dict[str, str]:
    """EMA name -> dotted key of the run config, for a model from :func:`build_model`."""
    return {name: parameter.key for name, parameter in model.function.parameters.items()}


def evaluator(model: "ema.Model", kind: str = "multiprocessing", processes: int = -1) -> Any:
    """An EMA evaluator: ``multiprocessing`` (a pool of ``processes``) or ``sequential``."""
    if kind == "sequential":
        return ema.SequentialEvaluator(model)
    if kind == "multiprocessing":
        return ema.MultiprocessingEvaluator(model, n_processes=runs.cores(processes))
    raise ValueError(f"evaluator {kind!r}: use multiprocessing or sequential")
