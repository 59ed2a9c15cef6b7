"""The live app in a real browser: headless chromium against ``spsim-viz`` on 127.0.0.1.

What a participant does, through the page they see: play weeks (with a refused entry),
close the browser and come back, and the facilitator comparing the saved games.
"""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sim.play.game import Game, rerun
from sim.play.seat import BuyerDecision
from tests.browser import BROWSER_MARKS, playwright_and_chromium

pytestmark = BROWSER_MARKS
playwright_and_chromium()  # skips the module where there is no playwright or chromium


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1300, "height": 1400})
    opened = context.new_page()
    opened.set_default_timeout(60_000)  # a week's save and the first page on a busy 2-core machine
    yield opened
    context.close()


def _start_game(page: Any, app: str, player: str, weeks: int) -> None:
    page.goto(f"{app}/play")
    page.get_by_label("Your name").fill(player)
    page.get_by_label("Weeks").fill(str(weeks))
    page.get_by_text("Start game").click()
    page.get_by_text(f"Week 1 of {weeks}").wait_for()


def _fill_orders(page: Any, *entries: str) -> Any:
    """Types each SKU's order once: the first fields take ``entries`` in turn, the rest its last.

    Once, because a widget holds back a field's next value until the server has answered its
    last one, while a click goes at once: a field typed twice in a row can reach the server
    after the Submit that follows (the refusal below then missed an entry on a busy CI machine).
    """
    orders = page.locator(".spsim-order input")
    for i in range(orders.count()):
        orders.nth(i).fill(entries[min(i, len(entries) - 1)])
    return orders


def _saved(games: Path, player: str) -> dict[str, Any]:
    (folder,) = [p for p in games.iterdir() if f"_{player.lower()}_" in p.name]
    info: dict[str, Any] = json.loads((folder / "game.json").read_text())
    return info


def test_the_dashboard_takes_a_lever_steps_and_redraws(page: Any, app: str) -> None:
    page.goto(app + "/")
    day = page.locator(".spsim-day")
    day.wait_for()
    assert "not started" in day.inner_text()
    page.get_by_label("shared metrics").check(force=True)  # Vuetify 2 overlays its own box on the input
    page.get_by_label("Seed").fill("4")
    page.get_by_role("button", name="Reset").click()
    page.locator(".spsim-run", has_text="shared metrics").wait_for()
    assert "seed 4" in page.locator(".spsim-run").inner_text()

    stock = page.locator('.spsim-chart-state[data-chart="stock"]')
    for expected in ("0", "1", "2"):
        page.get_by_role("button", name="Step", exact=True).click()
        page.locator(f'.spsim-day[data-day="{expected}"]').wait_for()
        stock.and_(page.locator(f'[data-day="{expected}"]')).wait_for()
    assert stock.inner_text().startswith("day 2 · on hand ")
    page.locator('.spsim-chart-state[data-day="2"]').nth(4).wait_for()  # the five charts redraw one after another
    charts = page.locator(".spsim-chart-state").evaluate_all("states => states.map(s => s.dataset.day)")
    assert charts == ["2"] * 5, "every chart shows the new day"


def test_a_buyer_plays_through_the_page(page: Any, app: str, games: Path) -> None:
    _start_game(page, app, "Pia", 2)
    orders = _fill_orders(page, "-4", "a lot", "30")
    page.get_by_text("Submit week 1").click()
    page.get_by_text("SKU", exact=False).get_by_text("is negative").wait_for()
    assert page.get_by_text("is not a whole number of units").count() == 1
    assert [orders.nth(i).input_value() for i in range(3)] == ["-4", "a lot", "30"], "entries are kept"
    assert page.get_by_text("Week 1 of 2").count() == 1

    orders.nth(0).fill("30")
    orders.nth(1).fill("30")
    page.get_by_text("Submit week 1").click()
    page.get_by_text("Week 2 of 2").wait_for()
    assert "day 63" in page.locator(".spsim-play-week").inner_text()
    _fill_orders(page, "25")
    page.get_by_text("Submit week 2").click()
    page.get_by_text("Game over: 2 weeks played").wait_for()
    page.get_by_text("Replay with the agent in my seat").click()
    page.get_by_text("the agent in your seat").wait_for()
    assert page.locator(".spsim-play-result").count() == 2
    saved = _saved(games, "Pia")
    assert saved["finished"] and saved["weeks_played"] == 2


def test_a_closed_browser_leaves_a_saved_game_to_resume(browser: Any, app: str, games: Path) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(60_000)
    _start_game(page, app, "Quinn", 3)
    _fill_orders(page, "40")
    page.get_by_text("Submit week 1").click()
    page.get_by_text("Week 2 of 3").wait_for()
    context.close()  # the participant closes the browser mid-game

    saved = _saved(games, "Quinn")
    assert saved["weeks_played"] == 1 and not saved["finished"]
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{app}/play")
    page.get_by_text("Quinn · buyer 0 · week 2 of 3", exact=False).wait_for()
    page.get_by_role("button", name="Resume").first.click()
    page.get_by_text("Week 2 of 3").wait_for()
    assert "Quinn" in page.locator(".spsim-play-week").inner_text()
    context.close()


def test_the_facilitator_compares_the_saved_games(page: Any, app: str, games: Path) -> None:
    # Its own game and re-run (the games played through the page may run later, or elsewhere).
    game = Game.start(games, player="Rae", role="buyer", weeks=1, lead_in_days=14)
    game.submit(BuyerDecision({line.sku: 20 for line in game.briefing().lines}))
    rerun(game.folder)
    page.goto(f"{app}/debrief")
    page.locator(".spsim-debrief-row").first.wait_for()
    labels = page.locator(".spsim-debrief-row").evaluate_all("rows => rows.map(r => r.dataset.label)")
    assert "Rae" in labels and "Agents (Rae's seat)" in labels
    page.locator(".spsim-debrief-chart").first.wait_for()
