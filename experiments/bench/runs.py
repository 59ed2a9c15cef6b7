"""In-process figures of the default scenario (sections 1, 3 and 4 of ``make bench``).

1. One default run, phase by phase: build, simulate, tables; simulated days per second;
   the peak memory of a fresh process that does one default run.
3. Scaling in accounts and in simulated days. A longer or bigger company does more per
   day (more backorders to close once service slips, more orders from more accounts), so
   time alone mixes the code's cost with the model's work. The target is on the code's
   cost: the exponent b of time against work, work being the business events the run
   logs (orders, shipments, receipts, ...): b > 1 means each event costs more as the run
   grows (a list scanned from its start, a history re-read). The exponents of time
   against size are printed beside it.
4. Extra cases (``EXTRA_CASES``), timed like the default run, as ratios to it.
"""

import json
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from statistics import median
from typing import Any

import numpy as np

from experiments.bench.record import PEAK_RSS_KIB, REPO, Report, best, fresh, rss_to_mb
from sim import SalesPurchasingModel, load_config
from sim.policies import levers

DEFAULT_RUN_MAX_S = 0.4  # simulate + tables of the default scenario
PEAK_RSS_MAX_MB = 250.0  # a fresh process that does one default run
SCALING_EXPONENT_MAX = 1.05  # b in time ∝ work^b (the code's cost), accounts and simulated days

DEFAULT_RUN_REPEATS = 5
SCALING_REPEATS = 5  # the fitted exponents are the noisiest figures: more repeats
SCALING_FACTORS = (1, 2, 4)
BASE_ACCOUNTS = 250
BASE_HORIZON_DAYS = 365
SCALING_WARMUP_DAYS = 90


@dataclass(frozen=True)
class ExtraCase:
    """A further configuration to time against the default run."""

    name: str
    overrides: Mapping[str, Any]
    max_ratio: float | None = None  # target for (case run time / default run time), if any
    note: str = ""


ALL_LEVERS = {name: {} for name in levers()}
EXTRA_CASES: list[ExtraCase] = [
    ExtraCase("all policy levers", {"policy": ALL_LEVERS}, max_ratio=1.2, note="(levers: at most +20%)"),
]


@dataclass
class RunTiming:
    """Wall seconds of the phases of one run, CPU seconds of build + simulate, and the events logged."""

    build: float
    simulate: float
    tables: float
    build_and_simulate_cpu: float  # process time: what another process's load hardly changes
    events: int

    @property
    def run(self) -> float:
        """What ``run()`` costs: simulate + tables (the target's measure)."""
        return self.simulate + self.tables

    @property
    def total(self) -> float:
        return self.build + self.run


def time_one_run(overrides: Mapping[str, Any]) -> tuple[RunTiming, int]:
    """Build and run one model, phase by phase: ``run() == simulate() + tables()``."""
    fresh()
    start, start_cpu = time.perf_counter(), time.process_time()
    model = SalesPurchasingModel(load_config(overrides))
    built = time.perf_counter()
    model.simulate()
    simulated, simulated_cpu = time.perf_counter(), time.process_time()
    model.tables()
    done = time.perf_counter()
    timing = RunTiming(
        built - start, simulated - built, done - simulated, simulated_cpu - start_cpu, model.recorder.event_count
    )
    return timing, model.config.total_days


def time_runs(overrides: Mapping[str, Any], repeats: int) -> dict[str, Any]:
    """Best and median phase times over ``repeats`` runs of one config."""
    runs = [time_one_run(overrides) for _ in range(repeats)]
    timings = [timing for timing, _ in runs]
    phases: dict[str, Callable[[RunTiming], float]] = {
        "build": lambda t: t.build,
        "simulate": lambda t: t.simulate,
        "tables": lambda t: t.tables,
        "run": lambda t: t.run,
        "total": lambda t: t.total,
    }
    figures: dict[str, Any] = {"simulated_days": runs[0][1], "repeats": repeats, "events": timings[0].events}
    for phase, pick in phases.items():
        samples = [pick(t) for t in timings]
        figures[f"{phase}_s"] = best(samples)
        figures[f"{phase}_median_s"] = median(samples)
        figures[f"{phase}_samples_s"] = samples
    return figures


# -- section 1: one default run ----------------------------------------------------------------

_ONE_RUN_IN_A_FRESH_PROCESS = (
    PEAK_RSS_KIB
    + """
import json, time
start = time.perf_counter()
from sim import SalesPurchasingModel, load_config
imported = time.perf_counter()
rss_import = peak_rss_kib()
model = SalesPurchasingModel(load_config({}))
model.run()
done = time.perf_counter()
rss_end = peak_rss_kib()
print(json.dumps({"import_s": imported - start, "run_s": done - imported,
                  "rss_import": rss_import, "rss_end": rss_end}))
"""
)


def default_run(report: Report) -> float:
    """Section 1; returns the best ``run()`` seconds (simulate + tables), for the extra cases' ratios."""
    report.section("1. One default run (250 accounts, 40 SKUs, 90 + 365 days), in-process")
    figures = time_runs({}, DEFAULT_RUN_REPEATS)
    report.figures["default_run"] = figures
    days = figures["simulated_days"]
    report.row("build: load_config + SalesPurchasingModel", f"{figures['build_s']:.3f} s")
    report.row("simulate: simulate()", f"{figures['simulate_s']:.3f} s")
    report.row("tables: tables()", f"{figures['tables_s']:.3f} s")
    report.row(
        "run: simulate + tables",
        f"{figures['run_s']:.3f} s",
        f"best of {DEFAULT_RUN_REPEATS}; median {figures['run_median_s']:.3f} s",
    )
    figures["days_per_second_simulate"] = days / figures["simulate_s"]
    report.row("simulated days per second (simulate)", f"{figures['days_per_second_simulate']:,.0f}")
    report.target("default run, simulate + tables", figures["run_s"], DEFAULT_RUN_MAX_S, "s", ".3f")

    out = subprocess.run(
        [sys.executable, "-c", _ONE_RUN_IN_A_FRESH_PROCESS], cwd=REPO, capture_output=True, text=True, check=True
    )
    fresh_process = json.loads(out.stdout.strip().splitlines()[-1])
    memory = {
        "peak_rss_mb": rss_to_mb(fresh_process["rss_end"]),
        "rss_after_import_mb": rss_to_mb(fresh_process["rss_import"]),
        "import_s": fresh_process["import_s"],
        "cold_run_s": fresh_process["run_s"],
    }
    report.figures["default_run_fresh_process"] = memory
    report.row("fresh process: import sim", f"{memory['import_s']:.2f} s")
    report.row("fresh process: first run (cold)", f"{memory['cold_run_s']:.2f} s")
    report.row("fresh process: peak RSS after import", f"{memory['rss_after_import_mb']:.0f} MB")
    report.row("fresh process: peak RSS after one run", f"{memory['peak_rss_mb']:.0f} MB", "(VmHWM)")
    report.target("peak RSS, one default run", memory["peak_rss_mb"], PEAK_RSS_MAX_MB, "MB", ".0f")
    return float(figures["run_s"])


# -- section 3: scaling ------------------------------------------------------------------------


def fitted_exponent(sizes: list[float], seconds: list[float]) -> float:
    """b in seconds ∝ size^b: least squares on log-log."""
    slope, _ = np.polyfit(np.log(sizes), np.log(seconds), 1)
    return float(slope)


def scaling_series(name: str, configs: list[tuple[float, dict[str, Any]]], report: Report) -> dict[str, Any]:
    """Time build + simulate and tables per size (interleaved repeats); fit the exponents."""
    simulate: dict[float, list[float]] = {size: [] for size, _ in configs}
    simulate_cpu: dict[float, list[float]] = {size: [] for size, _ in configs}
    tables: dict[float, list[float]] = {size: [] for size, _ in configs}
    events: dict[float, int] = {}
    for _ in range(SCALING_REPEATS):
        for size, overrides in configs:
            timing, _days = time_one_run(overrides)
            simulate[size].append(timing.build + timing.simulate)
            simulate_cpu[size].append(timing.build_and_simulate_cpu)
            tables[size].append(timing.tables)
            events[size] = timing.events
    sizes = [size for size, _ in configs]
    work = [float(events[size]) for size in sizes]
    simulate_best = [best(simulate[size]) for size in sizes]
    cpu_best = [best(simulate_cpu[size]) for size in sizes]
    tables_best = [best(tables[size]) for size in sizes]
    for size, sim_s, tab_s, logged in zip(sizes, simulate_best, tables_best, work, strict=True):
        report.row(
            f"{name} = {size:g}", f"{sim_s:.3f} s", f"build + simulate; tables {tab_s:.3f} s; {logged:,.0f} events"
        )
    figures = {
        "sizes": sizes,
        "events": work,
        "configs": [overrides for _, overrides in configs],
        "build_and_simulate_s": simulate_best,
        "build_and_simulate_samples_s": [simulate[size] for size in sizes],
        "build_and_simulate_cpu_s": cpu_best,
        "build_and_simulate_cpu_samples_s": [simulate_cpu[size] for size in sizes],
        "tables_s": tables_best,
        "tables_samples_s": [tables[size] for size in sizes],
        "exponent_time_on_size": fitted_exponent(sizes, simulate_best),
        "exponent_work_on_size": fitted_exponent(sizes, work),
        "exponent": fitted_exponent(work, simulate_best),
        "exponent_cpu_time": fitted_exponent(work, cpu_best),
        "tables_exponent": fitted_exponent(work, tables_best),
    }
    report.row(f"time against {name}", f"b = {figures['exponent_time_on_size']:.3f}", "(no target)")
    report.row(f"events logged against {name}", f"b = {figures['exponent_work_on_size']:.3f}", "the model's work")
    report.row("tables() against events", f"b = {figures['tables_exponent']:.3f}", "(no target)")
    report.target(f"code cost: time against events, {name}", figures["exponent"], SCALING_EXPONENT_MAX, "", ".3f")
    report.row("the same fit on CPU time", f"{figures['exponent_cpu_time']:.3f}", "(cross-check)")
    return figures


def scaling(report: Report) -> None:
    """Section 3."""
    report.section(f"3. Scaling of the default scenario (time ∝ work^b, best of {SCALING_REPEATS})")
    accounts = [(float(BASE_ACCOUNTS * k), {"scenario": {"accounts": BASE_ACCOUNTS * k}}) for k in SCALING_FACTORS]
    # Size is the simulated days, warm-up included: the engine's work is proportional to
    # them, and fitting on the horizon alone would hide the fixed warm-up and flatter b.
    horizons = [
        (
            float(SCALING_WARMUP_DAYS + BASE_HORIZON_DAYS * k),
            {"horizon_days": BASE_HORIZON_DAYS * k, "warmup_days": SCALING_WARMUP_DAYS},
        )
        for k in SCALING_FACTORS
    ]
    report.row("sizes: accounts", ", ".join(f"{s:g}" for s, _ in accounts), "(horizon 365, warm-up 90)")
    report.row("sizes: simulated days", ", ".join(f"{s:g}" for s, _ in horizons), "(90 warm-up + 365, 730, 1460)")
    report.figures["scaling"] = {
        "accounts": scaling_series("accounts", accounts, report),
        "simulated_days": scaling_series("simulated days", horizons, report),
    }


# -- section 4: extra cases --------------------------------------------------------------------


def extra_cases(report: Report, default_run_s: float) -> None:
    """Section 4: each case's ``run()`` against the default run's, measured in this bench."""
    report.section("4. Extra cases (EXTRA_CASES in experiments/bench/runs.py)")
    results = []
    for case in EXTRA_CASES:
        figures = time_runs(case.overrides, DEFAULT_RUN_REPEATS)
        ratio = figures["run_s"] / default_run_s
        figures |= {"name": case.name, "overrides": dict(case.overrides), "ratio_to_default": ratio}
        results.append(figures)
        report.row(case.name, f"{figures['run_s']:.3f} s", f"{ratio:.2f}x the default run {case.note}")
        if case.max_ratio is not None:
            report.target(f"{case.name} / default run", ratio, case.max_ratio, "x", ".2f")
    report.figures["extra_cases"] = results
