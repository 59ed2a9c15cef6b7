"""A calibration's settings (``spsim-calibrate --config``), checked: targets, parameters, seeds.

A calibration config names the client (``name``: the scenario it writes), a *base* run
config (what is known of the client: catalogue, accounts, lead times, optionally its order
history as ``scenario.demand_file``), the *parameters* to fit (dotted ``scenario.*`` or
``org.*`` keys with bounds) and the *targets*: the client's observed figures, each a KPI
of the registry (:mod:`sim.output.kpis`) with a tolerance in the KPI's own unit.

Every problem is one line (a :class:`ConfigError`) naming the key and what is allowed,
found before anything is written: an unknown KPI (with the close names), a tolerance that
is not positive, a key that is not a field of the run config, bounds that are reversed or
outside what the field allows, a demand file that is not there or does not read.
"""

import difflib
import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.analysis import settings
from sim.config import ConfigError
from sim.config_files import option_names
from sim.configure import load_config
from sim.output import kpis

SETTINGS: dict[str, Any] = {
    "name": None,
    "base": None,
    "targets": None,
    "parameters": None,
    "seeds": 8,
    "validation_seeds": 10,
    "trials": 40,
    "spread_trials": 10,
    "sampler": {},
    "n_jobs": -1,
}
FITTED_SECTIONS = ("scenario", "org")  # what a scenario file can carry (policy is the levers' to set)
VALIDATION_FIRST_SEED = 1001  # fresh seeds for the check of the best parameters, apart from the trials'


@dataclass(frozen=True)
class Target:
    """A client's observed figure: the mean a KPI should reach, within ``tolerance``."""

    kpi: str
    target: float
    tolerance: float

    def miss(self, mean: float) -> float:
        """How far ``mean`` is from the target, in tolerances (signed; an undefined mean misses by inf)."""
        return (mean - self.target) / self.tolerance if math.isfinite(mean) else math.inf

    def within(self, mean: float) -> bool:
        return abs(self.miss(mean)) <= 1.0

    def describe(self) -> str:
        return f"{self.kpi} = {self.target:g} ± {self.tolerance:g}"


@dataclass(frozen=True)
class CalibrationSpec:
    """A validated calibration: what to fit, to which figures, and how to evaluate a trial."""

    name: str
    raw_base: Any
    base: dict[str, Any]
    demand_digest: str | None
    targets: list[Target]
    parameters: list[settings.Parameter]
    seeds: list[int]
    validation_seeds: list[int]
    trials: int
    spread_trials: int
    sampler_seed: int
    startup_trials: int
    n_jobs: int
    debug: bool

    @classmethod
    def from_mapping(
        cls, raw: Mapping[str, Any], *, folder: Path | None = None, debug: bool = False, trials: int | None = None
    ) -> "CalibrationSpec":
        """Validate a calibration config; ``folder`` is the config file's (relative demand files may be there).

        Raises:
            ConfigError: one line naming the key and what is allowed.
        """
        settings.check_keys(raw, SETTINGS)
        spec = {**SETTINGS, **raw}
        name = _name(spec["name"])
        base = settings.base_config(_with_demand_file(spec["base"], folder), debug=debug)
        if base.get("policy"):
            levers = ", ".join(sorted(base["policy"]))
            raise ConfigError(
                f"base.policy: {levers}: a calibration fits the client's company as it is, without levers "
                "(the scenario it writes carries no lever); leave policy out of the base"
            )
        digest = _check_demand_file(base)
        seeds = settings.seed_list(spec["seeds"])
        sampler = spec["sampler"] or {}
        if not isinstance(sampler, Mapping):
            raise ConfigError(f"sampler = {sampler!r}: must be {{seed: ..., n_startup_trials: ...}}")
        settings.check_keys(sampler, ("seed", "n_startup_trials"), "sampler.")
        target = spec["trials"] if trials is None else trials
        return cls(
            name=name,
            raw_base=spec["base"],
            base=base,
            demand_digest=digest,
            targets=_targets(spec["targets"]),
            parameters=_parameters(spec["parameters"], base),
            seeds=seeds,
            validation_seeds=_validation_seeds(spec["validation_seeds"], seeds),
            trials=int(settings.number(target, "trials", integer=True, minimum=1)),
            spread_trials=int(settings.number(spec["spread_trials"], "spread_trials", integer=True, minimum=2)),
            sampler_seed=int(settings.number(sampler.get("seed", 0), "sampler.seed", integer=True, minimum=0)),
            startup_trials=int(
                settings.number(
                    sampler.get("n_startup_trials", 10), "sampler.n_startup_trials", integer=True, minimum=1
                )
            ),
            n_jobs=settings.n_jobs(spec["n_jobs"]),
            debug=debug,
        )

    @property
    def study_name(self) -> str:
        return f"calibrate_{self.name}{'_debug' if self.debug else ''}"

    @property
    def tracked(self) -> list[str]:
        """KPIs whose means and spreads each trial records: the targets, then a few to read alongside."""
        names = [t.kpi for t in self.targets] + ["operating_profit", "fill_rate", "inventory_turns"]
        return list(dict.fromkeys(names))

    def identity(self) -> dict[str, Any]:
        """What makes trials comparable: a study refuses to continue with anything else."""
        return {
            "base": self.base,
            "demand_file": self.demand_digest,  # the file's content, not only its name
            "parameters": [p.describe() for p in self.parameters],
            "seeds": self.seeds,
            "targets": [t.describe() for t in self.targets],
        }

    def resolved(self) -> dict[str, Any]:
        """The calibration as run, for ``calibration.yaml`` in the output folder."""
        return {
            "name": self.name,
            "targets": {t.kpi: {"target": t.target, "tolerance": t.tolerance} for t in self.targets},
            "parameters": {p.key: {"low": p.low, "high": p.high, "type": p.kind} for p in self.parameters},
            "seeds": self.seeds,
            "validation_seeds": self.validation_seeds,
            "trials": self.trials,
            "spread_trials": self.spread_trials,
            "sampler": {"name": "TPESampler", "seed": self.sampler_seed, "n_startup_trials": self.startup_trials},
            "n_jobs": self.n_jobs,
            "debug": self.debug,
            "base": self.base,
        }

    def loss(self, means: Mapping[str, float]) -> float:
        """The objective: the sum over targets of the squared miss in tolerances."""
        return float(sum(t.miss(means[t.kpi]) ** 2 for t in self.targets))


def _name(raw: Any) -> str:
    if not isinstance(raw, str) or not raw or not raw.replace("-", "_").isidentifier():
        raise ConfigError(f"name = {raw!r}: must be a name of letters, digits, - and _ (the scenario it writes)")
    if raw in option_names("scenario"):
        raise ConfigError(
            f"name = {raw!r}: a shipped scenario has that name, and --config-dir would hide it; choose another"
        )
    return raw


# -- the client's order history ------------------------------------------------------------------


def _with_demand_file(raw: Any, folder: Path | None) -> Any:
    """The base with a relative ``scenario.demand_file`` made absolute: as given if there, else next to the config."""
    if not isinstance(raw, Mapping) or not isinstance(raw.get("scenario"), Mapping):
        return raw
    path = raw["scenario"].get("demand_file")
    if not isinstance(path, str) or Path(path).is_absolute():
        return raw
    found = Path(path) if Path(path).is_file() or folder is None else folder / path
    return {**raw, "scenario": {**raw["scenario"], "demand_file": str(found.resolve())}}


def _check_demand_file(base: Mapping[str, Any]) -> str | None:
    """Read the base's demand file as a run would (one line if it is missing or bad); its content digest."""
    from sim.world import check_inputs

    config = load_config(base)
    path = config.scenario.demand_file
    if path is None:
        return None
    try:
        check_inputs(config)
    except ConfigError as error:
        raise ConfigError(f"base.{error}" if str(error).startswith("scenario.") else f"base: {error}") from None
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


# -- targets and parameters ---------------------------------------------------------------------


def kpi_name(raw: Any, key: str) -> str:
    """A KPI of the run summary, else one line naming the close ones (``forecast_bias``: sales_forecast_bias?)."""
    from sim.policies import levers

    known = kpis.names(tuple(levers()))
    if raw in known:
        return str(raw)
    text = str(raw)
    close = [name for name in known if text and (text in name or name in text)]
    close = close or difflib.get_close_matches(text, known, n=3, cutoff=0.6)
    hint = f"did you mean {' or '.join(close[:4])}?" if close else "e.g. inventory_turns, fill_rate, gross_margin_rate;"
    raise ConfigError(f"{key}: {text!r} is not a KPI ({hint} all KPIs: docs/KPIS.md)")


def _targets(raw: Any) -> list[Target]:
    example = "e.g. targets: {fill_rate: {target: 0.95, tolerance: 0.01}}"
    if not isinstance(raw, Mapping) or not raw:
        raise ConfigError(f"targets = {raw!r}: must map at least one KPI to its target and tolerance; {example}")
    found = []
    for kpi, entry in raw.items():
        where = f"targets.{kpi}"
        name = kpi_name(kpi, where)
        if not isinstance(entry, Mapping):
            raise ConfigError(f"{where} = {entry!r}: must be {{target: ..., tolerance: ...}}")
        settings.check_keys(entry, ("target", "tolerance"), f"{where}.")
        for part in ("target", "tolerance"):
            if part not in entry:
                raise ConfigError(f"{where}.{part}: missing; {example}")
        value = float(settings.number(entry["target"], f"{where}.target"))
        tolerance = float(settings.number(entry["tolerance"], f"{where}.tolerance"))
        if tolerance <= 0:
            raise ConfigError(f"{where}.tolerance = {entry['tolerance']!r}: must be above 0 (in the KPI's unit)")
        found.append(Target(name, value, tolerance))
    return found


def _parameters(raw: Any, base: Mapping[str, Any]) -> list[settings.Parameter]:
    if isinstance(raw, Mapping):
        fields = load_config(base).model_dump(mode="python")
        for key in raw:
            _fittable(str(key), fields)
    return settings.parse_parameters(raw, base)


def _fittable(key: str, fields: Mapping[str, Any]) -> None:
    """A numeric field of the run config's scenario or org section, else one line with the close names."""
    where = f"parameters.{key}"
    section, _, leaf = key.partition(".")
    if section not in FITTED_SECTIONS or not leaf or "." in leaf:
        raise ConfigError(f"{where}: only scenario.<key> and org.<key> can be fitted (they go in the scenario file)")
    known = fields[section]
    if leaf not in known:
        close = difflib.get_close_matches(leaf, list(known), n=3)
        hint = f"did you mean {' or '.join(f'{section}.{name}' for name in close)}?" if close else "see docs/ODD.md"
        raise ConfigError(f"{where}: not a field of the {section} config ({hint})")
    value = known[leaf]
    if isinstance(value, bool | str):
        raise ConfigError(f"{where}: holds {value!r}, not a number; only numeric keys can be fitted")


def _validation_seeds(raw: Any, seeds: list[int]) -> list[int]:
    if isinstance(raw, int) and not isinstance(raw, bool):
        settings.number(raw, "validation_seeds", integer=True, minimum=2)
        chosen = list(range(VALIDATION_FIRST_SEED, VALIDATION_FIRST_SEED + raw))
    else:
        chosen = settings.seed_list(raw, "validation_seeds")
    if len(chosen) < 2:
        raise ConfigError(f"validation_seeds = {raw!r}: need at least 2 (for an interval)")
    shared = sorted(set(chosen) & set(seeds))
    if shared:
        raise ConfigError(
            f"validation_seeds: {shared} are also calibration seeds; the check needs fresh seeds, or it "
            "would only confirm the seeds the parameters were fitted to"
        )
    return chosen
