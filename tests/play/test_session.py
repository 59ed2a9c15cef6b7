"""A session: two teams (purchasing, sales) in one company, a missed deadline, resume bit for bit, held seats."""

import json
from pathlib import Path

import pandas as pd
import pytest

from sim.model import SalesPurchasingModel
from sim.output.runfolder import TABLES
from sim.play.info import PlayError
from sim.play.seat import BuyerDecision, SalesDecision
from sim.play.session import SeatHeldError, Session, WeekOverError
from sim.play.session_board import board
from sim.play.session_hub import find_team, list_sessions
from sim.play.session_info import SESSION, parse_teams

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
