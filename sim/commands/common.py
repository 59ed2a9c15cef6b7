"""What the sub-commands share: the name they were called by and their arguments, for messages and records."""

from dataclasses import dataclass

import typer


@dataclass(frozen=True)
class Invocation:
    """How a sub-command was called: ``spsim report`` or ``spsim-report``, and the arguments after it."""

    program: str
    arguments: tuple[str, ...]


def _invocation(context: typer.Context) -> Invocation | None:
    root = context.find_root()
    return root.obj if isinstance(root.obj, Invocation) else None


def program(context: typer.Context) -> str:
    """The command as the user typed it, for a one-line error."""
    called = _invocation(context)
    return called.program if called else "spsim"


def command_line(context: typer.Context) -> str:
    """The whole command line as typed, for an analysis folder's manifest."""
    called = _invocation(context)
    return " ".join([called.program, *called.arguments]) if called else "spsim"
