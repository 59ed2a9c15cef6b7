"""The buyer's moving window of daily demand, against numpy."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.behaviour.forecasting import MovingWindow


@given(st.lists(st.integers(0, 10_000), max_size=80), st.integers(1, 30))
def test_moving_window_matches_numpy_on_the_last_days(values: list[int], size: int) -> None:
    window = MovingWindow(size)
    for i, value in enumerate(values):
        window.push(value)
        kept = np.asarray(values[max(0, i + 1 - size) : i + 1], dtype=float)
        assert len(window) == len(kept)
        assert window.mean(prior=-1.0) == pytest.approx(kept.mean(), rel=1e-9, abs=1e-9)
        if len(kept) >= 2:
            assert window.sd(prior=-1.0) == pytest.approx(kept.std(ddof=1), rel=1e-6, abs=1e-6)


@given(st.lists(st.integers(0, 10**6), min_size=2, max_size=400), st.integers(2, 40))
def test_moving_window_stays_exact_over_long_runs_of_daily_units(values: list[int], size: int) -> None:
    """Daily demand is whole units: the running sums stay exact however long the run."""
    window = MovingWindow(size)
    for value in values:
        window.push(value)
    kept = np.asarray(values[-size:], dtype=float)
    assert window.mean(prior=0.0) == pytest.approx(kept.mean(), rel=1e-12, abs=1e-12)
    assert window.sd(prior=0.0) == pytest.approx(kept.std(ddof=1), rel=1e-6, abs=1e-6)


def test_empty_window_returns_the_priors() -> None:
    window = MovingWindow(5)
    assert window.mean(prior=42.0) == 42.0
    assert window.sd(prior=3.0) == 3.0
    window.push(10)
    assert window.mean(prior=42.0) == 10.0
    assert window.sd(prior=3.0) == 3.0  # one observation: no spread yet
    window.push(14)
    assert window.sd(prior=3.0) == pytest.approx(math.sqrt(8.0))


def test_window_of_zero_keeps_nothing() -> None:
    window = MovingWindow(0)
    for value in (5, 6, 7):
        window.push(value)
    assert len(window) == 0
    assert window.mean(prior=100.0) == 100.0
    assert window.sd(prior=20.0) == 20.0


def test_constant_demand_has_zero_spread() -> None:
    window = MovingWindow(4)
    for _ in range(10):
        window.push(7)
    assert window.mean(prior=0.0) == 7.0
    assert window.sd(prior=99.0) == 0.0
