"""The facilitator's debrief (/debrief) on a projector, in a real browser: 1280×720, nothing under 16 px.

Three single-player games (two buyers and a sales lead, each with the agents' re-run beside it)
are compared: each game's row is shown once, the chart is as wide as the page with its text at
16 px or more as shown, and the page is a screen plus at most 100 px a compared row (the page
was ~170 px a row, with the games listed three times: tick boxes, chart and table).

Set ``SPSIM_SCREENSHOTS`` to a folder to keep what the room would see (``debrief_1280x720.png``).
"""

from pathlib import Path
from typing import Any

from sim.live.debrief_page import CHART_DPI
from sim.play.game import Game, rerun
from sim.play.seat import BuyerDecision, SalesDecision
from sim.views import facilitator
from tests.browser import BROWSER_MARKS, PROJECTOR, SMALLEST_PX, TEXT_SIZES, playwright_and_chromium, screenshot

pytestmark = BROWSER_MARKS
playwright_and_chromium()  # skips the module where there is no playwright or chromium

# The height of what the page shows: Solara's app layout scrolls a box under its app bar, so the
# document itself is never taller than the window; this adds that box's content to where it starts.
PAGE_HEIGHT = """
root => {
  let box = root.parentElement;
  while (box && !(box.scrollHeight > box.clientHeight && /(auto|scroll)/.test(getComputedStyle(box).overflowY)))
    box = box.parentElement;
  const documentHeight = document.documentElement.scrollHeight;
  return box ? Math.max(documentHeight, box.getBoundingClientRect().top + box.scrollHeight) : documentHeight;
}
"""
SCREEN_PX = PROJECTOR["height"]
ROW_PX = 100
"""At most this much page a compared row: a chart row (0.5 in, 49 px) and a table row (~24 px), with room
to spare; the page's head, the chart's titles and legend, the table's head and the buttons fit in a screen."""


def _save_games(games: Path) -> None:
    """Three finished one-week games, each with the agents' re-run in its seat: six rows."""
    for player, units in (("Uma", 20), ("Vic", 60)):
        game = Game.start(games, player=player, role="buyer", weeks=1, lead_in_days=14)
        game.submit(BuyerDecision({line.sku: units for line in game.briefing().lines}))
        rerun(game.folder)
    game = Game.start(games, player="Wes", role="sales", weeks=1, lead_in_days=14)
    game.submit(SalesDecision(0.2))
    rerun(game.folder)


def _small_text(page: Any) -> list[dict[str, Any]]:
    sizes: list[dict[str, Any]] = page.locator(".spsim-debrief").evaluate(TEXT_SIZES)
    assert len(sizes) > 40, "the check saw the page's text"
    return [size for size in sizes if size["px"] < SMALLEST_PX - 0.01]


def test_the_debrief_reads_from_the_back_of_the_room(page: Any, app: str, games: Path) -> None:
    _save_games(games)
    page.goto(app + "/debrief")
    page.locator(".spsim-debrief-chart img").wait_for()
    page.wait_for_function("document.querySelector('.spsim-debrief-chart img').naturalWidth > 0")

    labels = page.locator(".spsim-debrief-row").evaluate_all("rows => rows.map(r => r.dataset.label)")
    players = ["Uma", "Vic", "Wes"]
    expected = [name for player in players for name in (player, f"Agents ({player}'s seat)")]
    assert sorted(labels) == sorted(expected), "each game's row once, in one table"
    assert page.locator(".spsim-debrief-table").count() == 1
    assert page.get_by_text("Agents (Uma's seat)", exact=True).count() == 1, "the rows' names shown once"

    width, shown, drawn = page.locator(".spsim-debrief-chart img").evaluate(
        "img => [document.querySelector('.spsim-debrief').getBoundingClientRect().width,"
        " img.getBoundingClientRect().width, img.naturalWidth]"
    )
    assert shown >= 0.98 * width, f"the chart is as wide as the page: {shown} of {width} px"
    chart_px = facilitator.SMALLEST_PT * CHART_DPI / 72 * shown / drawn  # points to the pixels shown
    assert chart_px >= SMALLEST_PX, f"the chart's smallest text is {chart_px:.1f} px on the screen"

    small = _small_text(page)
    assert small == [], f"no text under 16 px: {small}"
    height = page.locator(".spsim-debrief").evaluate(PAGE_HEIGHT)
    assert height <= SCREEN_PX + ROW_PX * len(expected), f"the page is {height} px tall"
    page.wait_for_timeout(1_000)  # the chart fades in
    screenshot(page, "debrief_1280x720.png")

    page.get_by_text("Games compared: 6 of 6 ticked").click()  # the tick boxes, folded away at first
    page.locator(".spsim-debrief-game .v-label").first.wait_for()
    page.wait_for_timeout(500)  # the panel's opening transition
    screenshot(page, "debrief_1280x720_games.png")
    page.get_by_text("Details: what each row is").click()
    page.locator(".spsim-debrief-detail").first.wait_for()
    page.wait_for_timeout(500)  # the panels' opening transition
    small = _small_text(page)
    assert small == [], f"no text under 16 px in the panels opened: {small}"
    assert page.locator(".spsim-debrief-row").count() == len(expected), "the details are not the table again"
    screenshot(page, "debrief_1280x720_details.png")
