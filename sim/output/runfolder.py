"""Reading a run folder back: its files, whether it is a complete result, and the run itself.

A run folder (written by :class:`sim.output.rundir.RunFolder`) holds a manifest, the
resolved config, the KPI summary and the result tables. It is a result only when its
manifest says ``complete`` and every file the manifest lists is there and whole:
:func:`problem` says why a folder is not one, in a few words, and every reader of
results (aggregation, replay, the facilitator view, play mode, a resumed sweep) asks it.

This module reads small files only (JSON, YAML); the tables of a :class:`Run` are read
with pandas on first use, so checking a thousand folders stays cheap.
"""

import json
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from sim.output.events import with_figures
from sim.usage import InputError

if TYPE_CHECKING:
    import pandas as pd

MANIFEST = "manifest.json"
CONFIG = "config.yaml"  # the resolved, validated config: rerun it with --config-dir
SUMMARY = "summary.json"
TABLES = ("timeseries", "sku_timeseries", "events", "signals")
OVERRIDES = Path(".hydra") / "overrides.yaml"  # a Hydra job's command-line overrides
CHARTS_DIR = "charts"  # a run's own charts (charts/dashboard.png)
REPLAY_DIR = "replay"  # what the workshop views make of a run (storyboard, animation, debrief)
COMPLETE = "complete"

_PARQUET_MAGIC = b"PAR1"
# The C parser reads a config in ~1.5 ms, the pure-Python one in ~10 ms: a thousand runs.
_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class RunFolderError(InputError):
    """A folder that is not the (complete) run or sweep asked for: the message is one line."""


# -- the small files --------------------------------------------------------------------------


def read_manifest(path: str | Path) -> dict[str, Any] | None:
    """The manifest of a run folder, or None if there is none or it is unreadable."""
    try:
        manifest = json.loads((Path(path) / MANIFEST).read_text())
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


def read_summary(path: str | Path) -> dict[str, float]:
    """The KPIs of a run folder (empty if there is no readable summary)."""
    try:
        summary = json.loads((Path(path) / SUMMARY).read_text())
    except (OSError, ValueError):
        return {}
    return summary if isinstance(summary, dict) else {}


def read_config(path: str | Path) -> dict[str, Any]:
    """The resolved config a run folder was made with (empty if it cannot be read)."""
    loaded = read_yaml(Path(path) / CONFIG, default={})
    return loaded if isinstance(loaded, dict) else {}


def read_yaml(path: Path, default: Any) -> Any:
    """The YAML document at ``path``; ``default`` if there is no file (or it is empty); None if unreadable."""
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


# -- is it a result? -------------------------------------------------------------------------


def problem(path: str | Path) -> str | None:
    """Why ``path`` is not a complete run, in a few words (``status is 'running', not 'complete'``); None if it is.

    Complete means: a readable manifest saying ``complete``, every file it lists present,
    non-empty and (for Parquet) whole, and a readable summary.
    """
    folder = Path(path)
    if not (folder / MANIFEST).is_file():
        return f"no {MANIFEST}"
    manifest = read_manifest(folder)
    if manifest is None:
        return f"{MANIFEST} unreadable"
    status = manifest.get("status")
    if status != COMPLETE:
        error = manifest.get("error")
        return f"status is {status!r}, not {COMPLETE!r}" + (f" ({error})" if error else "")
    listed = manifest.get("files", [])
    if not isinstance(listed, list):
        return f"{MANIFEST}: 'files' is not a list"
    for name in listed:
        trouble = file_problem(folder / str(name))
        if trouble:
            return f"{name} {trouble}"
    try:
        summary = json.loads((folder / SUMMARY).read_text())
    except FileNotFoundError:
        return f"no {SUMMARY}"
    except (OSError, ValueError) as error:
        return f"{SUMMARY} unreadable ({' '.join(str(error).split()) or type(error).__name__})"
    if not isinstance(summary, dict):
        return f"{SUMMARY} is not a table of KPIs"
    return None


def is_complete(path: str | Path) -> bool:
    """Whether ``path`` is a complete run folder (:func:`problem` finds nothing)."""
    return problem(path) is None


def file_problem(path: Path) -> str | None:
    """Why a file a manifest lists is not whole, or None if it looks whole."""
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


# -- one run, read back ----------------------------------------------------------------------


@dataclass
class Run:
    """A finished run folder and its result tables (the larger ones read on first use)."""

    path: Path
    manifest: dict[str, Any]
    config: dict[str, Any]
    summary: dict[str, float]
    daily: "pd.DataFrame"
    events: "pd.DataFrame"
    name: str = field(default="")

    @cached_property
    def sku_daily(self) -> "pd.DataFrame":
        """One row per day and SKU (sku_timeseries.parquet)."""
        return read_table(self.path, "sku_timeseries")

    @cached_property
    def signals(self) -> "pd.DataFrame":
        """Every change of a mechanism measure (signals.parquet)."""
        return read_table(self.path, "signals")

    @property
    def days(self) -> int:
        """Days simulated, warm-up included."""
        return len(self.daily)

    @property
    def warmup(self) -> int:
        """Days left out of every KPI."""
        return int(self.config.get("warmup_days", 0))

    @property
    def seed(self) -> Any:
        """The run's seed."""
        return self.config.get("seed", self.manifest.get("seed"))

    @property
    def scenario(self) -> str:
        """The scenario's name."""
        scenario = self.config.get("scenario", {})
        return str(scenario.get("name", self.manifest.get("scenario", "?")))

    @property
    def levers(self) -> list[str]:
        """The alignment levers the run used (empty: silo)."""
        return sorted((self.config.get("policy") or {}).keys())

    @property
    def organisation(self) -> str:
        """The levers in words: ``silo``, ``steering committee``, ``rotation + regular meetings``."""
        return " + ".join(lever.replace("_", " ") for lever in self.levers) or "silo"

    @property
    def title(self) -> str:
        """What a chart calls this run."""
        return f"{self.scenario} scenario · {self.organisation} · seed {self.seed}"

    @property
    def replay_dir(self) -> Path:
        """Where the workshop views write what they make of this run."""
        return self.path / REPLAY_DIR


def load_run(path: str | Path) -> Run:
    """Read a finished run folder with its daily table and event log.

    Raises:
        RunFolderError: not a run folder, not finished, incomplete, or nothing in its
            tables to show (one line naming the folder).
    """
    folder = Path(path)
    if not folder.is_dir():
        raise RunFolderError(f"{folder}: no such folder")
    manifest = read_manifest(folder)
    if manifest is None:
        # a sweep folder given instead: say how to choose (hidden folders hold saves under way)
        below = [found.relative_to(folder).parts for found in folder.rglob(MANIFEST)]
        inside = [parts for parts in below if not any(part.startswith(".") for part in parts)]
        hint = f"; it holds {len(inside)} runs: choose one with --pick key=value ..." if inside else ""
        raise RunFolderError(f"{folder} is not a run folder (no readable {MANIFEST}){hint}")
    status = manifest.get("status")
    if status != COMPLETE:
        raise RunFolderError(f"{folder} is not a finished run (manifest status: {status!r}, not {COMPLETE!r})")
    if not (folder / "events.parquet").is_file():
        raise RunFolderError(f"{folder} has no event log (events.parquet is missing): nothing to replay")
    listed = manifest.get("files", [])
    missing = [str(name) for name in listed if not (folder / str(name)).is_file()] if isinstance(listed, list) else []
    missing += [name for name in (SUMMARY, "timeseries.parquet", CONFIG) if not (folder / name).is_file()]
    if missing:
        raise RunFolderError(f"{folder} is incomplete: {', '.join(dict.fromkeys(missing))} missing")
    events = with_figures(read_table(folder, "events"))
    if events.empty:
        raise RunFolderError(f"{folder} has an empty event log (events.parquet has no rows): nothing to replay")
    config = read_yaml(folder / CONFIG, default={})
    if not isinstance(config, dict):
        raise RunFolderError(f"{folder}: cannot read its config ({CONFIG} is not a mapping of settings)")
    daily = read_table(folder, "timeseries")
    if daily.empty:
        raise RunFolderError(f"{folder} has an empty timeseries.parquet: nothing to replay")
    return Run(folder, manifest, config, read_summary(folder), daily, events, name=folder.name)


def read_table(folder: Path, name: str) -> "pd.DataFrame":
    """One result table of a run folder (``events`` -> events.parquet).

    Raises:
        RunFolderError: the file cannot be read as Parquet.
    """
    import pandas as pd  # the tables only: checking folders needs no pandas

    try:
        return pd.read_parquet(folder / f"{name}.parquet")
    except (OSError, ValueError) as error:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise RunFolderError(f"{folder}: cannot read {name}.parquet ({first})") from None
