"""Customer accounts (sim/agents/customer.py): what they draw."""

from sim import SalesPurchasingModel, load_config
from sim.agents.customer import CHURN_DRAWS, CustomerAccount


def test_churn_draws_as_needed_are_the_block_of_4096_drawn_at_once() -> None:
    """Drawn lazily, in growing blocks, each order's churn draw is the value one block drawn at the start holds."""
    model = SalesPurchasingModel(load_config({"seed": 7, "horizon_days": 30, "warmup_days": 0}))
    account = next(agent for agent in model.agents if isinstance(agent, CustomerAccount))
    family, number = account.spec.stream
    block = model.streams.generator("churn" if family == "account" else f"{family}:churn", number).random(CHURN_DRAWS)
    orders = [3, 0, 64, 65, 500, 129, 4095, 4096, 4097, 9000, 2 * CHURN_DRAWS - 1]
    draws = []
    for order in orders:
        account._orders = order
        draws.append(account._churn_draw())
    assert draws == [float(block[order % CHURN_DRAWS]) for order in orders]
    assert len(account._churn_draws) == CHURN_DRAWS, "never more than the one block"
