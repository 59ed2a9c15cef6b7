"""A buyer in a real browser sees the expedite requests that reached it, each with account, units and premium,
refuses one, and the saved game holds the refusal; a 1280×720 screenshot of the week is saved for the eye."""

import re
from pathlib import Path
from typing import Any

from sim.play.game import Game
from sim.play.seat import BuyerDecision, ExpediteRule
from tests.browser import BROWSER_MARKS, playwright_and_chromium, screenshot

pytestmark = BROWSER_MARKS
playwright_and_chromium()  # skips the module where there is no playwright or chromium
SHOT, HISTORY_SHOT = "team_week_1280x720.png", "seat_history_1280x720.png"


def test_a_buyer_sees_an_expedite_request_and_refuses_it(browser: Any, app: str, games: Path) -> None:
    game = Game.start(games, player="Ida", role="buyer", seat_index=0, weeks=3)
    game.submit(BuyerDecision({line.sku: 30 for line in game.briefing().lines}, expedites=ExpediteRule("refuse")))
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{app}/play")
    page.get_by_role("button", name="Resume").click()
    first = page.locator(".spsim-expedite-request").first
    first.wait_for()
    line = first.inner_text()
    account, sku = re.search(r"account (\d+)", line), re.search(r"SKU (\d+)", line)
    assert account and sku, line
    assert re.search(r"\b\d[\d,]*\.\d\d\b", line), "the premium is on screen"
    day = int(line.split()[0])
    (request,) = [
        r
        for r in game.briefing().expedites
        if (r.day, r.account, r.sku) == (day, int(account.group(1)), int(sku.group(1)))
    ][:1]
    assert f"\n{request.units:,}\n" in line and f"{request.premium:,.2f}" in line
    first.get_by_role("button", name="refuse").click()
    orders = page.locator(".spsim-order input")
    for i in range(orders.count()):
        orders.nth(i).fill("25")
    history = page.locator(".spsim-seat-history")
    history.locator("svg").first.wait_for()
    history.scroll_into_view_if_needed()
    screenshot(page, HISTORY_SHOT)
    page.locator(".spsim-expedite-rule").evaluate("e => e.scrollIntoView({block: 'start'})")
    page.mouse.wheel(0, -40)
    page.wait_for_timeout(300)
    screenshot(page, SHOT)
    sizes = page.evaluate(
        """() => [...document.querySelectorAll('.spsim-play .spsim-expedite-request *, .spsim-play .v-label, '
            + '.spsim-play .v-btn, .spsim-play .spsim-play-line')]
            .filter(e => e.childElementCount === 0 && e.textContent.trim())
            .map(e => [parseFloat(getComputedStyle(e).fontSize), e.tagName + '.' + e.className])"""
    )
    small = [where for size, where in sizes if size < 16]
    assert sizes and not small, f"text under 16 px: {small[:5]}"
    page.get_by_text("Submit week 2").click()
    page.get_by_text("Week 3 of 3").wait_for()
    saved = Game.load(game.folder)
    decision = saved.seat.decisions[game.next_day]
    assert isinstance(decision, BuyerDecision)
    assert decision.answers == {(int(account.group(1)), int(sku.group(1))): False}
    context.close()
