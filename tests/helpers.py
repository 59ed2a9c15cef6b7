"""Shared builders and checks for the tests (importable: ``from tests.helpers import ...``)."""

import math
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sim import SalesPurchasingModel, load_config
from sim.model import RunTables

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = ROOT / "configs"


# -- configs -----------------------------------------------------------------------------


def textbook(*, horizon_days: int = 400, warmup_days: int = 50, seed: int = 1, **scenario: Any) -> dict[str, Any]:
    """A raw textbook config (what Hydra would compose), scenario keys as keywords."""
    return {
        "scenario": {"kind": "textbook", **scenario},
        "horizon_days": horizon_days,
        "warmup_days": warmup_days,
        "seed": seed,
    }


SMALL_COMPANY: dict[str, Any] = {
    "kind": "company",
    "skus": 4,
    "accounts": 15,
    "sales_reps": 2,
    "buyers": 2,
    "suppliers": 3,
    "suppliers_per_sku": 2,
}


def company(
    *,
    horizon_days: int = 60,
    warmup_days: int = 10,
    seed: int = 1,
    org: Mapping[str, Any] | None = None,
    **scenario: Any,
) -> dict[str, Any]:
    """A raw config of a small company (a few SKUs and accounts), overrides as keywords."""
    raw: dict[str, Any] = {
        "scenario": {**SMALL_COMPANY, **scenario},
        "horizon_days": horizon_days,
        "warmup_days": warmup_days,
        "seed": seed,
    }
    if org:
        raw["org"] = dict(org)
    return raw


def run(raw: Mapping[str, Any]) -> tuple[SalesPurchasingModel, RunTables]:
    """Validate, build and run a config; the model is returned for its books."""
    model = SalesPurchasingModel(load_config(raw))
    return model, model.run()


# -- the books ---------------------------------------------------------------------------

RATE_KPIS = ("fill_rate", "cycle_service_level", "on_time_in_full", "lost_sales_rate")


def _close(a: float, b: float, *, rel: float = 1e-6, abs_: float = 1e-6) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_)


def book_problems(model: SalesPurchasingModel, tables: RunTables) -> list[str]:
    """Everything that does not balance or is out of range, as readable lines (empty: all good)."""
    problems: list[str] = []
    problems += [f"balance {name} = {value}" for name, value in model.balances().items() if value != 0]

    sku = tables.sku_timeseries
    for level in ("on_hand", "backordered", "on_order"):
        negative = sku[sku[level] < 0]
        if len(negative):
            row = negative.iloc[0]
            problems.append(f"{level} < 0 on day {row['day']} sku {row['sku']}: {row[level]}")
    for flow in ("demand", "shipped", "purchased", "received", "lost", "lost_by_order_day", "served_same_day"):
        if (sku[flow] < 0).any():
            problems.append(f"negative daily {flow}")
    if sku["lost_by_order_day"].sum() != sku["lost"].sum():
        problems.append("units lost by order day differ from units cancelled")
    if (sku["lost_by_order_day"] > sku["demand"]).any():
        problems.append("more units lost of a day's orders than that day's demand")

    summary = tables.summary
    for kpi in RATE_KPIS:
        value = summary[kpi]
        if not (math.isnan(value) or 0.0 <= value <= 1.0):
            problems.append(f"{kpi} = {value} outside [0, 1]")
    defined = {
        "fill_rate": summary["demand_units"] > 0,
        "lost_sales_rate": summary["demand_units"] > 0,
        "cycle_service_level": summary["days"] > 0,
    }
    for kpi, is_defined in defined.items():
        if math.isnan(summary[kpi]) == is_defined:
            problems.append(f"{kpi} = {summary[kpi]} although defined is {is_defined}")

    # Money in the tables is the money in the ledger (the tables cover every simulated day).
    daily, balance = tables.timeseries, model.ledger.balance
    for column, account, sign, tolerance in (
        ("revenue", "revenue", -1, 1e-6),
        ("cogs", "cogs", 1, 1e-6),
        ("ppv", "ppv", 1, 1e-6),
        ("penalty_cost", "penalties", 1, 1e-6),
        ("expediting_cost", "expediting", 1, 1e-6),
        ("holding_cost", "holding", 1, 0.011),  # the ledger posts whole cents, carrying the fraction
        ("operating_expenses", "operating_expenses", 1, 0.011),  # the same
        ("obsolescence_cost", "writeoff", 1, 1e-6),
        ("revaluation", "revaluation", -1, 1e-6),
        ("backlog_provision", "backlog_provision", 1, 1e-6),
        ("promotion_allowance", "allowances", -1, 1e-6),
    ):
        in_table = float(daily[column].sum())
        in_ledger = sign * balance.get(account, 0) / 100.0
        if not _close(in_table, in_ledger, abs_=tolerance):
            problems.append(f"{column}: tables {in_table!r} != ledger {in_ledger!r}")
    levers = [column.removeprefix("policy_cost_") for column in daily.columns if column.startswith("policy_cost_")]
    for lever in levers:
        in_table = float(daily[f"policy_cost_{lever}"].sum())
        in_ledger = balance.get(f"policy:{lever}", 0) / 100.0
        if not _close(in_table, in_ledger):
            problems.append(f"policy cost of {lever}: tables {in_table!r} != ledger {in_ledger!r}")
    booked = [a for a in balance if a.startswith("policy:") and a.removeprefix("policy:") not in levers and balance[a]]
    if booked:
        problems.append(f"policy costs in the ledger without a column in the tables: {booked}")
    if levers and not _close(
        float(daily["policy_cost"].sum()), sum(float(daily[f"policy_cost_{lever}"].sum()) for lever in levers)
    ):
        problems.append("policy_cost is not the sum of the levers' costs")
    profit_table = float(daily["operating_profit"].sum())
    # holding cost and operating expenses each post whole cents, carrying less than a cent
    if not _close(profit_table, model.ledger.profit_cents() / 100.0, abs_=0.021):
        problems.append(f"operating profit: tables {profit_table} != ledger {model.ledger.profit_cents() / 100}")

    # Goods: the tables' closing levels are the books' levels.
    stock = model.stock
    days = int(sku["day"].max()) + 1 if len(sku) else 0
    if days == model.config.total_days:
        last = sku[sku["day"] == days - 1].sort_values("sku")
        for level in ("on_hand", "backordered", "on_order"):
            if last[level].tolist() != list(getattr(stock, level)):
                problems.append(f"final {level}: tables {last[level].tolist()} != books {getattr(stock, level)}")
        for k in range(len(stock.on_hand)):
            received = int(sku.loc[sku["sku"] == k, "received"].sum())
            shipped = int(sku.loc[sku["sku"] == k, "shipped"].sum())
            if stock.opening[k] + received != shipped + stock.on_hand[k] + stock.written_off[k]:
                problems.append(f"sku {k}: opening + received != shipped + on hand")
    return problems


# -- the command line --------------------------------------------------------------------


def spsim_executable() -> str:
    """The ``spsim`` console script of the virtualenv running the tests."""
    search = os.pathsep.join(
        [str(Path(sys.executable).parent), str(ROOT / ".venv" / "bin"), os.environ.get("PATH", "")]
    )
    found = shutil.which("spsim", path=search)
    assert found, f"no spsim console script on {search}"
    return found


def spsim(
    arguments: Sequence[str],
    *,
    results: Path,
    env: Mapping[str, str] | None = None,
    cwd: Path = ROOT,
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    """Run ``spsim`` as a user would, from the checkout; ``SPSIM_RESULTS`` points at ``results``."""
    environment = {**os.environ, "SPSIM_RESULTS": str(results), "MPLBACKEND": "Agg", **(env or {})}
    environment.pop("HYDRA_FULL_ERROR", None)
    return subprocess.run(
        [spsim_executable(), *arguments],
        capture_output=True,
        text=True,
        env=environment,
        cwd=cwd,
        timeout=timeout,
        check=False,
    )


def describe(result: subprocess.CompletedProcess[str]) -> str:
    """What a failed command said, for assertion messages."""
    return f"exit {result.returncode}\n--- stdout\n{result.stdout[-3000:]}\n--- stderr\n{result.stderr[-3000:]}"
