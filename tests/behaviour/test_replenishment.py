"""Order-up-to and (s, S) rules: the formulas and their rounding."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.behaviour.replenishment import order_quantity, order_up_to_level, reorder_quantity


def test_order_up_to_level_is_cover_demand_plus_safety_stock() -> None:
    # L = 2 plus a one-day review: 3 days of 100 plus 1.645 · 20 · √3
    assert order_up_to_level(100.0, 20.0, 3.0, 1.645) == pytest.approx(300.0 + 1.645 * 20.0 * math.sqrt(3.0))
    assert order_up_to_level(100.0, 20.0, 3.0, 0.0) == pytest.approx(300.0)
    assert order_up_to_level(50.0, 0.0, 7.0, 2.0) == pytest.approx(350.0)
    assert order_up_to_level(10.0, 4.0, 0.0, 2.0) == 0.0
    assert order_up_to_level(100.0, 20.0, 4.0, -1.0) == pytest.approx(400.0 - 40.0)


@given(st.floats(0, 1e4), st.floats(0, 1e3), st.floats(0, 60), st.floats(-3, 3), st.floats(0, 1e3), st.floats(0.1, 10))
def test_order_up_to_level_grows_with_cover_demand_and_safety(
    mean: float, sd: float, cover: float, z: float, more_mean: float, more_cover: float
) -> None:
    base = order_up_to_level(mean, sd, cover, z)
    assert order_up_to_level(mean + more_mean, sd, cover, z) >= base - 1e-9
    assert order_up_to_level(mean, sd, cover, z + 0.5) >= base - 1e-9
    if z >= 0:
        assert order_up_to_level(mean, sd, cover + more_cover, z) >= base - 1e-9


@pytest.mark.parametrize(
    ("level", "position", "expected"),
    [
        (100.0, 40, 60),
        (100.4, 40, 60),
        (100.5, 40, 61),  # half a unit rounds up
        (100.6, 40, 61),
        (40.2, 40, 0),  # a gap under half a unit orders nothing
        (40.0, 40, 0),
        (30.0, 40, 0),  # above S: never a negative order
        (10.0, -25, 35),  # backorders count against the position
        (-5.0, 0, 0),
    ],
)
def test_order_quantity_rounds_the_gap_and_never_goes_negative(level: float, position: int, expected: int) -> None:
    assert order_quantity(level, position) == expected


@given(st.floats(-1e6, 1e6, allow_nan=False), st.integers(-(10**6), 10**6))
def test_order_quantity_brings_the_position_within_half_a_unit_of_s(level: float, position: int) -> None:
    units = order_quantity(level, position)
    assert units >= 0
    assert isinstance(units, int)
    if level > position:
        assert abs(position + units - level) <= 0.5
    else:
        assert units == 0


def test_reorder_quantity_orders_only_at_or_below_s() -> None:
    assert reorder_quantity(50.0, 100.0, 51) == 0
    assert reorder_quantity(50.0, 100.0, 50) == 100
    assert reorder_quantity(50.0, 100.0, 20) == 130
    assert reorder_quantity(50.0, 0.0, 49) == 1
