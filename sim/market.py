"""What customer accounts want: demand drawn from a model, or read from a client's file.

Each account draws its noise from its own stream, row by row, one row per order. The
k-th order of an account therefore meets the same shock whatever the company does,
which keeps paired policy comparisons on common random numbers.
"""

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from sim.config import ConfigError

_NOISE_BLOCK = 4096  # orders drawn at once per account: vectorised, still lazy


class DemandSource(Protocol):
    """Where one account's orders come from."""

    def order_days(self) -> Iterator[int]:
        """The days on which the account orders, in increasing order."""
        ...

    def quantities(
        self, day: int, uplift: Mapping[int, float] | None = None, scale: float = 1.0
    ) -> list[tuple[int, int]]:
        """(sku, units) ordered on ``day``; ``uplift`` scales an SKU's mean, ``scale`` all of them."""
        ...

    def expected_daily_units(self) -> dict[int, float]:
        """What the account is expected to buy per day, per SKU (for quotas and plans)."""
        ...

    def orders_per_year(self) -> float:
        """How many orders the account places in a year."""
        ...


@dataclass(frozen=True, slots=True)
class DemandLine:
    """An SKU an account buys, its base rate in units per day, and from which day."""

    sku: int
    daily_rate: float
    from_day: int = 0  # a launch: no demand before this day


class DrawnDemand:
    """Orders every ``interval`` days; each line's mean is rate × days × profile × uplift.

    Noise is additive normal (``sd_per_day`` set: the textbook's iid normal demand,
    rounded and floored at zero) or multiplicative lognormal with coefficient of
    variation ``cv`` (skewed, never negative, as order sizes are).
    """

    def __init__(
        self,
        lines: list[DemandLine],
        interval: int,
        first_day: int,
        profile: list[float],
        rng: np.random.Generator,
        days: int,
        *,
        cv: float = 0.0,
        sd_per_day: float | None = None,
    ) -> None:
        self.lines = lines
        self.interval = interval
        self.first_day = first_day
        self.profile = profile
        self._rng = rng
        self.additive = sd_per_day is not None
        self._scale = (sd_per_day or 0.0) * math.sqrt(interval)
        self._sigma = math.sqrt(math.log1p(cv * cv))
        self._rates = [line.daily_rate for line in lines]
        self._skus = [line.sku for line in lines]
        self._last_profile_day = len(profile) - 1
        self._last_launch = max((line.from_day for line in lines), default=0)
        self._shocks: list[list[float]] = []
        self._next_shock = 0
        # draw only as many rows as the run can use: orders per account are few
        self._block = min(_NOISE_BLOCK, max(1, (days - first_day) // interval + 1))

    def order_days(self) -> Iterator[int]:
        day = self.first_day
        while True:
            yield day
            day += self.interval

    def quantities(
        self, day: int, uplift: Mapping[int, float] | None = None, scale: float = 1.0
    ) -> list[tuple[int, int]]:
        # drawn whatever happens, to keep the stream aligned (_shock_row, its common case inlined)
        if self._next_shock < len(self._shocks):
            shocks = self._shocks[self._next_shock]
            self._next_shock += 1
        else:
            shocks = self._shock_row()
        level = self.interval * self.profile[day if day < self._last_profile_day else self._last_profile_day] * scale
        floor = math.floor
        current = uplift is None and day >= self._last_launch  # every line launched, no uplift: the common case
        if current and not self.additive:  # in one pass, the same products as the two below
            rates = zip(self._skus, self._rates, shocks, strict=True)
            return [(sku, floor(rate * level * shock + 0.5)) for sku, rate, shock in rates]
        if current:
            means = [rate * level for rate in self._rates]
        else:
            means = [
                line.daily_rate * level * (uplift.get(line.sku, 1.0) if uplift else 1.0)
                if day >= line.from_day
                else 0.0
                for line in self.lines
            ]
        if self.additive:
            return [
                (line.sku, max(0, math.floor(mean + shock + 0.5)) if mean > 0 else 0)
                for line, mean, shock in zip(self.lines, means, shocks, strict=True)
            ]
        return [(sku, floor(mean * shock + 0.5)) for sku, mean, shock in zip(self._skus, means, shocks, strict=True)]

    def expected_daily_units(self) -> dict[int, float]:
        return {line.sku: line.daily_rate for line in self.lines}

    def orders_per_year(self) -> float:
        return 365.0 / self.interval

    def _shock_row(self) -> list[float]:
        if self._next_shock == len(self._shocks):
            normals = self._rng.standard_normal((self._block, len(self.lines)))
            additive = normals * self._scale
            block = additive if self.additive else np.exp(self._sigma * normals - 0.5 * self._sigma**2)
            self._shocks = block.tolist()
            self._next_shock = 0
        row = self._shocks[self._next_shock]
        self._next_shock += 1
        return row


class RecordedDemand:
    """Orders replayed from a file: ``schedule[day]`` lists (sku, units)."""

    def __init__(self, schedule: dict[int, list[tuple[int, int]]], span_days: int = 0) -> None:
        self.schedule = schedule
        self.span_days = max(span_days, max(schedule, default=0) + 1)

    def order_days(self) -> Iterator[int]:
        return iter(sorted(self.schedule))

    def quantities(
        self, day: int, uplift: Mapping[int, float] | None = None, scale: float = 1.0
    ) -> list[tuple[int, int]]:
        return self.schedule[day]  # a client's history already holds what happened

    def expected_daily_units(self) -> dict[int, float]:
        totals: dict[int, float] = {}
        for lines in self.schedule.values():
            for sku, units in lines:
                totals[sku] = totals.get(sku, 0.0) + units
        return {sku: total / self.span_days for sku, total in totals.items()}

    def orders_per_year(self) -> float:
        return 365.0 * len(self.schedule) / self.span_days


def demand_profile(days: int, trend_per_year: float, amplitude: float, peak_day: int) -> list[float]:
    """Relative demand level per day: linear trend times a yearly cosine season."""
    day = np.arange(days + 1, dtype=float)
    trend = 1.0 + trend_per_year * day / 365.0
    season = 1.0 + amplitude * np.cos(2.0 * np.pi * (day - peak_day) / 365.0)
    profile: list[float] = (np.maximum(trend, 0.0) * season).tolist()
    return profile


def read_demand_file(
    path: str, n_skus: int, *, sku_optional: bool, n_accounts: int | None = None, last_day: int | None = None
) -> dict[int, dict[int, list[tuple[int, int]]]]:
    """A client's order history as ``{account: {day: [(sku, units), ...]}}``.

    Columns: ``day``, ``sku`` (optional when ``sku_optional``), ``quantity`` and an
    optional ``account``; without it all rows belong to account 0. Days count from the
    run's first day (warm-up included); a day after ``last_day`` is an error, not a
    silent stretch of the history (its orders would never come, yet the buyers would
    plan for the demand spread over every day up to it).

    Raises:
        ConfigError: one line naming the file, the line and the problem.
    """
    file = Path(path)
    if not file.is_file():
        raise ConfigError(f"scenario.demand_file = {path!r}: no such file")
    import pandas as pd  # only for a demand file: runs without one never load it

    try:
        # Numbers parsed in C; a column with text in it stays text (read whole: one type per column).
        table = pd.read_csv(file, keep_default_na=False, low_memory=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: not a readable CSV ({error})") from None
    table.columns = [str(column).strip().lower() for column in table.columns]
    required = ["day", "quantity"] if sku_optional else ["day", "sku", "quantity"]
    for column in required:
        if column not in table.columns:
            found = ", ".join(table.columns) or "none"
            raise ConfigError(f"{path}: missing column '{column}' (found: {found})")
    if "sku" not in table.columns:
        table["sku"] = 0
    if "account" not in table.columns:
        table["account"] = 0
    limits = {
        "day": (
            last_day,
            "after the run's last day {limit} (warmup_days + horizon_days - 1): cut the file or lengthen horizon_days",
        ),
        "sku": (n_skus - 1, "an unknown sku (the scenario has skus 0..{limit})"),
        "quantity": (MAX_LINE_UNITS, "more units than one order line can hold (at most {limit:,})"),
        "account": (
            None if n_accounts is None else n_accounts - 1,
            "an unknown account (the scenario has accounts 0..{limit})",
        ),
    }
    # Checked column by column (a 30 MB history is refused in a second, not a minute), then the
    # first offending line is worded as a reader checks it: its day, sku, quantity, account in turn.
    numbers = {column: _numbers(pd, table[column]) for column in limits}
    wrong = np.zeros(len(table), dtype=bool)
    for column, (limit, _) in limits.items():
        values = numbers[column]
        with np.errstate(invalid="ignore"):
            wrong |= ~np.isfinite(values) | (values < 0) | (values != np.floor(values))
            if limit is not None:
                wrong |= values > limit
    if wrong.any():
        row = int(np.argmax(wrong))
        raw = pd.read_csv(file, dtype=str, keep_default_na=False, skiprows=range(1, row + 1), nrows=1)
        raw.columns = [str(column).strip().lower() for column in raw.columns]
        raise ConfigError(_line_problem(path, row, raw.reindex(columns=list(limits), fill_value="0"), limits))
    if not len(table):
        raise ConfigError(f"{path}: no rows")
    orders: dict[int, dict[int, list[tuple[int, int]]]] = {}
    columns = (numbers[column].astype(np.int64).tolist() for column in ("account", "day", "sku", "quantity"))
    for account, day, sku, units in zip(*columns, strict=True):
        orders.setdefault(account, {}).setdefault(day, []).append((sku, units))
    return orders


MAX_LINE_UNITS = 1_000_000_000  # one order line: far above any real one, far below an int64 overflow in cents


def _numbers(pd: Any, column: Any) -> Any:
    """A column as floats, nan where a cell is no number (text columns only take the slow path)."""
    if column.dtype.kind in "iuf":
        return column.to_numpy(float)
    return pd.to_numeric(column, errors="coerce").to_numpy(float)  # text that is no number: nan


def _line_problem(path: str, row: int, line: Any, limits: dict[str, tuple[int | None, str]]) -> str:
    """What is wrong with the file's line of ``row`` (0-based data row, read alone as text), cell by cell."""
    where = f"{path}: line {row + 2}"
    for column, (limit, meaning) in limits.items():
        text = str(line[column].iloc[0])
        value = _non_negative_int(text, column, where)
        if limit is not None and value > limit:
            return f"{where}: {column} {text.strip()} is {meaning.format(limit=limit)}"
    return f"{where}: cannot be read"


def _non_negative_int(text: str, column: str, where: str) -> int:
    try:
        value = float(text)
    except ValueError:
        raise ConfigError(f"{where}: {column} {text!r} is not a number") from None
    if not math.isfinite(value) or value < 0:
        raise ConfigError(f"{where}: {column} {text!r} is negative or not finite")
    if value != int(value):
        raise ConfigError(f"{where}: {column} {text!r} is not a whole number")
    return int(value)
