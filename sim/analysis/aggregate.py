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

import hashlib
import json
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.analysis.run_record import Run, number
from sim.output.atomic import write_atomically
from sim.output.runfolder import CONFIG, MANIFEST, SUMMARY, problem, read_config, read_manifest, read_summary
from sim.output.sweepfolder import find_runs, overrides_of, parse_overrides, relative
from sim.usage import InputError

if TYPE_CHECKING:
    import pandas as pd

SUMMARY_TABLE = "summary.parquet"
COMPARISON_TABLE = "comparison.parquet"
COMPARISON_CSV = "comparison.csv"
RECORD = "aggregate.json"
OUTPUTS = (SUMMARY_TABLE, COMPARISON_TABLE, COMPARISON_CSV, RECORD)
DEFAULT_BASELINE = "policy=silo"
# The silo, as the experiments name it (arm=silo) or as a plain sweep of levers does (policy=silo).
DEFAULT_BASELINES = ("arm=silo", DEFAULT_BASELINE)
NO_OVERRIDES = "(defaults)"
OVERRIDES = ".hydra/overrides.yaml"
# KPIs every run that ran has: one without a value measured nothing (e.g. a demand file whose
# days all fall after the horizon) and is left out, with the reason, rather than averaged as nan.
ALWAYS_DEFINED = ("operating_profit", "fill_rate", "profit_before_levers")


class SweepError(InputError):
    """A folder that is not a sweep, or a baseline that is not an arm of it: the message is one line."""


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

    summary: "pd.DataFrame"
    comparison: "pd.DataFrame"
    incomplete: list[tuple[Path, str]]
    sweep_dir: Path = Path()
    baseline: str | None = None
    requested_baseline: str | None = None
    kpis: list[str] = field(default_factory=list)
    arms: list[str] = field(default_factory=list)


# -- the public entry points ---------------------------------------------------------------


def aggregate(sweep_dir: Path, baseline: str | None = None) -> Aggregate:
    """Read every run folder under ``sweep_dir`` and write the summary and comparison tables.

    Args:
        sweep_dir: the sweep folder (run folders at any depth below it).
        baseline: the arm to compare with, as overrides (``"policy=silo"``); keys it does not
            name are matched to each arm's own, so every scenario gets its own silo. None:
            ``arm=silo`` or ``policy=silo`` when the sweep has it, else no baseline (means only).

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
    runs: list[Run] = []
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
            f"(e.g. {relative(first, sweep_dir)}: {reason})"
        )
    labels, arm_overrides = _arms(runs)
    spec = _baseline_spec(baseline, arm_overrides)
    baselines = _baseline_of_each_arm(spec, arm_overrides)
    if baseline is not None and not any(baselines.values()):
        raise SweepError(
            f"--baseline {baseline}: no arm of this sweep matches it; the arms are: {', '.join(arm_overrides)}"
        )
    from sim.analysis.tables import comparison_table, summary_table  # pandas and scipy: only for a sweep

    summary, kpis, override_columns = summary_table(sweep_dir, runs, labels)
    comparison = comparison_table(summary, kpis, arm_overrides, baselines, override_columns)
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
        "incomplete": [{"run": relative(path, sweep_dir), "reason": reason} for path, reason in result.incomplete],
        "inputs": inputs_digest(find_run_dirs(sweep_dir)),
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
    import pandas as pd

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
    """Whether the written tables are missing or were built from other files than the run folders hold now.

    The tables record a fingerprint of their inputs (:func:`inputs_digest`): any run folder
    added, removed, rewritten or cut short since changes it, so ``spsim-report`` never
    reuses tables that ``spsim-aggregate`` would now build differently.
    """
    if not all((sweep_dir / name).is_file() for name in OUTPUTS):
        return True
    return _read_record(sweep_dir).get("inputs") != inputs_digest(find_run_dirs(sweep_dir))


def current(sweep_dir: Path, baseline: str | None = None) -> tuple[Aggregate, bool]:
    """The sweep's tables: those written, while their inputs are unchanged, else built anew.

    Returns the tables and whether they were just built (and still need :func:`write`).
    The one loader of ``spsim-aggregate``, ``spsim-report`` and the end of a sweep.
    """
    if baseline is None and not is_stale(sweep_dir):
        try:
            return load(sweep_dir), False
        except (OSError, ValueError, KeyError):
            pass  # unreadable tables: aggregate again
    requested = baseline if baseline is not None else _read_record(sweep_dir).get("requested_baseline")
    return collect(sweep_dir, requested), True


def inputs_digest(run_dirs: Sequence[Path]) -> str:
    """A fingerprint of every file of every run folder: its name, size and modification time (ns)."""
    digest = hashlib.sha256()
    for run_dir in run_dirs:
        digest.update(str(run_dir).encode())
        for folder in (run_dir, run_dir / ".hydra"):
            try:
                entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
            except OSError:
                continue
            for entry in entries:
                if entry.is_file():
                    stat = entry.stat()
                    digest.update(f"{entry.name}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    return digest.hexdigest()


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
    """Every run folder below ``sweep_dir``, at any depth, in natural order (``sim.output.sweepfolder``)."""
    return find_runs(sweep_dir)


def read_run(run_dir: Path) -> Run | str:
    """The run in ``run_dir``, or the reason it is not a complete result."""
    trouble = problem(run_dir)
    if trouble:
        return trouble
    manifest = read_manifest(run_dir) or {}
    kpis = _kpis(read_summary(run_dir))
    if isinstance(kpis, str):
        return kpis
    config = read_config(run_dir) if (run_dir / CONFIG).is_file() else {}
    if (run_dir / CONFIG).is_file() and not config:
        return f"{CONFIG} unreadable"
    raw_overrides = overrides_of(run_dir)
    if raw_overrides is None and (run_dir / OVERRIDES).is_file():
        return f"{OVERRIDES} unreadable (not a list of key=value)"
    if raw_overrides is not None and (bad := _malformed(raw_overrides)) is not None:
        return f"{OVERRIDES}: {bad!r} is not key=value"
    overrides = parse_overrides(raw_overrides) if raw_overrides is not None else _overrides_of(config)
    seed = _seed(manifest.get("seed"), config.get("seed"), overrides.get("seed"))
    if seed is None:
        return f"{MANIFEST} names no seed"
    if "seed" in overrides and _seed(overrides["seed"]) != _seed(manifest.get("seed", seed)):
        return f"{OVERRIDES} says seed={overrides['seed']}, {MANIFEST} says seed={manifest.get('seed')}"
    overrides.pop("seed", None)
    return Run(run_dir, seed, overrides, manifest, config, kpis)


def _kpis(summary: dict[str, Any]) -> dict[str, float] | str:
    """The summary's KPIs as numbers, or why they cannot be used (not a number, or none where one must be)."""
    kpis: dict[str, float] = {}
    for name, value in summary.items():
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            return f"{SUMMARY}: {name} = {value!r} is not a number"
        kpis[str(name)] = number(value)
        if math.isinf(kpis[str(name)]):
            return f"{SUMMARY}: {name} is infinite"
    blank = [name for name in ALWAYS_DEFINED if name in kpis and math.isnan(kpis[name])]
    if blank:  # every run that ran has a profit and took orders: a blank one measured nothing
        return f"{SUMMARY}: {', '.join(blank)} {'has' if len(blank) == 1 else 'have'} no value"
    return kpis


def _malformed(lines: list[str]) -> str | None:
    """The first override that is not ``key=value`` (a Hydra flag such as ``hydra/launcher=basic`` is fine)."""
    for line in lines:
        key, separator, _ = line.strip().partition("=")
        if not separator or not key.lstrip("+~").strip():
            return line
    return None


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


# -- arms and the baseline -------------------------------------------------------------------


def _arms(runs: Sequence[Run]) -> tuple[list[str], dict[str, dict[str, str]]]:
    """Each run's arm label, and each arm's overrides (in order of first appearance).

    A label names the overrides that differ between runs (``policy=rotation``): those
    the whole sweep shares (``debug=default``) would only lengthen it. Two arms always
    differ in at least one of those, so a label names exactly one arm.
    """
    keys = list(dict.fromkeys(key for run in runs for key in run.overrides))
    varying = [key for key in keys if len({run.overrides.get(key) for run in runs}) > 1]
    labels: list[str] = []
    arms: dict[str, dict[str, str]] = {}
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
    """The baseline's overrides: the one asked for, else arm=silo or policy=silo if the sweep has it."""
    if baseline is None:
        for candidate in DEFAULT_BASELINES:
            default = parse_overrides([candidate])
            if any(all(o.get(k) == v for k, v in default.items()) for o in arms.values()):
                return default
        return None
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


# -- files -------------------------------------------------------------------------------------


def _read_record(sweep_dir: Path) -> dict[str, Any]:
    try:
        record = json.loads((sweep_dir / RECORD).read_text())
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


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
        for row in objective.to_dict("records"):
            line = f"  {row['arm']:<{width}}  {row['mean']:>14,.0f}"
            if row["is_baseline"]:
                line += "  (baseline)"
            elif row["n_paired"]:
                line += f"  {row['diff_mean']:>+12,.0f} [{row['diff_ci_low']:+,.0f}, {row['diff_ci_high']:+,.0f}]"
                line += f"  n={row['n_paired']}"
            lines.append(line)
    if result.incomplete:
        lines.append(f"skipped {len(result.incomplete)} incomplete run folder(s):")
        lines += [f"  {relative(path, sweep)}: {reason}" for path, reason in result.incomplete]
    else:
        lines.append("no run folder was skipped")
    return "\n".join(lines)
