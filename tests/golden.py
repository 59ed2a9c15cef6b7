"""Fingerprints of whole runs: the safety net of refactors that must not change results.

``python -m tests.golden`` prints the fingerprint of every run in ``GOLDEN`` (and, with
``--write``, stores them in ``tests/golden.json``); ``tests/test_golden.py`` checks that
the code still gives exactly those. A fingerprint is a SHA-256 over the summary (floats by
their exact ``repr``) and over each table's values, column by column (categories compared
as their text, so only what a reader sees counts, not how a column is encoded). Only the
columns the file lists under ``columns`` count (those the tables had when it was written), so
a refactor may add columns beside them but not change one.

When a change is *meant* to move results (new economics, a fixed mechanism), rewrite the
file with ``--write`` in the same commit and say why in its message.
"""

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim import SalesPurchasingModel, load_config

GOLDEN_FILE = Path(__file__).with_name("golden.json")
TABLES = ("timeseries", "sku_timeseries", "events", "signals")
ALL_LEVERS = ("shared_metrics", "regular_meetings", "systems_integration", "steering_committee", "rotation")

GOLDEN: dict[str, dict[str, Any]] = {
    "default": {"seed": 1},
    "default-all-levers": {"seed": 1, "policy": {name: {} for name in ALL_LEVERS}},
    "textbook": {"seed": 1, "scenario": {"kind": "textbook"}},
}
"""The runs whose fingerprints are kept: the default company, it with every lever, the textbook."""

MARKETS: dict[str, dict[str, Any]] = {  # configs/scenario/*.yaml, written out (no Hydra here)
    "default": {},
    "stable": {"demand_cv": 0.3},
    "seasonal": {"seasonality_amplitude": 0.35, "seasonality_peak_day": 330, "trend_per_year": 0.05},
    "promotion_heavy": {
        "promotion_uplift_per_discount": 5.0,
        "promotion_dip_share": 0.5,
        "deal_uplift_per_discount": 2.5,
    },
    "launch": {"launch_skus": 4, "launch_day": 60, "launch_uncertainty": 0.8},
    "disruption": {"disruption_start_day": 80, "disruption_days": 60, "disruption_capacity_factor": 0.3},
    "cost_squeeze": {"price_rise_day": 70, "price_rise_share": 0.12},
}
WIDE: dict[str, dict[str, Any]] = {
    f"{market}-{arm}": {
        "seed": 3,
        "warmup_days": 30,
        "horizon_days": 150,
        "scenario": {"name": market, **scenario},
        "org": {"quota_stretch": 1.10} if market == "promotion_heavy" else {},
        "policy": {name: {} for name in (ALL_LEVERS if arm == "all" else () if arm == "silo" else (arm,))},
    }
    for market, scenario in MARKETS.items()
    for arm in ("silo", *ALL_LEVERS, "all")
}
"""A wider net, checked by a slow test: every market scenario with each lever alone and all together."""


def _column_bytes(column: pd.Series) -> bytes:
    if isinstance(column.dtype, pd.CategoricalDtype) or column.dtype == object:
        return "\x1f".join(map(str, column.tolist())).encode()
    return np.ascontiguousarray(column.to_numpy()).tobytes() + str(column.dtype).encode()


def table_fingerprint(table: pd.DataFrame, columns: tuple[str, ...] | None = None) -> str:
    """SHA-256 of a table's columns (names, dtypes and values), in order."""
    digest = hashlib.sha256()
    for name in columns if columns is not None else tuple(table.columns):
        digest.update(name.encode() + b"\x1e" + _column_bytes(table[name]) + b"\x1d")
    return digest.hexdigest()


def run_fingerprint(raw: dict[str, Any], columns: dict[str, list[str]] | None = None) -> dict[str, str]:
    """Fingerprints of one run's summary and tables (of ``columns`` per table; default: all of them)."""
    tables = SalesPurchasingModel(load_config(raw)).run()
    summary = json.dumps({k: repr(float(v)) for k, v in sorted(tables.summary.items())}).encode()
    found = {"summary": hashlib.sha256(summary).hexdigest()}
    for name in TABLES:
        table = getattr(tables, name)
        found[name] = table_fingerprint(table, tuple(columns[name]) if columns else None)
    return found


def stored() -> dict[str, Any]:
    """The fingerprints on file: ``{"columns": {table: [...]}, "runs": {name: {table: digest}}}``."""
    return dict(json.loads(GOLDEN_FILE.read_text()))


def main(argv: list[str]) -> None:
    """Print every golden run's fingerprints (and the wide net's); ``--write`` stores them."""
    probe = SalesPurchasingModel(load_config({"horizon_days": 2, "warmup_days": 0})).run()
    columns = {name: list(getattr(probe, name).columns) for name in TABLES}
    runs = {name: run_fingerprint(raw) for name, raw in (GOLDEN | WIDE).items()}
    found = {"columns": columns, "runs": runs}
    print(json.dumps(runs, indent=2))
    if "--write" in argv:
        GOLDEN_FILE.write_text(json.dumps(found, indent=2) + "\n")
        print(f"written: {GOLDEN_FILE}")


if __name__ == "__main__":
    main(sys.argv[1:])
