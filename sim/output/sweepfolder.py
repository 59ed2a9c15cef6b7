"""A sweep folder: the run folders below it, what each was asked to be, and picking one.

A sweep (``spsim -m``) writes one run folder per job, at any depth below the sweep
folder (``<sweep>/<job number>/`` or ``<sweep>/<its overrides>/``), each with Hydra's
record of its command-line overrides (``.hydra/overrides.yaml``). Aggregation, the
sweep's progress line and the replay's ``--pick`` all find runs here.
"""

import math
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from sim.output.runfolder import (
    CHARTS_DIR,
    CONFIG,
    MANIFEST,
    OVERRIDES,
    REPLAY_DIR,
    SUMMARY,
    RunFolderError,
    read_config,
    read_yaml,
)

NOT_RESULT_KEYS = ("hydra.", "hydra/", "output.")
"""Overrides that change how a run is made or written, never its results: not part of an arm."""
RUN_MARKERS = frozenset({MANIFEST, CONFIG, SUMMARY})
NOT_RUNS = frozenset({"report", CHARTS_DIR, REPLAY_DIR, "debrief"})
"""Folders inside a sweep or a run that never hold runs (what views and reports write)."""


def iter_runs(folder: Path) -> Iterator[Path]:
    """Every run folder below ``folder`` (itself included), at any depth, in no particular order.

    A run folder holds a manifest, a config or a summary; nothing below it is searched.
    Hidden folders (``.hydra``, a save or a report under way) and :data:`NOT_RUNS` are skipped.
    """
    for root, folders, files in os.walk(folder):
        if RUN_MARKERS.intersection(files):
            folders.clear()  # a run folder holds no other run
            yield Path(root)
        else:
            folders[:] = [name for name in folders if not name.startswith(".") and name not in NOT_RUNS]


def find_runs(folder: Path) -> list[Path]:
    """:func:`iter_runs`, in natural order (``2`` before ``10``)."""
    return sorted(iter_runs(folder), key=lambda path: natural_key(relative(path, folder)))


def overrides_of(run: Path) -> list[str] | None:
    """The command-line overrides a run was made with (``["policy=rotation", "seed=2"]``).

    None when it has no record of them (a run made without Hydra) or the record is unreadable.
    """
    loaded = read_yaml(run / OVERRIDES, default=None)
    return [str(line) for line in loaded] if isinstance(loaded, list) else None


def parse_overrides(lines: Iterable[Any]) -> dict[str, str]:
    """``["policy=rotation", "seed=2"]`` -> ``{"policy": "rotation", "seed": "2"}``.

    Hydra's own settings (``hydra.*``, ``hydra/launcher=...``) and what a run writes besides
    its tables (``output.*``: charts, the printed summary) do not change a result and
    are left out; ``+``/``++``/``~`` prefixes are dropped from the keys.
    """
    overrides: dict[str, str] = {}
    for line in lines:
        key, separator, value = str(line).strip().partition("=")
        key = key.lstrip("+~").strip()
        if not separator or not key or key in ("hydra", "output") or key.startswith(NOT_RESULT_KEYS):
            continue
        overrides[key] = value.strip()
    return overrides


# -- picking one run out of a sweep -----------------------------------------------------------


def pick_run(sweep: str | Path, criteria: Sequence[str]) -> Path:
    """The one run folder under ``sweep`` whose overrides or config match every ``key=value``.

    A key is matched against the run's ``.hydra/overrides.yaml`` first (as typed on
    the command line), then against its resolved ``config.yaml`` (``seed``,
    ``scenario`` or ``scenario.name``, ``policy`` = the levers, any dotted key).

    Raises:
        RunFolderError: a malformed criterion, or no run or several runs match.
    """
    folder = Path(sweep)
    if not folder.is_dir():
        raise RunFolderError(f"{folder}: no such folder")
    wanted = []
    for criterion in criteria:
        key, sep, value = criterion.partition("=")
        if not sep or not key:
            raise RunFolderError(f"--pick {criterion}: expected key=value, e.g. --pick policy=rotation seed=3")
        wanted.append((key.lstrip("+~"), value))
    runs = [run for run in find_runs(folder) if (run / MANIFEST).is_file()]
    if not runs:
        raise RunFolderError(f"{folder} holds no run folders (no {MANIFEST} below it)")
    matches = [run for run in runs if all(_matches(settings(run), key, value) for key, value in wanted)]
    asked = " ".join(f"{k}={v}" for k, v in wanted)
    if not matches:
        seen = {key: sorted({str(settings(run).get(key, "?")) for run in runs}) for key, _ in wanted}
        options = "; ".join(f"{key} in {{{', '.join(values[:8])}}}" for key, values in seen.items())
        raise RunFolderError(f"no run in {folder} matches {asked} ({len(runs)} runs there: {options})")
    if len(matches) > 1:
        names = ", ".join(str(m.relative_to(folder)) for m in matches[:6]) + (" ..." if len(matches) > 6 else "")
        raise RunFolderError(f"{len(matches)} runs in {folder} match {asked} ({names}): add a key=value to choose one")
    return matches[0]


def settings(run: Path) -> dict[str, Any]:
    """A run's settings by key: its config flattened, then its command-line overrides on top."""
    config = read_config(run)
    found: dict[str, Any] = {}
    _flatten(config, "", found)
    if isinstance(config.get("scenario"), dict):
        found["scenario"] = config["scenario"].get("name")
    if isinstance(config.get("org"), dict):
        found["org"] = config["org"].get("name")
    if "policy" in config:
        levers = sorted((config.get("policy") or {}).keys())
        found["policy"] = levers if len(levers) != 1 else levers[0]
        if not levers:
            found["policy"] = "silo"
    for override in overrides_of(run) or []:
        key, sep, value = override.partition("=")
        if sep:
            found[key.lstrip("+~")] = _parse(value)
    return found


def _flatten(node: Any, prefix: str, into: dict[str, Any]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            _flatten(value, f"{prefix}{key}.", into)
    elif prefix:
        into[prefix[:-1]] = node


def _parse(text: str) -> Any:
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def _as_set(value: Any) -> set[str]:
    return {str(item) for item in (value if isinstance(value, list) else [value])}


def _matches(found: dict[str, Any], key: str, wanted: str) -> bool:
    if key not in found:
        return False
    have, want = found[key], _parse(wanted)
    if isinstance(have, list) or isinstance(want, list):
        return _as_set(have) == _as_set(want)
    if isinstance(have, bool) or isinstance(want, bool):
        return str(have).lower() == str(want).lower()
    if isinstance(have, int | float) and isinstance(want, int | float):
        return math.isclose(float(have), float(want), rel_tol=1e-9, abs_tol=1e-12)
    return str(have) == str(want)


# -- paths --------------------------------------------------------------------------------------


def relative(path: Path, base: Path) -> str:
    """``path`` relative to ``base`` (POSIX form), or whole if it is not below it."""
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return str(path)


def natural_key(text: str) -> list[tuple[int, int | str]]:
    """A sort key that puts ``run2`` before ``run10``."""
    return [(0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", text) if part]
