"""A session: two teams in one company, a missed deadline, resume bit for bit, held seats, shocks, several companies."""

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from sim.agents.shocks import SupplierPriceRise, SupplyDisruption
from sim.model import SalesPurchasingModel
from sim.output.runfolder import TABLES
from sim.play.info import PlayError
from sim.play.market import Market, markets
from sim.play.seat import BuyerDecision, SalesDecision
from sim.play.session import SeatHeldError, Session, WeekOverError
from sim.play.session_board import board, ranked
from sim.play.session_hub import find_team, list_sessions
from sim.play.session_info import SESSION, parse_teams
from sim.play.session_shocks import from_form

TEAMS = [("Purchasing", ["buyer 0"]), ("Sales", ["rep 0"])]


def _orders(session: Session, units: int = 25) -> BuyerDecision:
    return BuyerDecision({line.sku: units for line in session.briefing("buyer 0").lines})


def _same_tables(one: Session, other: Session) -> None:
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(one.model.tables(), name), getattr(other.model.tables(), name))


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> Session:
    """Four weeks: both submit; sales misses the deadline; the facilitator advances; both submit."""
    session = Session.create(tmp_path_factory.mktemp("sessions"), name="Table 1", teams=TEAMS, weeks=4, deadline_s=300)
    purchasing, sales = session.info.teams
    session.claim(purchasing.code, "browser-a")
    session.claim(sales.code, "browser-b")
    session.submit("Purchasing", "browser-a", "buyer 0", _orders(session), 1)
    assert session.week == 1 and session.waiting() == ["Sales"], "one team in: the week waits for the other"
    session.submit("Sales", "browser-b", "rep 0", SalesDecision(0.1), 1)
    assert session.week == 2, "every team submitted: the week advanced by itself"

    session.submit("Purchasing", "browser-a", "buyer 0", _orders(session, 40), 2)
    assert not session.expire(session.info.deadline - 1), "before the deadline nothing moves"
    assert session.expire(session.info.deadline + 1), "the deadline passed: the week advances without sales"
    session.advance()  # week 3: the facilitator moves on with nobody's decision
    session.submit("Sales", "browser-b", "rep 0", SalesDecision(-0.05), 4)
    session.submit("Purchasing", "browser-a", "buyer 0", _orders(session, 30), 4)
    return session


def test_a_missed_deadline_leaves_the_week_to_the_agents_rule_and_says_so(played: Session) -> None:
    assert played.finished
    assert played.info.decided == [
        {"Purchasing": "team", "Sales": "team"},
        {"Purchasing": "team", "Sales": "agent"},
        {"Purchasing": "agent", "Sales": "agent"},
        {"Purchasing": "team", "Sales": "team"},
    ]
    first = played.info.first_decision_day
    assert sorted(played.seats["rep 0"].decisions) == [first, first + 21], "no decision stands for a missed week"
    assert sorted(played.seats["buyer 0"].decisions) == [first, first + 7, first + 21]
    saved = json.loads((played.folder / SESSION).read_text())
    assert saved["decided"][1]["Sales"] == "agent" and saved["finished"]


def test_a_session_resumes_bit_for_bit(played: Session) -> None:
    resumed = Session.load(played.folder)
    _same_tables(played, resumed)
    pd.testing.assert_frame_equal(played.decisions_table(), resumed.decisions_table())
    assert resumed.info == played.info


def test_a_week_nobody_submitted_is_the_agents_own_game(tmp_path: Path) -> None:
    # A buyer's seat with no decision is the agent's rule, whole. (A rep's seat held by a team
    # does not join the other reps' campaigns even in a week its rule decides: sim.agents.campaigning.)
    session = Session.create(tmp_path, name="Agents", teams=TEAMS[:1], weeks=2)
    session.advance()
    session.advance()
    agents = SalesPurchasingModel(session.config)
    while agents.env.now < session.info.day:
        agents.step()
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(agents.tables(), name), getattr(session.model.tables(), name))


def test_a_held_team_cannot_be_taken_by_another_browser(tmp_path: Path) -> None:
    session = Session.create(tmp_path, name="Held", teams=TEAMS, weeks=2)
    code = session.info.teams[0].code
    session.claim(code, "browser-a")
    with pytest.raises(SeatHeldError, match="another screen"):
        session.claim(code, "browser-b")
    with pytest.raises(SeatHeldError, match="another screen"):
        Session.load(session.folder).claim(code.lower(), "browser-b")  # another process: same answer
    with pytest.raises(SeatHeldError):
        session.submit("Purchasing", "browser-b", "buyer 0", _orders(session), 1)
    session.claim(code, "browser-a")  # the same browser comes back
    session.release("Purchasing")  # its laptop died: the facilitator frees the team
    session.claim(code, "browser-b")
    assert Session.load(session.folder).info.teams[0].holder == "browser-b"


def test_a_submitted_week_survives_a_restart_and_a_late_one_is_refused(tmp_path: Path) -> None:
    session = Session.create(tmp_path, name="Restart", teams=TEAMS, weeks=3)
    purchasing, sales = session.info.teams
    session.claim(purchasing.code, "a")
    session.claim(sales.code, "b")
    session.submit("Purchasing", "a", "buyer 0", _orders(session, 33), 1)
    other = Session.load(session.folder)  # the server restarted: the week's submission is kept
    assert other.waiting() == ["Sales"]
    other.submit("Sales", "b", "rep 0", SalesDecision(0.0), 1)
    assert other.week == 2
    with pytest.raises(WeekOverError):
        session.submit("Purchasing", "a", "buyer 0", _orders(session), 1)  # a stale copy: reloaded, then refused
    assert session.week == 2, "the stale copy caught up with the saved session"
    _same_tables(session, other)


def test_pause_stops_the_clock_and_the_advance(tmp_path: Path) -> None:
    session = Session.create(tmp_path, name="Pause", teams=TEAMS, weeks=2, deadline_s=60)
    start = session.info.deadline - 60
    session.pause(True, now=start + 20)
    assert session.seconds_left() == pytest.approx(40)
    assert not session.expire(start + 1000), "a paused clock does not run out"
    purchasing, sales = session.info.teams
    session.claim(purchasing.code, "a")
    session.claim(sales.code, "b")
    session.submit("Purchasing", "a", "buyer 0", _orders(session), 1)
    session.submit("Sales", "b", "rep 0", SalesDecision(0.0), 1)
    assert session.week == 1, "paused: the week waits even with every team in"
    session.pause(False, now=start + 2000)
    assert session.week == 2 and session.info.deadline == pytest.approx(start + 2060)


def test_the_leaderboard_and_the_codes(played: Session) -> None:
    sessions = played.folder.parent
    (row,) = board(sessions)
    assert row.session == "Table 1" and row.week == "finished"
    assert [(name, department) for name, department, _ in row.teams] == [
        ("Purchasing", "purchasing"),
        ("Sales", "sales"),
    ]
    assert all(score == score for _, _, score in row.teams) and row.company == row.company
    assert [info["name"] for info in list_sessions(sessions)] == ["Table 1"]
    with pytest.raises(PlayError, match="no session being played"):
        find_team(sessions, played.info.teams[0].code)  # a finished session takes no one


@pytest.mark.parametrize(
    ("teams", "problem"),
    [
        ("Purchasing: buyer 9", "buyer seats 0 to 3"),
        ("A: buyer 0\nB: buyer 0", "in two teams"),
        ("Mixed: buyer 0, rep 0", "one department"),
        ("Nobody:", "at least one seat"),
        ("no colon", "Name: seat"),
    ],
)
def test_a_bad_team_list_is_refused_in_one_line(tmp_path: Path, teams: str, problem: str) -> None:
    with pytest.raises(PlayError, match=problem):
        Session.create(tmp_path, name="Bad", teams=parse_teams(teams), weeks=2)


def test_a_team_of_two_buyers_part_decided_and_each_on_its_review_day(tmp_path: Path) -> None:
    session = Session.create(tmp_path, name="Two", teams=[("Purchasing", ["buyer 0", "buyer 1"])], weeks=1)
    assert session.decision_day("buyer 1") == session.decision_day("buyer 0") + 1, "buyer 1 reviews a day later"
    code = session.info.teams[0].code
    session.claim(code, "a")
    family = [line.sku for line in session.briefing("buyer 1").lines]
    session.submit("Purchasing", "a", "buyer 1", BuyerDecision(dict.fromkeys(family, 12)), 1)
    assert session.waiting() == ["Purchasing"], "one of the team's two seats: the team has not submitted"
    session.advance()
    assert session.info.decided == [{"Purchasing": "part"}]
    ordered = session.decisions_table().query("field == 'order_units'")
    assert set(ordered["seat"]) == {"buyer 1"} and set(ordered["day"]) == {session.info.first_decision_day + 1}
    assert "rule_order_units" in set(Session.load(session.folder).decisions_table()["field"])


# -- shocks injected by the facilitator ----------------------------------------------------------


@pytest.mark.slow
def test_an_injected_shock_is_saved_and_resumed_bit_for_bit(tmp_path: Path) -> None:
    session = Session.create(tmp_path, name="Shock", teams=TEAMS[:1], weeks=3)
    session.claim(session.info.teams[0].code, "a")
    session.submit("Purchasing", "a", "buyer 0", _orders(session, 30), 1)
    day = session.week_day
    shock = session.inject("disruption", capacity_factor=0.3, extra_lead_days=10, days=28)
    assert shock == SupplyDisruption(day=day, days=28, capacity_factor=0.3, extra_lead_days=10)
    session.inject("price_rise", share=0.1)
    session.inject("large_order", account=0, sku=0, units=400)
    saved = json.loads((session.folder / SESSION).read_text())["shocks"]
    assert [(s["kind"], s["at"], s["day"]) for s in saved] == [
        ("disruption", day, day),
        ("price_rise", day, day),
        ("large_order", day, day),
    ]

    copied = shutil.copytree(session.folder, tmp_path / "elsewhere" / session.folder.name)
    resumed = Session.load(copied)  # a copy: each plays its further week on its own
    assert resumed.injected() == session.injected() and resumed.info == session.info
    _same_tables(session, resumed)
    for copy in (session, resumed):  # a further week, the same in both
        copy.submit("Purchasing", "a", "buyer 0", _orders(copy, 50), 2)
    _same_tables(session, resumed)
    events = resumed.model.tables().events
    injected = events[events["agent"] == "facilitator"]["event"].astype(str)
    assert {"disruption_started", "price_rise", "large_order"} <= set(injected)

    plain = Session.create(tmp_path, name="Plain", teams=TEAMS[:1], weeks=3)
    plain.claim(plain.info.teams[0].code, "a")
    for week, units in ((1, 30), (2, 50)):
        plain.submit("Purchasing", "a", "buyer 0", _orders(plain, units), week)
    assert not plain.model.tables().events.equals(events), "the shocks changed the game"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("kind", "figures", "problem"),
    [
        ("disruption", {"capacity_factor": 1.5, "extra_lead_days": 5, "days": 10}, "capacity left"),
        ("disruption", {"capacity_factor": 0.5, "extra_lead_days": 5, "days": 0}, "days = 0"),
        ("disruption", {"capacity_factor": 0.5, "days": 10, "suppliers": [99]}, "supplier 99"),
        ("price_rise", {"share": -0.2}, "price rise"),
        ("large_order", {"account": 999, "sku": 0, "units": 10}, "account 999"),
        ("large_order", {"account": 0, "sku": 0, "units": 0}, "units = 0"),
        ("large_order", {"account": 0, "units": 10}, "sku"),
        ("flood", {}, "choose one of"),
        ("price_rise", {"percent": 10}, "no such figure"),
    ],
)
def test_a_bad_shock_is_refused_in_one_line_and_nothing_applied(
    tmp_path: Path, kind: str, figures: dict[str, object], problem: str
) -> None:
    session = Session.create(tmp_path, name="Bad shock", teams=TEAMS[:1], weeks=2)
    revision = session.info.revision
    with pytest.raises(PlayError, match=problem) as refused:
        session.inject(kind, **figures)
    assert "\n" not in str(refused.value)
    assert session.model.injected_shocks == [] and session.info.shocks == [] and session.info.revision == revision
    assert json.loads((session.folder / SESSION).read_text())["shocks"] == []


def test_the_console_form_reads_percentages(tmp_path: Path) -> None:
    session = Session.create(tmp_path, name="Form", teams=TEAMS[:1], weeks=2)
    limits = session.limits()
    texts = {"capacity_percent": "25", "extra_lead_days": "7", "days": "14", "supplier": "1"}
    day = session.week_day
    shock = from_form("disruption", day, texts, limits)
    assert shock == SupplyDisruption(day=day, days=14, capacity_factor=0.25, extra_lead_days=7, suppliers=(1,))
    assert from_form("price_rise", day, {"percent": "12", "supplier": ""}, limits) == SupplierPriceRise(day, 0.12)
    with pytest.raises(PlayError, match=r"Units: 'many' is not a number"):
        from_form("large_order", day, {"account": "0", "sku": "0", "units": "many"}, limits)
    with pytest.raises(PlayError, match=r"day 200: a shock starts from today"):
        from_form("price_rise", 200, {"percent": "12"}, limits)


def test_a_damaged_shock_record_is_refused_on_reading(tmp_path: Path) -> None:
    session = Session.create(tmp_path, name="Damaged", teams=TEAMS[:1], weeks=2)
    session.inject("price_rise", share=0.1)
    path = session.folder / SESSION
    data = json.loads(path.read_text())
    data["shocks"][0]["share"] = "lots"
    path.write_text(json.dumps(data))
    with pytest.raises(PlayError, match="shocks: the first supplier price rise: share"):
        Session.load(session.folder)


# -- several companies in one market ---------------------------------------------------------------


@pytest.mark.slow
def test_several_companies_play_one_market_side_by_side(tmp_path: Path) -> None:
    market = Market.create(tmp_path, companies=3, name="Workshop", teams=TEAMS, weeks=2)
    names = [company.info.name for company in market.companies]
    assert names == ["Workshop · table 1", "Workshop · table 2", "Workshop · table 3"]
    assert len({company.folder for company in market.companies}) == 3
    assert len({company.info.market for company in market.companies}) == 1
    assert [company.info.company for company in market.companies] == [1, 2, 3]
    codes = [team.code for company in market.companies for team in company.info.teams]
    assert len(set(codes)) == 6, "every team of every table its own code"
    assert find_team(tmp_path, codes[3])[0] == market.companies[1].folder
    assert Market.of(market.companies[2].folder).companies == market.companies, "the server's own copies"

    first, second, third = market.companies
    purchasing, sales = first.info.teams
    first.claim(purchasing.code, "a")
    first.claim(sales.code, "b")
    first.submit("Purchasing", "a", "buyer 0", _orders(first, 3000), 1)
    first.submit("Sales", "b", "rep 0", SalesDecision(0.0), 1)
    assert [c.week for c in market.companies] == [2, 1, 1], "table 1's teams are in: it moved on alone"
    market.pause(True)
    assert market.paused and all(c.info.paused for c in market.companies)
    market.pause(False)
    moved = market.advance()
    assert moved == [second, third] and [c.week for c in market.companies] == [2, 2, 2], "the laggards caught up"

    shock = market.inject("disruption", capacity_factor=0.2, extra_lead_days=5, days=14)
    assert all(c.injected() == [shock] for c in market.companies), "every table takes the same shock"
    with pytest.raises(PlayError, match="account 500"):
        market.inject("large_order", account=500, sku=0, units=10)
    assert all(len(c.injected()) == 1 for c in market.companies), "a bad shock applies nowhere"
    market.advance()
    assert market.finished

    rows = board(tmp_path, first.info.market)
    assert {row.session for row in rows} == set(names)
    assert [rank for rank, _ in ranked(rows)] == [1, 2, 3]
    assert rows[-1].session == "Workshop · table 1", "3,000 of every SKU: the hoarding table ranks last"
    assert all(row.company >= rows[-1].company for row in rows)
    assert all([d for _, d, _ in row.teams] == ["purchasing", "sales"] for row in rows)
    assert [len(group) for group in markets(tmp_path)] == [3]


def test_a_session_saved_before_markets_still_loads(tmp_path: Path) -> None:
    session = Session.create(tmp_path, name="Old", teams=TEAMS, weeks=2)
    session.advance()
    path = session.folder / SESSION
    data = json.loads(path.read_text())
    for key in ("market", "company", "shocks"):
        del data[key]
    path.write_text(json.dumps(data))
    old = Session.load(session.folder)
    assert old.info.market == "" and old.info.shocks == [] and old.week == 2
    _same_tables(session, old)
    market = Market.of(session.folder)
    assert len(market.companies) == 1 and market.name == "Old"
    (row,) = board(tmp_path)
    assert row.market == session.folder.name
