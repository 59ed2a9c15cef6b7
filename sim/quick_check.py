"""Refuse a plainly bad ``spsim`` command line before Hydra loads: the same one line, sooner.

Hydra composes the configs and the full validation (:mod:`sim.hydra_app`) finds every
problem, but loading Hydra and the lever schemas costs most of a second before the
first word of an error. The commonest mistakes need neither: a misspelt key (``sead=3``,
``org.revue_period_days=7``), a value of the wrong type or out of range (``seed=abc``,
``horizon_days=0``), a config option that does not exist (``policy=bogus``). They are
judged here against the typed config (:class:`sim.config.RunConfig`) and the config
files alone.

Only what the full path would refuse, with the same message, is refused here; anything
this module cannot judge alone is left to Hydra: sweeps and interpolations, additions
and deletions (``+key``, ``~key``), scenario keys (their type depends on the scenario
chosen), lever parameters, and any option of a user's ``--config-dir``.
"""

import re
from collections.abc import Sequence
from typing import Any

from sim.config_files import groups
from sim.flags import VALUE_FLAGS

JUDGED_SECTIONS = ("org", "output")  # sections whose keys do not depend on a choice made elsewhere
_INT = re.compile(r"[+-]?\d+")
_FLOAT = re.compile(r"[+-]?(\d+\.\d*|\.\d+|\d+(\.\d*)?[eE][+-]?\d+|inf|nan)", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_\-./]*")  # an unquoted string Hydra reads as itself
_HYDRA_SYNTAX = set(",[]{}()$*?:=\\'\" ")
_UNJUDGED = object()


def first_mistake(arguments: Sequence[str]) -> str | None:
    """The one-line message for the first plain mistake on a command line, or None."""
    if any(argument.split("=")[0] in VALUE_FLAGS for argument in arguments):
        return None  # a user's config folder may add options and change defaults
    for argument in arguments:
        key, separator, text = argument.partition("=")
        if argument.startswith("-") or not separator or key.startswith(("+", "~")) or "/" in key:
            continue  # a flag, an addition or deletion, a nested group (hydra/launcher=joblib): Hydra's
        message = _group_mistake(key, text) if "." not in key else None
        if message is None:
            message = _value_mistake(key, _scalar(text))
        if message is not None:
            return message
    return None


def _group_mistake(key: str, option: str) -> str | None:
    """``policy=bogus``: an option that is not among the group's files."""
    options = groups().get(key)
    if options is None or option in options or set(option) & _HYDRA_SYNTAX:
        return None
    return f"{key}={option}: no such config option; available: {', '.join(options)}"


def _value_mistake(key: str, value: Any) -> str | None:
    """A top-level, ``org.*`` or ``output.*`` key that does not exist, or a value it does not allow."""
    if value is _UNJUDGED:
        return None
    path = key.split(".")
    judged = path[0] in JUDGED_SECTIONS if len(path) == 2 else len(path) == 1 and path[0] not in {*groups(), "hydra"}
    if not judged:
        return None
    from sim.config import ConfigError, check_value  # pydantic: only for a key=value

    try:
        check_value(path, value)
    except ConfigError as error:
        return str(error)
    return None


def _scalar(text: str) -> Any:
    """A value as Hydra's override grammar reads a plain scalar; ``_UNJUDGED`` for anything richer."""
    if text.lower() == "null":
        return None
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    if _INT.fullmatch(text):
        return int(text)
    if _FLOAT.fullmatch(text):
        return float(text)
    if _WORD.fullmatch(text):
        return text
    return _UNJUDGED  # a sweep, a list, an interpolation, a quoted string, 1_000: Hydra's to read
