"""Demand from a client's file: it replaces the drawn demand, and bad files are refused clearly."""

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim import SalesPurchasingModel, load_config
from sim.config import ConfigError
from tests.helpers import book_problems, company, describe, run, spsim, textbook

DAYS = 30


def order_rows(events: pd.DataFrame) -> list[tuple[int, int, int, int]]:
    orders = events[events["event"] == "order"]
    return sorted(zip(orders["day"], orders["sku"], orders["account"], orders["quantity"], strict=True))


def write_orders(path: Path, rows: pd.DataFrame) -> Path:
    rows.to_csv(path, index=False)
    return path


@pytest.fixture
def company_orders(tmp_path: Path) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    n = 120
    rows = pd.DataFrame(
        {
            "day": rng.integers(0, DAYS, n),
            "sku": rng.integers(0, 3, n),
            "quantity": rng.integers(1, 40, n),
            "account": rng.integers(0, 4, n),
        }
    )
    return rows.drop_duplicates(["day", "sku", "account"]).sort_values(["day", "account", "sku"])


def test_company_orders_replay_the_file(tmp_path: Path, company_orders: pd.DataFrame) -> None:
    path = write_orders(tmp_path / "orders.csv", company_orders)
    model, tables = run(company(skus=3, accounts=4, horizon_days=DAYS, warmup_days=0, demand_file=str(path)))
    expected = sorted(
        zip(
            company_orders["day"],
            company_orders["sku"],
            company_orders["account"],
            company_orders["quantity"],
            strict=True,
        )
    )
    assert order_rows(tables.events) == expected
    assert not book_problems(model, tables)


def test_company_file_is_the_same_whatever_the_seed(tmp_path: Path, company_orders: pd.DataFrame) -> None:
    path = write_orders(tmp_path / "orders.csv", company_orders)
    _, first = run(company(skus=3, accounts=4, horizon_days=DAYS, warmup_days=0, seed=1, demand_file=str(path)))
    _, second = run(company(skus=3, accounts=4, horizon_days=DAYS, warmup_days=0, seed=2, demand_file=str(path)))
    assert order_rows(first.events) == order_rows(second.events)


def test_company_file_without_account_belongs_to_account_zero(tmp_path: Path) -> None:
    rows = pd.DataFrame({"day": [0, 1, 1, 5], "sku": [0, 1, 2, 0], "quantity": [3, 4, 5, 6]})
    path = write_orders(tmp_path / "orders.csv", rows)
    _, tables = run(company(skus=3, accounts=2, horizon_days=10, warmup_days=0, demand_file=str(path)))
    assert order_rows(tables.events) == [(0, 0, 0, 3), (1, 1, 0, 4), (1, 2, 0, 5), (5, 0, 0, 6)]


def test_textbook_accepts_a_file_without_sku(tmp_path: Path) -> None:
    quantities = [100, 80, 0, 130, 95, 101, 77, 150, 60, 99]
    rows = pd.DataFrame({"day": range(len(quantities)), "quantity": quantities})
    path = write_orders(tmp_path / "demand.csv", rows)
    model, tables = run(textbook(horizon_days=len(quantities), warmup_days=0, demand_file=str(path)))
    assert order_rows(tables.events) == [(d, 0, 0, q) for d, q in enumerate(quantities) if q > 0]
    assert tables.sku_timeseries["demand"].tolist() == quantities
    assert not book_problems(model, tables)


def test_textbook_merges_accounts_of_a_file(tmp_path: Path) -> None:
    rows = pd.DataFrame({"day": [0, 0, 1, 2], "quantity": [10, 5, 7, 1], "account": [0, 3, 1, 2]})
    path = write_orders(tmp_path / "demand.csv", rows)
    _, tables = run(textbook(horizon_days=3, warmup_days=0, demand_file=str(path)))
    assert tables.sku_timeseries["demand"].tolist() == [15, 7, 1]


def test_file_columns_may_be_in_any_order_and_case(tmp_path: Path) -> None:
    path = tmp_path / "demand.csv"
    path.write_text("Quantity, Day\n12,0\n8,1\n")
    _, tables = run(textbook(horizon_days=2, warmup_days=0, demand_file=str(path)))
    assert tables.sku_timeseries["demand"].tolist() == [12, 8]


MALFORMED = [
    # (file text, scenario kind, what the message must contain besides the file name)
    ("day,sku\n0,0\n", "company", ["quantity"]),
    ("day,sku,quantity\n0,0,5\n1,0,-3\n", "company", ["line 3", "quantity"]),
    ("day,sku,quantity\n0,0,5\n1,1,2\n2,0,lots\n", "company", ["line 4", "lots"]),
    ("day,sku,quantity\n0,0,2.5\n", "company", ["line 2", "2.5"]),
    ("day,sku,quantity\n0,0,5\n0,7,1\n", "company", ["line 3", "sku"]),
    ("day,sku,quantity,account\n0,0,5,0\n1,1,3,1\n2,2,1,9\n", "company", ["line 4", "account"]),
    ("day,sku,quantity\n-1,0,5\n", "company", ["line 2", "day"]),
    ("day,sku,quantity\n", "company", ["no rows"]),
    ("day,quantity\n0,5\n", "company", ["sku"]),  # the company needs the sku column
    ("day,quantity,sku\n0,5,0\n1,5,1\n", "textbook", ["line 3", "sku"]),
    ("day\n0\n", "textbook", ["quantity"]),
]


def _config_for(kind: str, path: str) -> dict:
    if kind == "textbook":
        return textbook(horizon_days=10, warmup_days=0, demand_file=path)
    return company(skus=3, accounts=4, horizon_days=10, warmup_days=0, demand_file=path)


@pytest.mark.parametrize(
    ("text", "kind", "expected"), MALFORMED, ids=[f"{i}-{m[2][0]}" for i, m in enumerate(MALFORMED)]
)
def test_malformed_file_raises_config_error_naming_file_and_line(
    text: str, kind: str, expected: list[str], tmp_path: Path
) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        SalesPurchasingModel(load_config(_config_for(kind, str(path))))
    message = str(caught.value)
    assert "\n" not in message
    assert str(path) in message
    for part in expected:
        assert part in message, f"{part!r} not in {message!r}"


def test_missing_file_raises_config_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.csv"
    with pytest.raises(ConfigError, match=re.escape("nowhere.csv")):
        SalesPurchasingModel(load_config(_config_for("company", str(path))))
    with pytest.raises(ConfigError, match=re.escape("nowhere.csv")):
        SalesPurchasingModel(load_config(_config_for("textbook", str(path))))


CLI_MALFORMED = [
    ("day,sku,quantity\n0,0,5\n1,0,-3\n", [], "line 3"),
    ("day,sku,quantity\n0,0,5\n2,0,lots\n", [], "line 3"),
    ("day,sku,quantity,account\n0,0,5,0\n2,2,1,9\n", ["scenario.accounts=4"], "line 3"),
    (None, [], "orders.csv"),  # no such file
]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "extra", "expected"), CLI_MALFORMED, ids=["negative", "not-a-number", "account", "missing"]
)
def test_malformed_file_through_the_cli_is_one_line_exit_2(
    text: str | None, extra: list[str], expected: str, tmp_path: Path
) -> None:
    path = tmp_path / "orders.csv"
    if text is not None:
        path.write_text(text)
    results, run_dir = tmp_path / "results", tmp_path / "run"
    result = spsim(
        ["debug=default", "scenario.skus=3", f"scenario.demand_file={path}", *extra, f"hydra.run.dir={run_dir}"],
        results=results,
    )
    assert result.returncode == 2, describe(result)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("spsim: error: "), describe(result)
    assert str(path) in lines[0] and expected in lines[0], lines[0]
    assert not run_dir.exists(), "a run folder was left for a bad demand file"
    assert not results.exists()


def test_company_file_is_replayed_in_full_when_service_is_poor(tmp_path: Path) -> None:
    """A client's history already holds what happened: every row is an order, whatever the service.

    (Winning new accounts is switched off with a file; losing accounts must not cut the
    file short either.) Poor service here: slow, scarce supply and no patience.
    """
    rows = pd.DataFrame(
        [
            {"day": d, "sku": k, "account": a, "quantity": 50 + 40 * (d % 5)}
            for d in range(150)
            for a in range(4)
            for k in range(3)
        ]
    )
    path = write_orders(tmp_path / "orders.csv", rows)
    model, tables = run(
        company(
            skus=3,
            accounts=4,
            horizon_days=150,
            warmup_days=0,
            demand_file=str(path),
            lead_time_mean_days=15,
            capacity_headroom=0.3,
            patience_days=0,
        )
    )
    assert tables.summary["fill_rate"] < 0.95  # the service is poor indeed
    expected = sorted(zip(rows["day"], rows["sku"], rows["account"], rows["quantity"], strict=True))
    assert len(order_rows(tables.events)) == len(expected)
    assert order_rows(tables.events) == expected
    assert not book_problems(model, tables)


def test_a_demand_file_day_after_the_run_is_refused_with_the_line(tmp_path: Path) -> None:
    """A day of 1e15 once made a run plan for zero demand without a word: it is an error."""
    path = tmp_path / "orders.csv"
    path.write_text("day,sku,quantity\n0,0,5\n1e15,1,5\n")
    with pytest.raises(ConfigError, match=r"line 3: day 1e15 is after the run's last day 9"):
        run(company(skus=3, accounts=4, horizon_days=10, warmup_days=0, demand_file=str(path)))
