"""Replaying finished runs for a workshop: the options of ``spsim replay`` (alias ``spsim-replay``) and what they make.

It reads run folders only (the result tables, never the model) and writes into
``<run>/replay/``: a storyboard of the run with its key events in plain words
(``storyboard.png``, the full list in ``events.md``), an animation day by day
(``replay.gif``, and ``replay.mp4`` where ffmpeg exists), two runs side by side
(``side_by_side.png``) and a debrief pack (``debrief/index.html``).

This module owns the choice of runs and of what to draw: run folders are read and
checked by :mod:`sim.output.runfolder`, picked out of a sweep by
:mod:`sim.output.sweepfolder`, and every file is written whole or not at all
(:mod:`sim.output.atomic`). Bad input raises :class:`ReplayError` (or
:class:`~sim.output.runfolder.RunFolderError`) with its one line; the command prints it
and exits with status 2.
"""

import argparse
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sim.output.runfolder import Run, load_run, read_manifest
from sim.output.sweepfolder import find_runs, pick_run
from sim.usage import ArgumentParser, InputError

PROG = "spsim-replay"
DEFAULT_KPIS = ("operating_profit", "fill_rate")
MAX_FPS = 50.0  # a GIF faster than this is a blur (browsers clamp frame delays under 20 ms anyway)


class ReplayError(InputError):
    """Options of a replay that do not fit the runs given: its message is the one line the user sees."""


# -- the command line ----------------------------------------------------------------------


def build_parser(prog: str = PROG) -> argparse.ArgumentParser:
    """The options of ``spsim replay``.

    They stay argparse's: ``--pick`` takes several ``KEY=VALUE`` words and may be repeated,
    one run per ``--pick``, which click's options (a fixed number of values) cannot express.
    """
    parser = ArgumentParser(
        prog=prog,
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


def parse(arguments: Sequence[str], prog: str = PROG) -> Options:
    """Parse and check the command line, reading the runs it names.

    Raises:
        ReplayError, RunFolderError: anything the user has to fix, in one line.
    """
    args = build_parser(prog).parse_args(list(arguments))
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
    if not 0 < args.fps <= MAX_FPS:  # nan and inf fail too
        raise ReplayError(f"--fps {args.fps}: frames per second between 0 and {MAX_FPS} (e.g. 1 or 4)")
    if args.days_per_frame < 1:
        raise ReplayError(f"--days-per-frame {args.days_per_frame}: at least 1")
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
    from sim.views import animation, debrief_pack, side_by_side, storyboard  # matplotlib: only once options are good

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
        timed("debrief", lambda: [debrief_pack.write(options.runs, options.kpis, window, options.annotations)])
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


def _runs_under(folder: Path) -> list[Path]:
    """The finished or unfinished runs (folders with a manifest) below ``folder``."""
    return [run for run in find_runs(folder) if (run / "manifest.json").is_file()]
