"""The dashboard's settings: a run's market, seed and length, and a control for every lever parameter.

The controls are generated from the scenario files and from each lever's parameter
schema; nothing here repeats a lever's parameters by hand. :func:`run_config` turns the
settings into a validated :class:`~sim.config.RunConfig` the way ``spsim`` does (Hydra
composition, then validation).
"""

import math
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

import annotated_types

from sim import policies
from sim.compose import compose_config
from sim.config import ConfigError, RunConfig
from sim.config_files import option_names
from sim.configure import load_config

Setting = bool | int | float | str
SEPARATOR = "__"  # a lever parameter's setting: "<lever>__<parameter>"
# The dashboard is watched day by day, and every browser session holds its own model (its
# memory grows with the horizon: 3,000,000 days took the server from 0.85 to 3.4 GB). Ten
# years is more than a workshop steps through; longer runs are for ``spsim``.
MAX_HORIZON_DAYS = 3650


@cache
def scenario_names() -> tuple[str, ...]:
    """Every scenario a run can use: the files of ``configs/scenario/``."""
    return tuple(option_names("scenario"))


@dataclass(frozen=True)
class Control:
    """One lever control, derived from a field of the lever's parameter schema."""

    key: str  # the setting's name, "<lever>__<parameter>"
    label: str  # the parameter's name in words
    kind: Literal["checkbox", "select", "int", "float", "text"]
    default: Setting
    minimum: float = 0.0
    maximum: float = 1.0
    step: float = 1.0
    choices: tuple[str, ...] = ()
    description: str = ""  # the schema's, shown under the control


def words(name: str) -> str:
    """A setting's name in words."""
    return name.replace("_", " ")


def slider_value(control: Control, value: Setting) -> str:
    """A slider's value as the room reads it: 30, 1,500, 0.25 (as many decimals as its step)."""
    if control.kind == "int" or isinstance(value, bool) or not isinstance(value, int | float):
        return f"{int(value):,}" if control.kind == "int" else str(value)
    decimals = max(0, -math.floor(math.log10(control.step))) if 0 < control.step < 1 else 0
    return f"{float(value):,.{decimals}f}"


def _nice_step(span: float) -> float:
    """A round slider step giving about a hundred positions over ``span``."""
    return float(10 ** math.floor(math.log10(span / 100))) if span > 0 else 1.0


def _control(lever: str, name: str, field: Any) -> Control:
    """The control for one field: checkbox, select, or a slider within the field's bounds.

    Sliders need an upper end; where the schema sets none, four times the default
    (at least ten) leaves room to explore without an absurd range.
    """
    key, annotation, default = f"{lever}{SEPARATOR}{name}", field.annotation, field.default
    label, description = words(name), field.description or ""
    if annotation is bool:
        return Control(key, label, "checkbox", bool(default), description=description)
    if typing.get_origin(annotation) is Literal:
        choices = tuple(map(str, typing.get_args(annotation)))
        return Control(key, label, "select", str(default), choices=choices, description=description)
    bounds: dict[str, float] = {}
    for rule in field.metadata:
        for attribute in ("ge", "gt", "le", "lt"):
            if isinstance(rule, getattr(annotated_types, attribute.capitalize())):
                bounds[attribute] = float(getattr(rule, attribute))
    low = bounds.get("ge", bounds.get("gt", 0.0))
    high = bounds.get("le", bounds.get("lt", max(4 * float(default), low + 10)))
    if annotation not in (int, float):
        # A type no slider fits: typed in, and checked by the lever's schema at Reset.
        return Control(key, label, "text", str(default), description=description)
    step = 1.0 if annotation is int else _nice_step(high - low)
    if "gt" in bounds:
        low += step  # strictly above the bound
    if "lt" in bounds:
        high -= step
    kind: Literal["int", "float"] = "int" if annotation is int else "float"
    return Control(key, label, kind, default, low, high, step, description=description)


@cache
def lever_controls() -> dict[str, tuple[Control, ...]]:
    """Each lever's parameter controls, in the schema's order."""
    return {
        name: tuple(_control(name, field_name, field) for field_name, field in lever.Params.model_fields.items())
        for name, lever in policies.levers().items()
    }


def default_settings() -> dict[str, Setting]:
    """The controls' starting values: RunConfig's and each lever's defaults, every lever off."""
    fields = RunConfig.model_fields
    settings: dict[str, Setting] = {
        "market": "default",
        "seed": int(fields["seed"].default),
        "horizon_days": int(fields["horizon_days"].default),
        "warmup_days": int(fields["warmup_days"].default),
    }
    for lever, controls in lever_controls().items():
        settings[lever] = False
        settings.update({control.key: control.default for control in controls})
    return settings


def horizon_problem(horizon_days: Setting) -> str | None:
    """The one line saying why the dashboard will not run ``horizon_days``, or None."""
    if not isinstance(horizon_days, bool) and isinstance(horizon_days, int) and horizon_days > MAX_HORIZON_DAYS:
        return (
            f"horizon_days = {horizon_days:,}: the dashboard runs at most {MAX_HORIZON_DAYS:,} days "
            "(use spsim for longer runs)"
        )
    return None


def _hydra_value(value: Setting) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, float) else str(value)


def run_config(
    market: str, seed: Setting, horizon_days: Setting, warmup_days: Setting, levers: Mapping[str, Setting]
) -> RunConfig:
    """Compose and validate a run's config from the dashboard's settings, as ``spsim`` would.

    Raises:
        ConfigError: an unknown setting or an invalid value, in one line.
    """
    if (problem := horizon_problem(horizon_days)) is not None:
        raise ConfigError(problem)
    catalogue = policies.levers()
    chosen = sorted(name for name in catalogue if levers.get(name))
    overrides = [f"scenario={market}", f"seed={seed}", f"horizon_days={horizon_days}", f"warmup_days={warmup_days}"]
    if chosen:
        overrides.append(f"policy=[{','.join(chosen)}]")
    for key, value in levers.items():
        lever, _, parameter = key.partition(SEPARATOR)
        if lever not in catalogue:
            raise ConfigError(f"{key}: unknown setting; levers: {', '.join(catalogue)}")
        if parameter and lever in chosen:
            overrides.append(f"policy.{lever}.{parameter}={_hydra_value(value)}")
    return load_config(compose_config(overrides))
