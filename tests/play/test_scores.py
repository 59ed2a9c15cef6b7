"""The workshop's scores: the formula on hand-made tables, and the hoarding play against the agent.

The hoarding play is the one a workshop found ranked best under the old supply-chain
cost: a buyer orders nothing the first week, then 5,000 units of every SKU of its family.
Played through the play API in the same market and seat as the agent's re-run, it must
rank below the agent on the company score while winning purchasing's own KPI.
"""

from pathlib import Path

import pandas as pd
import pytest

from sim.play.game import Game, rerun
from sim.play.seat import BuyerDecision
from sim.views import facilitator
from sim.views.scores import closing_position, excess_stock_charge, from_parts

pytestmark = pytest.mark.xdist_group("play")


# -- the formula, by hand ------------------------------------------------------------------


def _sku_daily(on_hand: list[int], on_order: list[int], owed: list[int], demand: list[int], days: int) -> pd.DataFrame:
    rows = [
        {"day": day, "sku": sku, "demand": demand[sku], "on_hand": on_hand[sku], "on_order": on_order[sku],
         "backordered": owed[sku]}
        for day in range(days)
        for sku in range(len(on_hand))
    ]  # fmt: skip
    return pd.DataFrame(rows)


def _events(rows: list[tuple[str, int, int, int, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["event", "day", "sku", "quantity", "value", "amount"]).assign(
        time=lambda t: t["day"].astype(float)
    )


def test_stock_beyond_the_cover_is_charged_at_cost_less_salvage_net_of_the_provision() -> None:
    # SKU 0: 10 a day, 1,000 on hand + 500 on order - 100 owed = 1,400; cover (2 weeks + 7 days) x 10 = 210.
    # SKU 1: within cover. SKU 2: over, but the books' provision already took more than the charge.
    daily = _sku_daily([1000, 50, 400], [500, 0, 0], [100, 0, 0], [10, 5, 1], days=100)
    events = _events(
        [
            ("opening_stock", 0, 0, 100, 200.0, float("nan")),  # 2.00 a unit at first ...
            ("revaluation", 50, 0, 300, -30.0, 1.9),  # ... 1.90 since the year end
            ("opening_stock", 0, 1, 10, 30.0, float("nan")),
            ("opening_stock", 0, 2, 10, 10.0, float("nan")),
            ("stock_provision", 99, 2, 400, 500.0, float("nan")),
            ("stock_provision", 98, 0, 999, 999.0, float("nan")),  # not the last day: not the close's
        ]
    )
    closing = closing_position(daily, events, lead_time_days=7.0)
    assert list(closing["position"]) == [1400.0, 50.0, 400.0]
    assert list(closing["standard_cost"]) == pytest.approx([1.9, 3.0, 1.0])
    assert list(closing["provided"]) == [0.0, 0.0, 500.0]
    charge, units = excess_stock_charge(closing, budget_weeks=2.0, salvage_share=0.3)
    assert units == pytest.approx((1400 - 210) + (400 - 21))
    assert charge == pytest.approx((1400 - 210) * 1.9 * 0.7), "SKU 2's provision covers its charge already"


def test_the_company_score_is_operating_profit_less_the_charge_and_departments_score_their_own() -> None:
    summary = {"operating_profit": 1000.0, "purchase_price_variance": -300.0, "days": 14.0, "cogs": 1400.0,
               "closing_stock_value": 2100.0, "closing_backlog_cost": 50.0}  # fmt: skip
    events = _events([("order", 3, 0, 5, 40.0, float("nan")), ("order", 20, 0, 5, 60.0, float("nan"))])
    scored = from_parts(summary, events, warmup=10, charge=250.0, units=100.0, budget_weeks=15.0)
    assert scored.company == 750.0, "the backlog provision is in operating profit already: not charged twice"
    assert scored.purchasing_savings == 300.0
    assert scored.stock_weeks == pytest.approx(3.0)  # 2,100 of stock / 700 of cost of goods a week
    assert scored.sales_bookings == 60.0, "bookings of the measured days only"


# -- the hoarding play ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def hoarding(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A 4-week buyer game: zero the first week, then 5,000 of every SKU; and the agent's re-run."""
    game = Game.start(tmp_path_factory.mktemp("games"), player="Hoarder", role="buyer", seat_index=0, weeks=4)
    family = [line.sku for line in game.briefing().lines]
    game.submit(BuyerDecision(dict.fromkeys(family, 0)))
    while not game.finished:
        game.submit(BuyerDecision(dict.fromkeys(family, 5_000)))
    return game.folder, rerun(game.folder)


def test_the_hoarder_ranks_below_the_agent_in_the_same_seat(hoarding: tuple[Path, Path]) -> None:
    table = facilitator.comparison_table(facilitator.load_games(hoarding)).set_index("kind")
    hoarder, agent = table.loc[facilitator.GAME], table.loc[facilitator.AGENTS]
    assert (hoarder["scenario"], hoarder["seed"], hoarder["seat"]) == (agent["scenario"], agent["seed"], agent["seat"])
    assert hoarder["score"] < agent["score"]
    assert (hoarder["rank"], agent["rank"]) == (2, 1)
    assert hoarder["excess_stock_charge"] > 10 * agent["excess_stock_charge"]
    # it won its own KPI and lost the company's
    assert hoarder["purchasing_savings"] > agent["purchasing_savings"]
    shown = facilitator.formatted(table.reset_index())
    assert shown.loc[shown["Kind"] == facilitator.AGENTS, "Company score"].item().endswith("★")
    assert "★" not in shown.loc[shown["Kind"] == facilitator.GAME, "Company score"].item()
