"""``make run`` as a whole (section 8 of ``make bench``): the main job, start to report.

Times ``spsim -m +experiment=compare_policies`` into an empty results folder (nothing to
resume), as ``make run`` runs it on a set-up machine: every arm at every safety factor of
its frontier grid, on all cores, then the tables, the report and its executive summary.
Run once: it takes minutes, and a repeat would only resume.
"""

import tempfile
from pathlib import Path

from experiments.bench.command import SPSIM, timed_command
from experiments.bench.record import Report

MAKE_RUN_MAX_S = 180.0  # issue 12: make run as a whole stays within 3 minutes on 2 cores


def main_job(report: Report) -> None:
    report.section("make run: the main job (compare_policies), start to report")
    with tempfile.TemporaryDirectory(prefix="spsim-bench-main-") as folder:
        results = Path(folder)
        wall = timed_command([str(SPSIM), "-m", "+experiment=compare_policies"], results)
        runs = len(list(results.rglob("manifest.json")))
        written = (results / "experiments" / "compare_policies" / "report" / "report.html").is_file()
    report.row("runs", str(runs), "report written" if written else "NO REPORT")
    report.target("make run as a whole (the main job, set-up excluded)", wall, MAKE_RUN_MAX_S, "s", ".0f")
