"""``make bench``: every section in turn, the targets met or missed, ``results/bench/latest.json``."""

import argparse
import os
import time

from experiments.bench.command import command_figures
from experiments.bench.live import live_app_in_browser, live_dashboard
from experiments.bench.main_job import main_job
from experiments.bench.record import Report, machine_facts, results_dir, write_json
from experiments.bench.runs import default_run, extra_cases, scaling
from experiments.bench.textbook import textbook

SECTIONS = ("run", "textbook", "scaling", "extra", "live", "browser", "command", "main")


def chosen_sections() -> set[str]:
    parser = argparse.ArgumentParser(prog="python -m experiments.bench", description=__doc__)
    parser.add_argument(
        "--only", nargs="+", choices=SECTIONS, default=SECTIONS, help="the sections to run (all by default)"
    )
    return set(parser.parse_args().only)


def main() -> None:
    only = chosen_sections()
    started = time.perf_counter()
    machine = machine_facts()
    print(
        f"spsim benchmark  {machine['date']}  commit {str(machine['git_commit'])[:10]}"
        f"{' (+ uncommitted changes)' if machine['git_tracked_changes'] else ''}\n"
        f"{machine['platform']}, Python {machine['python']}, {machine['cpu_count']} CPUs, "
        f"load {', '.join(f'{x:.2f}' for x in machine['load_average_at_start'] or [])}\n"
        "Timings: best of n repeats (noise only adds time); compare ratios, not seconds.",
        flush=True,
    )
    report = Report()
    default_run_s = default_run(report) if only & {"run", "extra"} else 0.0
    if "textbook" in only:
        textbook(report)
    if "scaling" in only:
        scaling(report)
    if "extra" in only:
        extra_cases(report, default_run_s)
    if "live" in only:
        live_dashboard(report)
    if "browser" in only:
        live_app_in_browser(report)
    if "command" in only:
        command_figures(report)
    if "main" in only:
        main_job(report)

    wall = time.perf_counter() - started
    missed = [t["name"] for t in report.targets if not t["ok"]]
    report.section("Targets")
    report.row("met", f"{len(report.targets) - len(missed)} of {len(report.targets)}")
    for name in missed:
        report.row("MISSED", "", name)
    report.row("bench wall time", f"{wall:.0f} s")
    load_end = list(os.getloadavg()) if hasattr(os, "getloadavg") else None
    machine["load_average_at_end"] = load_end
    # The bench keeps one core busy itself: at the end, load above one is someone else's.
    others = max((machine["load_average_at_start"] or [0.0])[0], (load_end or [1.0])[0] - 1.0)
    if others >= 0.5:
        report.row("machine was busy", f"load ~{others:.1f}", "besides the bench: figures are noisier")
    path = results_dir() / "bench" / ("latest.json" if only == set(SECTIONS) else "partial.json")
    payload = {"machine": machine, "figures": report.figures, "targets": report.targets, "bench_wall_s": wall}
    write_json(path, payload | {"table": report.lines})
    print(f"\nwritten: {path}")


if __name__ == "__main__":
    main()
