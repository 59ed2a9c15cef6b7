"""The debrief slides of a 2-week session with a shock: per team, shocks, conflicts, board, questions."""

from pathlib import Path

import pytest

from sim.play.info import PlayError
from sim.play.market import Market
from sim.play.seat import BuyerDecision, SalesDecision
from sim.play.session_debrief import played, session_slides
from sim.views.debrief_slides import png

TEAMS = [("Purchasing", ["buyer 0"]), ("Sales", ["rep 0"])]


@pytest.fixture(scope="module")
def market(tmp_path_factory: pytest.TempPathFactory) -> Market:
    """Two tables; table 1's teams play week 1, a disruption is injected, week 2 is the agents' rule."""
    market = Market.create(tmp_path_factory.mktemp("sessions"), companies=2, name="Slides", teams=TEAMS, weeks=2)
    table = market.companies[0]
    purchasing, sales = table.info.teams
    table.claim(purchasing.code, "a")
    table.claim(sales.code, "b")
    market.inject("disruption", capacity_factor=0.3, extra_lead_days=10, days=28)
    orders = BuyerDecision({line.sku: 40 for line in table.briefing("buyer 0").lines})
    table.submit("Purchasing", "a", "buyer 0", orders, 1)
    table.submit("Sales", "b", "rep 0", SalesDecision(0.1), 1)
    market.advance()  # table 2's week 1
    market.advance()  # week 2 of both: the agents' rule
    assert market.finished
    return market


def test_a_two_week_session_with_a_shock_makes_six_slides(market: Market) -> None:
    slides = session_slides(market.companies[0].folder)
    assert [slide.kind for slide in slides] == ["team", "team", "shocks", "conflicts", "leaderboard", "prompts"]
    assert [slide.figure is not None for slide in slides] == [True] * 5 + [False]
    assert all(slide.title and slide.lines for slide in slides)
    purchasing, sales = slides[0], slides[1]
    assert purchasing.title.startswith("Purchasing") and "you ordered 400 units" in purchasing.lines[0]
    assert "the agent's rule ordered" in purchasing.lines[1], "week 2: the rule stood, and the slide says so"
    assert sales.lines[0].startswith("Week 1: forecast +10%")
    shock = slides[2]
    assert "supplier disruption" in shock.lines[0] and "injected" in shock.lines[0]
    assert any("no department's decision" in line for line in shock.lines)
    assert png(shock.figure).startswith(b"\x89PNG")  # type: ignore[arg-type]


def test_captions_name_the_shock_as_context_never_a_department(market: Market) -> None:
    conflicts = session_slides(market.companies[0].folder)[3]
    told = [line for line in conflicts.lines if line.startswith("day ")]
    assert told and all("during the supplier disruption" in line or "after the" in line for line in told)


def test_the_leaderboard_slide_ranks_the_markets_companies(market: Market) -> None:
    facts = played(market.companies[1].folder)
    scores = [s.score for s in facts.standings]
    assert scores == sorted(scores, reverse=True), "best company score first"
    assert {s.company for s in facts.standings} == {"Slides · table 1", "Slides · table 2"}
    assert [s.ours for s in facts.standings].count(True) == 1
    board = session_slides(market.companies[1].folder)[4]
    assert board.lines[0].startswith("1. ") and "own score" in board.lines[0]


def test_a_session_with_nothing_played_has_no_slides(tmp_path: Path) -> None:
    fresh = Market.create(tmp_path, name="Fresh", teams=TEAMS, weeks=2)
    with pytest.raises(PlayError, match="no week played yet"):
        session_slides(fresh.companies[0].folder)
