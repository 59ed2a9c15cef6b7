"""The ``spsim`` command: one entry point for runs, sweeps and the sub-commands.

    spsim [overrides]                  one run (Hydra composes the config, the library runs it)
    spsim -m [overrides]               a sweep: every job, in parallel, then its report
    spsim aggregate|report|replay|viz|play|sensitivity|optimise|calibrate ...   (each also as spsim-<name>)
    spsim --help

This module decides only where a command line goes, so it imports next to nothing:
``--help`` and a sub-command's own options never load the simulation or Hydra, and a
run loads the model only once its config is composed and valid (:mod:`sim.hydra_app`).
"""

import atexit
import os
import sys
from collections.abc import Sequence

from sim.quick_check import first_mistake
from sim.usage import fail

SUBCOMMANDS = ("aggregate", "report", "replay", "viz", "play", "sensitivity", "optimise", "calibrate")


def main(argv: Sequence[str] | None = None) -> bool:
    """Entry point of ``spsim``; True if a run or a sweep ran to its end and left nothing running."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments and arguments[0] in SUBCOMMANDS:
        _subcommand(arguments[0], arguments[1:], f"spsim {arguments[0]}")
    elif arguments in (["--help"], ["-h"]):
        print_help()
    elif (mistake := first_mistake(arguments)) is not None:
        fail("spsim", mistake)  # a plain mistake, refused before Hydra loads
    else:
        from sim.hydra_app import main as run_hydra  # Hydra, and the model only for a valid run

        return run_hydra(arguments)
    return False


def console() -> None:
    """The ``spsim`` console script: :func:`main`, then an exit without the interpreter's teardown.

    Tearing down an interpreter that holds pandas, pyarrow, scipy and a run's objects
    takes a quarter to half a second, a sixth of a whole run, to free memory the system
    frees at once. Once a run or a sweep is done (files written whole, manifests sealed,
    a sweep's workers stopped), the exit handlers run as at any exit (logging's, joblib's
    clean-up of its temporary folders, Ray's) and the process ends. Sub-commands, errors
    and Hydra's own flags exit the normal way.
    """
    if main():
        atexit._run_exitfuncs()  # what a normal exit runs first; only the teardown is skipped
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


def print_help() -> None:
    """What ``spsim`` does and takes: the config groups and their options (read from the files), the sub-commands."""
    from sim.config_files import groups

    lines = [
        "usage: spsim [OVERRIDE ...]           one run, e.g. spsim scenario=seasonal policy=rotation seed=3",
        "       spsim -m [OVERRIDE ...]        a sweep, e.g. spsim -m +experiment=compare_policies",
        "       spsim SUB-COMMAND [...]        on results and workshops (spsim SUB-COMMAND --help)",
        "",
        "Config groups (GROUP=OPTION; +experiment=NAME adds a sweep; any key: KEY=VALUE):",
    ]
    lines += [f"  {group:<11} {', '.join(options)}" for group, options in groups().items()]
    lines += [
        "",
        "Sub-commands (each also as spsim-NAME):",
        "  aggregate    a sweep's tables: each arm against the baseline, paired over seeds",
        "  report       a sweep's report for management (Markdown and one HTML file)",
        "  replay       a run's story for a workshop: storyboard, animation, side by side, debrief",
        "  viz          the live workshop app in a browser",
        "  play         saved workshop games: list, rerun, debrief",
        "  sensitivity  Morris screening of parameters (SALib)",
        "  optimise     search lever parameters with Optuna",
        "  calibrate    fit scenario parameters to a client's figures (Optuna)",
        "",
        "Hydra's options: spsim --cfg job (the composed config), --config-dir DIR (your own configs),",
        "--hydra-help (all of them). KPIs and result files: docs/KPIS.md.",
    ]
    print("\n".join(lines))


def _subcommand(name: str, arguments: Sequence[str], program: str) -> None:
    from sim.commands import run

    run(name, arguments, program)


def _alias(name: str, argv: Sequence[str] | None) -> None:
    _subcommand(name, list(sys.argv[1:] if argv is None else argv), f"spsim-{name}")


def aggregate(argv: Sequence[str] | None = None) -> None:
    """``spsim-aggregate``: ``spsim aggregate``."""
    _alias("aggregate", argv)


def report(argv: Sequence[str] | None = None) -> None:
    """``spsim-report``: ``spsim report``."""
    _alias("report", argv)


def replay(argv: Sequence[str] | None = None) -> None:
    """``spsim-replay``: ``spsim replay``."""
    _alias("replay", argv)


def viz(argv: Sequence[str] | None = None) -> None:
    """``spsim-viz``: ``spsim viz``."""
    _alias("viz", argv)


def play(argv: Sequence[str] | None = None) -> None:
    """``spsim-play``: ``spsim play``."""
    _alias("play", argv)


def sensitivity(argv: Sequence[str] | None = None) -> None:
    """``spsim-sensitivity``: ``spsim sensitivity``."""
    _alias("sensitivity", argv)


def optimise(argv: Sequence[str] | None = None) -> None:
    """``spsim-optimise``: ``spsim optimise``."""
    _alias("optimise", argv)


def calibrate(argv: Sequence[str] | None = None) -> None:
    """``spsim-calibrate``: ``spsim calibrate``."""
    _alias("calibrate", argv)


if __name__ == "__main__":
    main()
