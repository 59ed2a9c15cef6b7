"""What the analysis commands share: their YAML configs, parameters as dotted keys, parallel runs.

An analysis config names a *base* run config and the *parameters* it varies. The base is
either a mapping (what ``load_config`` takes: ``scenario``, ``org``, ``policy``, ...) or a
list of Hydra-style overrides, composed by spsim's own configs exactly as ``spsim`` would
(``[scenario=cost_squeeze, policy=steering_committee]``). A parameter is a dotted key into
the run config (``org.shortage_gaming``, ``policy.rotation.share_rotated``); setting a
lever's parameter adds the lever, as ``spsim policy.<lever>.<parameter>=...`` does.

Every key and bound is checked by building the run config with ``load_config``, so an
analysis config is held to the same rules as a run: a problem is a :class:`ConfigError`
of one line, which the commands print on stderr before exiting with status 2.

Runs go through :func:`run_summaries` (joblib processes, all cores by default); each
returns the run's KPI summary. Seeds are shared by every point of an analysis (common
random numbers), so differences between points are differences of parameters, not luck.
"""

import copy
import json
import logging
import math
import os
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn

import yaml
from joblib import Parallel, delayed

from sim import SalesPurchasingModel, load_config
from sim.config import ConfigError
from sim.output.metrics import KPI_DEFINITIONS
from sim.output.rundir import git_commit, package_versions, write_atomically, write_json

REPO = Path(__file__).resolve().parents[1]
CONFIGS = REPO / "configs"
USAGE_ERROR = 2
SECTIONS = ("scenario", "org", "policy")
PACKAGES = ("sim", "numpy", "pandas", "joblib", "SALib", "optuna", "ema_workbench", "matplotlib")


# -- messages ------------------------------------------------------------------------------


def fail(program: str, message: str) -> NoReturn:
    """One line on stderr and exit status 2, as ``spsim`` does for bad input."""
    print(f"{program}: error: {message}", file=sys.stderr)
    sys.exit(USAGE_ERROR)


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
    """joblib's n_jobs: a positive count, or -1 for all cores."""
    number(raw, key, integer=True)
    if raw == 0 or raw < -1:
        raise ConfigError(f"{key} = {raw!r}: must be a positive number of processes, or -1 for all cores")
    return int(raw)


# -- the base run config -------------------------------------------------------------------


def debug_settings() -> dict[str, Any]:
    """The run length of ``spsim debug=default`` (configs/debug/default.yaml)."""
    loaded = yaml.safe_load((CONFIGS / "debug" / "default.yaml").read_text()) or {}
    return {key: loaded[key] for key in ("horizon_days", "warmup_days") if key in loaded}


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
        base.update(debug_settings())
    try:
        load_config(base)
    except ConfigError as error:
        raise ConfigError(f"{key}: {error}") from None
    return base


def _compose(overrides: list[str], key: str) -> dict[str, Any]:
    from sim.cli import compose_config  # Hydra is needed only for override lists

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
    """A KPI of the run summary (docs/KPIS.md), else a ConfigError listing a few."""
    from sim.policies import levers

    names = [name for name in KPI_DEFINITIONS if "<" not in name]
    names += [f"policy_cost_{lever}" for lever in levers()]
    if raw not in names:
        raise ConfigError(f"{key} = {raw!r}: unknown KPI; e.g. operating_profit, fill_rate (all: docs/KPIS.md)")
    return str(raw)


def kpi_unit(kpi: str) -> str:
    """The unit of a KPI for axis labels, from its definition."""
    definition = KPI_DEFINITIONS.get(kpi, KPI_DEFINITIONS["policy_cost_<lever>"] if "policy_cost" in kpi else "")
    if definition.startswith("currency"):
        return "currency"
    shares = ("rate", "fill_rate", "level", "in_full", "reliability", "trust_", "productivity", "relationship")
    if any(part in kpi for part in shares) and "turns" not in kpi:
        return "share, 0–1"
    if definition.startswith("units"):
        return "units"
    return ""


# -- running -------------------------------------------------------------------------------


def run_summary(raw: Mapping[str, Any]) -> dict[str, float]:
    """One run's KPI summary (validated config, no files written)."""
    logging.getLogger("MESA").setLevel(logging.WARNING)
    return dict(SalesPurchasingModel(load_config(raw)).run().summary)


def run_summaries(raws: Sequence[Mapping[str, Any]], jobs: int = -1) -> list[dict[str, float]]:
    """The summaries of many runs, in order; in parallel processes unless ``jobs`` is 1."""
    if jobs == 1 or len(raws) <= 1:
        return [run_summary(raw) for raw in raws]
    return list(Parallel(n_jobs=jobs)(delayed(run_summary)(raw) for raw in raws))


def cores(jobs: int) -> int:
    """How many processes ``jobs`` means on this machine."""
    return (os.cpu_count() or 1) if jobs == -1 else jobs


# -- output folders ------------------------------------------------------------------------


def default_out_dir(prefix: str) -> Path:
    """``results/analysis/<prefix>-<time>`` (``$SPSIM_RESULTS`` replaces ``results``)."""
    root = Path(os.environ.get("SPSIM_RESULTS", "results"))
    return root / "analysis" / f"{prefix}-{datetime.now():%Y-%m-%d_%H-%M-%S}"


def write_yaml(path: Path, data: Any, header: str = "") -> None:
    text = header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    write_atomically(path, lambda tmp: tmp.write_text(text))


def tick_formatter() -> Any:
    """Tick labels like 250k or 5.05M, with as many decimals as the tick step needs."""
    from matplotlib.ticker import Formatter

    class Ticks(Formatter):  # type: ignore[misc]
        ticks: list[float] = []  # noqa: RUF012 (replaced per axis by set_locs)

        def set_locs(self, locs: Any) -> None:
            self.ticks = [float(v) for v in locs]

        def __call__(self, value: float, position: Any = None) -> str:
            size = max([abs(v) for v in self.ticks] or [abs(value)])
            scale, suffix = (1e6, "M") if size >= 1e6 else (1e3, "k") if size >= 1e3 else (1.0, "")
            steps = sorted({round(abs(b - a), 9) for a, b in zip(self.ticks, self.ticks[1:], strict=False)} - {0})
            step = steps[0] / scale if steps else 1.0
            decimals = next((d for d in range(5) if math.isclose(round(step, d), step, rel_tol=1e-6)), 4)
            return "0" if value == 0 else f"{value / scale:,.{decimals}f}{suffix}"

    return Ticks()


def save_figure(figure: Any, path: Path) -> None:
    """Save a matplotlib figure atomically as PNG and close it."""
    import matplotlib.pyplot as plt

    write_atomically(path, lambda tmp: figure.savefig(tmp, format="png", bbox_inches="tight"))
    plt.close(figure)


class Manifest:
    """``manifest.json`` of an analysis folder: ``running`` first, ``complete`` last."""

    def __init__(self, folder: Path, command: str, settings: Mapping[str, Any]) -> None:
        self.folder = folder
        self.started = time.perf_counter()
        folder.mkdir(parents=True, exist_ok=True)
        self.data: dict[str, Any] = {
            "status": "running",
            "command": command,
            "started": datetime.now().isoformat(timespec="seconds"),
            "git_commit": git_commit(),
            "code_version": code_version(),
            "packages": package_versions(PACKAGES),
            **settings,
            "files": [],
        }
        write_json(folder / "manifest.json", self.data)

    def add(self, *names: str) -> None:
        self.data["files"].extend(names)

    def finish(self, status: str = "complete", **facts: Any) -> None:
        self.data.update(facts)
        self.data["status"] = status
        self.data["wall_time_s"] = round(time.perf_counter() - self.started, 2)
        write_json(self.folder / "manifest.json", self.data)


def code_version() -> str:
    """A digest of the simulator's code and configs (sim/**/*.py, configs/ but configs/analysis).

    Results from different digests are not comparable, even with the same config and seed.
    """
    import hashlib

    digest = hashlib.sha256()
    files = sorted(REPO.joinpath("sim").rglob("*.py")) + sorted(
        path for path in CONFIGS.rglob("*.yaml") if "analysis" not in path.relative_to(CONFIGS).parts
    )
    for path in files:
        digest.update(str(path.relative_to(REPO)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def fingerprint(data: Any) -> str:
    """A stable digest of a JSON-able structure."""
    import hashlib

    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def timed[T](action: Callable[[], T]) -> tuple[T, float]:
    """``action()`` and its wall time in seconds."""
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def as_override(key: str, value: Any) -> str:
    """``key=value`` as spsim (Hydra) reads it."""
    if value is None:
        text = "null"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, float):
        text = repr(value)
    else:
        text = str(value)
    return f"{key}={text}"


def flatten(raw: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Dotted keys of a nested mapping's leaves (an empty mapping is a leaf)."""
    flat: dict[str, Any] = {}
    for key, value in raw.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            flat |= flatten(value, f"{dotted}.")
        else:
            flat[dotted] = value
    return flat
