"""Daily series derived from the event log: per SKU, and for the company.

Flows are the day's sums of events; levels (on hand, owed, on order) are opening
stock plus the running sums of flows, so they agree with the books by construction.
Money per day follows the same events (holding cost from the day's closing stock
value, the definition the ledger accrues).
"""

from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd

from sim.output.events import CONFLICTS

SHIPMENTS = ("shipment", "backorder_shipment")
FLOWS = (
    "demand",
    "served_same_day",
    "shipped",
    "lost",
    "lost_by_order_day",
    "purchased",
    "received",
    "lines_closed",
    "lines_on_time_in_full",
    "written_off",
)
LEVELS = ("on_hand", "backordered", "on_order")
FORECASTS = ("planned_forecast", "sales_forecast")
AGENT_MEANS = (
    "trust_in_purchasing",
    "trust_in_sales",
    "forecast_bias",
    "supplier_relationship",
    "productivity",
    "understanding",
)
"""Per-agent signals shown as their mean over agents at each day's close."""
MONEY = (
    "revenue",
    "cogs",
    "ppv",
    "promotion_allowance",
    "holding_cost",
    "expediting_cost",
    "penalty_cost",
    "policy_cost",
    "operating_expenses",
    "obsolescence_cost",
    "backlog_provision",
    "revaluation",
)


def one_of(column: pd.Series, names: Iterable[str]) -> np.ndarray:
    """Where ``column`` holds one of ``names``: compared by category code, not by text, where it can."""
    wanted = list(names)
    if isinstance(column.dtype, pd.CategoricalDtype):
        lookup = {name: code for code, name in enumerate(column.cat.categories.tolist())}
        return _any_equal(column.cat.codes.to_numpy(), [lookup[name] for name in wanted if name in lookup])
    return np.isin(column.to_numpy(dtype=object), wanted)


def _any_equal(codes: np.ndarray, wanted: list[int]) -> np.ndarray:
    """``np.isin(codes, wanted)`` for a few codes: one comparison each, ~40x faster than isin's sort."""
    found = np.zeros(len(codes), dtype=bool)
    for code in wanted:
        found |= codes == code
    return found


class _Grid:
    """Sums of event columns into a (day, sku) grid."""

    def __init__(self, events: pd.DataFrame, n_skus: int, days: int) -> None:
        day, sku = events["day"].to_numpy(), events["sku"].to_numpy()
        self.events = events
        self.inside = (day < days) & (sku >= 0)
        self.cell = day.astype(np.int64) * n_skus + sku  # of every row: only the inside ones are read
        self.shape = (days, n_skus)

    def total(self, kinds: tuple[str, ...], column: str = "quantity", verdict: int | None = None) -> np.ndarray:
        events = self.events
        mask = one_of(events["event"], kinds) & self.inside
        if verdict is not None:
            mask &= events["verdict"].to_numpy() == verdict
        rows = np.flatnonzero(mask)  # the rows summed, in order: a copy of them, not of whole columns
        weights = events[column].to_numpy()[rows].astype(np.float64) if column else None
        size = self.shape[0] * self.shape[1]
        counts = np.bincount(self.cell[rows], weights=weights, minlength=size)
        return counts[:size].reshape(self.shape)


def sku_daily(
    events: pd.DataFrame,
    signals: pd.DataFrame,
    n_skus: int,
    days: int,
    promotions: Iterable[tuple[tuple[int, ...], int, int]] = (),
) -> pd.DataFrame:
    """One row per day and SKU: the day's flows, the closing levels and forecasts, and promotions.

    ``promotions`` lists each promotion run as (SKUs, first day, first day after it).
    """
    grid = _Grid(events, n_skus, days)
    opening = _Grid(events, n_skus, 1).total(("opening_stock",))[0]
    served_at_order = grid.total(("order",), column="") - grid.total(("backorder",), column="")
    flows = {
        "demand": grid.total(("order",)),
        "served_same_day": grid.total(("shipment",)),
        "shipped": grid.total(SHIPMENTS),
        "lost": grid.total(("cancellation",)),
        "lost_by_order_day": _lost_by_order_day(events, n_skus, days),
        "purchased": grid.total(("purchase_order",)),
        "received": grid.total(("receipt",)),
        "lines_closed": served_at_order + grid.total(("line_closed",), column=""),
        "lines_on_time_in_full": served_at_order + grid.total(("line_closed",), column="", verdict=1),
        "written_off": grid.total(("write_off",)),
    }
    levels = {
        "on_hand": opening + np.cumsum(flows["received"] - flows["shipped"] - flows["written_off"], axis=0),
        "backordered": np.cumsum(flows["demand"] - flows["shipped"] - flows["lost"], axis=0),
        "on_order": np.cumsum(flows["purchased"] - flows["received"], axis=0),
    }
    columns: dict[str, np.ndarray] = {
        "day": np.repeat(np.arange(days, dtype=np.int32), n_skus),
        "sku": np.tile(np.arange(n_skus, dtype=np.int32), days),
    }
    for name, grid_values in (flows | levels).items():
        columns[name] = grid_values.astype(np.int64).reshape(-1)
    for name in FORECASTS:
        columns[name] = _latest(signals, name, n_skus, days).reshape(-1)
    promoted = np.zeros((days, n_skus), dtype=np.int8)
    for skus, start, end in promotions:
        promoted[start:end, list(skus)] = 1
    columns["promoted"] = promoted.reshape(-1)  # 1 while a promotion runs on the SKU
    return pd.DataFrame(columns, copy=False)  # new columns each: a copy would only raise the run's peak of memory


def _lost_by_order_day(events: pd.DataFrame, n_skus: int, days: int) -> np.ndarray:
    """Units cancelled, on the day their line was ordered: so lost units are a share of that day's demand.

    Counted on the cancellation's day instead, a line ordered in the warm-up and cancelled after it
    would be lost but never demanded in the measured days (a lost sales rate above 1).
    """
    refs = events["ref"].to_numpy(np.int64)
    cancelled = one_of(events["event"], ("cancellation",))
    day = order_days(events, refs[cancelled])
    if np.isnan(day).any():
        raise ValueError("a cancelled line with no order event: every line lost was ordered first")
    cell = day.astype(np.int64) * n_skus + events["sku"].to_numpy(np.int64)[cancelled]
    size = days * n_skus
    units = np.bincount(cell, weights=events["quantity"].to_numpy(np.float64)[cancelled], minlength=size)
    return units[:size].reshape(days, n_skus)


def _latest(signals: pd.DataFrame, name: str, n_skus: int, days: int) -> np.ndarray:
    """The value of a per-SKU signal at each day's close (0 before its first record)."""
    rows = signals[(signals["signal"] == name) & (signals["day"] < days) & (signals["sku"] >= 0)]
    day, sku = rows["day"].to_numpy(np.int64), rows["sku"].to_numpy(np.int64)
    grid = _closing(day, sku, rows["value"].to_numpy(np.float64), days, n_skus)
    return np.where(np.isnan(grid), 0.0, grid)


def _closing(day: np.ndarray, column: np.ndarray, value: np.ndarray, days: int, width: int) -> np.ndarray:
    """A (days, width) grid of each column's last value of the day, carried forward (NaN before the first).

    Records are in time order; missing values are skipped (as ``GroupBy.last`` skips them).
    """
    known = np.flatnonzero(~np.isnan(value))
    cell = day[known] * width + column[known]
    cells, from_end = np.unique(cell[::-1], return_index=True)  # each cell's last record
    cells_flat = np.full(days * width, np.nan)
    cells_flat[cells] = value[known[len(known) - 1 - from_end]]
    grid = cells_flat.reshape(days, width)
    recorded = np.where(np.isnan(grid), 0, np.arange(days)[:, None])
    np.maximum.accumulate(recorded, axis=0, out=recorded)  # each day's latest day with a record
    closing: np.ndarray = grid[recorded, np.arange(width)]
    return closing


def standard_costs(events: pd.DataFrame, initial_cents: list[int], days: int) -> tuple[np.ndarray, np.ndarray]:
    """Each day's standard cost per SKU, in currency: in effect for the day's flows, and at its close.

    Standard costs change only when reset at a year end, after the day's flows: the
    closing value of day d is at the new standard, its shipments and receipts at the old.
    """
    initial = np.asarray(initial_cents, dtype=np.float64) / 100.0
    at_close = np.tile(initial, (days, 1))
    resets = events[one_of(events["event"], ("revaluation",))]
    for day, sku, standard in zip(resets["day"], resets["sku"], resets["amount"], strict=True):
        if day < days:
            at_close[day:, sku] = standard
    return np.vstack([initial, at_close[:-1]])[:days], at_close


def company_daily(
    sku_table: pd.DataFrame,
    events: pd.DataFrame,
    standard_cost_cents: list[int],
    holding_rate_per_day: float,
    levers: tuple[str, ...] = (),
    operating_expenses_per_day: float = 0.0,
) -> pd.DataFrame:
    """One row per day: flows and levels summed over SKUs, stock value and money.

    ``standard_cost_cents`` are the standards the run started with (a year end may reset them).
    """
    days = int(sku_table["day"].max()) + 1 if len(sku_table) else 0
    in_day, at_close = standard_costs(events, standard_cost_cents, days)
    columns = {name: sku_table[name].to_numpy() for name in sku_table.columns if name not in ("day", "sku")}
    columns["inventory_value"] = columns["on_hand"] * at_close.reshape(-1)
    columns["cogs"] = columns["shipped"] * in_day.reshape(-1)
    columns["received_at_standard"] = columns["received"] * in_day.reshape(-1)
    day_sums = _day_sums(len(sku_table), days)
    sums = {"day": np.arange(days, dtype=sku_table["day"].to_numpy().dtype)}
    sums |= {name: day_sums(values) for name, values in columns.items()}
    daily = pd.DataFrame(sums, copy=False)  # new columns each: a copy would only raise the run's peak of memory
    by_day = _money_by_day(events, days)
    daily["revenue"] = by_day(SHIPMENTS)
    daily["ppv"] = by_day(("receipt",)) - daily.pop("received_at_standard").to_numpy()
    daily["holding_cost"] = daily["inventory_value"] * holding_rate_per_day
    daily["expediting_cost"] = by_day(("expedite",))
    daily["penalty_cost"] = by_day(("late_penalty",))
    daily["policy_cost"] = by_day(("policy_cost",))
    for lever in levers:
        daily[f"policy_cost_{lever}"] = by_day(("policy_cost",), agent=lever)
    daily["promotion_allowance"] = by_day(("promotion_allowance",))
    daily["gross_margin"] = daily["revenue"] - daily["cogs"] - daily["ppv"] + daily["promotion_allowance"]
    daily["received_value"] = by_day(("receipt",))
    daily["operating_expenses"] = np.full(days, operating_expenses_per_day)
    daily["obsolescence_cost"] = by_day(("write_off", "stock_provision"))
    daily["backlog_provision"] = by_day(("backlog_provision",))
    daily["revaluation"] = by_day(("revaluation",))
    daily["orders"], daily["orders_failed"] = orders_by_day(events, days)
    counts = _count_by_day(events, days)
    daily["conflicts"] = counts(CONFLICTS)
    daily["expedites"] = counts(("expedite",))
    daily["expedite_requests"] = counts(("expedite_requested",))
    daily["expedites_refused"] = counts(("expedite_refused",))
    daily["promise_broken"] = counts(("promise_broken",))
    daily["churned_accounts"] = counts(("churn",))
    daily["won_accounts"] = counts(("account_won",))
    costs = ["holding_cost", "expediting_cost", "penalty_cost", "policy_cost"]
    costs += ["operating_expenses", "obsolescence_cost", "backlog_provision"]
    daily["operating_profit"] = daily["gross_margin"] + daily["revaluation"] - daily[costs].sum(axis=1)
    return daily


def _day_sums(rows: int, days: int) -> Callable[[np.ndarray], np.ndarray]:
    """Sums of a column of the SKU table per day: what ``groupby("day").sum()`` gives, without copying the table.

    The table holds each day's SKUs in a run of rows, so a day's sum is a ``np.add.reduceat``
    over its run, as pandas itself sums groups that are sorted; integers are added as int64
    and keep their own type where every sum fits it, as pandas keeps it. These columns never
    hold NaN (forecasts are 0 before the first), which pandas would skip.
    """
    starts = np.arange(0, rows, rows // days) if days else np.zeros(0, dtype=np.intp)

    def day_sums(values: np.ndarray) -> np.ndarray:
        work = values.astype(np.int64) if values.dtype.kind in "biu" else values
        sums: np.ndarray = np.add.reduceat(work, starts) if days else np.zeros(0, dtype=work.dtype)
        if values.dtype.kind in "iu":
            narrow = sums.astype(values.dtype)
            if np.array_equal(narrow, sums):
                return narrow
        return sums

    return day_sums


def orders_by_day(events: pd.DataFrame, days: int) -> tuple[np.ndarray, np.ndarray]:
    """Customer orders placed each day, and of those the ones not delivered on time in full.

    An order is an account's lines of one day; it fails when any line closes late,
    short or cancelled (a line served from stock at once is on time in full), and the
    failure counts on the day the order was placed.
    """
    kinds, refs = events["event"], events["ref"].to_numpy(np.int64)
    accounts = events["account"].to_numpy(np.int64)
    ordered = one_of(kinds, ("order",))  # masks and columns, not sub-tables: a copy of the log each
    day, account = events["day"].to_numpy(np.int64)[ordered], accounts[ordered]
    span = int(account.max()) + 1 if len(account) else 1
    order_keys = np.unique(day * span + account)
    placed = np.bincount(order_keys // span, minlength=days)[:days]
    failing = one_of(kinds, ("line_closed",)) & (events["verdict"].to_numpy() != 1)
    day_ordered = order_days(events, refs[failing])
    known = ~np.isnan(day_ordered)
    keys = day_ordered[known].astype(np.int64) * span + accounts[failing][known]
    failed = np.bincount(np.unique(keys) // span, minlength=days)[:days]
    return placed, failed


def order_days(events: pd.DataFrame, lines: np.ndarray) -> np.ndarray:
    """The day each order line of ``lines`` (refs) was ordered, from its ``order`` event (NaN if none)."""
    ordered = one_of(events["event"], ("order",))
    day = pd.Series(events["day"].to_numpy(np.int64)[ordered], index=events["ref"].to_numpy(np.int64)[ordered])
    return day.reindex(lines).to_numpy(np.float64)


def company_signals(signals: pd.DataFrame, days: int, initial: dict[str, float]) -> dict[str, np.ndarray]:
    """Per-agent signals as their mean over agents at each day's close: a column per signal, days 0 … days-1."""
    columns = {}
    for name in AGENT_MEANS:
        grid = agent_daily(signals, name, days, initial.get(name))
        columns[name] = grid.mean(axis=1).to_numpy() if grid.shape[1] else np.full(days, initial.get(name, np.nan))
    return columns


def agent_daily(signals: pd.DataFrame, name: str, days: int, initial: float | None) -> pd.DataFrame:
    """A per-agent signal at each day's close: one column per agent that ever recorded it (in name order).

    A day's value is the last recorded that day (missing values skipped, as ``GroupBy.last``
    skips them), carried forward over the days without one; ``initial`` before the first.
    """
    rows = signals[(signals["signal"] == name) & (signals["day"] < days)]
    if rows.empty:
        return pd.DataFrame(index=range(days))
    agents = rows["agent"].array
    assert isinstance(agents, pd.Categorical)
    present, column = np.unique(agents.codes, return_inverse=True)  # codes follow the sorted names
    day, value = rows["day"].to_numpy(np.int64), rows["value"].to_numpy(np.float64)
    grid = _closing(day, column, value, days, len(present))
    # copy=False keeps the grid's layout, so a mean over agents adds in the order groupby's table did
    table = pd.DataFrame(grid, columns=pd.CategoricalIndex(agents.categories[present], name="agent"), copy=False)
    return table.fillna(initial) if initial is not None else table


def _count_by_day(events: pd.DataFrame, days: int):  # type: ignore[no-untyped-def]
    day = events["day"].to_numpy()
    inside = day < days
    day = day[inside]
    kinds = events["event"]

    def count(names: tuple[str, ...]) -> np.ndarray:
        return np.bincount(day[one_of(kinds, names)[inside]], minlength=days)[:days]

    return count


def _money_by_day(events: pd.DataFrame, days: int):  # type: ignore[no-untyped-def]
    day = events["day"].to_numpy()
    inside = day < days
    day = day[inside]
    kinds, agents = events["event"], events["agent"]
    value = events["value"].to_numpy(np.float64)[inside]

    def by_day(names: tuple[str, ...], agent: str | None = None) -> np.ndarray:
        mask = one_of(kinds, names)[inside]
        if agent is not None:
            mask &= one_of(agents, (agent,))[inside]
        return np.bincount(day[mask], weights=value[mask], minlength=days)[:days].astype(np.float64)

    return by_day
