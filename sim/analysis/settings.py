"""The settings of an analysis (sensitivity, optimisation, exploratory modelling): its YAML config, checked.

An analysis config names a *base* run config and the *parameters* it varies. The base is
either a mapping (what ``load_config`` takes: ``scenario``, ``org``, ``policy``, ...) or a
list of Hydra-style overrides, composed by spsim's own configs exactly as ``spsim`` would
(``[scenario=cost_squeeze, policy=steering_committee]``). A parameter is a dotted key into
the run config (``org.shortage_gaming``, ``policy.rotation.share_rotated``); setting a
lever's parameter adds the lever, as ``spsim policy.<lever>.<parameter>=...`` does.

Every key and bound is checked by building the run config with ``load_config``, so an
analysis config is held to the same rules as a run: a problem is a :class:`ConfigError`
of one line, which the commands print on stderr before exiting with status 2.

Runs go through :func:`sim.analysis.runs.run_summaries` (joblib processes, all cores by
default); each returns the run's KPI summary. Seeds are shared by every point of an
analysis (common random numbers), so differences between points are differences of
parameters, not luck.
"""

import copy
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sim.config import ConfigError
from sim.configure import load_config
from sim.output import kpis

SECTIONS = ("scenario", "org", "policy")


# -- reading analysis configs --------------------------------------------------------------


def read_yaml(path: str | Path) -> dict[str, Any]:
    """An analysis config file as a mapping.

    Raises:
        ConfigError: the file is missing, is not YAML, or is not a mapping.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"--config {path}: no such file")
    try:
        loaded = yaml.safe_load(path.read_text())
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise ConfigError(f"--config {path}: not valid YAML{where}") from None
    if not isinstance(loaded, dict):
        raise ConfigError(f"--config {path}: must be a mapping of analysis settings")
    return loaded


def check_keys(spec: Mapping[str, Any], allowed: Iterable[str], where: str = "") -> None:
    """Reject keys of ``spec`` not in ``allowed``, naming the allowed ones."""
    allowed = sorted(allowed)
    for key in spec:
        if key not in allowed:
            raise ConfigError(f"{where}{key}: unknown key; allowed keys: {', '.join(allowed)}")


def number(value: Any, key: str, *, integer: bool = False, minimum: float | None = None) -> Any:
    """A number (not a bool) at least ``minimum``, else a ConfigError naming ``key``."""
    kind = "an integer" if integer else "a number"
    valid = isinstance(value, int) if integer else isinstance(value, int | float)
    if isinstance(value, bool) or not valid or (not integer and not math.isfinite(value)):
        raise ConfigError(f"{key} = {value!r}: must be {kind}")
    if minimum is not None and value < minimum:
        raise ConfigError(f"{key} = {value!r}: must be at least {minimum:g}")
    return value


def seed_list(raw: Any, key: str = "seeds") -> list[int]:
    """Seeds from a list of integers, or ``n`` meaning seeds 1..n.

    Raises:
        ConfigError: not a positive count or a list of distinct non-negative integers.
    """
    if isinstance(raw, int) and not isinstance(raw, bool):
        number(raw, key, integer=True, minimum=1)
        return list(range(1, raw + 1))
    if not isinstance(raw, list) or not raw:
        raise ConfigError(f"{key} = {raw!r}: must be a count (n: seeds 1..n) or a list of seeds")
    seeds = [number(seed, key, integer=True, minimum=0) for seed in raw]
    if len(set(seeds)) != len(seeds):
        raise ConfigError(f"{key} = {raw!r}: seeds must be distinct")
    return seeds


def n_jobs(raw: Any, key: str = "n_jobs") -> int:
    """Joblib's n_jobs: a positive count, or -1 for all cores."""
    number(raw, key, integer=True)
    if raw == 0 or raw < -1:
        raise ConfigError(f"{key} = {raw!r}: must be a positive number of processes, or -1 for all cores")
    return int(raw)


# -- the base run config -------------------------------------------------------------------


def base_config(raw: Any, *, debug: bool = False, key: str = "base") -> dict[str, Any]:
    """The run config every point starts from, validated; without a seed (seeds are the analysis').

    Args:
        raw: a mapping for ``load_config``, a list of spsim overrides, or None (the defaults).
        debug: shrink the run to the debug length (``spsim debug=default``).
        key: the analysis config's key, for messages.

    Raises:
        ConfigError: the base does not compose or validate.
    """
    if raw is None:
        base: dict[str, Any] = {}
    elif isinstance(raw, Mapping):
        base = copy.deepcopy(dict(raw))
    elif isinstance(raw, list) and all(isinstance(item, str) for item in raw):
        base = _compose(raw, key)
    else:
        raise ConfigError(f"{key} = {raw!r}: must be a mapping (scenario/org/policy/...) or a list of overrides")
    if "seed" in base and not isinstance(raw, list):
        raise ConfigError(f"{key}.seed: the analysis sets the seeds; use the seeds key instead")
    base.pop("seed", None)
    base["output"] = {"charts": False, "print_summary": False}
    if debug:
        from sim.compose import debug_settings

        base.update(debug_settings())
    try:
        load_config(base)
    except ConfigError as error:
        raise ConfigError(f"{key}: {error}") from None
    return base


def _compose(overrides: list[str], key: str) -> dict[str, Any]:
    from sim.compose import compose_config  # Hydra is needed only for override lists

    try:
        return compose_config(list(overrides))
    except ConfigError as error:
        raise ConfigError(f"{key}: {error}") from None


# -- parameters as dotted keys -------------------------------------------------------------


def with_value(raw: Mapping[str, Any], key: str, value: Any) -> dict[str, Any]:
    """A copy of ``raw`` with the dotted ``key`` set to ``value`` (sections created as needed)."""
    result = copy.deepcopy(dict(raw))
    node = result
    *parents, leaf = key.split(".")
    for part in parents:
        child = node.get(part)
        node[part] = dict(child) if isinstance(child, Mapping) else {}
        node = node[part]
    node[leaf] = value
    return result


def with_values(raw: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``raw`` with every dotted key of ``values`` set."""
    result = copy.deepcopy(dict(raw))
    for key, value in values.items():
        result = with_value(result, key, value)
    return result


def current_value(base: Mapping[str, Any], key: str) -> Any:
    """The value ``key`` takes in the validated ``base`` (a lever's default if the lever is unset).

    Raises:
        ConfigError: the key is unknown (load_config's own one-line message).
    """
    probe = dict(base)
    parts = key.split(".")
    if parts[0] == "policy" and len(parts) == 3:
        policy = dict(probe.get("policy") or {})
        policy.setdefault(parts[1], {})
        probe = {**probe, "policy": policy}
    node: Any = load_config(probe).model_dump(mode="python")
    for part in parts:
        if not isinstance(node, Mapping) or part not in node:
            load_config(with_value(base, key, 0))  # raises the unknown-key message
            raise ConfigError(f"{key}: not a parameter of the run config")
        node = node[part]
    return node


@dataclass(frozen=True)
class Parameter:
    """One varied input: a dotted key of the run config and its range or choices."""

    key: str
    kind: str  # "int", "float" or "categorical"
    low: float = 0.0
    high: float = 1.0
    choices: tuple[Any, ...] = field(default_factory=tuple)

    @property
    def section(self) -> str:
        return self.key.split(".", 1)[0]

    def value(self, x: float) -> Any:
        """The config value for ``x`` in [low, high] (integers rounded to the nearest)."""
        x = min(max(float(x), self.low), self.high)
        return round(x) if self.kind == "int" else float(x)

    def describe(self) -> str:
        if self.kind == "categorical":
            return f"{self.key} in {list(self.choices)}"
        return f"{self.key} in [{self.low:g}, {self.high:g}] ({self.kind})"


def parse_parameters(
    raw: Any, base: Mapping[str, Any], *, categorical: bool = False, minimum: int = 1
) -> list[Parameter]:
    """The ``parameters`` of an analysis config, each checked against the run config.

    Each entry is ``key: [low, high]``, ``key: {low: .., high: .., type: int|float}`` or,
    if ``categorical``, ``key: {choices: [...]}``. The type follows the key's value in the
    run config (an integer key samples integers); ``type`` is needed only where the key
    defaults to null. Both bounds (every choice) must be values the key allows.

    Raises:
        ConfigError: one line naming the parameter and the problem.
    """
    if not isinstance(raw, Mapping) or len(raw) < minimum:
        raise ConfigError(
            f"parameters = {raw!r}: must map at least {minimum} dotted key(s) to a range, "
            "e.g. org.shortage_gaming: [0, 6]"
        )
    return [_parameter(str(key), spec, base, categorical) for key, spec in raw.items()]


def _parameter(key: str, spec: Any, base: Mapping[str, Any], categorical: bool) -> Parameter:
    where = f"parameters.{key}"
    if key == "seed" or key.split(".", 1)[0] not in (*SECTIONS, "horizon_days", "warmup_days"):
        raise ConfigError(f"{where}: not a varied parameter; use a key under {', '.join(SECTIONS)}")
    declared = None
    if isinstance(spec, Mapping):
        allowed = {"low", "high", "type"} | ({"choices"} if categorical else set())
        check_keys(spec, allowed, f"{where}.")
        declared = spec.get("type")
        if declared not in (None, "int", "float"):
            raise ConfigError(f"{where}.type = {declared!r}: must be int or float")
        if "choices" in spec:
            return _categorical(key, spec["choices"], base)
        bounds = [spec.get("low"), spec.get("high")]
    elif isinstance(spec, list) and len(spec) == 2:
        bounds = spec
    else:
        shape = "[low, high], {low, high, type}" + (" or {choices: [...]}" if categorical else "")
        raise ConfigError(f"{where} = {spec!r}: must be {shape}")
    low, high = (number(bound, where) for bound in bounds)
    if not low < high:
        raise ConfigError(f"{where} = [{low!r}, {high!r}]: the low bound must be below the high bound")
    default = _current(base, key, where)
    kind = declared or _kind(default, bounds, where)
    if kind == "int" and not all(float(bound).is_integer() for bound in (low, high)):
        raise ConfigError(f"{where} = [{low!r}, {high!r}]: {key} is an integer; give integer bounds")
    parameter = Parameter(key, kind, float(low), float(high))
    for bound in (low, high):
        _check_value(base, key, parameter.value(bound), where)
    return parameter


def _kind(default: Any, bounds: list[Any], where: str) -> str:
    if isinstance(default, bool | str):
        raise ConfigError(f"{where}: the key holds {default!r}, not a number; give {{choices: [...]}}")
    if isinstance(default, int):
        return "int"
    if isinstance(default, float):
        return "float"
    return "int" if all(isinstance(bound, int) for bound in bounds) else "float"


def _categorical(key: str, choices: Any, base: Mapping[str, Any]) -> Parameter:
    where = f"parameters.{key}.choices"
    if not isinstance(choices, list) or len(choices) < 2:
        raise ConfigError(f"{where} = {choices!r}: must be a list of at least two values")
    _current(base, key, where)
    for choice in choices:
        _check_value(base, key, choice, where)
    return Parameter(key, "categorical", choices=tuple(choices))


def _current(base: Mapping[str, Any], key: str, where: str) -> Any:
    try:
        return current_value(base, key)
    except ConfigError as error:
        raise _located(error, key, where) from None


def _located(error: ConfigError, key: str, where: str) -> ConfigError:
    """load_config's message, placed in the analysis config (without naming the key twice)."""
    message = str(error)
    if message.startswith(key) and where.endswith(key):
        return ConfigError(f"{where.removesuffix(key)}{message}")
    return ConfigError(f"{where}: {message}")


def _check_value(base: Mapping[str, Any], key: str, value: Any, where: str) -> None:
    try:
        load_config(with_value(base, key, value))
    except ConfigError as error:
        raise _located(error, key, where) from None


def kpi_name(raw: Any, key: str = "kpi") -> str:
    """A KPI of the run summary (the registry, docs/KPIS.md), else a ConfigError naming a few."""
    from sim.policies import levers

    if raw not in kpis.names(tuple(levers())):
        raise ConfigError(f"{key} = {raw!r}: unknown KPI; e.g. operating_profit, fill_rate (all: docs/KPIS.md)")
    return str(raw)


def kpi_unit(kpi: str) -> str:
    """The unit of a KPI's values for axis labels (the registry's: ``currency``, ``share, 0–1``, ...)."""
    return kpis.raw_unit_text(kpi)
