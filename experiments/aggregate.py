"""A sweep's results as two tables: one row per run, and each arm against the baseline.

An *arm* is what a run was asked to be, without its seed: its command-line overrides
(``policy=rotation``, ``policy=rotation,scenario=seasonal``). Seeds are replications:
arms run on the same seed face the same market (common random numbers), so each arm
is compared with its baseline by the difference on every seed both have, and a 95%
t interval of those differences.

Only the small files of each run are read (``manifest.json``, ``config.yaml``,
``summary.json``, ``.hydra/overrides.yaml``), never the Parquet tables, and the tables
are built once from plain lists, so a thousand runs take a few seconds. A folder whose
manifest is missing, does not say ``complete``, lists a file that is absent or cut
short, or whose summary cannot be read, is skipped with the reason and never counted.

Written into the sweep folder, each under a temporary name then renamed:

- ``summary.parquet``: one row per complete run: ``run`` (its folder, relative to the
  sweep), ``arm``, one column per override, ``seed``, ``config_hash``, a few facts of
  its config, and every KPI of its ``summary.json``.
- ``comparison.parquet`` and ``comparison.csv``: one row per arm and KPI: the mean over
  seeds with its interval, and the paired difference against the arm's baseline.
- ``aggregate.json``: the baseline used and the skipped folders with their reasons.
"""

import argparse
import json
import math
import os
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
import pandas as pd
import yaml

from experiments.stats import mean_interval, paired_difference
from sim.output.rundir import CONFIG, MANIFEST, SUMMARY, read_manifest

SUMMARY_TABLE = "summary.parquet"
COMPARISON_TABLE = "comparison.parquet"
COMPARISON_CSV = "comparison.csv"
RECORD = "aggregate.json"
OUTPUTS = (SUMMARY_TABLE, COMPARISON_TABLE, COMPARISON_CSV, RECORD)
OVERRIDES = Path(".hydra") / "overrides.yaml"
DEFAULT_BASELINE = "policy=silo"
NO_OVERRIDES = "(defaults)"
USAGE_ERROR = 2

_RUN_MARKERS = frozenset({MANIFEST, CONFIG, SUMMARY})
_NOT_RUNS = frozenset({"report", "charts"})  # folders inside a sweep or run that never hold runs
_PARQUET_MAGIC = b"PAR1"
# The C parser reads a config in ~1.5 ms, the pure-Python one in ~10 ms: a thousand runs.
_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Facts of each run's config kept in the summary next to its overrides.
_CONFIG_COLUMNS = ("scenario_name", "levers", "warmup_days", "horizon_days")
_MANIFEST_COLUMNS = ("config_hash", "wall_time_s", "git_commit")


class SweepError(Exception):
    """Bad input: the message is one line that says what is wrong with it."""


@dataclass
class Aggregate:
    """The tables of a sweep and the run folders left out of them.

    Attributes:
        summary: one row per complete run.
        comparison: one row per arm and KPI (means, paired differences, intervals, n).
        incomplete: ``(run folder, reason)`` of every folder skipped.
        sweep_dir: the sweep folder.
        baseline: the baseline used (``"policy=silo"``), or None when there is none.
        requested_baseline: the baseline the caller asked for (None: the default rule).
        kpis: the KPI columns, in the order of the runs' summaries.
        arms: the arms, in the order their first run appears.
    """

    summary: pd.DataFrame
    comparison: pd.DataFrame
    incomplete: list[tuple[Path, str]]
    sweep_dir: Path = Path()
    baseline: str | None = None
    requested_baseline: str | None = None
    kpis: list[str] = field(default_factory=list)
    arms: list[str] = field(default_factory=list)


@dataclass
class _Run:
    """What aggregation needs of one complete run folder."""

    path: Path
    seed: int
    overrides: dict[str, str]  # key -> value as typed on the command line, seed left out
    manifest: dict[str, Any]
    config: dict[str, Any]
    kpis: dict[str, float]


# -- the public entry points ---------------------------------------------------------------


def aggregate(sweep_dir: Path, baseline: str | None = None) -> Aggregate:
    """Read every run folder under ``sweep_dir`` and write the summary and comparison tables.

    Args:
        sweep_dir: the sweep folder (run folders at any depth below it).
        baseline: the arm to compare with, as overrides (``"policy=silo"``); keys it does not
            name are matched to each arm's own, so every scenario gets its own silo. None:
            ``policy=silo`` when the sweep has it, else no baseline (means only).

    Raises:
        SweepError: no such folder, no run folder in it, no complete run, or a baseline
            that matches no arm.
    """
    result = collect(sweep_dir, baseline)
    write(result)
    return result


def collect(sweep_dir: Path, baseline: str | None = None) -> Aggregate:
    """Everything ``aggregate`` computes, without writing anything."""
    sweep_dir = check_sweep_dir(sweep_dir)
    run_dirs = find_run_dirs(sweep_dir)
    if not run_dirs:
        raise SweepError(f"{sweep_dir}: not a sweep: no run folder (with {MANIFEST}, {CONFIG} or {SUMMARY}) below it")
    runs: list[_Run] = []
    incomplete: list[tuple[Path, str]] = []
    for run_dir in run_dirs:
        read = read_run(run_dir)
        if isinstance(read, str):
            incomplete.append((run_dir, read))
        else:
            runs.append(read)
    if not runs:
        first, reason = incomplete[0]
        raise SweepError(
            f"{sweep_dir}: no complete run among {len(run_dirs)} run folder(s) "
            f"(e.g. {_relative(first, sweep_dir)}: {reason})"
        )
    labels, arm_overrides = _arms(runs)
    spec = _baseline_spec(baseline, arm_overrides)
    baselines = _baseline_of_each_arm(spec, arm_overrides)
    if baseline is not None and not any(baselines.values()):
        raise SweepError(
            f"--baseline {baseline}: no arm of this sweep matches it; the arms are: {', '.join(arm_overrides)}"
        )
    summary, kpis, override_columns = _summary_table(sweep_dir, runs, labels)
    comparison = _comparison_table(summary, kpis, arm_overrides, baselines, override_columns)
    return Aggregate(
        summary=summary,
        comparison=comparison,
        incomplete=incomplete,
        sweep_dir=sweep_dir,
        baseline=_join_overrides(spec) if spec and any(baselines.values()) else None,
        requested_baseline=baseline,
        kpis=kpis,
        arms=list(arm_overrides),
    )


def write(result: Aggregate) -> list[Path]:
    """Write the tables of ``result`` into its sweep folder; the summary is sealed last."""
    sweep_dir = result.sweep_dir
    record = {
        "baseline": result.baseline,
        "requested_baseline": result.requested_baseline,
        "runs": len(result.summary),
        "arms": result.arms,
        "kpis": result.kpis,
        "incomplete": [{"run": _relative(path, sweep_dir), "reason": reason} for path, reason in result.incomplete],
    }
    paths = [sweep_dir / name for name in OUTPUTS]
    summary_path, comparison_path, csv_path, record_path = paths
    write_atomically(csv_path, lambda tmp: result.comparison.to_csv(tmp, index=False))
    write_atomically(comparison_path, lambda tmp: result.comparison.to_parquet(tmp, index=False))
    write_atomically(record_path, lambda tmp: tmp.write_text(json.dumps(record, indent=2) + "\n"))
    write_atomically(summary_path, lambda tmp: result.summary.to_parquet(tmp, index=False))
    return paths


def load(sweep_dir: Path) -> Aggregate:
    """The tables a previous aggregation wrote (see ``is_stale`` for whether to trust them)."""
    sweep_dir = check_sweep_dir(sweep_dir)
    summary = pd.read_parquet(sweep_dir / SUMMARY_TABLE)
    comparison = pd.read_parquet(sweep_dir / COMPARISON_TABLE)
    record = _read_record(sweep_dir)
    kpis = record.get("kpis") or list(dict.fromkeys(comparison["kpi"]))
    return Aggregate(
        summary=summary,
        comparison=comparison,
        incomplete=[(sweep_dir / item["run"], item["reason"]) for item in record.get("incomplete", [])],
        sweep_dir=sweep_dir,
        baseline=record.get("baseline"),
        requested_baseline=record.get("requested_baseline"),
        kpis=list(kpis),
        arms=record.get("arms") or list(dict.fromkeys(comparison["arm"])),
    )


def is_stale(sweep_dir: Path) -> bool:
    """Whether the written tables are missing, or older than a run folder's manifest.

    Also stale when run folders were added or removed since (their count changed).
    """
    try:
        written = min((sweep_dir / name).stat().st_mtime for name in OUTPUTS)
    except OSError:
        return True
    run_dirs = find_run_dirs(sweep_dir)
    record = _read_record(sweep_dir)
    if record.get("runs", -1) + len(record.get("incomplete", [])) != len(run_dirs):
        return True
    for run_dir in run_dirs:
        try:
            if (run_dir / MANIFEST).stat().st_mtime > written:
                return True
        except OSError:
            continue
    return False


# -- finding and reading run folders ----------------------------------------------------------


def check_sweep_dir(sweep_dir: Path | str) -> Path:
    """``sweep_dir`` as a Path, if it is an existing folder."""
    path = Path(sweep_dir)
    if not path.exists():
        raise SweepError(f"{path}: no such folder")
    if not path.is_dir():
        raise SweepError(f"{path}: not a folder (give the sweep folder, e.g. results/sweeps/<time>)")
    return path


def find_run_dirs(sweep_dir: Path) -> list[Path]:
    """Every run folder below ``sweep_dir``, at any depth, in natural order (2 before 10).

    A run folder holds a manifest, a config or a summary; nothing below it is searched.
    Hidden folders (``.hydra``, temporary ones) and report or chart folders are skipped.
    """
    found = []
    for root, folders, files in os.walk(sweep_dir):
        if _RUN_MARKERS.intersection(files):
            found.append(Path(root))
            folders.clear()
        else:
            folders[:] = [name for name in folders if not name.startswith(".") and name not in _NOT_RUNS]
    return sorted(found, key=lambda path: _natural_key(_relative(path, sweep_dir)))


def read_run(run_dir: Path) -> _Run | str:
    """The run in ``run_dir``, or the reason it is not a complete result."""
    if not (run_dir / MANIFEST).is_file():
        return f"no {MANIFEST}"
    manifest = read_manifest(run_dir)
    if manifest is None:
        return f"{MANIFEST} unreadable"
    status = manifest.get("status")
    if status != "complete":
        error = manifest.get("error")
        return f"status is {status!r}, not 'complete'" + (f" ({error})" if error else "")
    listed = manifest.get("files", [])
    if not isinstance(listed, list):
        return f"{MANIFEST}: 'files' is not a list"
    for name in listed:
        problem = _file_problem(run_dir / str(name))
        if problem:
            return f"{name} {problem}"
    kpis = _read_summary(run_dir / SUMMARY)
    if isinstance(kpis, str):
        return kpis
    config = _read_yaml(run_dir / CONFIG, default={})
    if config is None or not isinstance(config, dict):
        return f"{CONFIG} unreadable"
    raw_overrides = _read_yaml(run_dir / OVERRIDES, default=None)
    if raw_overrides is not None and not isinstance(raw_overrides, list):
        return f"{OVERRIDES} unreadable"
    overrides = parse_overrides(raw_overrides) if raw_overrides is not None else _overrides_of(config)
    seed = _seed(manifest.get("seed"), config.get("seed"), overrides.get("seed"))
    if seed is None:
        return f"{MANIFEST} names no seed"
    overrides.pop("seed", None)
    return _Run(run_dir, seed, overrides, manifest, config, kpis)


def parse_overrides(lines: Iterable[Any]) -> dict[str, str]:
    """``["policy=rotation", "seed=2"]`` -> ``{"policy": "rotation", "seed": "2"}``.

    Hydra's own settings (``hydra.*``, ``hydra/launcher=...``) do not change a result and
    are left out; ``+``/``++``/``~`` prefixes are dropped from the keys.
    """
    overrides: dict[str, str] = {}
    for line in lines:
        key, separator, value = str(line).strip().partition("=")
        key = key.lstrip("+~").strip()
        if not separator or not key or key == "hydra" or key.startswith(("hydra.", "hydra/")):
            continue
        overrides[key] = value.strip()
    return overrides


def split_overrides(text: str) -> list[str]:
    """``"policy=[a,b],scenario=x"`` -> ``["policy=[a,b]", "scenario=x"]`` (commas in brackets kept)."""
    parts, depth, current = [], 0, ""
    for character in text:
        if character in "[{(":
            depth += 1
        elif character in "]})":
            depth -= 1
        if character == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += character
    parts.append(current)
    return [part.strip() for part in parts if part.strip()]


def _file_problem(path: Path) -> str | None:
    """Why a file listed in the manifest is not whole, or None if it looks whole."""
    try:
        size = path.stat().st_size
    except OSError:
        return "missing (listed in the manifest)"
    if not path.is_file():
        return "is not a file"
    if size == 0:
        return "is empty"
    if path.suffix == ".parquet":
        # A Parquet file starts and ends with PAR1: a cut-short file has no footer.
        try:
            with path.open("rb") as handle:
                head = handle.read(4)
                handle.seek(-4, os.SEEK_END)
                tail = handle.read(4) if size >= 8 else b""
        except OSError as error:
            return f"unreadable ({error.strerror})"
        if head != _PARQUET_MAGIC or tail != _PARQUET_MAGIC:
            return "is truncated or corrupt (not a whole Parquet file)"
    return None


def _read_summary(path: Path) -> dict[str, float] | str:
    try:
        loaded = json.loads(path.read_text())
    except FileNotFoundError:
        return f"no {SUMMARY}"
    except (OSError, ValueError) as error:
        return f"{SUMMARY} unreadable ({_one_line(error)})"
    if not isinstance(loaded, dict):
        return f"{SUMMARY} is not a table of KPIs"
    return {str(name): _number(value) for name, value in loaded.items()}


def _read_yaml(path: Path, default: Any) -> Any:
    """The YAML document at ``path``; ``default`` if there is no file; None if it is unreadable."""
    try:
        text = path.read_text()
    except FileNotFoundError:
        return default
    except OSError:
        return None
    try:
        loaded = yaml.load(text, Loader=_YAML_LOADER)
    except yaml.YAMLError:
        return None
    return default if loaded is None else loaded


def _overrides_of(config: dict[str, Any]) -> dict[str, str]:
    """A run made without Hydra (no overrides file): its scenario and levers as overrides."""
    policy = config.get("policy") or {}
    levers = list(policy) if isinstance(policy, dict) else []
    overrides = {"policy": levers[0] if len(levers) == 1 else f"[{','.join(levers)}]" if levers else "silo"}
    scenario = config.get("scenario")
    if isinstance(scenario, dict) and scenario.get("name"):
        overrides["scenario"] = str(scenario["name"])
    return overrides


def _seed(*candidates: Any) -> int | None:
    for candidate in candidates:
        try:
            if candidate is not None and float(candidate) == int(float(candidate)):
                return int(float(candidate))
        except (TypeError, ValueError):
            continue
    return None


def _number(value: Any) -> float:
    if isinstance(value, bool | int | float):
        return float(value)
    return math.nan


# -- arms and the baseline -------------------------------------------------------------------


def _arms(runs: Sequence[_Run]) -> tuple[list[str], dict[str, dict[str, str]]]:
    """Each run's arm label, and each arm's overrides (in order of first appearance).

    A label names the overrides that differ between runs (``policy=rotation``): those
    the whole sweep shares (``debug=default``) would only lengthen it. Two arms always
    differ in at least one of those, so a label names exactly one arm.
    """
    keys = list(dict.fromkeys(key for run in runs for key in run.overrides))
    varying = [key for key in keys if len({run.overrides.get(key) for run in runs}) > 1]
    labels, arms = [], {}
    for run in runs:
        shown = varying or keys
        label = _join_overrides({key: run.overrides[key] for key in shown if key in run.overrides})
        label = label or NO_OVERRIDES
        labels.append(label)
        arms.setdefault(label, run.overrides)
    return labels, arms


def _join_overrides(overrides: dict[str, str]) -> str:
    return ",".join(f"{key}={value}" for key, value in overrides.items())


def _baseline_spec(baseline: str | None, arms: dict[str, dict[str, str]]) -> dict[str, str] | None:
    """The baseline's overrides: the one asked for, else policy=silo if the sweep has it."""
    if baseline is None:
        default = parse_overrides([DEFAULT_BASELINE])
        has_default = any(all(o.get(k) == v for k, v in default.items()) for o in arms.values())
        return default if has_default else None
    parts = split_overrides(baseline)
    spec = parse_overrides(parts)
    if not parts or len(spec) != len(parts):
        raise SweepError(f"--baseline {baseline!r}: expected key=value[,key=value...], e.g. {DEFAULT_BASELINE}")
    spec.pop("seed", None)
    if not spec:
        raise SweepError(f"--baseline {baseline!r}: a baseline is an arm, not a seed (e.g. {DEFAULT_BASELINE})")
    return spec


def _baseline_of_each_arm(spec: dict[str, str] | None, arms: dict[str, dict[str, str]]) -> dict[str, str | None]:
    """For each arm, the arm that has the baseline's overrides and the arm's other ones.

    Setting a group (``policy=silo``) also drops the arm's settings inside it
    (``policy.rotation.spell_days=90``): the silo of a tuned lever is the plain silo.
    """
    if spec is None:
        return dict.fromkeys(arms)
    by_overrides = {frozenset(overrides.items()): label for label, overrides in arms.items()}
    groups = tuple(f"{key}." for key in spec)
    result: dict[str, str | None] = {}
    for label, overrides in arms.items():
        candidate = {key: value for key, value in overrides.items() if not key.startswith(groups)}
        candidate.update(spec)
        result[label] = by_overrides.get(frozenset(candidate.items()))
    return result


# -- the tables --------------------------------------------------------------------------------


def _summary_table(
    sweep_dir: Path, runs: Sequence[_Run], labels: Sequence[str]
) -> tuple[pd.DataFrame, list[str], list[str]]:
    """One row per run, built column by column from plain lists (no per-run pandas)."""
    kpis = list(dict.fromkeys(name for run in runs for name in run.kpis))
    reserved = {"run", "arm", "seed", *_CONFIG_COLUMNS, *_MANIFEST_COLUMNS, *kpis}
    override_keys = [key for key in dict.fromkeys(k for run in runs for k in run.overrides) if key not in reserved]
    columns: dict[str, Any] = {
        "run": [_relative(run.path, sweep_dir) for run in runs],
        "arm": list(labels),
    }
    for key in override_keys:
        columns[key] = _typed([run.overrides.get(key) for run in runs])
    columns["seed"] = np.array([run.seed for run in runs], dtype=np.int64)
    columns["config_hash"] = [_text(run.manifest.get("config_hash")) for run in runs]
    columns["scenario_name"] = [
        _text((run.config.get("scenario") or {}).get("name") or run.manifest.get("scenario")) for run in runs
    ]
    columns["levers"] = [_levers(run.config) for run in runs]
    for name in ("warmup_days", "horizon_days"):
        columns[name] = _whole_if_possible(np.array([_number(run.config.get(name)) for run in runs]))
    columns["wall_time_s"] = np.array([_number(run.manifest.get("wall_time_s")) for run in runs])
    columns["git_commit"] = [_text(run.manifest.get("git_commit")) for run in runs]
    for name in kpis:
        columns[name] = np.array([run.kpis.get(name, math.nan) for run in runs], dtype=np.float64)
    return pd.DataFrame(columns), kpis, override_keys


def _comparison_table(
    summary: pd.DataFrame,
    kpis: list[str],
    arms: dict[str, dict[str, str]],
    baselines: dict[str, str | None],
    override_columns: list[str],
) -> pd.DataFrame:
    """One row per arm and KPI: mean over seeds, and the paired difference with the baseline."""
    # A seed run twice in one arm (a repeated job) counts once: its runs are averaged.
    per_seed = summary.groupby(["arm", "seed"], sort=True)[kpis].mean() if kpis else None
    arm_values = {arm: per_seed.xs(arm, level="arm") for arm in arms} if per_seed is not None else {}
    first_row = summary.drop_duplicates("arm").set_index("arm")
    rows = []
    for arm in arms:
        values = arm_values.get(arm)
        baseline = baselines.get(arm)
        paired = None
        if baseline is not None and baseline != arm and values is not None:
            base_values = arm_values[baseline]
            common = values.index.intersection(base_values.index)
            paired = (values.loc[common].to_numpy(), base_values.loc[common].to_numpy())
        described = {key: first_row.at[arm, key] for key in override_columns}
        for position, kpi in enumerate(kpis):
            mean = mean_interval(values[kpi].to_numpy() if values is not None else np.array([]))
            row = {
                "arm": arm,
                **described,
                "baseline": baseline,
                "is_baseline": baseline == arm,
                "kpi": kpi,
                "n": mean.n,
                "mean": mean.mean,
                "mean_ci_low": mean.low,
                "mean_ci_high": mean.high,
            }
            row |= _difference_columns(paired, position)
            rows.append(row)
    return pd.DataFrame(rows, columns=_comparison_columns(override_columns))


def _difference_columns(paired: tuple[np.ndarray, np.ndarray] | None, position: int) -> dict[str, Any]:
    if paired is None:
        return {
            "baseline_mean": math.nan,
            "diff_mean": math.nan,
            "diff_ci_low": math.nan,
            "diff_ci_high": math.nan,
            "diff_relative": math.nan,
            "n_paired": 0,
            "n_higher": 0,
            "n_lower": 0,
        }
    arm_values, base_values = paired
    difference = paired_difference(arm_values[:, position], base_values[:, position])
    interval = difference.interval
    base = difference.baseline_mean
    return {
        "baseline_mean": base,
        "diff_mean": interval.mean,
        "diff_ci_low": interval.low,
        "diff_ci_high": interval.high,
        "diff_relative": interval.mean / abs(base) if base and math.isfinite(base) else math.nan,
        "n_paired": interval.n,
        "n_higher": difference.higher,
        "n_lower": difference.lower,
    }


def _comparison_columns(override_columns: list[str]) -> list[str]:
    return [
        "arm",
        *override_columns,
        "baseline",
        "is_baseline",
        "kpi",
        "n",
        "mean",
        "mean_ci_low",
        "mean_ci_high",
        "baseline_mean",
        "diff_mean",
        "diff_ci_low",
        "diff_ci_high",
        "diff_relative",
        "n_paired",
        "n_higher",
        "n_lower",
    ]


def _typed(values: list[str | None]) -> list[Any]:
    """Override values as numbers when every value given is one, else as text."""
    given = [value for value in values if value is not None]
    for kind in (int, float):
        try:
            converted = [kind(value) for value in given]
        except ValueError:
            continue
        if kind is int or all(math.isfinite(number) for number in converted):
            numbers = iter(converted)
            return [next(numbers) if value is not None else None for value in values]
    return values


def _whole_if_possible(values: np.ndarray) -> np.ndarray:
    whole = np.isfinite(values).all() and bool((values == np.round(values)).all())
    return values.astype(np.int64) if whole else values


def _levers(config: dict[str, Any]) -> str:
    policy = config.get("policy")
    return ",".join(policy) if isinstance(policy, dict) and policy else "silo"


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


# -- files -------------------------------------------------------------------------------------


def write_atomically(path: Path, write_to: Callable[[Path], Any]) -> None:
    """Write through ``write_to`` into a temporary sibling of ``path``, then rename it into place."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        write_to(temporary)
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)


def _read_record(sweep_dir: Path) -> dict[str, Any]:
    try:
        record = json.loads((sweep_dir / RECORD).read_text())
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def _relative(path: Path, base: Path) -> str:
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return str(path)


def _natural_key(text: str) -> list[tuple[int, int | str]]:
    return [(0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", text) if part]


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__


# -- the command -------------------------------------------------------------------------------


class ArgumentParser(argparse.ArgumentParser):
    """argparse that reports bad arguments in one line, with exit status 2."""

    def error(self, message: str) -> NoReturn:
        fail(self.prog, message)


def fail(program: str, message: str, status: int = USAGE_ERROR) -> NoReturn:
    """One line on stderr, then exit."""
    print(f"{program}: error: {message}", file=sys.stderr)
    sys.exit(status)


def main(argv: Sequence[str] | None = None) -> None:
    """``spsim-aggregate <sweep dir> [--baseline policy=silo]``."""
    parser = ArgumentParser(
        prog="spsim-aggregate",
        description="Tables of a sweep: summary.parquet (one row per run) and comparison.parquet/.csv "
        "(each arm against the baseline, paired over seeds).",
    )
    parser.add_argument("sweep_dir", type=Path, help="the sweep folder, e.g. results/sweeps/<time>")
    parser.add_argument(
        "--baseline",
        default=None,
        help="the arm to compare with, as overrides (default: policy=silo if the sweep has it; "
        "other overrides are matched, so each scenario is compared with its own silo)",
    )
    arguments = parser.parse_args(argv)
    try:
        result = aggregate(arguments.sweep_dir, arguments.baseline)
    except SweepError as error:
        fail(parser.prog, str(error))
    except OSError as error:
        fail(parser.prog, f"{error.filename or arguments.sweep_dir}: {error.strerror or error}", 1)
    print(describe(result))


def describe(result: Aggregate) -> str:
    """What was written and what was skipped, for the terminal."""
    sweep = result.sweep_dir
    lines = [
        f"{len(result.summary)} complete run(s) in {len(result.arms)} arm(s); "
        f"baseline: {result.baseline or 'none (means only)'}",
        *(f"wrote {sweep / name}" for name in (SUMMARY_TABLE, COMPARISON_TABLE, COMPARISON_CSV)),
    ]
    objective = result.comparison[result.comparison["kpi"] == "operating_profit"]
    if len(objective):
        lines.append("operating_profit (mean over seeds; difference vs baseline [95% CI], n paired):")
        width = max(len(arm) for arm in objective["arm"])
        for row in objective.itertuples(index=False):
            line = f"  {row.arm:<{width}}  {row.mean:>14,.0f}"
            if row.is_baseline:
                line += "  (baseline)"
            elif row.n_paired:
                line += f"  {row.diff_mean:>+12,.0f} [{row.diff_ci_low:+,.0f}, {row.diff_ci_high:+,.0f}]"
                line += f"  n={row.n_paired}"
            lines.append(line)
    if result.incomplete:
        lines.append(f"skipped {len(result.incomplete)} incomplete run folder(s):")
        lines += [f"  {_relative(path, sweep)}: {reason}" for path, reason in result.incomplete]
    else:
        lines.append("no run folder was skipped")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
