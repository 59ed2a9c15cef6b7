"""Speed and memory figures of the simulator: ``make bench`` -> ``results/bench/latest.json``.

Benchmarks are not tests (docs: DESIGN.md): nothing here fails a build. Each target is
printed with its measured value and ``ok`` or ``MISSED``, and every figure is written,
with the facts of the machine that measured it, to ``results/bench/latest.json``.

The machines are shared and noisy, so every timing is repeated and the best (least
disturbed) repeat is kept, and comparisons are ratios of timings taken in this one
run: the textbook model against a bare SimPy loop doing the same daily work, and the
scaling exponents fitted over sizes measured side by side. Targets are judged on wall
time, as asked; the same ratios on CPU time are printed beside them as a cross-check:
another process's load moves CPU time less than wall time (though not to nothing, since
the processes still share caches and memory bandwidth).

Figures:
    1. One default run in-process (build, simulate, tables), simulated days per second,
       and the peak memory of a fresh process that does one default run.
    2. The textbook scenario over 100,000 days against a bare SimPy loop (µs per day).
    3. Scaling of the default scenario in accounts and in simulated days (log-log fit).
    4. Extra cases (``EXTRA_CASES``): a place for later figures, timed like the default run.
    5. The live dashboard (extra ``[viz]``): one Step click, rendered headless with
       ``solara.render`` (simulate the day, collect its measures, redraw charts and feed),
       median seconds early in a default run and late in it, where the charts are longest.
    6. The live app in a real browser (headless chromium, where one is installed), served
       by ``spsim-viz``: the dashboard page's load (navigation to the first day line on
       screen, in a fresh context each time), a Step click to the new day on screen, and
       a week of play mode (submit to the next week's screen, the save included).
    7. ``spsim`` as a command (``experiments/bench_command.py``): an error and ``--help``,
       a default run with and without its chart, a sweep's parallel efficiency and 1,000
       runs on 2 cores (extrapolated from 12 and 40 measured runs).
"""

import gc
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from statistics import median
from typing import Any

import numpy as np
import simpy

from experiments.bench_command import command_figures
from sim import SalesPurchasingModel, load_config

REPO = Path(__file__).resolve().parents[1]

# -- targets (from the issue) -----------------------------------------------------------

DEFAULT_RUN_MAX_S = 1.0  # build + run() of the default scenario
PEAK_RSS_MAX_MB = 400.0  # a fresh process that does one default run
TEXTBOOK_RATIO_MAX = 3.0  # textbook model µs/day over the bare SimPy loop's
SCALING_EXPONENT_MAX = 1.1  # b in time ∝ size^b, accounts and simulated days
VIZ_STEP_MAX_S = 0.3  # live dashboard: one simulated day, step + render, median
PAGE_LOAD_MAX_S = 5.0  # live app: the dashboard page loads in a browser, median

# -- sizes and repeats (whole bench: well under three minutes on two cores) --------------

DEFAULT_RUN_REPEATS = 5
TEXTBOOK_DAYS = 100_000
TEXTBOOK_REPEATS = 3
SCALING_REPEATS = 5  # the fitted exponents are the noisiest figures: more repeats
SCALING_FACTORS = (1, 2, 4)
BASE_ACCOUNTS = 250
BASE_HORIZON_DAYS = 365
SCALING_WARMUP_DAYS = 90
BARE_LOOP_SEED = 20240601
VIZ_STEPS = 30  # Step clicks timed per phase of the run
VIZ_LATE_DAY = 400  # the late phase starts here (of 455 days): the longest charts
PAGE_LOADS = 5  # fresh browser contexts timed loading the dashboard
BROWSER_STEPS = 20  # Step clicks timed in the browser, click to the new day on screen


# -- extra cases ---------------------------------------------------------------------------
#
# >>> EXTRA CASES <<<
#
# Each case is a config mapping for ``load_config``, timed exactly like the default run
# (build + simulate, tables, best of DEFAULT_RUN_REPEATS) and reported as a ratio to the
# default run (the silo) measured in the same bench.


@dataclass(frozen=True)
class ExtraCase:
    """A further configuration to time against the default run."""

    name: str
    overrides: Mapping[str, Any]
    max_ratio: float | None = None  # target for (case run time / default run time), if any
    note: str = ""


ALL_LEVERS = {
    "shared_metrics": {},
    "regular_meetings": {},
    "systems_integration": {},
    "steering_committee": {},
    "rotation": {},
}
EXTRA_CASES: list[ExtraCase] = [
    ExtraCase("all policy levers", {"policy": ALL_LEVERS}, max_ratio=1.2, note="(levers: at most +20%)"),
]


# -- measuring ---------------------------------------------------------------------------


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
        ok = measured <= limit
        self.targets.append({"name": name, "measured": measured, "max": limit, "unit": unit, "ok": ok})
        self.row(
            f"target: {name}",
            f"{measured:{fmt}} {unit}".strip(),
            f"(max {limit:{fmt}} {unit})".replace(" )", ")") + ("  ok" if ok else "  MISSED"),
        )


def best(samples: list[float]) -> float:
    """The least disturbed repeat: noise on a shared machine only ever adds time."""
    return min(samples)


def _fresh() -> None:
    """Start each timed repeat from the same heap: no garbage of the previous one."""
    gc.collect()


@dataclass
class RunTiming:
    """Wall times of the phases of one run, and the CPU time of build + simulate, in seconds."""

    build: float
    simulate: float
    tables: float
    build_and_simulate_cpu: float  # process time: what another process's load hardly changes

    @property
    def total(self) -> float:
        return self.build + self.simulate + self.tables


def time_one_run(overrides: Mapping[str, Any]) -> tuple[RunTiming, int]:
    """Build and ``run()`` one model, phase by phase: ``run() == _advance(total) + tables()``."""
    _fresh()
    start, start_cpu = time.perf_counter(), time.process_time()
    model = SalesPurchasingModel(load_config(overrides))
    built = time.perf_counter()
    model._advance(model.config.total_days)
    simulated, simulated_cpu = time.perf_counter(), time.process_time()
    model.tables()
    done = time.perf_counter()
    timing = RunTiming(built - start, simulated - built, done - simulated, simulated_cpu - start_cpu)
    return timing, model.config.total_days


def time_runs(overrides: Mapping[str, Any], repeats: int) -> dict[str, Any]:
    """Best and median phase times over ``repeats`` runs of one config."""
    runs = [time_one_run(overrides) for _ in range(repeats)]
    timings = [timing for timing, _ in runs]
    days = runs[0][1]
    phases: dict[str, Callable[[RunTiming], float]] = {
        "build": lambda t: t.build,
        "simulate": lambda t: t.simulate,
        "tables": lambda t: t.tables,
        "total": lambda t: t.total,
    }
    figures: dict[str, Any] = {"simulated_days": days, "repeats": repeats}
    for phase, pick in phases.items():
        samples = [pick(t) for t in timings]
        figures[f"{phase}_s"] = best(samples)
        figures[f"{phase}_median_s"] = median(samples)
        figures[f"{phase}_samples_s"] = samples
    return figures


# -- figure 1: one default run -------------------------------------------------------------

_ONE_RUN_IN_A_FRESH_PROCESS = """
import json, resource, sys, time
start = time.perf_counter()
from experiments.bench_command import command_figures
from sim import SalesPurchasingModel, load_config
imported = time.perf_counter()
rss_import = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
model = SalesPurchasingModel(load_config({}))
model.run()
done = time.perf_counter()
rss_end = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"import_s": imported - start, "run_s": done - imported,
                  "rss_import": rss_import, "rss_end": rss_end}))
"""


def _rss_to_mb(value: int) -> float:
    """``ru_maxrss`` in MB (10^6 bytes): KiB on Linux, bytes on macOS."""
    return value / 1e6 if sys.platform == "darwin" else value * 1024 / 1e6


def default_run(report: Report) -> float:
    report.section("1. One default run (250 accounts, 40 SKUs, 90 + 365 days), in-process")
    figures = time_runs({}, DEFAULT_RUN_REPEATS)
    report.figures["default_run"] = figures
    days = figures["simulated_days"]
    report.row("build: load_config + SalesPurchasingModel", f"{figures['build_s']:.3f} s")
    report.row("simulate: _advance(total_days)", f"{figures['simulate_s']:.3f} s")
    report.row("tables: tables()", f"{figures['tables_s']:.3f} s")
    report.row(
        "whole run: build + run()",
        f"{figures['total_s']:.3f} s",
        f"best of {DEFAULT_RUN_REPEATS}; median {figures['total_median_s']:.3f} s",
    )
    figures["days_per_second_simulate"] = days / figures["simulate_s"]
    figures["days_per_second_whole_run"] = days / figures["total_s"]
    report.row("simulated days per second (simulate)", f"{figures['days_per_second_simulate']:,.0f}")
    report.row("simulated days per second (whole run)", f"{figures['days_per_second_whole_run']:,.0f}")
    report.target("default run wall time", figures["total_s"], DEFAULT_RUN_MAX_S, "s", ".2f")

    out = subprocess.run(
        [sys.executable, "-c", _ONE_RUN_IN_A_FRESH_PROCESS],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    fresh = json.loads(out.stdout.strip().splitlines()[-1])
    memory = {
        "peak_rss_mb": _rss_to_mb(fresh["rss_end"]),
        "rss_after_import_mb": _rss_to_mb(fresh["rss_import"]),
        "import_s": fresh["import_s"],
        "cold_run_s": fresh["run_s"],
    }
    report.figures["default_run_fresh_process"] = memory
    report.row("fresh process: import sim", f"{memory['import_s']:.2f} s")
    report.row("fresh process: first run (cold)", f"{memory['cold_run_s']:.2f} s")
    report.row("fresh process: peak RSS after import", f"{memory['rss_after_import_mb']:.0f} MB")
    report.row("fresh process: peak RSS after one run", f"{memory['peak_rss_mb']:.0f} MB", "(ru_maxrss)")
    report.target("peak RSS, one default run", memory["peak_rss_mb"], PEAK_RSS_MAX_MB, "MB", ".0f")
    return float(figures["total_s"])


# -- figure 2: textbook scenario against a bare SimPy loop ----------------------------------


@dataclass(frozen=True)
class Textbook:
    """The textbook scenario's parameters, as the bare loop uses them."""

    lead_time_days: int = 2
    forecast_window: int = 5
    safety_z: float = 1.645
    demand_mean: float = 100.0
    demand_sd: float = 20.0

    def overrides(self, days: int) -> dict[str, Any]:
        scenario = {
            "kind": "textbook",
            "lead_time_days": self.lead_time_days,
            "forecast_window": self.forecast_window,
            "safety_z": self.safety_z,
            "demand_mean": self.demand_mean,
            "demand_sd": self.demand_sd,
        }
        return {"scenario": scenario, "horizon_days": days, "warmup_days": 0}


class BareTextbookLoop:
    """The textbook inventory in plain SimPy: the least any engine could do per day.

    One process wakes once a day: it reviews (order up to S = (L+1)·m + z·σ·sqrt(L+1),
    m the mean of the last days' demand, into the inventory position) and serves the
    day's demand, backordering what the shelf lacks. Each shipment is one timeout whose
    callback shelves the goods L days later and fills backorders first; deliveries wake
    before the review of their day, as receipts precede reviews in the model.
    """

    def __init__(self, params: Textbook, demand: list[int]) -> None:
        self.params = params
        self.demand = demand
        self.env = simpy.Environment()
        cover = params.lead_time_days + 1
        self.cover = cover
        self.safety_stock = params.safety_z * params.demand_sd * math.sqrt(cover)
        self.on_hand = max(0, math.floor(cover * params.demand_mean + self.safety_stock + 0.5))
        self.on_order = 0
        self.backorders = 0
        self.demanded = 0
        self.served_same_day = 0
        self.days_without_backorders = 0
        self.env.process(self._days())

    def run(self) -> None:
        self.env.run(until=len(self.demand))

    def _receive(self, units: int) -> None:
        self.on_order -= units
        on_hand = self.on_hand + units
        filled = min(self.backorders, on_hand)
        self.backorders -= filled
        self.on_hand = on_hand - filled

    def _days(self) -> Generator[simpy.Event, Any, None]:
        env, params = self.env, self.params
        lead, prior = params.lead_time_days, params.demand_mean
        history: deque[int] = deque(maxlen=params.forecast_window)
        for wanted in self.demand:
            mean = sum(history) / len(history) if history else prior
            gap = self.cover * mean + self.safety_stock - (self.on_hand + self.on_order - self.backorders)
            units = math.floor(gap + 0.5) if gap > 0 else 0
            if units > 0:
                self.on_order += units
                delivery = env.timeout(lead)
                delivery.callbacks.append(lambda _event, units=units: self._receive(units))  # type: ignore[misc]
            history.append(wanted)
            served = min(wanted, self.on_hand)
            self.on_hand -= served
            self.backorders += wanted - served
            self.demanded += wanted
            self.served_same_day += served
            if self.backorders == 0:
                self.days_without_backorders += 1
            yield env.timeout(1)


def drawn_demand(params: Textbook, days: int) -> list[int]:
    """Daily demand: normal(mean, sd), rounded, floored at zero, drawn before the run."""
    rng = np.random.default_rng(BARE_LOOP_SEED)
    draws = np.floor(rng.normal(params.demand_mean, params.demand_sd, days) + 0.5)
    units: list[int] = np.maximum(draws, 0).astype(np.int64).tolist()
    return units


def time_bare_loop(params: Textbook, demand: list[int]) -> tuple[float, float, BareTextbookLoop]:
    """Wall and CPU seconds of one bare run, the cyclic garbage collector paused as the model does."""
    _fresh()
    loop = BareTextbookLoop(params, demand)
    collecting = gc.isenabled()
    gc.disable()
    try:
        start, start_cpu = time.perf_counter(), time.process_time()
        loop.run()
        elapsed, elapsed_cpu = time.perf_counter() - start, time.process_time() - start_cpu
    finally:
        if collecting:
            gc.enable()
    return elapsed, elapsed_cpu, loop


def time_textbook_model(config: Any, days: int) -> tuple[float, float, float, dict[str, float]]:
    """Wall and CPU seconds of ``_advance(days)``, wall seconds of ``tables()``, and the KPIs."""
    _fresh()
    model = SalesPurchasingModel(config)
    start, start_cpu = time.perf_counter(), time.process_time()
    model._advance(days)
    simulated, simulated_cpu = time.perf_counter(), time.process_time()
    tables = model.tables()
    done = time.perf_counter()
    return simulated - start, simulated_cpu - start_cpu, done - simulated, tables.summary


def textbook(report: Report) -> None:
    days = TEXTBOOK_DAYS
    report.section(f"2. Textbook scenario, {days:,} days, against a bare SimPy loop")
    params = Textbook()
    config = load_config(params.overrides(days))
    demand = drawn_demand(params, days)
    model_simulate, model_cpu, model_tables, bare, bare_cpu = [], [], [], [], []
    summary: dict[str, float] = {}
    loop: BareTextbookLoop | None = None
    for _ in range(TEXTBOOK_REPEATS):  # interleaved: a slow spell hits both alike
        simulate_s, simulate_cpu_s, tables_s, summary = time_textbook_model(config, days)
        model_simulate.append(simulate_s)
        model_cpu.append(simulate_cpu_s)
        model_tables.append(tables_s)
        bare_s, bare_cpu_s, loop = time_bare_loop(params, demand)
        bare.append(bare_s)
        bare_cpu.append(bare_cpu_s)
    assert loop is not None
    per_day = 1e6 / days
    model_us, tables_us, bare_us = (best(s) * per_day for s in (model_simulate, model_tables, bare))
    ratio = model_us / bare_us
    cpu_ratio = best(model_cpu) / best(bare_cpu)
    bare_fill = loop.served_same_day / loop.demanded
    bare_csl = loop.days_without_backorders / days
    report.figures["textbook"] = {
        "days": days,
        "repeats": TEXTBOOK_REPEATS,
        "model_simulate_us_per_day": model_us,
        "model_tables_us_per_day": tables_us,
        "bare_loop_us_per_day": bare_us,
        "ratio_model_over_bare": ratio,
        "ratio_model_over_bare_cpu_time": cpu_ratio,
        "model_simulate_cpu_samples_s": model_cpu,
        "bare_loop_cpu_samples_s": bare_cpu,
        "model_simulate_samples_s": model_simulate,
        "model_tables_samples_s": model_tables,
        "bare_loop_samples_s": bare,
        "gc_paused_during": ["model _advance (the model pauses it)", "bare loop run (paused here)"],
        "same_work_check": {
            "model_fill_rate": summary["fill_rate"],
            "bare_fill_rate": bare_fill,
            "model_cycle_service_level": summary["cycle_service_level"],
            "bare_cycle_service_level": bare_csl,
        },
    }
    report.row("model: _advance(100000)", f"{model_us:.2f} µs/day", f"best of {TEXTBOOK_REPEATS}")
    report.row("model: tables()", f"{tables_us:.2f} µs/day", "(not in the ratio)")
    report.row("bare SimPy loop", f"{bare_us:.2f} µs/day", f"best of {TEXTBOOK_REPEATS}")
    report.row("garbage collector during the timed part", "paused in both", "(model: by _advance; bare: here)")
    report.row("same work? fill rate: model / bare", f"{summary['fill_rate']:.4f} / {bare_fill:.4f}")
    report.row(
        "same work? cycle service level: model / bare",
        f"{summary['cycle_service_level']:.4f} / {bare_csl:.4f}",
    )
    report.target("textbook model / bare loop, µs/day", ratio, TEXTBOOK_RATIO_MAX, "x", ".2f")
    report.row("the same ratio on CPU time", f"{cpu_ratio:.2f} x", "(cross-check: less moved by other load)")


# -- figure 3: scaling ---------------------------------------------------------------------


def fitted_exponent(sizes: list[float], seconds: list[float]) -> float:
    """b in seconds ∝ size^b: least squares on log-log."""
    slope, _ = np.polyfit(np.log(sizes), np.log(seconds), 1)
    return float(slope)


def scaling_series(name: str, configs: list[tuple[float, dict[str, Any]]], report: Report) -> dict[str, Any]:
    """Time build + simulate and tables per size (interleaved repeats); fit both exponents."""
    simulate: dict[float, list[float]] = {size: [] for size, _ in configs}
    simulate_cpu: dict[float, list[float]] = {size: [] for size, _ in configs}
    tables: dict[float, list[float]] = {size: [] for size, _ in configs}
    for _ in range(SCALING_REPEATS):
        for size, overrides in configs:
            timing, _days = time_one_run(overrides)
            simulate[size].append(timing.build + timing.simulate)
            simulate_cpu[size].append(timing.build_and_simulate_cpu)
            tables[size].append(timing.tables)
    sizes = [size for size, _ in configs]
    simulate_best = [best(simulate[size]) for size in sizes]
    cpu_best = [best(simulate_cpu[size]) for size in sizes]
    tables_best = [best(tables[size]) for size in sizes]
    for size, sim_s, tab_s in zip(sizes, simulate_best, tables_best, strict=True):
        report.row(f"{name} = {size:g}", f"{sim_s:.3f} s", f"build + simulate; tables {tab_s:.3f} s")
    exponent = fitted_exponent(sizes, simulate_best)
    cpu_exponent = fitted_exponent(sizes, cpu_best)
    tables_exponent = fitted_exponent(sizes, tables_best)
    report.row(f"exponent b for tables() in {name}", f"{tables_exponent:.3f}", "(no target)")
    report.target(f"scaling exponent b in {name}", exponent, SCALING_EXPONENT_MAX, "", ".3f")
    report.row("the same fit on CPU time", f"{cpu_exponent:.3f}", "(cross-check: less moved by other load)")
    return {
        "sizes": sizes,
        "configs": [overrides for _, overrides in configs],
        "build_and_simulate_s": simulate_best,
        "tables_s": tables_best,
        "build_and_simulate_samples_s": [simulate[size] for size in sizes],
        "build_and_simulate_cpu_s": cpu_best,
        "build_and_simulate_cpu_samples_s": [simulate_cpu[size] for size in sizes],
        "exponent_cpu_time": cpu_exponent,
        "tables_samples_s": [tables[size] for size in sizes],
        "exponent": exponent,
        "tables_exponent": tables_exponent,
    }


def scaling(report: Report) -> None:
    report.section(f"3. Scaling of the default scenario (time ∝ size^b, best of {SCALING_REPEATS})")
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


# -- figure 4: extra cases -----------------------------------------------------------------


def extra_cases(report: Report, default_total_s: float) -> None:
    report.section("4. Extra cases (EXTRA_CASES in experiments/bench.py)")
    results = []
    for case in EXTRA_CASES:
        figures = time_runs(case.overrides, DEFAULT_RUN_REPEATS)
        ratio = figures["total_s"] / default_total_s
        figures |= {"name": case.name, "overrides": dict(case.overrides), "ratio_to_default": ratio}
        results.append(figures)
        report.row(case.name, f"{figures['total_s']:.3f} s", f"{ratio:.2f}x the default run {case.note}")
        if case.max_ratio is not None:
            report.target(f"{case.name} / default run", ratio, case.max_ratio, "x", ".2f")
    report.figures["extra_cases"] = results


# -- figure 5: the live dashboard ---------------------------------------------------------


def _rendered_dashboard() -> tuple[Any, Any]:
    """The dashboard rendered headless, and the model its session built (it keeps it private)."""
    import solara

    from sim.live import dashboard

    built: list[Any] = []
    original = dashboard.LiveModel.__init__

    def recording(self: Any, **settings: Any) -> None:
        original(self, **settings)
        built.append(self)

    dashboard.LiveModel.__init__ = recording  # type: ignore[method-assign]
    try:
        _box, rc = solara.render(dashboard.Dashboard(), handle_error=False)
    finally:
        dashboard.LiveModel.__init__ = original  # type: ignore[method-assign]
    return rc, built[0]


def time_step_clicks(step_button: Any, clicks: int) -> list[float]:
    """Wall seconds of each Step click: the day, its measures, and the redraw of the page."""
    samples = []
    for _ in range(clicks):
        start = time.perf_counter()
        step_button.click()
        samples.append(time.perf_counter() - start)
    return samples


def live_dashboard(report: Report) -> None:
    report.section(f"5. Live dashboard: one Step click, step + render (median of {VIZ_STEPS})")
    try:
        import ipyvuetify as v
    except ImportError:
        report.row("skipped", "", "(the [viz] extra is not installed)")
        return
    rc, model = _rendered_dashboard()
    step = rc.find(v.Btn, children=["Step"]).widget
    early = time_step_clicks(step, VIZ_STEPS)
    # Fast-forward without redrawing (the model still collects each day), then time again.
    forward = []
    while int(model.env.now) < VIZ_LATE_DAY:
        start = time.perf_counter()
        model.step()
        forward.append(time.perf_counter() - start)
    late = time_step_clicks(step, VIZ_STEPS)
    days = model.config.total_days
    report.figures["live_dashboard"] = {
        "scenario": "default",
        "simulated_days": days,
        "clicks_per_phase": VIZ_STEPS,
        "early_days": [0, VIZ_STEPS - 1],
        "late_days": [VIZ_LATE_DAY, VIZ_LATE_DAY + VIZ_STEPS - 1],
        "early_median_s": median(early),
        "late_median_s": median(late),
        "early_samples_s": early,
        "late_samples_s": late,
        "step_only_median_s": median(forward),
    }
    report.row("model step alone (LiveModel.step)", f"{median(forward):.4f} s", "median, no redraw")
    report.row(f"step + render, days 0-{VIZ_STEPS - 1}", f"{median(early):.3f} s", f"max {max(early):.3f} s")
    report.row(
        f"step + render, days {VIZ_LATE_DAY}-{VIZ_LATE_DAY + VIZ_STEPS - 1}",
        f"{median(late):.3f} s",
        f"max {max(late):.3f} s",
    )
    worse = max(median(early), median(late))
    report.target("live dashboard step + render (median)", worse, VIZ_STEP_MAX_S, "s", ".3f")


# -- figure 6: the live app in a browser -------------------------------------------------------


def live_app_in_browser(report: Report) -> None:
    report.section("6. Live app in headless chromium: page load, Step click, a week of play (medians)")
    try:
        from playwright.sync_api import sync_playwright

        from sim.live.serve import CHROMIUM_FLAGS, chromium, served_app
    except ImportError:
        report.row("skipped", "", "(the [viz] extra or playwright is not installed)")
        return
    executable = chromium()
    if executable is None:
        report.row("skipped", "", "(no chromium: apt-get install chromium)")
        return
    with (
        tempfile.TemporaryDirectory() as scratch,
        served_app(Path(scratch) / "games") as address,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        loads = [_page_load(browser, address) for _ in range(PAGE_LOADS)]
        steps = _browser_steps(browser, address)
        weeks = _play_weeks(browser, address)
        browser.close()
    report.figures["live_app_browser"] = {
        "page_load_median_s": median(loads),
        "page_load_samples_s": loads,
        "step_click_median_s": median(steps),
        "step_click_samples_s": steps,
        "play_week_median_s": median(weeks),
        "play_week_samples_s": weeks,
    }
    report.row("dashboard page load", f"{median(loads):.2f} s", f"max {max(loads):.2f} s of {PAGE_LOADS}")
    report.row("Step click to the new day on screen", f"{median(steps):.3f} s", f"max {max(steps):.3f} s")
    report.row("play: submit a week to the next screen", f"{median(weeks):.2f} s", "simulate 7 days + save the game")
    report.target("live app page load (median)", median(loads), PAGE_LOAD_MAX_S, "s", ".2f")
    report.target("live app Step click to the new day on screen (median)", median(steps), VIZ_STEP_MAX_S, "s", ".3f")


def _page_load(browser: Any, address: str) -> float:
    context = browser.new_context()
    page = context.new_page()
    start = time.perf_counter()
    page.goto(address + "/")
    page.locator(".spsim-day").wait_for(timeout=60_000)
    elapsed = time.perf_counter() - start
    context.close()
    return elapsed


def _browser_steps(browser: Any, address: str) -> list[float]:
    context = browser.new_context()
    page = context.new_page()
    page.goto(address + "/")
    page.locator(".spsim-day").wait_for(timeout=60_000)
    samples = []
    for day in range(BROWSER_STEPS):
        start = time.perf_counter()
        page.get_by_role("button", name="Step", exact=True).click()
        page.locator(f'.spsim-chart-state[data-chart="profit"][data-day="{day}"]').wait_for(timeout=60_000)
        samples.append(time.perf_counter() - start)
    context.close()
    return samples


def _play_weeks(browser: Any, address: str, weeks: int = 4) -> list[float]:
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(address + "/play")
    page.get_by_label("Your name").fill("Bench")
    page.get_by_label("Weeks").fill(str(weeks + 1))
    page.get_by_text("Start game").click()
    samples = []
    for week in range(1, weeks + 1):
        page.get_by_text(f"Week {week} of {weeks + 1}").wait_for()
        orders = page.locator(".spsim-order input")
        for i in range(orders.count()):
            orders.nth(i).fill("50")
        start = time.perf_counter()
        page.get_by_text(f"Submit week {week}").click()
        page.get_by_text(f"Week {week + 1} of {weeks + 1}").wait_for()
        samples.append(time.perf_counter() - start)
    context.close()
    return samples


# -- the record ----------------------------------------------------------------------------


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
    for package in ("sim", "simpy", "mesa", "numpy", "pandas", "pydantic"):
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


def write_atomically(path: Path, payload: dict[str, Any]) -> None:
    """Write JSON to a temporary file beside ``path``, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(payload, out, indent=2, ensure_ascii=False)
            out.write("\n")
        Path(temporary).chmod(0o644)  # mkstemp makes it private; a result is for everyone to read
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def main() -> None:
    started = time.perf_counter()
    machine = machine_facts()
    print(
        f"sim benchmark  {machine['date']}  commit {str(machine['git_commit'])[:10]}"
        f"{' (+ uncommitted changes)' if machine['git_tracked_changes'] else ''}\n"
        f"{machine['platform']}, Python {machine['python']}, {machine['cpu_count']} CPUs, "
        f"load {', '.join(f'{x:.2f}' for x in machine['load_average_at_start'] or [])}\n"
        "Timings: best of n repeats (noise only adds time); compare ratios, not seconds.",
        flush=True,
    )
    report = Report()
    default_total_s = default_run(report)
    textbook(report)
    scaling(report)
    extra_cases(report, default_total_s)
    live_dashboard(report)
    live_app_in_browser(report)
    command_figures(report)

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
    path = results_dir() / "bench" / "latest.json"
    write_atomically(
        path,
        {
            "machine": machine,
            "figures": report.figures,
            "targets": report.targets,
            "bench_wall_s": wall,
            "table": report.lines,
        },
    )
    print(f"\nwritten: {path}")


if __name__ == "__main__":
    main()
