"""A calibration's report: is each observed figure reached, what was fitted, and how firmly.

``report.md`` and ``report.html`` (the same content) from the Jinja2 templates
``templates/calibration.md.j2`` and ``calibration.html.j2``: the verdict in a sentence, a
table of the targets (target, tolerance, achieved mean with its 95% interval on fresh
seeds, the miss in tolerances, within or not), the fitted parameters with their spread
over the best trials, the command that runs the calibrated client, and the study's facts.
"""

import math
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from sim.analysis import runs
from sim.analysis.calibration_outputs import SCENARIO_DIR, TargetCheck, overrides_note, spreads
from sim.analysis.calibration_spec import CalibrationSpec
from sim.output import kpis
from sim.output.atomic import write_text

_TEMPLATES = Environment(
    loader=PackageLoader("sim.analysis", "templates"),
    autoescape=select_autoescape(["html.j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def number(value: float) -> str:
    """Four significant digits, thousands separated (``12.21``, ``0.9758``, ``25,240``)."""
    if not math.isfinite(value):
        return "–"
    if abs(value) >= 1e4:
        return f"{value:,.0f}"
    return f"{value:.4g}"


def context(
    spec: CalibrationSpec,
    fitted: dict[str, Any],
    table: pd.DataFrame,
    checks: list[TargetCheck],
    folder: Path,
    manifest: runs.Manifest,
) -> dict[str, Any]:
    """What the templates show, as plain strings and rows."""
    missed = [check.target.kpi for check in checks if not check.within]
    complete = table[table["state"] == "COMPLETE"]
    targets = [
        {
            "label": kpis.label(c.target.kpi),
            "kpi": c.target.kpi,
            "target": number(c.target.target),
            "tolerance": number(c.target.tolerance),
            "calibration": number(c.calibration_mean),
            "achieved": number(c.achieved.mean),
            "interval": f"{number(c.achieved.low)} – {number(c.achieved.high)}",
            "miss": f"{c.miss:+.2f}",
            "within": "yes" if c.within else "NO",
        }
        for c in checks
    ]
    parameters = [
        {
            "key": s.key,
            "bounds": f"{number(s.low)} – {number(s.high)}",
            "fitted": number(float(s.fitted)) + (" (at a bound)" if s.at_bound else ""),
            "mean": number(s.mean),
            "sd": number(s.sd),
            "range": f"{number(float(s.smallest))} – {number(float(s.largest))}",
        }
        for s in spreads(spec, table, fitted)
    ]
    demand = spec.base.get("scenario", {}).get("demand_file") if isinstance(spec.base.get("scenario"), dict) else None
    return {
        "name": spec.name,
        "verdict": (
            f"Every target ({len(checks)}) is reached within its tolerance on {len(spec.validation_seeds)} fresh seeds."
            if not missed
            else f"{len(missed)} of {len(checks)} targets missed their tolerance on the fresh seeds: "
            f"{', '.join(missed)}. Widen the bounds, fit another parameter, or check the figures."
        ),
        "reached": not missed,
        "targets": targets,
        "parameters": parameters,
        "spread_trials": min(spec.spread_trials, len(complete)),
        "at_bound": any(s.at_bound for s in spreads(spec, table, fitted)),
        "command": overrides_note(spec, folder),
        "scenario_file": f"{SCENARIO_DIR}/{spec.name}.yaml",
        "demand_file": demand,
        "facts": [
            ("Trials", f"{len(complete)} complete of {len(table)} (target {spec.trials})"),
            ("Seeds per trial", ", ".join(map(str, spec.seeds))),
            ("Validation seeds", ", ".join(map(str, spec.validation_seeds))),
            ("Best trial", f"{int(complete.sort_values('loss').iloc[0]['trial'])}, loss {complete['loss'].min():.3g}"),
            ("Time in trials", f"{complete['duration_s'].sum():.0f} s over all sessions of the study"),
            ("This session", f"{time.perf_counter() - manifest.started:.0f} s"),
            ("Run length", f"{spec.base.get('warmup_days', 90)} warm-up + {spec.base.get('horizon_days', 365)} days"),
            ("Sampler", f"TPE, seed {spec.sampler_seed}, {spec.startup_trials} random trials first"),
            ("Code version", _code_versions(complete)),
        ],
        "definitions": [(kpis.label(c.target.kpi), kpis.kpi(c.target.kpi).definition) for c in checks],
        "generated": f"{datetime.now():%Y-%m-%d %H:%M}",
    }


def _code_versions(complete: pd.DataFrame) -> str:
    """The simulator version(s) the trials ran on (more than one only after ``--allow-code-change``)."""
    versions = [str(v) for v in dict.fromkeys(complete.sort_values("trial")["code_version"].dropna())]
    return ", then ".join(versions) if versions else runs.code_version()


def write_report(
    spec: CalibrationSpec,
    fitted: dict[str, Any],
    table: pd.DataFrame,
    checks: list[TargetCheck],
    folder: Path,
    manifest: runs.Manifest,
) -> list[str]:
    """``report.md`` and ``report.html`` in ``folder``; returns their names."""
    shown = context(spec, fitted, table, checks, folder, manifest)
    write_text(folder / "report.md", _TEMPLATES.get_template("calibration.md.j2").render(**shown))
    write_text(folder / "report.html", _TEMPLATES.get_template("calibration.html.j2").render(**shown))
    return ["report.md", "report.html"]
