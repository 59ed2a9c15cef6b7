"""Stock per SKU: what is on hand, owed and on order, and its value."""

from hypothesis import given
from hypothesis import strategies as st

from sim.books.orders import OrderLine
from sim.books.stock import Stock


def line(sku: int, open_quantity: int) -> OrderLine:
    return OrderLine(0, 0, sku, open_quantity, 100, 0.0, 0, 10, open_quantity)


def test_take_never_takes_more_than_is_on_hand() -> None:
    stock = Stock([5, 0], [200, 300])
    assert stock.take(0, 3) == 3
    assert stock.take(0, 10) == 2
    assert stock.take(0, 1) == 0
    assert stock.take(1, 4) == 0
    assert stock.on_hand == [0, 0]
    assert stock.shipped == [5, 0]
    assert stock.value_cents == 0


def test_put_shelves_received_goods_at_standard_cost() -> None:
    stock = Stock([2], [250])
    stock.on_order[0] = 10
    stock.put(0, 10)
    assert stock.on_hand == [12]
    assert stock.received == [10]
    assert stock.on_order == [0]
    assert stock.value_cents == 12 * 250


def test_inventory_position_is_on_hand_plus_on_order_minus_owed() -> None:
    stock = Stock([4], [100])
    stock.on_order[0] = 7
    stock.take(0, 4)
    stock.owe(line(0, 6))
    assert stock.backordered == [6]
    assert stock.inventory_position(0) == 0 + 7 - 6
    assert stock.backorder_queue[0][0].open_quantity == 6


@given(
    st.lists(st.tuples(st.sampled_from(["take", "put"]), st.integers(0, 2), st.integers(0, 50)), max_size=80),
    st.lists(st.integers(0, 40), min_size=3, max_size=3),
)
def test_goods_always_balance(moves: list[tuple[str, int, int]], opening: list[int]) -> None:
    costs = [120, 75, 1999]
    stock = Stock(opening, costs)
    for kind, sku, units in moves:
        if kind == "take":
            stock.take(sku, units)
        else:
            stock.on_order[sku] += units
            stock.put(sku, units)
        assert min(stock.on_hand) >= 0
        assert all(stock.goods_balance(k) == 0 for k in range(3))
        assert stock.value_cents == sum(q * c for q, c in zip(stock.on_hand, costs, strict=True))
