"""The textbook scenario against a bare SimPy loop doing the same daily work (section 2 of ``make bench``).

Over 100,000 days: the model in-process (``simulate()``, which plays a run without
behaviour in the lean loop, bit for bit the SimPy run: tests/test_lean.py), the general
SimPy path beside it for information, ``spsim`` as a whole command (start-up, compose,
simulate, tables, Parquet files), and the peak memory of a fresh process doing the run.
"""

import gc
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import simpy

from experiments.bench.record import PEAK_RSS_KIB, REPO, Report, best, fresh, rss_to_mb
from sim import SalesPurchasingModel, load_config

RATIO_MAX = 3.0  # model simulate() µs/day over the bare loop's, in-process
COMMAND_RATIO_MAX = 5.0  # spsim as a command over the bare loop, 100k days
PEAK_RSS_MAX_MB = 300.0  # a fresh process that does the 100k-day run

DAYS = 100_000
REPEATS = 3
BARE_LOOP_SEED = 20240601


@dataclass(frozen=True)
class Textbook:
    """The textbook scenario's parameters, as the bare loop uses them."""

    lead_time_days: int = 2
    forecast_window: int = 5
    safety_z: float = 1.645
    demand_mean: float = 100.0
    demand_sd: float = 20.0

    def scenario(self) -> dict[str, Any]:
        return {
            "kind": "textbook",
            "lead_time_days": self.lead_time_days,
            "forecast_window": self.forecast_window,
            "safety_z": self.safety_z,
            "demand_mean": self.demand_mean,
            "demand_sd": self.demand_sd,
        }

    def overrides(self, days: int) -> dict[str, Any]:
        return {"scenario": self.scenario(), "horizon_days": days, "warmup_days": 0}

    def command_line(self, days: int) -> list[str]:
        """The same run as ``spsim`` overrides."""
        return [
            "scenario=textbook",
            *(f"scenario.{key}={value}" for key, value in self.scenario().items() if key != "kind"),
            f"horizon_days={days}",
            "warmup_days=0",
        ]


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
    fresh()
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


def time_model(config: Any, lean_loop: bool) -> tuple[float, float, float, dict[str, float]]:
    """Wall and CPU seconds of ``simulate()``, wall seconds of ``tables()``, and the KPIs."""
    fresh()
    model = SalesPurchasingModel(config)
    start, start_cpu = time.perf_counter(), time.process_time()
    model.simulate(lean_loop=lean_loop)
    simulated, simulated_cpu = time.perf_counter(), time.process_time()
    tables = model.tables()
    done = time.perf_counter()
    return simulated - start, simulated_cpu - start_cpu, done - simulated, tables.summary


_RUN_IN_A_FRESH_PROCESS = (
    PEAK_RSS_KIB
    + """
import json, sys
from sim import SalesPurchasingModel, load_config
SalesPurchasingModel(load_config(json.loads(sys.argv[1]))).run()
print(json.dumps({"rss": peak_rss_kib()}))
"""
)


def textbook(report: Report) -> None:
    """Section 2."""
    params = Textbook()
    report.section(f"2. Textbook scenario, {DAYS:,} days, against a bare SimPy loop")
    config = load_config(params.overrides(DAYS))
    demand = drawn_demand(params, DAYS)
    samples: dict[str, list[float]] = {
        name: [] for name in ("lean", "lean_cpu", "tables", "general", "bare", "bare_cpu")
    }
    summary: dict[str, float] = {}
    loop: BareTextbookLoop | None = None
    for _ in range(REPEATS):  # interleaved: a slow spell hits all alike
        lean_s, lean_cpu_s, tables_s, summary = time_model(config, lean_loop=True)
        general_s, _cpu, _tables, _summary = time_model(config, lean_loop=False)
        bare_s, bare_cpu_s, loop = time_bare_loop(params, demand)
        for name, value in zip(samples, (lean_s, lean_cpu_s, tables_s, general_s, bare_s, bare_cpu_s), strict=True):
            samples[name].append(value)
    assert loop is not None
    per_day = 1e6 / DAYS
    lean_us, tables_us, general_us, bare_us = (
        best(samples[n]) * per_day for n in ("lean", "tables", "general", "bare")
    )
    ratio, cpu_ratio = lean_us / bare_us, best(samples["lean_cpu"]) / best(samples["bare_cpu"])
    bare_fill, bare_csl = loop.served_same_day / loop.demanded, loop.days_without_backorders / DAYS
    command_s = _as_a_command(params)
    peak_mb = _peak_memory(params)
    report.figures["textbook"] = {
        "days": DAYS,
        "repeats": REPEATS,
        "model_simulate_us_per_day": lean_us,
        "model_general_path_us_per_day": general_us,
        "model_tables_us_per_day": tables_us,
        "bare_loop_us_per_day": bare_us,
        "ratio_model_over_bare": ratio,
        "ratio_model_over_bare_cpu_time": cpu_ratio,
        "ratio_general_path_over_bare": general_us / bare_us,
        "command_s": command_s,
        "ratio_command_over_bare": command_s / (bare_us * DAYS / 1e6),
        "peak_rss_mb": peak_mb,
        "samples_s": samples,
        "gc_paused_during": ["model simulate (the model pauses it)", "bare loop run (paused here)"],
        "same_work_check": {
            "model_fill_rate": summary["fill_rate"],
            "bare_fill_rate": bare_fill,
            "model_cycle_service_level": summary["cycle_service_level"],
            "bare_cycle_service_level": bare_csl,
        },
    }
    report.row("model: simulate() (lean loop)", f"{lean_us:.2f} µs/day", f"best of {REPEATS}")
    report.row("model: the general SimPy path", f"{general_us:.2f} µs/day", "simulate(lean_loop=False), for reference")
    report.row("model: tables()", f"{tables_us:.2f} µs/day", "(not in the ratio)")
    report.row("bare SimPy loop", f"{bare_us:.2f} µs/day", f"best of {REPEATS}")
    report.row("same work? fill rate: model / bare", f"{summary['fill_rate']:.4f} / {bare_fill:.4f}")
    report.row("same work? cycle service level: model / bare", f"{summary['cycle_service_level']:.4f} / {bare_csl:.4f}")
    report.target("textbook model / bare loop, µs/day", ratio, RATIO_MAX, "x", ".2f")
    report.row("the same ratio on CPU time", f"{cpu_ratio:.2f} x", "(cross-check: less moved by other load)")
    command_ratio = report.figures["textbook"]["ratio_command_over_bare"]
    report.row("spsim as a command, 100k days", f"{command_s:.2f} s", "start-up, simulate, tables, files")
    report.target("textbook as a command / bare loop", command_ratio, COMMAND_RATIO_MAX, "x", ".2f")
    report.target("peak RSS, 100k textbook days", peak_mb, PEAK_RSS_MAX_MB, "MB", ".0f")


def _as_a_command(params: Textbook) -> float:
    """Best wall seconds of ``spsim`` doing the 100k-day run, from start to exit."""
    spsim = Path(sys.executable).with_name("spsim")
    walls = []
    with tempfile.TemporaryDirectory(prefix="spsim-bench-") as scratch:
        environment = {**os.environ, "SPSIM_RESULTS": scratch}
        for repeat in range(REPEATS):
            arguments = [
                str(spsim),
                *params.command_line(DAYS),
                "output.charts=false",
                "output.print_summary=false",
                f"hydra.run.dir={scratch}/run{repeat}",
            ]
            started = time.perf_counter()
            subprocess.run(arguments, capture_output=True, env=environment, check=True)
            walls.append(time.perf_counter() - started)
    return best(walls)


def _peak_memory(params: Textbook) -> float:
    code, config = _RUN_IN_A_FRESH_PROCESS, json.dumps(params.overrides(DAYS))
    out = subprocess.run([sys.executable, "-c", code, config], cwd=REPO, capture_output=True, text=True, check=True)
    return rss_to_mb(json.loads(out.stdout.strip().splitlines()[-1])["rss"])
