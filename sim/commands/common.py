"""What the sub-commands share: the name they were called by and their arguments, for messages and records."""

from dataclasses import dataclass

import click


@dataclass(frozen=True)
class Invocation:
    """How a sub-command was called: ``spsim report`` or ``spsim-report``, and the arguments after it."""

    program: str
    arguments: tuple[str, ...]


def _invocation() -> Invocation | None:
    context = click.get_current_context(silent=True)
    root = context.find_root() if context is not None else None
    return root.obj if root is not None and isinstance(root.obj, Invocation) else None


def program() -> str:
    """The command as the user typed it, for a one-line error."""
    called = _invocation()
    return called.program if called else "spsim"


def command_line() -> str:
    """The whole command line as typed, for an analysis folder's manifest."""
    called = _invocation()
    return " ".join([called.program, *called.arguments]) if called else "spsim"
