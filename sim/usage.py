"""Bad input, reported one way: one line on stderr naming what is wrong and what is allowed, exit status 2.

Every command (``spsim`` and its sub-commands, and their ``spsim-*`` aliases) ends a
problem with its input here, whatever found it: an unknown option, a bad config value,
a folder that is not a run. Library code raises :class:`InputError` (or
:class:`sim.config.ConfigError`) with the one line; the command prints it with
:func:`fail`. This module imports nothing of the project, so every layer may use it.
"""

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

USAGE_ERROR = 2
"""Exit status of a command refused for bad input (as argparse and click use it)."""


class InputError(ValueError):
    """Bad input from a person (an option, a file, a folder): the message is the one line they see."""


def fail(program: str, message: str, status: int = USAGE_ERROR) -> NoReturn:
    """Print ``<program>: error: <message>`` on stderr as one line, then exit with ``status``."""
    print(f"{program}: error: {' '.join(str(message).split())}", file=sys.stderr)
    sys.exit(status)


def is_input_error(error: BaseException) -> bool:
    """Whether ``error`` is bad input: an :class:`InputError` or a config problem.

    ``sim.config`` is looked up rather than imported: a command that never validated a
    config cannot have raised its error, and need not pay for importing pydantic.
    """
    if isinstance(error, InputError):
        return True
    config = sys.modules.get("sim.config")
    return config is not None and isinstance(error, config.ConfigError)


@contextmanager
def reported(program: str) -> Iterator[None]:
    """Run the block; bad input raised in it ends the command with one line and exit status 2."""
    try:
        yield
    except Exception as error:
        if not is_input_error(error):
            raise
        fail(program, str(error))


class ArgumentParser(argparse.ArgumentParser):
    """argparse for a script's options: a bad option raises :class:`InputError` (one line) instead of printing usage."""

    def error(self, message: str) -> NoReturn:
        raise InputError(f"{message} (see {self.prog} --help)")


def output_folder(path: Path, option: str) -> Path:
    """``path`` if a folder may be written there: it is one, or it can be made (no file stands in its way).

    Raises:
        InputError: ``--out afile: a file, not a folder; give a folder (it is made if missing)``.
    """
    for place in (path, *path.parents):
        if place.exists():
            if not place.is_dir():
                where = "" if place == path else f" ({place} is a file)"
                raise InputError(f"{option} {path}: not a folder{where}; give a folder (it is made if missing)")
            return path
    return path
