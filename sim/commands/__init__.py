"""The sub-commands of ``spsim`` (``spsim aggregate|report|replay|viz|play|sensitivity|optimise|calibrate``), on typer.

Each sub-command is a typer command whose body imports what it needs only once its
options are good, so ``--help`` and a bad option cost no more than typer itself. Every
problem with the input ends the one way (:mod:`sim.usage`): one line on stderr naming
the option and what is allowed, exit status 2, whether click found it (an unknown
option, a missing argument) or the library did (a folder that is not a sweep, a bad
analysis config). ``spsim-<name>`` is the same command under its own name.
"""

import sys
from collections.abc import Sequence

import typer

from sim.commands.analysis import calibrate, optimise, sensitivity
from sim.commands.common import Invocation
from sim.commands.sweeps import aggregate, report
from sim.commands.workshop import play, replay, viz
from sim.usage import USAGE_ERROR, fail, reported

app = typer.Typer(
    name="spsim",
    help="Sales and purchasing, simulated: sub-commands on results and workshops (spsim --help for runs).",
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
for command in (aggregate, report, sensitivity, optimise, calibrate, viz):
    app.command(name=command.__name__)(command)
app.command(
    name="replay",
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []},
    add_help_option=False,
)(replay)
app.add_typer(play, name="play")
SUBCOMMANDS = ("aggregate", "report", "replay", "viz", "play", "sensitivity", "optimise", "calibrate")


def run(name: str, arguments: Sequence[str], program: str) -> None:
    """Run sub-command ``name`` with ``arguments``; ``program`` names it in messages (``spsim-report``)."""
    command = typer.main.get_command(app)
    try:
        with reported(program):
            command.main(
                args=[name, *arguments],
                prog_name="spsim",
                standalone_mode=False,
                obj=Invocation(program, tuple(arguments)),
            )
    except typer.Exit as stop:  # --help, or a command that ends early
        sys.exit(stop.exit_code)
    except typer.TyperException as error:  # click's usage errors: an unknown option, a missing argument
        message = error.format_message() if hasattr(error, "format_message") else str(error)
        fail(program, f"{message} (see {program} --help)")
    except typer.Abort:
        sys.exit(USAGE_ERROR)
