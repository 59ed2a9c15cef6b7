"""Running an analysis: many runs' summaries in parallel, and the folder an analysis writes.

:func:`run_summaries` runs configs in joblib processes (all cores by default) and shows a
progress bar (tqdm) on stderr; each run returns its KPI summary, and nothing is written
per run. An analysis folder is sealed like a run folder: its ``manifest.json`` says
``running`` first and ``complete`` last (:class:`Manifest`).
"""

import hashlib
import json
import logging
import math
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from sim.config_files import config_dir
from sim.output.atomic import write_atomically, write_json
from sim.output.rundir import git_commit, package_versions

PACKAGES = ("sim", "numpy", "pandas", "joblib", "SALib", "optuna", "ema_workbench", "matplotlib")
SIM_PACKAGE = Path(__file__).resolve().parents[1]


# -- running -------------------------------------------------------------------------------


def run_summary(raw: Mapping[str, Any]) -> dict[str, float]:
    """One run's KPI summary (validated config, no files written)."""
    from sim import SalesPurchasingModel, load_config  # the simulation: in the worker that runs it

    logging.getLogger("MESA").setLevel(logging.WARNING)
    return dict(SalesPurchasingModel(load_config(raw)).run().summary)


def run_summaries(
    raws: Sequence[Mapping[str, Any]], jobs: int = -1, what: str = "runs", progress: bool = True
) -> list[dict[str, float]]:
    """The summaries of many runs, in order; in parallel processes unless ``jobs`` is 1.

    A tqdm bar on stderr counts the runs done (not in a log: there it would be noise);
    ``progress=False`` leaves it out, for a caller whose own bar counts larger steps.
    """
    from tqdm import tqdm

    shown = progress and sys.stderr.isatty()
    bar = tqdm(total=len(raws), desc=what, unit="run", file=sys.stderr, disable=not shown, leave=False)
    try:
        if jobs == 1 or len(raws) <= 1:
            summaries = []
            for raw in raws:
                summaries.append(run_summary(raw))
                bar.update()
            return summaries
        from joblib import Parallel, delayed

        results = Parallel(n_jobs=jobs, return_as="generator")(delayed(run_summary)(raw) for raw in raws)
        collected = []
        for summary in results:
            collected.append(summary)
            bar.update()
        return collected
    finally:
        bar.close()


def cores(jobs: int) -> int:
    """How many processes ``jobs`` means on this machine."""
    return (os.cpu_count() or 1) if jobs == -1 else jobs


def timed[T](action: Callable[[], T]) -> tuple[T, float]:
    """``action()`` and its wall time in seconds."""
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


# -- the analysis folder -------------------------------------------------------------------


def default_out_dir(prefix: str) -> Path:
    """``results/analysis/<prefix>-<time>`` (``$SPSIM_RESULTS`` replaces ``results``)."""
    root = Path(os.environ.get("SPSIM_RESULTS", "results"))
    return root / "analysis" / f"{prefix}-{datetime.now():%Y-%m-%d_%H-%M-%S}"


def write_yaml(path: Path, data: Any, header: str = "") -> None:
    """``data`` as YAML (after a comment ``header``), atomically."""
    text = header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    write_atomically(path, lambda tmp: tmp.write_text(text))


class Manifest:
    """``manifest.json`` of an analysis folder: ``running`` first, ``complete`` last."""

    def __init__(self, folder: Path, command: str, settings: Mapping[str, Any]) -> None:
        self.folder = folder
        self.started = time.perf_counter()
        folder.mkdir(parents=True, exist_ok=True)
        self.data: dict[str, Any] = {
            "status": "running",
            "command": command,
            "started": datetime.now().isoformat(timespec="seconds"),
            "git_commit": git_commit(),
            "code_version": code_version(),
            "packages": package_versions(PACKAGES),
            **settings,
            "files": [],
        }
        write_json(folder / "manifest.json", self.data)

    def add(self, *names: str) -> None:
        """Files the analysis wrote, for the manifest's list."""
        self.data["files"].extend(names)

    def finish(self, status: str = "complete", **facts: Any) -> None:
        """Seal the folder with its status and wall time (and any ``facts``)."""
        self.data.update(facts)
        self.data["status"] = status
        self.data["wall_time_s"] = round(time.perf_counter() - self.started, 2)
        write_json(self.folder / "manifest.json", self.data)


def code_version() -> str:
    """A digest of the simulator's code and configs (sim/**/*.py, the configs but analysis/ and calibration/).

    Results from different digests are not comparable, even with the same config and seed.
    The analysis and calibration configs are not a run's: a study compares them itself (its
    fingerprint), so editing one (more trials) does not count as a change of the simulator.
    """
    digest = hashlib.sha256()
    configs = config_dir()
    files = [(path, Path("sim") / path.relative_to(SIM_PACKAGE)) for path in sorted(SIM_PACKAGE.rglob("*.py"))]
    files += [
        (path, Path("configs") / path.relative_to(configs))
        for path in sorted(configs.rglob("*.yaml"))
        if not {"analysis", "calibration"} & set(path.relative_to(configs).parts)
    ]
    for path, name in files:
        digest.update(str(name).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def fingerprint(data: Any) -> str:
    """A stable digest of a JSON-able structure."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def as_override(key: str, value: Any) -> str:
    """``key=value`` as spsim (Hydra) reads it."""
    if value is None:
        text = "null"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, float):
        text = repr(value)
    else:
        text = str(value)
    return f"{key}={text}"


def flatten(raw: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Dotted keys of a nested mapping's leaves (an empty mapping is a leaf)."""
    flat: dict[str, Any] = {}
    for key, value in raw.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            flat |= flatten(value, f"{dotted}.")
        else:
            flat[dotted] = value
    return flat


# -- charts ---------------------------------------------------------------------------------


def tick_formatter() -> Any:
    """Tick labels like 250k or 5.05M, with as many decimals as the tick step needs."""
    from matplotlib.ticker import Formatter

    class Ticks(Formatter):
        ticks: list[float] = []  # noqa: RUF012 (replaced per axis by set_locs)

        def set_locs(self, locs: Any) -> None:
            self.ticks = [float(v) for v in locs]

        def __call__(self, value: float, position: Any = None) -> str:
            size = max([abs(v) for v in self.ticks] or [abs(value)])
            scale, suffix = (1e6, "M") if size >= 1e6 else (1e3, "k") if size >= 1e3 else (1.0, "")
            steps = sorted({round(abs(b - a), 9) for a, b in zip(self.ticks, self.ticks[1:], strict=False)} - {0})
            step = steps[0] / scale if steps else 1.0
            decimals = next((d for d in range(5) if math.isclose(round(step, d), step, rel_tol=1e-6)), 4)
            return "0" if value == 0 else f"{value / scale:,.{decimals}f}{suffix}"

    return Ticks()


def save_figure(figure: Any, path: Path) -> None:
    """Save a matplotlib figure atomically as PNG and close it."""
    import matplotlib.pyplot as plt

    write_atomically(path, lambda tmp: figure.savefig(tmp, format="png", bbox_inches="tight"))
    plt.close(figure)
