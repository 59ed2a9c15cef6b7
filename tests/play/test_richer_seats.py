"""Richer seats: supplier choice and expedite answers for a buyer; promotion depth and notice, promises and
expedite requests for a rep. Each decision changes the run as it should (paired: same seed), is saved as rows
and read back, old saved decisions still load, and a saved game with the new fields resumes bit for bit."""

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from sim.live.seat_charts import FONT, seat_charts
from sim.model import RunTables, SalesPurchasingModel
from sim.play import entries
from sim.play.game import Game, play_config
from sim.play.history import buyer_history, sales_history
from sim.play.seat import (
    BuyerDecision,
    ExpediteRule,
    SalesDecision,
    Seat,
    decisions_from_table,
)
from sim.ports import PromiseRule, PromotionPlan, RequestRule

pytestmark = pytest.mark.xdist_group("play")

LEAD_IN, WEEKS = 21, 4


class RuleFollower(Seat):
    """A person who orders what the buyer's rule says: only the choice under test differs."""

    def order_units(self, sku: int, day: int, rule_units: int) -> int:
        super().order_units(sku, day, rule_units)
        return rule_units


def _played(
    role: str, decide: Callable[[int], BuyerDecision | SalesDecision], *, follow_rule: bool = True
) -> tuple[SalesPurchasingModel, RunTables, Seat]:
    """The default market, a lead-in of the agents, then WEEKS weeks with ``decide(day)`` in seat 0.

    A buyer's seat orders what its rule says unless ``follow_rule`` is false.
    """
    config = play_config("default", 1, [], LEAD_IN, 7 * WEEKS)
    model = SalesPurchasingModel(config)
    agents = model.buyers if role == "buyer" else model.reps
    kind = RuleFollower if role == "buyer" and follow_rule else Seat
    seat = kind(agents[0].label, {day: decide(day) for day in range(LEAD_IN, config.total_days, 7)})
    agents[0].seat = seat
    return model, model.run(), seat


def _events(tables: RunTables, kind: str, **match: object) -> pd.DataFrame:
    rows = tables.events[(tables.events["event"] == kind) & (tables.events["day"] >= LEAD_IN)]
    for column, value in match.items():
        rows = rows[rows[column] == value]
    return rows


# -- the buyer's seat ---------------------------------------------------------------------------


def test_refusing_every_expedite_against_approving_every_one_same_market() -> None:
    _, approving, _ = _played("buyer", lambda _: BuyerDecision({}, expedites=ExpediteRule("approve")))
    _, refusing, _ = _played("buyer", lambda _: BuyerDecision({}, expedites=ExpediteRule("refuse")))
    approved = _events(approving, "expedite", agent="buyer 0")
    refused = _events(refusing, "expedite_refused", agent="buyer 0")
    assert len(approved) > 0 and _events(approving, "expedite_refused", agent="buyer 0").empty
    assert len(refused) > 0 and _events(refusing, "expedite", agent="buyer 0").empty
    assert "the buyer refused" in str(refused["detail"].iloc[0])
    assert approving.summary["expediting_cost"] > refusing.summary["expediting_cost"]
    # the other buyers still answer by their rule
    assert len(_events(refusing, "expedite", agent="buyer 1")) > 0


def test_approving_up_to_a_premium_refuses_the_dearer_requests() -> None:
    _, tables, _ = _played("buyer", lambda _: BuyerDecision({}, expedites=ExpediteRule("up_to", 50.0)))
    approved = _events(tables, "expedite", agent="buyer 0")
    refused = _events(tables, "expedite_refused", agent="buyer 0")
    assert len(approved) and len(refused)
    assert (approved["value"] <= 50.0).all() and (refused["amount"] > 50.0).all()


def test_an_answer_for_an_account_and_sku_overrides_the_weeks_rule() -> None:
    _, plain, _ = _played("buyer", lambda _: BuyerDecision({}, expedites=ExpediteRule("approve")))
    first = _events(plain, "expedite", agent="buyer 0").iloc[0]
    key = (int(first["account"]), int(first["sku"]))
    _, answered, _ = _played(
        "buyer", lambda _: BuyerDecision({}, expedites=ExpediteRule("approve"), answers={key: False})
    )
    refused = _events(answered, "expedite_refused", agent="buyer 0")
    assert set(zip(refused["account"], refused["sku"], strict=True)) == {key}


def test_the_supplier_the_person_picks_gets_the_order() -> None:
    model, rule, _ = _played("buyer", lambda _: BuyerDecision({}))
    family = model.buyers[0].spec.skus
    ordered = _events(rule, "purchase_order", agent="buyer 0", day=LEAD_IN)
    by_rule = dict(zip(ordered["sku"], ordered["counterpart"], strict=True))
    sku = next(k for k in family if k in by_rule and len(model.world.skus[k].suppliers) > 1)
    other = next(s for s in model.world.skus[sku].suppliers if s != by_rule[sku])
    _, picked, seat = _played("buyer", lambda _: BuyerDecision({sku: 100}, {sku: other}), follow_rule=False)
    ordered = _events(picked, "purchase_order", agent="buyer 0", day=LEAD_IN, sku=sku)
    assert list(ordered["counterpart"]) == [other]
    assert seat.rule_suppliers[(LEAD_IN, sku)] == by_rule[sku], "the scorecard's pick is kept for the record"


# -- a rep's seat ----------------------------------------------------------------------------------


def test_no_expedite_requests_against_every_shortfall_same_market() -> None:
    _, none, _ = _played("sales", lambda _: SalesDecision(0.0, requests=RequestRule("none")))
    _, every, _ = _played("sales", lambda _: SalesDecision(0.0, requests=RequestRule("above", 0)))
    _, usual, _ = _played("sales", lambda _: SalesDecision(0.0))
    asked = {name: len(_events(t, "expedite_requested", agent="rep 0")) for name, t in
             (("none", none), ("every", every), ("usual", usual))}  # fmt: skip
    assert asked["none"] == 0 < asked["usual"] < asked["every"]


def test_a_promise_buffer_keeps_more_promises_than_promising_the_day_asked() -> None:
    model, asked, _ = _played("sales", lambda _: SalesDecision(0.0, promises=PromiseRule("ask")))
    _, buffered, _ = _played("sales", lambda _: SalesDecision(0.0, promises=PromiseRule("buffer", 28)))
    _, from_stock, _ = _played("sales", lambda _: SalesDecision(0.0, promises=PromiseRule("stock")))
    accounts = [a.spec.index for a in model.accounts if a.rep is model.reps[0]]

    def broken(tables: RunTables) -> int:
        rows = _events(tables, "promise_broken")
        return int(rows["account"].isin(accounts).sum())

    assert broken(asked) > 0
    assert broken(buffered) < broken(asked)
    assert broken(from_stock) < broken(asked)


def test_a_promotion_of_the_persons_depth_told_the_days_chosen() -> None:
    plan = PromotionPlan((0, 1), 2, "late", discount=0.3, notice_days=10)
    model, tables, _ = _played("sales", lambda day: SalesDecision(0.0, plan if day == LEAD_IN else None))
    (promotion,) = [p for p in model.promotions_run if p.planned_day == LEAD_IN and p.rep == 0]
    assert promotion.discount == pytest.approx(0.3) and promotion.start_day == LEAD_IN + 14
    assert promotion.told_day == promotion.start_day - 10
    planned = _events(tables, "promotion_planned", agent="rep 0", day=LEAD_IN)
    assert planned["share"].iloc[0] == pytest.approx(0.3)


def test_no_seat_deciding_answers_as_the_agents_do() -> None:
    config = play_config("default", 1, [], LEAD_IN, 14)
    agents = SalesPurchasingModel(config)
    seated = SalesPurchasingModel(config)
    # Seated, but no decision in force: every choice is the rule's. (A seated rep never joins a colleague's
    # campaign, as before: a person decides its promotions alone.)
    seated.buyers[0].seat = Seat("buyer 0", {})
    left, right = agents.run(), seated.run()
    pd.testing.assert_frame_equal(left.events, right.events, check_exact=True)


# -- entries --------------------------------------------------------------------------------------


def test_bad_buyer_entries_get_one_clear_line_each() -> None:
    refused = entries.buyer_decision(
        {0: "10"},
        [0],
        suppliers={0: 9},
        sources={0: [1, 3]},
        expedites="up_to",
        max_premium="lots",
        answers={(5, 0): "maybe"},
    )
    assert isinstance(refused, entries.Refused)
    assert refused.errors[entries.supplier_field(0)] == "SKU 0: supplier 9 does not sell it; allowed: [1, 3]"
    assert "not a number" in refused.errors["max premium"]
    assert "account 5, SKU 0" in refused.errors["answers"]
    assert all("\n" not in message for message in refused.errors.values())
    odd = entries.buyer_decision({0: "10"}, [0], expedites="sometimes")
    assert isinstance(odd, entries.Refused) and "allowed: rule, approve, refuse, up_to" in odd.errors["expedites"]


def test_good_buyer_entries_make_the_decision() -> None:
    decision = entries.buyer_decision(
        {0: "10"}, [0], suppliers={0: 3}, sources={0: [1, 3]}, expedites="up_to", max_premium="250",
        answers={(5, 0): "refuse", (6, 0): "rule"},
    )  # fmt: skip
    assert decision == BuyerDecision({0: 10}, {0: 3}, ExpediteRule("up_to", 250.0), {(5, 0): False})


def test_bad_sales_entries_get_one_clear_line_each() -> None:
    common = {"portfolio": [0, 1], "max_skus": 2, "promotion_allowed": True}
    refused = entries.sales_decision(
        "0", [0], "2", "days", discount_percent="90", notice_days="x", promises="buffer", buffer_days="",
        requests="above", min_units="-3", **common,
    )  # fmt: skip
    assert isinstance(refused, entries.Refused)
    assert refused.errors["discount"] == "discount: 90 is out of range; allowed 5 to 50%"
    assert "not a whole number" in refused.errors["notice days"]
    assert "enter a number from 1 to 28 days" in refused.errors["buffer days"]
    assert "out of range" in refused.errors["units short"]
    odd = entries.sales_decision("0", [], "", "early", promises="soon", requests="all", **common)
    assert isinstance(odd, entries.Refused) and set(odd.errors) == {"promises", "requests"}
    taken = entries.sales_decision(
        "5", [1], "2", "days", discount_percent="25", notice_days="9", promises="buffer", buffer_days="4",
        requests="key", **common,
    )  # fmt: skip
    assert taken == SalesDecision(
        0.05, PromotionPlan((1,), 2, "late", 0.25, 9), PromiseRule("buffer", 4), RequestRule("key")
    )


# -- saved as rows, read back ---------------------------------------------------------------------------


def test_new_fields_round_trip_through_the_table() -> None:
    buyer = Seat(
        "buyer 0",
        {
            7: BuyerDecision({0: 5, 4: 0}, {4: 2}, ExpediteRule("up_to", 12.5), {(3, 0): True, (9, 4): False}),
            14: BuyerDecision({0: 1}, expedites=ExpediteRule("refuse")),
        },
    )
    rep = Seat(
        "rep 1",
        {
            7: SalesDecision(
                0.1, PromotionPlan((2, 5), 3, "late", 0.2, 6), PromiseRule("stock"), RequestRule("above", 40)
            ),
            14: SalesDecision(-0.05, None, PromiseRule("buffer", 3), None),
        },
    )
    for seat in (buyer, rep):
        assert decisions_from_table(seat.table()) == seat.decisions


def test_decisions_saved_before_the_new_fields_still_load_as_the_agents_rule() -> None:
    old = pd.DataFrame(
        [
            (56, "buyer 0", 0, "order_units", 12.0),
            (56, "buyer 0", 0, "rule_order_units", 30.0),
            (56, "buyer 0", 4, "order_units", 0.0),
        ],
        columns=["day", "seat", "sku", "field", "value"],
    )
    assert decisions_from_table(old) == {56: BuyerDecision({0: 12, 4: 0})}
    old_sales = pd.DataFrame(
        [
            (56, "rep 0", -1, "forecast_adjustment", 0.1),
            (56, "rep 0", 3, "promotion_sku", 1.0),
            (56, "rep 0", -1, "promotion_weeks_ahead", 2.0),
            (56, "rep 0", -1, "promotion_notice_none", 1.0),
        ],
        columns=["day", "seat", "sku", "field", "value"],
    )
    (decision,) = decisions_from_table(old_sales).values()
    assert decision == SalesDecision(0.1, PromotionPlan((3,), 2, "none"))
    assert isinstance(decision, SalesDecision) and decision.promises is None and decision.requests is None


def test_a_game_with_the_new_fields_resumes_bit_for_bit(tmp_path: Path) -> None:
    game = Game.start(tmp_path, player="Bo", role="buyer", seat_index=0, weeks=3, lead_in_days=21)
    sources = game.briefing().sources
    sku, options = next(iter(sources.items()))
    other = next(o.supplier for o in options if not o.last)
    for week in range(2):
        lines = game.briefing().lines
        rule = ExpediteRule("refuse") if week == 0 else ExpediteRule("up_to", 0.0)
        requests = game.briefing().expedites
        answers = {(requests[0].account, requests[0].sku): True} if requests else {}
        game.submit(BuyerDecision({line.sku: line.rule_units or 0 for line in lines}, {sku: other}, rule, answers))
    resumed = Game.load(game.folder)
    assert resumed.seat.decisions == game.seat.decisions
    left, right = game.model.tables(), resumed.model.tables()
    for name in ("events", "signals", "sku_timeseries"):
        pd.testing.assert_frame_equal(getattr(left, name), getattr(right, name), check_exact=True)
    assert len(_events(right, "expedite_refused", agent="buyer 0")) > 0


def test_a_sales_game_with_the_new_fields_resumes_bit_for_bit(tmp_path: Path) -> None:
    game = Game.start(tmp_path, player="Sy", role="sales", seat_index=0, weeks=2, lead_in_days=21)
    top = [line.sku for line in game.briefing().lines][:2]
    plan = PromotionPlan(tuple(top), 1, "late", 0.25, 5)
    game.submit(SalesDecision(0.2, plan, PromiseRule("buffer", 5), RequestRule("above", 10)))
    game.submit(SalesDecision(0.0, None, PromiseRule("stock"), RequestRule("none")))
    resumed = Game.load(game.folder)
    assert resumed.seat.decisions == game.seat.decisions
    pd.testing.assert_frame_equal(game.model.tables().events, resumed.model.tables().events, check_exact=True)


# -- the seat's history ------------------------------------------------------------------------------


def test_each_seat_has_its_own_history_charts(tmp_path: Path) -> None:
    game = Game.start(tmp_path, player="Cy", role="buyer", seat_index=1, weeks=3, lead_in_days=21)
    for _ in range(2):
        game.submit(BuyerDecision({line.sku: 40 for line in game.briefing().lines}, expedites=ExpediteRule("refuse")))
    weeks = buyer_history(game.model, 1, game.seat, game.info.first_decision_day)
    assert [w.week for w in weeks] == [1, 2] and all(w.decided for w in weeks)
    family = game.model.buyers[1].spec.skus
    assert all(w.ordered == 40 * len(family) for w in weeks)
    assert all(w.rule_ordered is not None and w.approved == 0 for w in weeks)
    on_hand_now = sum(game.model.stock.on_hand[k] for k in family)
    assert weeks[0].on_hand > 0 and on_hand_now >= 0
    charts = seat_charts(game.model, game.seat, game.info.first_decision_day)
    assert len(charts) == 3 and all(chart.startswith("<svg") for chart in charts)
    sizes = {int(part.split('"')[0]) for chart in charts for part in chart.split('font-size="')[1:]}
    assert min(sizes) >= FONT == 16

    sales = Game.start(tmp_path, player="Di", role="sales", seat_index=0, weeks=2, lead_in_days=21)
    sales.submit(SalesDecision(0.1))
    (week,) = sales_history(sales.model, 0, sales.seat, sales.info.first_decision_day)
    assert week.forecast is not None and week.forecast > 0 and week.demand > 0
    assert len(seat_charts(sales.model, sales.seat, sales.info.first_decision_day)) == 2
