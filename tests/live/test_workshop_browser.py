"""The workshop in real browsers: a facilitator's console, a purchasing team and a sales team, each its own browser.

A 4-week session with a short clock (:data:`tests.workshop.MINUTES`): the teams join with
their codes while the clock is paused; week 1 both submit; week 2 sales does not and the
clock runs out (sales' screen says the agent's rule decided); the facilitator injects a
supplier disruption in week 3; week 4 moves on when both have submitted. Then what each
team saw (its own seat only, the weeks, the notice), the console's leaderboard (the company
score and each department's own, as the saved session scores them) and every debrief slide.

And a seat already held: a second browser with the same code is refused until the
facilitator frees the team's screen.
"""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sim.play.session_board import board
from tests.browser import BROWSER_MARKS, playwright_and_chromium
from tests.workshop import DEADLINE_S, TEAMS, Room, create, join, play_four_weeks, screen, sell

pytestmark = BROWSER_MARKS
playwright_and_chromium()  # skips the module where there is no playwright or chromium

SLIDES = [
    ("team", "Purchasing: what you ordered, week by week, against the agent's rule"),
    ("team", "Sales: your forecasts and promotions, week by week, against the agent's"),
    ("shocks", "The shocks: what came from outside the company"),
    ("conflicts", "Where sales and purchasing collided"),
    ("leaderboard", "The leaderboard: the company's score, and each department's own"),
    ("prompts", "Questions for the room"),
]


@pytest.fixture
def room(browser: Any, app: str) -> Iterator[Room]:
    made = Room(browser, app)
    yield made
    made.close()


def test_two_teams_play_four_weeks_one_misses_a_deadline_and_a_shock_comes(room: Room, games: Path) -> None:
    played = play_four_weeks(room, "Workshop")

    # What each team saw: its own seat, week after week, and the notice once only.
    for team, seat in TEAMS.items():
        shown = played.seen[team]
        assert [screen["week"] for screen in shown] == ["1", "2", "3", "4"], shown
        assert all(screen["seats"] == [seat] for screen in shown), f"{team} saw another seat: {shown}"
    assert all(s["orders"] > 0 and s["forecasts"] == 0 for s in played.seen["Purchasing"]), "purchasing: orders only"
    assert all(s["orders"] == 0 and s["forecasts"] == 1 for s in played.seen["Sales"]), "sales: the forecast only"
    notices = {team: [screen["agent"] for screen in shown] for team, shown in played.seen.items()}
    assert notices["Purchasing"] == ["", "", "", ""], "purchasing submitted every week: no notice"
    assert notices["Sales"][0:2] == ["", ""] and notices["Sales"][3] == "", notices
    assert notices["Sales"][2].startswith("The agent's rule decided week 2 for you: the week closed before")
    assert played.waited_s >= DEADLINE_S - 1, f"week 2 closed after {played.waited_s:.1f} s of a {DEADLINE_S} s clock"

    # The facilitator's shock, and the saved record of who decided each week.
    assert played.shock.startswith("Injected: supplier disruption") and "20%" in played.shock, played.shock
    sessions = games.parent / "sessions"
    saved = json.loads((sessions / played.folder / "session.json").read_text())
    assert saved["decided"] == [
        {"Purchasing": "team", "Sales": "team"},
        {"Purchasing": "team", "Sales": "agent"},
        {"Purchasing": "team", "Sales": "team"},
        {"Purchasing": "team", "Sales": "team"},
    ]
    assert [shock["kind"] for shock in saved["shocks"]] == ["disruption"], saved["shocks"]

    # The leaderboard on the console: the company score and each department's own, as the saved session scores them.
    (row,) = [row for row in board(sessions) if row.folder.name == played.folder]
    own = " · ".join(f"{name} ({department}): {score:,.0f}" for name, department, score in row.teams)
    assert played.board == f"1. Workshop · finished · company {row.company:,.0f} · own scores: {own}"
    assert [department for _, department, _ in row.teams] == ["purchasing", "sales"]

    # The debrief slides, paged through: the teams', the shocks, the conflicts, the leaderboard, the questions.
    assert [(slide["kind"], slide["title"]) for slide in played.slides] == SLIDES
    assert [slide["count"] for slide in played.slides] == [f"{i} / {len(SLIDES)}" for i in range(1, len(SLIDES) + 1)]
    assert [slide["chart"] for slide in played.slides] == ["1", "1", "1", "1", "1", "0"], "a chart a slide, not prompts"
    purchasing, sales, shocks, _, leaderboard, prompts = (slide["text"] for slide in played.slides)
    skus = played.seen["Purchasing"][1]["orders"]
    assert f"Week 2: you ordered {35 * skus:,} units, the rule" in purchasing, purchasing
    assert "Week 2: the agent's rule stood (its own estimate; you did not submit)" in sales
    assert "Week 1: forecast +5%" in sales and "Week 4: forecast -5%" in sales, sales
    assert "supplier disruption" in shocks and "no department's decision" in shocks, shocks
    assert f"1. Workshop: company {row.company:,.0f}" in leaderboard, leaderboard
    assert prompts.strip(), "the questions slide has questions"


def test_a_second_browser_cannot_take_a_seat_already_held(room: Room) -> None:
    console = room.laptop("/console")
    codes = create(room, console, "Held seat", weeks=2, minutes="0")  # no clock: nothing moves on by itself
    sales = room.laptop("/team")
    join(room, sales, codes["Sales"])
    screen(sales, 1, TEAMS["Sales"])
    console.locator('.spsim-console-team[data-team="Sales"][data-held="yes"]').wait_for()

    intruder = room.laptop("/team")  # another laptop with sales' code
    join(room, intruder, codes["Sales"])
    refused = intruder.locator(".spsim-team-error", has_text="team Sales is already playing on another screen")
    refused.wait_for()
    assert intruder.locator(".spsim-team-seat").count() == 0, "refused: no seat on its screen"
    sell(room, sales, 1, "3")  # the team's own laptop plays on
    console.locator('.spsim-console-team[data-team="Sales"][data-status="submitted"]').wait_for()

    room.press(console, "Free screen")  # sales' laptop died: the facilitator frees the team
    console.locator('.spsim-console-team[data-team="Sales"][data-held="no"]').wait_for()
    join(room, intruder, codes["Sales"])
    intruder.locator(".spsim-team-waiting", has_text="rep 0: week 1 submitted").wait_for()
    sales.locator(".spsim-team-error", has_text="The facilitator freed this team's screen").wait_for()
    assert sales.locator(".spsim-submit").count() == 0, "the old laptop can no longer submit"
