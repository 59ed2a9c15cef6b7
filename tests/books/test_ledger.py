"""The money ledger: double entry in integer cents."""

from hypothesis import given
from hypothesis import strategies as st

from sim.books.ledger import Ledger

ACCOUNTS = [
    "cash",
    "inventory",
    "capital",
    "revenue",
    "cogs",
    "ppv",
    "holding",
    "expediting",
    "penalties",
    "policy:rotation",
]


@given(
    st.lists(st.tuples(st.sampled_from(ACCOUNTS), st.sampled_from(ACCOUNTS), st.integers(-(10**9), 10**9)), max_size=60)
)
def test_every_posting_balances(postings: list[tuple[str, str, int]]) -> None:
    ledger = Ledger()
    for debit, credit, cents in postings:
        before = ledger.trial_balance()
        ledger.post(debit, credit, cents)
        assert ledger.trial_balance() == before == 0
    # cash + inventory == capital + profit, as the module promises
    balance = ledger.balance
    assert balance["cash"] + balance["inventory"] == -balance["capital"] + ledger.profit_cents()


def test_a_sale_at_a_margin_makes_a_profit_and_a_sale_below_cost_a_loss() -> None:
    ledger = Ledger()
    ledger.post("inventory", "capital", 10_000)
    ledger.post("cash", "revenue", 1_500)  # sold for 15.00
    ledger.post("cogs", "inventory", 1_000)  # at a standard cost of 10.00
    assert ledger.profit_cents() == 500
    ledger.post("holding", "cash", 20)
    ledger.post("penalties", "cash", 30)
    ledger.post("policy:meetings", "cash", 50)
    assert ledger.profit_cents() == 400  # every cost account, policies included, lowers profit
    ledger.post("cash", "revenue", 800)
    ledger.post("cogs", "inventory", 1_000)
    assert ledger.profit_cents() == 200
    ledger.post("ppv", "cash", -100)  # bought below standard: a saving
    assert ledger.profit_cents() == 300
    assert ledger.trial_balance() == 0


def test_balance_sheet_postings_do_not_touch_profit() -> None:
    ledger = Ledger()
    ledger.post("inventory", "capital", 5_000)
    ledger.post("inventory", "cash", 2_000)  # a receipt at standard cost
    assert ledger.profit_cents() == 0
    assert ledger.snapshot() == {"inventory": 7_000, "capital": -5_000, "cash": -2_000}
    snapshot = ledger.snapshot()
    ledger.post("cash", "revenue", 1)
    assert snapshot["cash"] == -2_000  # a snapshot is a copy
