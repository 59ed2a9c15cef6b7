"""The bench's record: the printed table, the targets met or missed, the machine, the JSON file."""

import gc
import json
import os
import platform
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from sim.output.atomic import write_atomically

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Report:
    """The printed table and the figures for the JSON file, filled in section by section."""

    figures: dict[str, Any] = field(default_factory=dict)
    targets: list[dict[str, Any]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    def section(self, title: str) -> None:
        self.lines += ["", title, "-" * len(title)]
        print("\n".join(self.lines[-3:]), flush=True)

    def row(self, label: str, value: str, note: str = "") -> None:
        line = f"  {label:<46} {value:>14}  {note}".rstrip()
        self.lines.append(line)
        print(line, flush=True)

    def target(self, name: str, measured: float, limit: float, unit: str, fmt: str = ".3g") -> None:
        """A ceiling: met when ``measured <= limit``."""
        ok = measured <= limit
        self.targets.append({"name": name, "measured": measured, "max": limit, "unit": unit, "ok": ok})
        self.row(
            f"target: {name}",
            f"{measured:{fmt}} {unit}".strip(),
            f"(max {limit:{fmt}} {unit})".replace(" )", ")") + ("  ok" if ok else "  MISSED"),
        )

    def floor(self, name: str, measured: float, minimum: float, fmt: str = ".2f") -> None:
        """A floor: met when ``measured >= minimum`` (a parallel efficiency)."""
        ok = measured >= minimum
        self.targets.append({"name": name, "measured": measured, "min": minimum, "unit": "", "ok": ok})
        self.row(f"target: {name}", f"{measured:{fmt}}", f"(min {minimum:{fmt}})" + ("  ok" if ok else "  MISSED"))


def best(samples: list[float]) -> float:
    """The least disturbed repeat: noise on a shared machine only ever adds time."""
    return min(samples)


def fresh() -> None:
    """Start each timed repeat from the same heap: no garbage of the previous one."""
    gc.collect()


PEAK_RSS_KIB = """
def peak_rss_kib():
    # VmHWM starts afresh at exec. ru_maxrss does not on Linux: it keeps the peak of the process
    # that started this one (subprocess's vfork shares its memory until exec), the bench's own.
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    except OSError:
        import resource, sys
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak // 1024 if sys.platform == "darwin" else peak
"""
"""Code for a fresh process the bench starts: ``peak_rss_kib()``, its own peak resident memory in KiB."""


def rss_to_mb(kib: int) -> float:
    """KiB in MB (10^6 bytes)."""
    return kib * 1024 / 1e6


def _git(*args: str) -> str | None:
    try:
        out = subprocess.run(
            ["git", "--no-optional-locks", *args], cwd=REPO, capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return out.stdout.strip()


def machine_facts() -> dict[str, Any]:
    """What a reader needs to compare this file with another machine's."""
    status = _git("status", "--porcelain", "--untracked-files=no")
    versions: dict[str, str | None] = {}
    for package in ("spsim", "simpy", "mesa", "numpy", "pandas", "pydantic", "hydra-core"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "load_average_at_start": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor() or None,
        "python": sys.version.split()[0],
        "python_implementation": platform.python_implementation(),
        "git_commit": _git("rev-parse", "HEAD"),
        "git_tracked_changes": None if status is None else bool(status),
        "packages": versions,
    }


def results_dir() -> Path:
    """Where results land: ``$SPSIM_RESULTS`` if set (as for runs), else ``results/``."""
    return Path(os.environ.get("SPSIM_RESULTS") or REPO / "results")


def write_json(path: Path, payload: dict[str, Any]) -> None:
    """The bench's JSON file, whole or not at all."""
    text = json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
    write_atomically(path, lambda temporary: temporary.write_text(text, encoding="utf-8"))
