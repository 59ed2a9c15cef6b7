"""The ``spsim-replay`` command: replay finished runs for a workshop.

It reads run folders only (the result tables, never the model) and writes into
``<run>/replay/``: a storyboard of the run with its key events in plain words
(``storyboard.png``, the full list in ``events.md``), an animation day by day
(``replay.gif``, and ``replay.mp4`` where ffmpeg exists), two runs side by side
(``side_by_side.png``) and a debrief pack (``debrief/index.html``).

This module owns the command line and the choice of runs: reading and checking a
run folder (:func:`load_run`) and picking one out of a sweep (:func:`pick_run`).
Bad input ends with one line on stderr and exit status 2; every file is written to
a temporary name and renamed, so nothing half-written is left behind.
"""

import argparse
import json
import math
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, NoReturn

import pandas as pd
import yaml

from sim.output.events import with_figures
from sim.output.rundir import read_manifest

USAGE_ERROR = 2
PROG = "spsim-replay"
REPLAY = "replay"
DEFAULT_KPIS = ("operating_profit", "fill_rate")


class ReplayError(Exception):
    """Bad input for a replay: its message is the one line the user sees."""


# -- one run, read from its folder --------------------------------------------------------


@dataclass
class Run:
    """A finished run folder and its result tables (the smaller ones read on demand)."""

    path: Path
    manifest: dict[str, Any]
    config: dict[str, Any]
    summary: dict[str, float]
    daily: pd.DataFrame
    events: pd.DataFrame
    name: str = field(default="")

    @cached_property
    def sku_daily(self) -> pd.DataFrame:
        """One row per day and SKU (sku_timeseries.parquet)."""
        return _read_table(self.path, "sku_timeseries")

    @cached_property
    def signals(self) -> pd.DataFrame:
        """Every change of a mechanism measure (signals.parquet)."""
        return _read_table(self.path, "signals")

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
        """Where this run's replay files go."""
        return self.path / REPLAY


def load_run(path: str | Path) -> Run:
    """Read and check a run folder.

    Raises:
        ReplayError: not a finished run, or a run with no events to replay.
    """
    folder = Path(path)
    if not folder.is_dir():
        raise ReplayError(f"{folder}: no such folder")
    manifest = read_manifest(folder)
    if manifest is None:
        inside = _runs_under(folder)
        hint = f"; it holds {len(inside)} runs: choose one with --pick key=value ..." if inside else ""
        raise ReplayError(f"{folder} is not a run folder (no readable manifest.json){hint}")
    status = manifest.get("status")
    if status != "complete":
        raise ReplayError(f"{folder} is not a finished run (manifest status: {status!r}, not 'complete')")
    events_file = folder / "events.parquet"
    if not events_file.is_file():
        raise ReplayError(f"{folder} has no event log (events.parquet is missing): nothing to replay")
    missing = [name for name in manifest.get("files", []) if not (folder / name).is_file()]
    missing += [
        name
        for name in ("summary.json", "timeseries.parquet", "config.yaml")
        if not (folder / name).is_file() and name not in missing
    ]
    if missing:
        raise ReplayError(f"{folder} is incomplete: {', '.join(missing)} missing")
    events = with_figures(_read_table(folder, "events"))
    if events.empty:
        raise ReplayError(f"{folder} has an empty event log (events.parquet has no rows): nothing to replay")
    try:
        summary = json.loads((folder / "summary.json").read_text())
        config = yaml.safe_load((folder / "config.yaml").read_text()) or {}
    except (OSError, ValueError, yaml.YAMLError) as error:
        raise ReplayError(f"{folder}: cannot read its summary or config ({type(error).__name__})") from None
    daily = _read_table(folder, "timeseries")
    if daily.empty:
        raise ReplayError(f"{folder} has an empty timeseries.parquet: nothing to replay")
    return Run(folder, manifest, config, summary, daily, events, name=folder.name)


def _read_table(folder: Path, name: str) -> pd.DataFrame:
    try:
        return pd.read_parquet(folder / f"{name}.parquet")
    except (OSError, ValueError) as error:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise ReplayError(f"{folder}: cannot read {name}.parquet ({first})") from None


def _runs_under(folder: Path, depth: int = 3) -> list[Path]:
    """Run folders (with a manifest) up to ``depth`` levels below ``folder``, in a natural order."""
    found = [
        manifest.parent
        for level in range(1, depth + 1)
        for manifest in folder.glob("/".join(["*"] * level + ["manifest.json"]))
        if REPLAY not in manifest.relative_to(folder).parts
    ]
    return sorted(found, key=lambda p: [int(part) if part.isdigit() else part for part in p.parts])


# -- picking a run out of a sweep -----------------------------------------------------------


def pick_run(sweep: str | Path, criteria: Sequence[str]) -> Path:
    """The one run folder under ``sweep`` whose overrides or config match every ``key=value``.

    A key is matched against the run's ``.hydra/overrides.yaml`` first (as typed on
    the command line), then against its resolved ``config.yaml`` (``seed``,
    ``scenario`` or ``scenario.name``, ``policy`` = the levers, any dotted key).

    Raises:
        ReplayError: a malformed criterion, or no run or several runs match.
    """
    folder = Path(sweep)
    if not folder.is_dir():
        raise ReplayError(f"{folder}: no such folder")
    wanted = []
    for criterion in criteria:
        key, sep, value = criterion.partition("=")
        if not sep or not key:
            raise ReplayError(f"--pick {criterion}: expected key=value, e.g. --pick policy=rotation seed=3")
        wanted.append((key.lstrip("+~"), value))
    runs = _runs_under(folder)
    if not runs:
        raise ReplayError(f"{folder} holds no run folders (no manifest.json below it)")
    matches = [run for run in runs if all(_matches(_settings(run), key, value) for key, value in wanted)]
    asked = " ".join(f"{k}={v}" for k, v in wanted)
    if not matches:
        seen = {key: sorted({str(_settings(run).get(key, "?")) for run in runs}) for key, _ in wanted}
        options = "; ".join(f"{key} in {{{', '.join(values[:8])}}}" for key, values in seen.items())
        raise ReplayError(f"no run in {folder} matches {asked} ({len(runs)} runs there: {options})")
    if len(matches) > 1:
        names = ", ".join(str(m.relative_to(folder)) for m in matches[:6]) + (" ..." if len(matches) > 6 else "")
        raise ReplayError(f"{len(matches)} runs in {folder} match {asked} ({names}): add a key=value to choose one")
    return matches[0]


def _settings(run: Path) -> dict[str, Any]:
    """A run's settings by key: its config flattened, then its command-line overrides on top."""
    settings: dict[str, Any] = {}
    try:
        config = yaml.safe_load((run / "config.yaml").read_text()) or {}
    except (OSError, yaml.YAMLError):
        config = {}
    _flatten(config, "", settings)
    if isinstance(config.get("scenario"), dict):
        settings["scenario"] = config["scenario"].get("name")
    if isinstance(config.get("org"), dict):
        settings["org"] = config["org"].get("name")
    if "policy" in config:
        levers = sorted((config.get("policy") or {}).keys())
        settings["policy"] = levers if len(levers) != 1 else levers[0]
        if not levers:
            settings["policy"] = "silo"
    try:
        overrides = yaml.safe_load((run / ".hydra" / "overrides.yaml").read_text()) or []
    except (OSError, yaml.YAMLError):
        overrides = []
    for override in overrides if isinstance(overrides, list) else []:
        key, sep, value = str(override).partition("=")
        if sep:
            settings[key.lstrip("+~")] = _parse(value)
    return settings


def _flatten(node: Any, prefix: str, into: dict[str, Any]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            _flatten(value, f"{prefix}{key}.", into)
    elif prefix:
        into[prefix[:-1]] = node


def _parse(text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def _as_set(value: Any) -> set[str]:
    return {str(item) for item in (value if isinstance(value, list) else [value])}


def _matches(settings: dict[str, Any], key: str, wanted: str) -> bool:
    if key not in settings:
        return False
    have, want = settings[key], _parse(wanted)
    if isinstance(have, list) or isinstance(want, list):
        return _as_set(have) == _as_set(want)
    if isinstance(have, bool) or isinstance(want, bool):
        return str(have).lower() == str(want).lower()
    if isinstance(have, int | float) and isinstance(want, int | float):
        return math.isclose(float(have), float(want), rel_tol=1e-9, abs_tol=1e-12)
    return str(have) == str(want)


# -- writing files whole or not at all -----------------------------------------------------


def write_bytes_atomically(path: Path, write: Callable[[Path], Any]) -> Path:
    """Call ``write`` on a temporary sibling of ``path``, then rename it into place."""
    with files_atomically([path]) as (temporary,):
        write(temporary)
    return path


@contextmanager
def files_atomically(paths: Sequence[Path]) -> Iterator[list[Path]]:
    """Yield temporary siblings of ``paths``; on success each is renamed into place.

    The temporary names keep the extension: writers (Pillow, ffmpeg) choose the format by it.
    """
    temporaries = []
    try:
        for path in paths:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=f".partial{path.suffix}", dir=path.parent)
            os.close(handle)
            temporaries.append(Path(name))
        yield temporaries
        for temporary, path in zip(temporaries, paths, strict=True):
            temporary.replace(path)
    finally:
        for temporary in temporaries:
            temporary.unlink(missing_ok=True)


@contextmanager
def folder_atomically(path: Path) -> Iterator[Path]:
    """Yield a temporary folder; on success it replaces ``path`` whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent))
    try:
        yield staging
        old = None
        if path.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".old", dir=path.parent))
            path.replace(old / path.name)
        staging.replace(path)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


# -- the command line ----------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (and exit status 2)."""

    def error(self, message: str) -> NoReturn:
        _fail(f"{message} (see {PROG} --help)")


def build_parser() -> argparse.ArgumentParser:
    """The options of ``spsim-replay``."""
    parser = _Parser(
        prog=PROG,
        description="Replay finished spsim runs for a workshop: a storyboard with the key events in plain "
        "words, an animation day by day, two runs side by side, a debrief pack. Files go to <run>/replay/.",
        epilog="examples:  spsim-replay results/runs/X  ·  spsim-replay RUN_A RUN_B  ·  "
        "spsim-replay RUN --debrief  ·  spsim-replay results/sweeps/T --pick policy=rotation seed=3",
    )
    parser.add_argument(
        "runs", nargs="+", metavar="RUN", help="a run folder (or a sweep folder with --pick); two runs: side by side"
    )
    parser.add_argument(
        "--pick",
        nargs="+",
        action="append",
        metavar="KEY=VALUE",
        default=[],
        help="choose the run in a sweep folder by its overrides or config "
        "(repeat --pick for a second run from the same sweep)",
    )
    parser.add_argument("--from", dest="start", type=int, metavar="DAY", help="first day shown (default 0)")
    parser.add_argument("--to", dest="end", type=int, metavar="DAY", help="last day shown (default: the last)")
    parser.add_argument("--sku", type=int, metavar="K", help="focus on one SKU's demand and stock")
    parser.add_argument("--account", type=int, metavar="A", help="focus on one account's orders and shipments")
    parser.add_argument("--fps", type=float, default=1.0, help="animation frames per second (default 1)")
    parser.add_argument(
        "--days-per-frame",
        type=int,
        default=7,
        metavar="N",
        help="days per animation frame (default 7: one week per frame)",
    )
    parser.add_argument("--no-animation", action="store_true", help="skip the animation (storyboard only)")
    parser.add_argument("--no-mp4", action="store_true", help="write the GIF only, even where ffmpeg exists")
    parser.add_argument(
        "--debrief",
        action="store_true",
        help="write the debrief pack <run>/replay/debrief/ (one self-contained index.html)",
    )
    parser.add_argument(
        "--kpi",
        nargs="+",
        metavar="KPI",
        default=list(DEFAULT_KPIS),
        help="KPIs the debrief explains (default: operating_profit fill_rate)",
    )
    parser.add_argument(
        "--annotations", type=int, default=12, metavar="N", help="most events annotated on the storyboard (default 12)"
    )
    return parser


@dataclass
class Options:
    """What the command line asks for, checked."""

    runs: list[Run]
    start: int
    end: int
    sku: int | None
    account: int | None
    fps: float
    days_per_frame: int
    animation: bool
    mp4: bool
    debrief: bool
    kpis: list[str]
    annotations: int


def parse(arguments: Sequence[str]) -> Options:
    """Parse and check the command line, reading the runs it names.

    Raises:
        ReplayError: anything the user has to fix, in one line.
    """
    args = build_parser().parse_args(list(arguments))
    paths, picks = list(args.runs), [list(p) for p in args.pick]
    for pick in picks:  # "--pick a=b RUN" puts RUN into the pick: give it back
        paths += [item for item in pick if "=" not in item]
        pick[:] = [item for item in pick if "=" in item]
    picks = [pick for pick in picks if pick]
    runs = [load_run(path) for path in _resolve(paths, picks)]
    if len(runs) > 2:
        raise ReplayError(f"{len(runs)} runs given: replay one run, or two side by side")
    if len(runs) == 2:
        check_comparable(runs[0], runs[1])
    days = runs[0].days
    start = 0 if args.start is None else args.start
    end = days - 1 if args.end is None else args.end
    if not 0 <= start < days:
        raise ReplayError(f"--from {start}: must be a day of the run, 0 to {days - 1}")
    if not start < end < days:
        raise ReplayError(f"--to {end}: must be after --from ({start}) and at most the last day, {days - 1}")
    if args.sku is not None and args.account is not None:
        raise ReplayError("--sku and --account: choose one focus")
    if args.sku is not None:
        n_skus = int(runs[0].config.get("scenario", {}).get("skus", 0)) or int(runs[0].events["sku"].max()) + 1
        if not 0 <= args.sku < n_skus:
            raise ReplayError(f"--sku {args.sku}: the run has SKUs 0 to {n_skus - 1}")
    if args.account is not None and not (runs[0].events["account"] == args.account).any():
        raise ReplayError(f"--account {args.account}: no event of the run names this account")
    if args.fps <= 0 or args.days_per_frame < 1:
        raise ReplayError("--fps must be > 0 and --days-per-frame at least 1")
    if args.annotations < 0:
        raise ReplayError(f"--annotations {args.annotations}: must be 0 or more")
    unknown = [kpi for kpi in args.kpi if kpi not in runs[0].summary]
    if unknown:
        known = ", ".join(sorted(k for k in runs[0].summary if not k.startswith("policy_cost_"))[:12])
        raise ReplayError(f"--kpi {unknown[0]}: not a KPI of summary.json (e.g. {known}, ...)")
    return Options(
        runs,
        start,
        end,
        args.sku,
        args.account,
        args.fps,
        args.days_per_frame,
        not args.no_animation,
        not args.no_mp4,
        args.debrief,
        list(args.kpi),
        args.annotations,
    )


def _resolve(paths: list[str], picks: list[list[str]]) -> list[Path]:
    """Run folders from the paths: a folder without a manifest takes the next --pick."""
    resolved: list[Path] = []
    sweeps = [p for p in paths if Path(p).is_dir() and read_manifest(p) is None and _runs_under(Path(p))]
    if picks and not sweeps:
        raise ReplayError("--pick chooses a run inside a sweep folder, but every folder given is a run")
    remaining = list(picks)
    for index, path in enumerate(paths):
        if path not in sweeps:
            resolved.append(Path(path))
            continue
        if not remaining:
            load_run(path)  # says why this folder is not a run
        last_sweep = all(p not in sweeps for p in paths[index + 1 :])
        while remaining:
            resolved.append(pick_run(path, remaining.pop(0)))
            if not last_sweep:
                break
    return resolved


def check_comparable(a: Run, b: Run) -> None:
    """Two runs can share axes: the same scenario and the same length.

    Raises:
        ReplayError: they cannot.
    """
    if a.scenario != b.scenario:
        raise ReplayError(
            f"cannot compare runs of different scenarios: {a.path} is {a.scenario!r}, {b.path} is {b.scenario!r}"
        )
    if (a.days, a.warmup) != (b.days, b.warmup):
        raise ReplayError(
            f"cannot compare runs of different lengths: {a.path} has {a.days} days "
            f"({a.warmup} warm-up), {b.path} has {b.days} ({b.warmup} warm-up)"
        )
    if a.path.resolve() == b.path.resolve():
        raise ReplayError(f"{a.path} given twice: side by side needs two different runs")


def run(options: Options, say: Callable[[str], None] = print) -> list[Path]:
    """Write everything ``options`` asks for; return the files written."""
    from sim.views import animation, debrief, side_by_side, storyboard  # here: they import this module

    written: list[Path] = []
    first = options.runs[0]
    window = (options.start, options.end)

    def timed(what: str, make: Callable[[], list[Path]]) -> None:
        started = time.perf_counter()
        paths = make()
        written.extend(paths)
        shown = ", ".join(str(p) for p in paths)
        say(f"{what}: {shown}  ({time.perf_counter() - started:.1f} s)")

    if options.debrief:
        timed("debrief", lambda: [debrief.write(options.runs, options.kpis, window, options.annotations)])
        return written
    if len(options.runs) == 2:
        timed("side by side", lambda: list(side_by_side.write(first, options.runs[1], window)))
        return written
    timed(
        "storyboard", lambda: storyboard.write(first, window, options.sku, options.account, options.annotations).paths
    )
    if options.animation:
        timed(
            "animation",
            lambda: animation.write(
                first, window, options.sku, options.account, options.fps, options.days_per_frame, options.mp4
            ),
        )
    return written


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of ``spsim-replay``."""
    arguments = sys.argv[1:] if argv is None else list(argv)
    try:
        options = parse(arguments)
        run(options)
    except ReplayError as error:
        _fail(str(error))


def _fail(message: str) -> NoReturn:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    sys.exit(USAGE_ERROR)


if __name__ == "__main__":
    main()
