"""Play mode without a browser: the seat, a game's lifecycle, its saved folder, re-runs."""

import shutil
from pathlib import Path

import pandas as pd
import pytest

from sim.configure import load_config
from sim.model import SalesPurchasingModel
from sim.output.runfolder import is_complete, load_run
from sim.play.game import Game, PlayError, list_games, rerun
from sim.play.seat import BuyerDecision, SalesDecision, Seat
from sim.ports import PromotionPlan
from tests.helpers import book_problems, company

pytestmark = pytest.mark.xdist_group("play")


class RuleFollower(Seat):
    """A person who always orders exactly what the buyer's rule says."""

    def order_units(self, sku: int, day: int, rule_units: int) -> int:
        super().order_units(sku, day, rule_units)  # records what the rule said
        return rule_units


def _tables_equal(a: SalesPurchasingModel, b: SalesPurchasingModel) -> None:
    left, right = a.tables(), b.tables()
    for name in ("timeseries", "sku_timeseries", "events", "signals"):
        pd.testing.assert_frame_equal(getattr(left, name), getattr(right, name), check_exact=True)


def test_a_seat_that_follows_the_rule_is_the_agents_game_bit_for_bit() -> None:
    config = load_config(company(horizon_days=70, warmup_days=14))
    agents = SalesPurchasingModel(config)
    agents.run()
    played = SalesPurchasingModel(config)
    seat = RuleFollower("buyer 0", {day: BuyerDecision({}) for day in range(0, config.total_days, 7)})
    played.buyers[0].seat = seat
    played.run()
    assert seat.rule_units, "the rule was consulted on the decision days"
    _tables_equal(agents, played)


def test_the_persons_quantities_are_what_the_buyer_orders() -> None:
    config = load_config(company(horizon_days=28, warmup_days=14))
    model = SalesPurchasingModel(config)
    buyer = model.buyers[0]
    family = buyer.spec.skus
    decisions = {14: BuyerDecision({sku: 100 + sku for sku in family}), 21: BuyerDecision(dict.fromkeys(family, 0))}
    model.buyers[0].seat = Seat(buyer.label, dict(decisions))
    _, tables = model, model.run()
    orders = tables.events[(tables.events["event"] == "purchase_order") & (tables.events["agent"] == buyer.label)]
    on = orders[orders["day"] == 14]
    assert sorted(on["quantity"]) == sorted(100 + sku for sku in family)
    assert orders[orders["day"] == 21].empty, "ordering nothing places no purchase order"
    assert book_problems(model, tables) == []


@pytest.mark.slow
def test_a_buyer_who_stops_ordering_serves_worse_than_the_agent_same_market(tmp_path: Path) -> None:
    game = Game.start(tmp_path, player="Idle", role="buyer", seat_index=0, weeks=12, lead_in_days=28)
    family = [line.sku for line in game.briefing().lines]
    while not game.finished:
        game.submit(BuyerDecision(dict.fromkeys(family, 0)))
    agent = load_run(rerun(game.folder))
    played = load_run(game.folder)
    # Orders take ~7 weeks to arrive, so the stop shows only late in the game: about a point of fill.
    assert played.summary["fill_rate"] < agent.summary["fill_rate"] - 0.005
    assert played.summary["avg_on_hand"] < agent.summary["avg_on_hand"]


def test_a_saved_game_resumes_bit_for_bit_and_reruns_with_its_decisions(tmp_path: Path) -> None:
    game = Game.start(tmp_path, player="Alice", role="buyer", seat_index=1, weeks=3, lead_in_days=21)
    for _ in range(2):
        lines = game.briefing().lines
        game.submit(BuyerDecision({line.sku: (line.rule_units or 0) * 2 for line in lines}))
    resumed = Game.load(game.folder)
    assert resumed.info.weeks_played == 2 and resumed.next_day == game.next_day
    _tables_equal(game.model, resumed.model)
    saved = pd.read_parquet(game.folder / "events.parquet")
    pd.testing.assert_frame_equal(saved, game.model.tables().events, check_exact=True)
    replayed = load_run(rerun(game.folder, seat="player"))
    pd.testing.assert_frame_equal(replayed.events, saved, check_exact=True)


def test_a_game_folder_is_a_normal_complete_run_after_every_week(tmp_path: Path) -> None:
    game = Game.start(tmp_path, player="Bo Li", role="buyer", weeks=2, lead_in_days=14)
    assert is_complete(game.folder) and game.info.weeks_played == 0
    game.submit(BuyerDecision({line.sku: 5 for line in game.briefing().lines}))
    run = load_run(game.folder)
    assert run.config["warmup_days"] == game.info.first_decision_day
    decisions = pd.read_parquet(game.folder / "decisions.parquet")
    assert set(decisions["field"]) == {"order_units", "rule_order_units"}
    assert (decisions.loc[decisions["field"] == "order_units", "value"] == 5).all()
    game.submit(BuyerDecision({line.sku: 5 for line in game.briefing().lines}))
    assert game.finished and (game.folder / "charts" / "dashboard.png").is_file()
    assert [g["player"] for g in list_games(tmp_path)] == ["Bo Li"]


def test_a_save_interrupted_half_way_leaves_the_last_complete_week(tmp_path: Path) -> None:
    game = Game.start(tmp_path, player="Cy", role="buyer", weeks=3, lead_in_days=14)
    game.submit(BuyerDecision({line.sku: 3 for line in game.briefing().lines}))
    # A server killed while saving week 2 leaves its staging folder beside the game.
    staging = game.folder.with_name(f".{game.folder.name}.saving")
    shutil.copytree(game.folder, staging)
    (staging / "events.parquet").write_bytes(b"half")
    resumed = Game.load(game.folder)
    assert resumed.info.weeks_played == 1
    assert [g["folder"] for g in list_games(tmp_path)] == [game.folder]
    resumed.submit(BuyerDecision({line.sku: 3 for line in resumed.briefing().lines}))
    assert not staging.exists() or is_complete(game.folder)
    assert Game.load(game.folder).info.weeks_played == 2


@pytest.mark.slow
def test_the_sales_lead_sets_the_forecast_and_the_promotion(tmp_path: Path) -> None:
    game = Game.start(tmp_path, player="Dee", role="sales", seat_index=0, weeks=3, lead_in_days=28)
    briefing = game.briefing()
    assert briefing.role == "sales" and briefing.lines and all(line.on_hand is None for line in briefing.lines)
    day = game.next_day
    skus = tuple(line.sku for line in briefing.lines[:2])
    game.submit(SalesDecision(0.25, PromotionPlan(skus, 2, "none")))
    game.submit(SalesDecision(0.25))
    game.submit(SalesDecision(0.0))
    events, signals = game.model.tables().events, game.model.tables().signals
    bias = signals[(signals["signal"] == "forecast_bias") & (signals["agent"] == "rep 0")]
    assert bias.loc[bias["day"] == day, "value"].tolist() == [0.25]
    planned = events[(events["event"] == "promotion_planned") & (events["agent"] == "rep 0")]
    mine = planned[planned["day"] == day]
    assert len(mine) == 1 and f"from day {day + 14}" in mine["detail"].iloc[0]
    assert not events[events["event"] == "unannounced_promotion"].empty, "never told, purchasing finds out"


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ({"player": ""}, "player"),
        ({"player": "A", "role": "ceo"}, "role = 'ceo'"),
        ({"player": "A", "role": "buyer", "seat_index": 9}, "seat = 9"),
        ({"player": "A", "role": "buyer", "weeks": 0}, "weeks = 0"),
        ({"player": "A", "role": "buyer", "scenario": "textbook"}, "textbook"),
        ({"player": "A", "role": "buyer", "scenario": "nope"}, "scenario"),
        ({"player": "A", "role": "buyer", "levers": ["teamwork"]}, "teamwork"),
    ],
)
def test_a_game_that_cannot_be_set_up_says_why_in_one_line(
    tmp_path: Path, setup: dict[str, object], message: str
) -> None:
    arguments = {"role": "buyer", **setup}
    with pytest.raises(PlayError, match=message) as error:
        Game.start(tmp_path, **arguments)  # type: ignore[arg-type]
    assert "\n" not in str(error.value)
    assert not any(tmp_path.iterdir()), "nothing is written for a game that cannot start"


def test_loading_what_is_not_a_game_says_so(tmp_path: Path) -> None:
    with pytest.raises(PlayError, match="not a saved game"):
        Game.load(tmp_path)


def test_what_was_made_from_a_game_survives_its_next_save(tmp_path: Path) -> None:
    game = Game.start(tmp_path, player="Eve", role="buyer", weeks=2, lead_in_days=14)
    game.submit(BuyerDecision({line.sku: 9 for line in game.briefing().lines}))
    made = rerun(game.folder)
    (game.folder / "replay").mkdir()
    (game.folder / "replay" / "storyboard.png").write_bytes(b"png")
    game.submit(BuyerDecision({line.sku: 9 for line in game.briefing().lines}))
    assert is_complete(made) and (game.folder / "replay" / "storyboard.png").read_bytes() == b"png"
