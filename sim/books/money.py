"""Money from the config into the books: currency amounts as whole cents, checked.

The ledger counts in Python integers, which never overflow, but the event log and the
tables keep cents in 64-bit columns (at most about 9.2e18). Every amount a config sets
(a price, a salary, a licence) enters the books through :func:`cents`, which refuses an
amount that is not finite or so large that a run's sums could leave those columns,
naming the config key; the config's bounds (sim/config.py) keep valid configs far below.
"""

import math

from sim.config import ConfigError

MAX_AMOUNT_CENTS = 10**15  # one amount: 10 trillion in currency, 9,000 times below int64's limit
MIN_PRICE_CENTS = 1  # a unit's price or cost is at least a cent, however low a draw falls


def cents(amount: float, key: str) -> int:
    """``amount`` (currency) in whole cents: ``round(amount * 100)``, checked.

    Raises:
        ConfigError: the amount is not finite or beyond :data:`MAX_AMOUNT_CENTS`, naming ``key``.
    """
    return whole_cents(amount * 100, key)


def whole_cents(value: float, key: str) -> int:
    """A figure already in cents, rounded to whole cents (half to even, as ``round``), checked.

    Raises:
        ConfigError: the figure is not finite or beyond :data:`MAX_AMOUNT_CENTS`, naming ``key``.
    """
    if not math.isfinite(value) or abs(value) > MAX_AMOUNT_CENTS:
        raise ConfigError(
            f"{key}: an amount of {value / 100:.6g} in currency is beyond what the books hold "
            f"(at most {MAX_AMOUNT_CENTS // 100:.0e} per amount); lower {key}"
        )
    return round(value)


def price_cents(value: float, key: str) -> int:
    """A unit's price or cost already in cents, as whole cents (:func:`whole_cents`), and at least one cent."""
    return max(MIN_PRICE_CENTS, whole_cents(value, key))
