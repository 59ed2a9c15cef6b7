"""A session in real browsers: the console in one, the purchasing and the sales team each in their own.

The facilitator creates the session on /console (a 30-second clock a week), pauses it
while the teams join with their codes on /team, and resumes; week 1 both submit; week 2
sales misses the deadline (the console's clock advances the week, and sales' screen says
the agent's rule decided it); week 3 both submit and the leaderboard shows both teams.
A fourth browser with purchasing's code is refused: the team is held.

Then, at a projector's 1280×720: a market of two companies, a shock injected from the
console (a bad value first: one line, nothing applied), the weeks advanced, and the debrief
slides opened from the console and paged through, their type measured in the browser.
"""

import json
from pathlib import Path
from typing import Any

from tests.browser import BROWSER_MARKS, PROJECTOR, playwright_and_chromium, screenshot

pytestmark = BROWSER_MARKS
playwright_and_chromium()  # skips the module where there is no playwright or chromium
WEEK_S = 30  # the clock of a week ("0.5" minutes): long enough to submit on a busy machine


def _page(browser: Any) -> Any:
    """A page in a browser context of its own (its own cookies: another browser to the server)."""
    context = browser.new_context(viewport={"width": 1300, "height": 1400})
    page = context.new_page()
    page.set_default_timeout(60_000)
    return page


def _join(page: Any, app: str, code: str) -> None:
    page.goto(f"{app}/team")
    page.get_by_label("Team code").fill(code)
    page.get_by_role("button", name="Join").click()


def _buy(page: Any, week: int, units: str, last: bool = False) -> None:
    page.locator(f'.spsim-team-week[data-week="{week}"]').wait_for()
    orders = page.locator(".spsim-order input")
    orders.first.wait_for()
    for i in range(orders.count()):
        orders.nth(i).fill(units)
    page.get_by_text(f"Submit week {week}").click()
    if not last:  # the last team in moves the week on: no waiting
        page.locator(".spsim-team-waiting").wait_for()


def _sell(page: Any, week: int, adjustment: str) -> None:
    page.locator(f'.spsim-team-week[data-week="{week}"]').wait_for()
    page.get_by_label("Forecast adjustment (%)").fill(adjustment)
    page.get_by_text(f"Submit week {week}").click()


def test_two_teams_play_a_session_run_from_the_console(browser: Any, app: str, games: Path) -> None:
    console = _page(browser)
    console.goto(f"{app}/console")
    console.get_by_label("Session name").fill("Table 1")
    console.get_by_label("Weeks").fill("3")
    console.get_by_label("Minutes a week").fill(str(WEEK_S / 60))
    console.get_by_role("button", name="Create session").click()
    console.locator('.spsim-console-week[data-week="1"]').wait_for()
    console.get_by_role("button", name="Pause").click()  # the clock waits while the teams sit down
    console.get_by_text("Clock: paused").wait_for()
    team = console.locator(".spsim-console-team")
    codes = {team.nth(i).get_attribute("data-team"): team.nth(i).get_attribute("data-code") for i in range(2)}
    assert set(codes) == {"Purchasing", "Sales"}

    purchasing, sales = _page(browser), _page(browser)
    _join(purchasing, app, str(codes["Purchasing"]))
    _join(sales, app, str(codes["Sales"]))
    purchasing.locator('.spsim-team-seat-label[data-seat="buyer 0"]').wait_for()
    sales.locator('.spsim-team-seat-label[data-seat="rep 0"]').wait_for()
    assert sales.locator(".spsim-order").count() == 0, "a team sees only its own seats"
    console.locator('.spsim-console-team[data-held="yes"]').nth(1).wait_for()

    intruder = _page(browser)  # another laptop with purchasing's code
    _join(intruder, app, str(codes["Purchasing"]))
    intruder.locator(".spsim-team-error", has_text="already playing on another screen").wait_for()
    intruder.context.close()

    _buy(purchasing, 1, "30")
    _sell(sales, 1, "5")
    console.locator('.spsim-console-team[data-status="submitted"]').nth(1).wait_for()
    assert console.locator('.spsim-console-week[data-week="1"]').count() == 1, "paused: the week waits"
    console.get_by_role("button", name="Resume").click()
    console.locator('.spsim-console-week[data-week="2"]').wait_for()

    _buy(purchasing, 2, "35")  # sales never submits week 2: the clock runs out
    purchasing.get_by_text("waiting for Sales").wait_for()
    console.locator('.spsim-console-week[data-week="3"]').wait_for(timeout=(WEEK_S + 60) * 1000)
    sales.locator(".spsim-team-agent", has_text="The agent's rule decided week 2 for you").wait_for()
    assert purchasing.locator(".spsim-team-agent").count() == 0, "purchasing submitted: no such line"
    assert "Sales agent" in console.locator(".spsim-console-history").inner_text()

    _sell(sales, 3, "0")
    _buy(purchasing, 3, "30", last=True)
    console.locator('.spsim-console-week[data-week="over"]').wait_for()
    purchasing.locator(".spsim-team-over").wait_for()
    sales.locator(".spsim-team-over").wait_for()
    # The leaderboard is read again every few ticks of the clock: it may say "week 3 of 3" a moment longer.
    row = console.locator('.spsim-console-board-row[data-session="Table 1"]', has_text="finished")
    row.wait_for()
    assert row.get_attribute("data-teams") == "Purchasing,Sales"
    assert "finished" in row.inner_text() and "Purchasing (purchasing)" in row.inner_text()
    for page in (console, purchasing, sales):
        page.context.close()

    saved = [json.loads(p.read_text()) for p in (games.parent / "sessions").glob("*/session.json")]
    (decided,) = [info["decided"] for info in saved if info["name"] == "Table 1"]
    assert [week["Sales"] for week in decided] == ["team", "agent", "team"]


# Every element with text of its own on the slide, and its computed font size in px.
FONT_SIZES = """() => Array.from(document.querySelectorAll('.spsim-slides *'))
    .filter(e => e.offsetParent !== null
        && Array.from(e.childNodes).some(n => n.nodeType === 3 && n.textContent.trim()))
    .map(e => [e.textContent.trim().slice(0, 40), parseFloat(getComputedStyle(e).fontSize)])"""


def _font_px(page: Any, selector: str) -> float:
    return float(page.locator(selector).first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))


def test_the_facilitator_injects_a_shock_and_shows_the_debrief_slides(browser: Any, app: str) -> None:
    context = browser.new_context(viewport=PROJECTOR)
    console = context.new_page()
    console.set_default_timeout(90_000)
    console.goto(f"{app}/console")
    console.get_by_label("Session name").fill("Shock room")
    console.get_by_label("Weeks").fill("2")
    console.get_by_label("Minutes a week").fill("0")
    console.get_by_label("Companies (tables)").fill("2")
    console.get_by_role("button", name="Create session").click()
    console.locator('.spsim-console-week[data-week="1"][data-company="2"]').wait_for()
    assert console.locator(".spsim-console-company").count() == 2
    codes = console.locator(".spsim-console-team").evaluate_all("rows => rows.map(r => r.dataset.code)")
    assert len(codes) == 4 and len(set(codes)) == 4, "each table's teams have codes of their own"

    console.get_by_label("Capacity left (%)").fill("lots")
    console.get_by_role("button", name="Inject").click()
    error = console.locator(".spsim-console-shock-error")
    error.wait_for()
    assert "Capacity left (%): 'lots' is not a number" in error.inner_text()
    assert console.locator(".spsim-console-shock").count() == 0, "a bad value: nothing applied"
    console.get_by_label("Capacity left (%)").fill("30")
    console.get_by_role("button", name="Inject").click()
    console.locator('.spsim-console-shock[data-kind="disruption"]').wait_for()
    assert console.locator(".spsim-console-shock-error").count() == 0

    console.get_by_role("button", name="Advance week").click()
    console.locator('.spsim-console-week[data-week="2"][data-company="2"]').wait_for()
    console.locator(".spsim-console-board-row").nth(1).wait_for()
    screenshot(console, "console_1280x720.png")
    console.get_by_role("button", name="Advance week").click()
    console.locator('.spsim-console-week[data-week="over"][data-company="2"]').wait_for()

    console.locator(".spsim-console-slides").first.click()
    slide = console.locator('.spsim-slide-title[data-index="1"]')
    slide.wait_for()
    assert slide.get_attribute("data-kind") == "team"
    console.locator(".spsim-slide-chart img").wait_for()
    _check_projector_type(console)
    screenshot(console, "slide_1.png")
    console.get_by_role("button", name="Next").click()
    console.locator('.spsim-slide-title[data-index="2"]').wait_for()
    console.get_by_role("button", name="Next").click()
    shock = console.locator('.spsim-slide-title[data-index="3"]')
    shock.wait_for()
    assert shock.get_attribute("data-kind") == "shocks"
    assert "supplier disruption" in console.locator(".spsim-slide-text").inner_text()
    _check_projector_type(console)
    screenshot(console, "slide_2.png")
    console.get_by_role("button", name="Previous").click()
    console.locator('.spsim-slide-title[data-index="2"]').wait_for()
    context.close()


def _check_projector_type(page: Any) -> None:
    """Titles >= 28 px, every text on the slide >= 16 px, and the buttons on the screen (nothing cut off)."""
    assert _font_px(page, ".spsim-slide-title") >= 28
    sizes = page.evaluate(FONT_SIZES)
    small = [(text, size) for text, size in sizes if size < 16]
    assert sizes and not small, f"text under 16 px on the slide: {small}"
    bottom = page.get_by_role("button", name="Next").bounding_box()
    assert bottom is not None and bottom["y"] + bottom["height"] <= PROJECTOR["height"], "the buttons are cut off"
