"""The money ledger: double entry in integer cents, so it balances exactly.

Inventory is carried at standard cost; paying a supplier more or less than standard
lands in purchase price variance (``ppv``), as in standard costing. Profit is what the
profit-and-loss accounts add up to, and ``cash + inventory == capital + profit`` holds
after every posting.
"""

from collections import defaultdict

ASSETS = ("cash", "inventory")
PROFIT_AND_LOSS = (
    "revenue",
    "cogs",
    "ppv",
    "holding",
    "expediting",
    "penalties",
    "writeoff",  # obsolete stock written off (or provided for at a year end), net of salvage
    "operating_expenses",
    "revaluation",  # inventory revalued when standard costs are reset
    "backlog_provision",  # a year end's provision for the margin the open backlog is expected to lose
    "allowances",  # suppliers' payments toward campaigns' discounts (a credit: lowers the cost of goods)
)
POLICY_PREFIX = "policy:"


class Ledger:
    """Balances per account in cents; debits positive, credits negative."""

    def __init__(self) -> None:
        self.balance: defaultdict[str, int] = defaultdict(int)

    def post(self, debit: str, credit: str, cents: int) -> None:
        """Move ``cents`` from ``credit`` to ``debit``: every posting balances by itself."""
        self.balance[debit] += cents
        self.balance[credit] -= cents

    def sell(self, revenue_cents: int, cost_cents: int) -> None:
        """A shipment invoiced: cash against revenue, its standard cost from inventory to cogs."""
        balance = self.balance
        balance["cash"] += revenue_cents
        balance["revenue"] -= revenue_cents
        balance["cogs"] += cost_cents
        balance["inventory"] -= cost_cents

    def profit_cents(self) -> int:
        """Revenue less every cost account (including each policy's)."""
        return -sum(
            cents
            for account, cents in self.balance.items()
            if account in PROFIT_AND_LOSS or account.startswith(POLICY_PREFIX)
        )

    def trial_balance(self) -> int:
        """Sum of all balances: zero, always."""
        return sum(self.balance.values())

    def snapshot(self) -> dict[str, int]:
        """A copy of every balance, for the daily record."""
        return dict(self.balance)
